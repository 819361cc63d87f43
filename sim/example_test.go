package sim_test

import (
	"fmt"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// Build a world with one schedule, crash the evaluator right after its second
// start takes effect, and print what happened: after 30 s of downtime the new
// process finds the 00:03 execution by its workflow id (describe) and adopts
// it, so the skip policy skips 00:04 while it runs.
func Example() {
	start := sim.DefaultStart
	w, err := sim.New(sim.Config{
		Duration: func(evaluator.StartRequest) time.Duration { return 90 * time.Second },
		Ops: []sim.Op{{At: start, Kind: sim.OpCreate, ScheduleID: "report", Config: evaluator.Config{
			Trigger:      evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)},
			Overlap:      evaluator.OverlapSkip,
			CatchUp:      evaluator.CatchUpOne,
			WorkflowType: "build-report",
		}}},
		Plan: sim.Plan{Faults: []sim.Fault{
			{Kind: sim.Crash, Call: "engine.start", Nth: 2, Phase: fakes.After, Downtime: 30 * time.Second},
		}},
	})
	if err != nil {
		panic(err)
	}
	if err := w.Run(start.Add(5 * time.Minute)); err != nil {
		panic(err)
	}
	for _, r := range w.Records() {
		switch r.Kind {
		case sim.KindStart, sim.KindCrash, sim.KindRestart, sim.KindDescribe, sim.KindClose, sim.KindDeliver:
			fmt.Println(r)
		}
	}
	fmt.Println("executions:", len(w.Engine().Runs()))
	// Output:
	// 2026-06-07T00:00:00Z restart
	// 2026-06-07T00:01:00Z start     report @2026-06-07T00:01:00Z run=run-1
	// 2026-06-07T00:01:00Z deliver   report @2026-06-07T00:01:00Z decided
	// 2026-06-07T00:02:00Z deliver   report @2026-06-07T00:02:00Z decided
	// 2026-06-07T00:02:30Z close     report @2026-06-07T00:01:00Z run=run-1 completed
	// 2026-06-07T00:03:00Z crash     report @2026-06-07T00:03:00Z crash after engine.start downtime=30s
	// 2026-06-07T00:03:00Z start     report @2026-06-07T00:03:00Z error=process crashed
	// 2026-06-07T00:03:00Z deliver   report @2026-06-07T00:03:00Z error=schedule "report": engine.start: process crashed
	// 2026-06-07T00:03:30Z restart
	// 2026-06-07T00:03:30Z describe  report @2026-06-07T00:03:00Z run=run-2 running
	// 2026-06-07T00:03:30Z describe  report @2026-06-07T00:03:00Z run=run-2 running
	// 2026-06-07T00:04:00Z deliver   report @2026-06-07T00:04:00Z decided
	// 2026-06-07T00:04:30Z close     report @2026-06-07T00:03:00Z run=run-2 completed
	// 2026-06-07T00:05:00Z start     report @2026-06-07T00:05:00Z run=run-3
	// 2026-06-07T00:05:00Z deliver   report @2026-06-07T00:05:00Z decided
	// executions: 3
}

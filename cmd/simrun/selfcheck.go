package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// The self-check's world: every overlap x catch-up pair on a 60 s interval,
// runs of 150 s (longer than the period), and a crash at crashAt that keeps
// the evaluator down for downtime.
var (
	crashAt  = sim.DefaultStart.Add(30*time.Minute + 10*time.Second)
	downtime = 25 * time.Minute
	runFor   = 150 * time.Second
)

func selfcheckConfig() (sim.Config, []string) {
	cfg := sim.Config{
		Duration:    sim.Fixed(runFor),
		CancelDelay: 5 * time.Second,
		Plan:        sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, At: crashAt, Downtime: downtime}}},
	}
	var ids []string
	for _, o := range []evaluator.OverlapPolicy{evaluator.OverlapSkip, evaluator.OverlapBufferOne, evaluator.OverlapCancelPrevious, evaluator.OverlapAllowAll} {
		for _, c := range []evaluator.CatchUpPolicy{evaluator.CatchUpAll, evaluator.CatchUpOne, evaluator.CatchUpSkip} {
			id := o.String() + "." + c.String()
			ids = append(ids, id)
			cfg.Ops = append(cfg.Ops, sim.Op{At: sim.DefaultStart, Kind: sim.OpCreate, ScheduleID: id, Config: evaluator.Config{
				Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)},
				Overlap: o, CatchUp: c, WorkflowType: "selfcheck"}})
		}
	}
	return cfg, ids
}

// selfcheck runs the world and checks S1 (skip and buffer_one never overlap),
// S4 (one start per tick), S7 (monotone starts), C3 (one timer at the next
// tick) and R1 (the log replays to the live state).
func selfcheck(hours int, verbose bool, stdout, stderr io.Writer) int {
	cfg, ids := selfcheckConfig()
	w, err := sim.New(cfg)
	if err == nil {
		err = w.Run(sim.DefaultStart.Add(time.Duration(hours) * time.Hour))
	}
	if err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return 1
	}
	if verbose {
		for _, r := range w.Records() {
			if r.Kind == sim.KindStart || r.Kind == sim.KindCrash || r.Kind == sim.KindRestart {
				fmt.Fprintln(stdout, r)
			}
		}
	}
	ev, ok := w.Process().(*evaluator.Evaluator)
	if !ok {
		fmt.Fprintln(stderr, "simrun: the evaluator is down at the end of the run")
		return 1
	}
	runs := map[string][]fakes.Run{} // in start order
	for _, r := range w.Engine().Runs() {
		runs[r.Request.ScheduleID] = append(runs[r.Request.ScheduleID], r)
	}
	var failures []string
	fmt.Fprintf(stdout, "schedsim self-check: %d schedules, 60s interval, runs of %s, crash at %s down %s, %dh simulated\n\n",
		len(ids), runFor, crashAt.Format(time.TimeOnly), downtime, hours)
	fmt.Fprintf(stdout, "%-26s %8s %8s %8s %8s %8s\n", "schedule", "started", "skipped", "buffered", "dropped", "missed")
	for _, id := range ids {
		failures = append(failures, checkRuns(id, runs[id])...)
		st, _ := ev.State(id)
		if tm, ok := w.Timers().Get(evaluator.TimerID(id)); !ok || !tm.At.Equal(st.Next) {
			failures = append(failures, fmt.Sprintf("C3 %s: timer %v, next %s", id, tm.At, st.Next))
		}
		c := st.Counters
		if int(c.Started) != len(runs[id]) {
			failures = append(failures, fmt.Sprintf("S4 %s: %d recorded starts, %d executions", id, c.Started, len(runs[id])))
		}
		fmt.Fprintf(stdout, "%-26s %8d %8d %8d %8d %8d\n", id, c.Started, c.Skipped, c.Buffered, c.Dropped, c.MissedRanges)
	}
	states, err := evaluator.Project(nil, w.Log().Events())
	if err != nil {
		failures = append(failures, "R1: "+err.Error())
	}
	for _, st := range states {
		if live, _ := ev.State(st.ID); !reflect.DeepEqual(live, st) {
			failures = append(failures, "R1 "+st.ID+": projection differs from live state")
		}
	}
	fmt.Fprintln(stdout)
	for _, f := range failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	const checks = "S1 S4 S7 C3 R1"
	if len(failures) > 0 {
		fmt.Fprintf(stdout, "%d checks failed (%s)\n", len(failures), checks)
		return 1
	}
	fmt.Fprintf(stdout, "all checks hold (%s) over %d events\n", checks, w.Log().Len())
	return 0
}

// checkRuns checks S7 for every schedule and S1 for skip and buffer_one ones.
func checkRuns(id string, runs []fakes.Run) []string {
	var out []string
	noOverlap := strings.HasPrefix(id, "skip.") || strings.HasPrefix(id, "buffer_one.")
	for i, r := range runs {
		if i > 0 && !r.Request.Nominal.After(runs[i-1].Request.Nominal) {
			out = append(out, fmt.Sprintf("S7 %s: %s started after %s", id, r.Execution.WorkflowID, runs[i-1].Execution.WorkflowID))
		}
		if !noOverlap {
			continue
		}
		for _, prev := range runs[:i] {
			if !prev.Closed || prev.ClosedAt.After(r.StartedAt) {
				out = append(out, fmt.Sprintf("S1 %s: %s started while %s ran", id, r.Execution.WorkflowID, prev.Execution.WorkflowID))
			}
		}
	}
	return out
}

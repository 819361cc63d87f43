// Package fleet is the benchmark workload of schedsim's packages: n
// schedules, half cron and half interval, periods of 1 min to 1 h, every
// overlap and catch-up policy, and runs of 10% to 150% of the period (drawn
// from the workflow id, so reproducible).
package fleet

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// Periods are the fleet's trigger periods, in minutes.
var Periods = []int{1, 2, 5, 10, 15, 20, 30, 60}

// New returns the creates of n schedules at sim.DefaultStart and the run
// durations of their executions.
func New(n int) ([]sim.Op, func(evaluator.StartRequest) time.Duration) {
	periods := map[string]time.Duration{}
	var ops []sim.Op
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("s%04d", i)
		p := Periods[i%len(Periods)]
		periods[id] = time.Duration(p) * time.Minute
		c := evaluator.Config{Overlap: evaluator.OverlapPolicy(1 + i%4), CatchUp: evaluator.CatchUpPolicy(1 + i%3), WorkflowType: "w"}
		switch {
		case i%2 == 1:
			c.Trigger.Interval = evaluator.Duration(periods[id])
		case p == 60:
			c.Trigger.Cron = "0 * * * *"
		default:
			c.Trigger.Cron = fmt.Sprintf("*/%d * * * *", p)
		}
		ops = append(ops, sim.Op{At: sim.DefaultStart, Kind: sim.OpCreate, ScheduleID: id, Config: c})
	}
	return ops, func(r evaluator.StartRequest) time.Duration {
		h := fnv.New32a()
		h.Write([]byte(r.WorkflowID))
		return periods[r.ScheduleID] * time.Duration(10+h.Sum32()%141) / 100
	}
}

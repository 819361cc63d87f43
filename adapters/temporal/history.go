package temporal

import (
	"fmt"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/sim"
)

// History converts an observation of schedule id, created at start with
// config c, into what schedsim's checkers judge, as of now: the create, and
// every execution with its start, cancel, termination and close. A manual
// start (trigger immediately, backfill) carries origin "trigger"; its
// nominal time is the one Temporal gave it. The schedule's own log is not
// ours to read: the log checks (A1, A2, L1–L3's first clauses) do not apply.
func (o Observation) History(id string, c evaluator.Config, start, now time.Time) *invariants.History {
	h := &invariants.History{Now: now,
		Applied: []sim.AppliedOp{{Op: sim.Op{At: start, Kind: sim.OpCreate, ScheduleID: id, RequestID: "create", Config: c}, First: start, At: start}}}
	for i, x := range o.Executions {
		r := fakes.Run{Request: evaluator.StartRequest{WorkflowID: x.WorkflowID, ScheduleID: id, Nominal: x.Nominal},
			Execution: evaluator.Execution{WorkflowID: x.WorkflowID, RunID: runID(i)}, StartedAt: x.StartedAt, ClosesAt: x.ClosesAt}
		if x.Manual {
			r.Request.Origin = evaluator.OriginTrigger
		}
		if !x.CancelledAt.IsZero() && !x.CancelledAt.After(now) {
			r.CancelRequested, r.CancelledAt = true, x.CancelledAt
		}
		switch {
		case !x.Terminated.IsZero() && !x.Terminated.After(now):
			r.Closed, r.ClosedAt, r.Terminated = true, x.Terminated, true
		case !x.ClosesAt.IsZero() && !x.ClosesAt.After(now):
			r.Closed, r.ClosedAt, r.Failed = true, x.ClosesAt, x.Failed && !r.CancelRequested
		}
		h.Runs = append(h.Runs, r)
	}
	return h
}

func runID(i int) string { return fmt.Sprintf("run-%d", i+1) }

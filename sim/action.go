package sim

import (
	"fmt"
	"slices"
	"time"
)

// ActionKind names something that happens to an execution from outside the
// evaluator.
type ActionKind string

// Action kinds.
const (
	ActComplete ActionKind = "complete" // the execution closes now, completed
	ActFail     ActionKind = "fail"     // the execution closes now, failed
	ActSlow     ActionKind = "slow"     // the execution now closes For after At (never, when For is zero)
)

// ActionKinds lists every action kind, in order.
func ActionKinds() []ActionKind { return []ActionKind{ActComplete, ActFail, ActSlow} }

// Action is a scripted change to the execution of ScheduleID for Nominal, at
// At; it is applied with the closures of its instant, before notices,
// operations and timers. An action whose execution is not open then is
// recorded with an error and changes nothing.
type Action struct {
	At         time.Time
	Kind       ActionKind
	ScheduleID string
	Nominal    time.Time
	For        time.Duration // ActSlow
}

func (a Action) validate(start time.Time) error {
	if !slices.Contains(ActionKinds(), a.Kind) {
		return fmt.Errorf("unknown kind %q (want one of %v)", a.Kind, ActionKinds())
	}
	if a.At.Before(start) {
		return fmt.Errorf("%s at %s is before the start %s", a.Kind, a.At.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if a.ScheduleID == "" || a.Nominal.IsZero() {
		return fmt.Errorf("%s needs a schedule id and a nominal time", a.Kind)
	}
	if a.For < 0 {
		return fmt.Errorf("%s: negative duration %s", a.Kind, a.For)
	}
	return nil
}

// AppliedOp is an operation the process accepted: First is when it was first
// tried, At when it succeeded (later than First when a crash or an error
// interrupted it and it was retried with its request id; its effect may date
// from any attempt in between).
type AppliedOp struct {
	Op
	First, At time.Time
	// StartsBefore is how many executions had started when it succeeded:
	// it orders the operation among the starts of its own instant.
	StartsBefore int
}

// RejectedOp is an operation the process refused, and why.
type RejectedOp struct {
	Op
	At  time.Time
	Err string
}

// act applies the actions due at now.
func (w *World) act(now time.Time) {
	for len(w.actions) > 0 && !w.actions[0].At.After(now) {
		a := w.actions[0]
		w.actions = w.actions[1:]
		rec := Record{Kind: KindAction, ScheduleID: a.ScheduleID, Nominal: a.Nominal, Detail: string(a.Kind)}
		id, ok := w.openRun(a.ScheduleID, a.Nominal)
		switch {
		case !ok:
			rec.Err = "no open execution"
		case a.Kind == ActComplete:
			x, _ := w.engine.Close(id)
			rec.WorkflowID, rec.RunID = x.WorkflowID, x.RunID
		case a.Kind == ActFail:
			x, _ := w.engine.Fail(id)
			rec.WorkflowID, rec.RunID = x.WorkflowID, x.RunID
		default:
			var at time.Time
			if a.For > 0 {
				at = now.Add(a.For)
			}
			rec.WorkflowID, rec.Detail = id, fmt.Sprintf("slow for=%s", a.For)
			if !w.engine.Extend(id, at) {
				rec.Err = "cannot extend"
			}
		}
		w.record(rec)
		if rec.Err == "" && a.Kind != ActSlow {
			w.record(Record{Kind: KindClose, ScheduleID: a.ScheduleID, Nominal: a.Nominal, WorkflowID: rec.WorkflowID, RunID: rec.RunID, Detail: closeDetail(a.Kind)})
		}
	}
}

func closeDetail(k ActionKind) string {
	if k == ActFail {
		return "failed"
	}
	return "completed"
}

// openRun finds the open execution of a schedule's tick, whatever its
// workflow id.
func (w *World) openRun(scheduleID string, nominal time.Time) (string, bool) {
	for _, r := range w.engine.Open() {
		if r.Request.ScheduleID == scheduleID && r.Request.Nominal.Equal(nominal) {
			return r.Execution.WorkflowID, true
		}
	}
	return "", false
}

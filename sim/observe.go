package sim

import (
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Records returns everything recorded so far.
func (w *World) Records() []Record {
	w.render()
	return slices.Clone(w.records)
}

// Trace renders the records, one line each.
func (w *World) Trace() string {
	w.render()
	var b strings.Builder
	_ = WriteTrace(&b, w.records)
	return b.String()
}

// unrendered is an append record whose Detail is rendered from its event
// only when the records are read.
type unrendered struct {
	index int // in records
	event evaluator.Event
}

func (w *World) render() {
	for _, u := range w.unrendered {
		e := u.event
		w.records[u.index].Detail, w.records[u.index].Event = describeEvent(e), &e
	}
	w.unrendered = w.unrendered[:0]
}

// Quiet reports whether nothing is owed to the process about a schedule: the
// process is up and recovered, no operation on the schedule waits, no closure
// notice of it is undelivered, and its timer (if any) is neither late nor
// being redelivered. (Whether the process itself owes a start is for its
// description to say.) Quiet points are where invariants C3 and R1 apply.
func (w *World) Quiet(scheduleID string) bool {
	return !w.unquiet()[scheduleID] && !w.down && !w.needRecover
}

// QuietAll is Quiet for each of ids, in one pass over what is pending.
func (w *World) QuietAll(ids []string) map[string]bool {
	busy := w.unquiet()
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = !w.down && !w.needRecover && !busy[id]
	}
	return out
}

// unquiet is the schedules something is owed to: a due operation, an
// undelivered notice, a late or redelivered timer.
func (w *World) unquiet() map[string]bool {
	out := map[string]bool{}
	for _, op := range w.ops {
		if !op.At.After(w.clock.Now()) {
			out[op.ScheduleID] = true
		}
	}
	for _, n := range w.engine.Notices() {
		out[n.ScheduleID] = true
	}
	for _, t := range w.timers.Armed() {
		if at, _ := w.timers.DeliverAt(t.ID); !at.Equal(t.At) {
			out[t.ScheduleID] = true
		}
	}
	return out
}

// Unfired returns the indexes (in Config.Plan.Faults) of the scripted faults
// that have not fired: a fault whose seam call, tick or time never came.
func (w *World) Unfired() []int {
	var out []int
	for i, f := range w.fired {
		if !f {
			out = append(out, i)
		}
	}
	return out
}

// Unconfirmed returns the operations tried but not yet confirmed (an
// interrupted attempt awaits its retry), with At zero: each may or may not
// have taken effect, at any attempt since First.
func (w *World) Unconfirmed() []AppliedOp {
	var out []AppliedOp
	for _, op := range w.ops {
		if !op.first.IsZero() {
			out = append(out, AppliedOp{Op: op.Op, First: op.first})
		}
	}
	return out
}

// Rejected returns the operations the process refused for good (not for an
// injected fault), in order.
func (w *World) Rejected() []RejectedOp { return slices.Clone(w.rejected) }

// Applied returns the operations the process accepted, in the order it
// accepted them.
func (w *World) Applied() []AppliedOp { return slices.Clone(w.applied) }

// Stats returns the counts so far.
func (w *World) Stats() Stats { return w.stats }

// SeamCalls returns how many seam calls the processes made.
func (w *World) SeamCalls() int { return w.totalCalls }

// Span is a stretch of simulated time, both ends included.
type Span struct{ From, Until time.Time }

// Disturbances returns, in order, when the world disturbed the process so
// far: a fault fired, a crash and its downtime, a restart (the first start
// included), a recovery, a clock jump, a timer delivered after its time
// (late, retried or after downtime). Overlapping spans are merged. Liveness
// checks measure their bounds from the end of the last disturbance.
func (w *World) Disturbances() []Span { return slices.Clone(w.disturbed) }

// Restarts returns when each incarnation after the first started (kept in
// lean mode too): for a scheduler without durability, where it registered its
// schedules again.
func (w *World) Restarts() []time.Time { return slices.Clone(w.restarts) }

// FirstSeamFault returns when the first seam error or crash at a seam call
// fired, or zero if none did: up to then a world runs as if it had none.
func (w *World) FirstSeamFault() time.Time { return w.seamFault }

// RetryDelay is the delay before the world retries a failed delivery,
// notice or operation.
func (w *World) RetryDelay() time.Duration { return w.cfg.RetryDelay }

// CancelDelay is how long a cancelled execution takes to close.
func (w *World) CancelDelay() time.Duration { return w.cfg.CancelDelay }

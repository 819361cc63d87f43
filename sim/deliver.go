package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

type tickKey struct {
	schedule string
	nominal  int64
}

// nominalOf reads the nominal time back from a reference-style workflow id.
func nominalOf(x evaluator.Execution) time.Time {
	_, s, _ := strings.Cut(x.WorkflowID, "@")
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// fault fires the first unfired scripted fault of kind k for this tick.
func (w *World) fault(k FaultKind, scheduleID string, nominal time.Time, what string) bool {
	_, ok := w.fireTickFault(k, scheduleID, nominal, what)
	return ok
}

// fireTickFault fires the first unfired scripted fault of kind k for this
// tick and returns it.
func (w *World) fireTickFault(k FaultKind, scheduleID string, nominal time.Time, what string) (Fault, bool) {
	if len(w.tickFaults) == 0 {
		return Fault{}, false
	}
	for _, i := range w.tickFaults[tickKey{scheduleID, nominal.UnixNano()}] {
		if f := w.plan.Faults[i]; !w.fired[i] && f.Kind == k {
			w.fired[i] = true
			w.record(Record{Kind: KindFault, ScheduleID: scheduleID, Nominal: nominal, Detail: k.String() + " " + what})
			return f, true
		}
	}
	return Fault{}, false
}

func (w *World) chance(p float64) bool { return p > 0 && w.rng.Float64() < p }

// runOps applies the operations due; false if the process crashed. The
// operations on one schedule run in order, as one client's would: while one
// waits to be retried, the later ones wait behind it.
func (w *World) runOps(now time.Time) bool {
	var waiting map[string]bool
	for i := 0; i < len(w.ops); {
		op := &w.ops[i]
		if op.At.After(now) {
			break
		}
		if op.notBefore.After(now) || waiting[op.ScheduleID] {
			if waiting == nil {
				waiting = map[string]bool{}
			}
			waiting[op.ScheduleID] = true
			i++
			continue
		}
		w.faulted = false
		if op.first.IsZero() {
			op.first = now
		}
		err := op.apply(w.ctx, w.proc)
		w.fatalOf(err)
		w.stats.Ops++
		w.record(Record{Kind: KindOp, ScheduleID: op.ScheduleID, Detail: op.String(), Err: errText(err)})
		if w.down {
			return false // retried with its request id after the restart
		}
		if err != nil && w.faulted {
			op.notBefore = now.Add(w.cfg.RetryDelay)
			if waiting == nil {
				waiting = map[string]bool{}
			}
			waiting[op.ScheduleID] = true
			i++
			continue
		}
		if err == nil {
			w.applied = append(w.applied, AppliedOp{Op: op.Op, First: op.first, At: now, StartsBefore: w.engine.Started()})
		} else {
			w.rejected = append(w.rejected, RejectedOp{Op: op.Op, At: now, Err: err.Error()})
		}
		w.ops = slices.Delete(w.ops, i, i+1) // done, or rejected for good
	}
	return true
}

// deliver delivers the due timers; false if the process crashed. Each pass
// takes the timers due, in order, and delivers those still due; timers
// re-armed into the past meanwhile are delivered by the next pass.
func (w *World) deliver(now time.Time) bool {
	for {
		w.dueBuf = w.timers.AppendDue(w.dueBuf[:0], now)
		if len(w.dueBuf) == 0 {
			return true
		}
		for _, t := range w.dueBuf {
			if !w.timers.IsDue(t, now) {
				continue
			}
			if !w.deliverOne(t, now) {
				return false
			}
		}
	}
}

func (w *World) deliverOne(t evaluator.Timer, now time.Time) bool {
	if !t.At.Equal(now) {
		w.disturb(0) // late, retried, or after downtime
	}
	if f, ok := w.fireTickFault(Late, t.ScheduleID, t.At, ""); ok {
		// Several late faults of one tick: each fires in turn, so the
		// delivery comes at the latest of them.
		w.timers.Redeliver(t, t.At.Add(f.Late))
		w.disturb(t.At.Add(f.Late).Sub(now)) // until the late delivery
		return true
	}
	// A seeded lateness is drawn once, when the timer's time comes.
	if t.At.Equal(now) && w.chance(w.plan.Rates.Late) {
		late := max(w.draw(w.plan.Rates.MaxLate), time.Nanosecond)
		w.record(Record{Kind: KindFault, ScheduleID: t.ScheduleID, Nominal: t.At, Detail: fmt.Sprintf("late %s", late)})
		w.timers.Redeliver(t, now.Add(late))
		w.disturb(late)
		return true
	}
	err := w.fire(t)
	if w.down {
		return false
	}
	if err != nil {
		w.timers.Redeliver(t, now.Add(w.cfg.RetryDelay))
		return true
	}
	w.timers.Ack(t)
	if w.fault(DuplicateDelivery, t.ScheduleID, t.At, "") || w.chance(w.plan.Rates.Duplicate) {
		_ = w.fire(t)
		if w.down {
			return false
		}
	}
	return true
}

func (w *World) fire(t evaluator.Timer) error {
	w.stats.Deliveries++
	out, err := w.proc.TimerFired(w.ctx, t.ScheduleID, t.At)
	w.fatalOf(err)
	if out == evaluator.Decided {
		w.stats.Decided++
	}
	if !w.cfg.Lean {
		w.record(Record{Kind: KindDeliver, ScheduleID: t.ScheduleID, Nominal: t.At, Detail: outcomeText(out), Err: errText(err)})
	}
	return err
}

func outcomeText(o evaluator.Outcome) string {
	if o == 0 {
		return ""
	}
	return o.String()
}

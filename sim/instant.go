package sim

import (
	"errors"
	"fmt"
	"time"

	"github.com/schedsim/schedsim/fakes"
)

// crash fences the current incarnation; a new one starts after downtime.
func (w *World) crash(downtime time.Duration) {
	w.gate.Close()
	if k, ok := w.proc.(Killer); ok {
		k.Kill()
	}
	w.down, w.upAt = true, w.clock.Now().Add(downtime)
	w.stats.Crashes++
	w.disturb(downtime)
}

// restart creates a new incarnation and recovers it.
func (w *World) restart() error {
	w.gate = &fakes.Gate{}
	rec := recorder{w: w, timers: w.timers.For(w.gate), engine: w.engine.For(w.gate), log: w.log.For(w.gate)}
	proc, err := w.cfg.Factory(Seams{Clock: w.clock, Timers: rec, Engine: rec, Log: rec})
	if err != nil {
		return fmt.Errorf("sim: factory: %w", err)
	}
	if w.stats.Restarts > 0 {
		w.restarts = append(w.restarts, w.clock.Now())
	}
	w.proc, w.down = proc, false
	w.stats.Restarts++
	w.record(Record{Kind: KindRestart})
	w.recover()
	return nil
}

func (w *World) recover() {
	w.needRecover = false
	w.record(Record{Kind: KindRecover}) // before the reads and appends it covers
	err := w.proc.Recover(w.ctx)
	w.fatalOf(err)
	if err != nil {
		w.record(Record{Kind: KindRecover, Detail: "failed", Err: errText(err)})
	}
	if err != nil && !w.down {
		w.needRecover, w.recoverAt = true, w.clock.Now().Add(w.cfg.RetryDelay)
	}
}

// maxPasses bounds the work at one instant: more means the process livelocks
// (for example it re-arms a timer at the present for ever).
const maxPasses = 1_000_000

// ErrLivelock is returned when one instant never settles.
var ErrLivelock = errors.New("livelock: the instant never settles")

// Run advances the world to `until`, handling everything due on the way in
// the order of docs/semantics.md for each instant: a restart (recovery), closures and their
// notices, operations, then timer deliveries. Errors of the process are
// records, not failures; Run fails only when the world cannot go on.
func (w *World) Run(until time.Time) error {
	for {
		now := w.clock.Now()
		if err := w.instant(now); err != nil {
			return err
		}
		if w.fatal != nil {
			return w.fatal
		}
		if !now.Before(until) {
			return nil
		}
		next := w.next(now, until)
		if next.After(now) {
			w.clock.Advance(next.Sub(now))
		}
	}
}

// instant handles everything due at now.
func (w *World) instant(now time.Time) error {
	for pass := 0; pass < maxPasses; pass++ {
		if w.fatal != nil {
			return nil
		}
		if w.down {
			w.closeDue(now)
			if now.Before(w.upAt) {
				return nil
			}
			if err := w.restart(); err != nil {
				return err
			}
			continue
		}
		if w.needRecover {
			// A process whose recovery failed serves nothing until it is
			// retried: executions still close, everything else waits.
			w.closeDue(now)
			if now.Before(w.recoverAt) {
				return nil
			}
			w.recover()
			continue
		}
		if w.crashAt(now) {
			continue
		}
		w.closeDue(now)
		if w.notices(now) && w.runOps(now) && w.deliver(now) && w.compact(now) && !w.closing(now) {
			return nil
		}
	}
	w.record(Record{Kind: KindViolation, Detail: "livelock"})
	return fmt.Errorf("%w at %s", ErrLivelock, now.Format(time.RFC3339Nano))
}

// closing reports whether an execution is due to close by now (a cancel with
// no delay made during this pass), or a notice is owed now (a terminate made
// during this pass closed one): the instant is not settled yet.
func (w *World) closing(now time.Time) bool {
	t, ok := w.engine.NextClose()
	return ok && !t.After(now) || len(w.actions) > 0 && !w.actions[0].At.After(now) ||
		!now.Before(w.noticeHold) && w.engine.PendingNotices() > 0
}

func (w *World) closeDue(now time.Time) {
	w.act(now)
	if w.cfg.Lean { // nothing to record
		w.engine.CloseDueFunc(now, nil)
		return
	}
	w.engine.CloseDueFunc(now, w.recordClose)
}

func (w *World) recordClose(r *fakes.Run) {
	detail := r.Status().String()
	w.record(Record{Kind: KindClose, ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal,
		WorkflowID: r.Execution.WorkflowID, RunID: r.Execution.RunID, Detail: detail})
}

// notices delivers the owed closure notices; false if the process crashed.
func (w *World) notices(now time.Time) bool {
	if now.Before(w.noticeHold) {
		return true
	}
	w.noticeBuf = w.engine.AppendNotices(w.noticeBuf[:0])
	for _, n := range w.noticeBuf {
		err := w.notify(n)
		if w.down {
			return false
		}
		if err != nil {
			w.noticeHold = now.Add(w.cfg.RetryDelay)
			return true
		}
		w.engine.AckNotice(n)
		if w.fault(DuplicateNotice, n.ScheduleID, nominalOf(n.Execution), n.Execution.WorkflowID) || w.chance(w.plan.Rates.Duplicate) {
			_ = w.notify(n)
			if w.down {
				return false
			}
		}
	}
	return true
}

func (w *World) notify(n fakes.Notice) error {
	w.stats.Notices++
	err := w.proc.ExecutionClosed(w.ctx, n.ScheduleID, n.Execution, n.Status)
	w.fatalOf(err)
	w.record(Record{Kind: KindNotice, ScheduleID: n.ScheduleID, WorkflowID: n.Execution.WorkflowID, RunID: n.Execution.RunID, Err: errText(err)})
	return err
}

// crashAt fires a timed crash (a Crash fault with At and no seam call) due now.
func (w *World) crashAt(now time.Time) bool {
	for _, i := range w.dueTimed(now) {
		if f := w.plan.Faults[i]; f.Kind == Crash && !w.fired[i] {
			w.fired[i] = true
			w.record(Record{Kind: KindCrash, Detail: fmt.Sprintf("crash at %s downtime=%s", f.At.Format(time.RFC3339), f.Downtime)})
			w.crash(f.Downtime)
			return true
		}
	}
	return false
}

// compact asks the process to snapshot its log when due; false if it crashed.
func (w *World) compact(now time.Time) bool {
	c, ok := w.proc.(Compacter)
	if !ok || w.cfg.CompactEvery <= 0 || now.Before(w.nextCompact) {
		return true
	}
	w.nextCompact = now.Add(w.cfg.CompactEvery)
	err := c.Compact(w.ctx)
	w.stats.Compactions++
	w.record(Record{Kind: KindSnapshot, Detail: "compact", Err: errText(err)})
	return !w.down
}

// next returns the next instant something is due, at most until (or the
// restart, when down past until). A due clock jump moves time at once.
func (w *World) next(now, until time.Time) time.Time {
	if !w.down {
		for _, i := range w.dueTimed(now) {
			if f := w.plan.Faults[i]; f.Kind == Jump && !w.fired[i] {
				w.fired[i] = true
				w.record(Record{Kind: KindJump, Detail: "+" + f.Jump.String()})
				w.disturb(f.Jump) // the process sleeps through it
				return now.Add(f.Jump)
			}
		}
	}
	next := until
	earlier := func(t time.Time) {
		if t.After(now) && t.Before(next) {
			next = t
		}
	}
	if t, ok := w.engine.NextClose(); ok {
		earlier(t)
	}
	if len(w.actions) > 0 {
		earlier(w.actions[0].At)
	}
	if w.down {
		earlier(w.upAt)
		return next
	}
	if w.needRecover {
		earlier(w.recoverAt)
		return next
	}
	if t, ok := w.timers.NextDelivery(); ok {
		earlier(t)
	}
	if w.engine.PendingNotices() > 0 {
		earlier(w.noticeHold)
	}
	for _, op := range w.ops {
		earlier(maxTime(op.At, op.notBefore))
	}
	if w.needRecover {
		earlier(w.recoverAt)
	}
	if w.cfg.CompactEvery > 0 {
		earlier(w.nextCompact)
	}
	if w.timedAt < len(w.timed) {
		// Unfired timed faults due by now wait for the process (a jump) or
		// were just handled; the first one not due yet is the next.
		if j := w.timedAt + len(w.dueTimed(now)); j < len(w.timed) {
			earlier(w.plan.Faults[w.timed[j]].At)
		}
	}
	return next
}

// dueTimed returns the unfired timed faults due by now, in time order. The
// timed faults are sorted by time and a cursor skips the fired ones, so an
// instant costs O(due), not O(faults).
func (w *World) dueTimed(now time.Time) []int {
	for w.timedAt < len(w.timed) && w.fired[w.timed[w.timedAt]] {
		w.timedAt++
	}
	j := w.timedAt
	for j < len(w.timed) && !w.plan.Faults[w.timed[j]].At.After(now) {
		j++
	}
	return w.timed[w.timedAt:j]
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

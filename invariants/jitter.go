package invariants

import (
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants/ticks"
)

// S9 Jitter: under a config with jitter, no tick starts before its jittered
// time (nominal + the documented delay, ticks.Jitter), and a tick in flight
// — its nominal time passed, its jittered time not — when a pause, update or
// delete applies is dropped, recorded in the same batch, never lost
// unrecorded. The first clause reads the executions, the second the log.
func S9(h *History) []Violation {
	var out []Violation
	for _, r := range h.Runs {
		if isManual(r) {
			continue // a manual start has no jitter
		}
		id, n := r.Request.ScheduleID, r.Request.Nominal
		l := h.lifeAt(id, n)
		if l == nil {
			continue
		}
		i := len(l.versions) - 1 // the latest config the tick belongs to
		for ; i >= 0 && !l.versions[i].onGrid(n); i-- {
		}
		if i < 0 || l.versions[i].cfg.Jitter <= 0 {
			continue // S6 reports a start off every grid
		}
		v := l.versions[i]
		due := n.Add(ticks.Jitter(id, n, v.after(n), time.Duration(v.cfg.Jitter)))
		if r.StartedAt.Before(due) {
			out = append(out, violation("S9", r, "started at %s, before its jittered time %s (jitter %s)",
				stamp(r.StartedAt), stamp(due), v.cfg.Jitter))
		}
	}
	logs := h.readLog()
	for _, id := range slices.Sorted(mapKeys(logs)) {
		out = append(out, logs[id].flight.lost...)
	}
	return out
}

// after is the tick of v after n, a tick of v: whatever v's anchor, an
// interval's is n + period (within end_at).
func (v version) after(n time.Time) time.Time {
	if !v.trig.IsInterval() {
		return v.grid(v.first).Next(n)
	}
	t := n.Add(v.trig.Period())
	if !v.cfg.EndAt.IsZero() && t.After(v.cfg.EndAt) {
		return time.Time{}
	}
	return t
}

// inFlight follows a schedule's log for S9: its next tick, its grid and
// jitter, and whether a pause, update or delete found the next tick in
// flight without recording its drop.
type inFlight struct {
	jit    *ticks.Jittered // nil: no jitter in force
	cfg    evaluator.Config
	next   time.Time
	active bool
	used   int       // starts under cfg, for its remaining_runs
	gone   time.Time // the in-flight tick the current batch dropped
	lost   []Violation
}

func (f *inFlight) apply(e evaluator.Event) {
	switch e.Type {
	case evaluator.Updated, evaluator.Paused, evaluator.Deleted:
		if f.active && f.jit != nil && !f.next.IsZero() && f.next.Before(e.At) && !f.jit.Due(f.next).Before(e.At) &&
			!f.gone.Equal(f.next) {
			f.lost = append(f.lost, Violation{Invariant: "S9", ScheduleID: e.ScheduleID, Nominal: f.next,
				Detail: fmt.Sprintf("event seq %d (%s) at %s: the tick in flight (due at %s) is neither started nor recorded dropped",
					e.Seq, e.Type, stamp(e.At), stamp(f.jit.Due(f.next)))})
		}
	}
	switch e.Type {
	case evaluator.Created, evaluator.Updated, evaluator.Resumed:
		if e.Config != nil {
			f.cfg = *e.Config
		}
		f.jit = nil
		f.active = f.active || e.Type != evaluator.Updated // an update keeps a pause
		if t, err := ticks.Parse(f.cfg.Trigger); err == nil && f.cfg.Jitter > 0 {
			f.jit = &ticks.Jittered{Grid: t.Grid(e.At).Within(f.cfg.StartAt, f.cfg.EndAt), ScheduleID: e.ScheduleID, Max: time.Duration(f.cfg.Jitter)}
		}
		f.next = e.Next
		if e.Type != evaluator.Resumed {
			f.used = 0
		}
	case evaluator.Skipped, evaluator.Buffered, evaluator.CatchUpDecided:
		f.next = e.Next
	case evaluator.Triggered:
		if e.Cause == evaluator.CauseTick || e.Cause == evaluator.CauseAdopt {
			f.next = e.Next
		}
		if e.Cause != evaluator.CauseTrigger {
			if f.used++; f.cfg.RemainingRuns > 0 && f.used >= f.cfg.RemainingRuns {
				f.next = time.Time{} // its runs are made: finished
			}
		}
	case evaluator.Paused, evaluator.Deleted:
		f.active = false
	}
	if e.Type != evaluator.Dropped {
		f.gone = time.Time{}
	}
}

// dropped reports whether e drops the next tick, in flight: e.At is between
// its nominal and its jittered time.
func (f *inFlight) dropped(e evaluator.Event) bool {
	if f.jit == nil || !f.active || e.Nominal.IsZero() || !e.Nominal.Equal(f.next) {
		return false
	}
	f.gone = e.Nominal
	return true
}

// jittered reports whether some configuration of the history has a jitter.
func (h *History) jittered() bool {
	for _, ls := range h.livesOf() {
		for _, l := range ls {
			if slices.ContainsFunc(l.versions, func(v version) bool { return v.cfg.Jitter > 0 }) {
				return true
			}
		}
	}
	return false
}

// due is when v's tick n is due: n plus its jitter.
func (v version) due(id string, n time.Time) time.Time {
	return n.Add(ticks.Jitter(id, n, v.after(n), time.Duration(v.cfg.Jitter)))
}

// nextDue is v's first tick due after now (nominal) and when it is due; ok
// is false when v's effect is ambiguous (its operation took effect
// somewhere in [first, at]).
func (v version) nextDue(id string, now time.Time) (nominal, due time.Time, ok bool) {
	if !v.first.Equal(v.at) {
		return time.Time{}, time.Time{}, false
	}
	// Only the ticks after the operation are v's (a cron's grid has earlier ones).
	g := v.grid(v.first).Within(maxTime(v.cfg.StartAt, v.first.Add(time.Nanosecond)), v.cfg.EndAt)
	j := ticks.Jittered{Grid: g, ScheduleID: id, Max: time.Duration(v.cfg.Jitter)}
	n := j.FirstDue(now.Add(time.Nanosecond))
	if n.IsZero() {
		return n, n, true
	}
	return n, j.Due(n), true
}

// isNextDue reports whether t is v's first tick due after now: due after
// now, and the tick before it (if v has one) due by now.
func (v version) isNextDue(id string, t, now time.Time) bool {
	if n, _, ok := v.nextDue(id, now); ok {
		return t.Equal(n)
	}
	if !v.onGrid(t) || !v.due(id, t).After(now) {
		return false
	}
	if !v.trig.IsInterval() {
		return true // the ticks of a cron's ambiguous [first, at] may or may not be its own
	}
	prev := t.Add(-v.trig.Period())
	return !v.onGrid(prev) || !v.due(id, prev).After(now)
}

package invariants

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// C3 Armed: at a quiet point each active schedule has exactly one armed
// timer, at its next nominal time; paused and deleted schedules have none.
func C3(h *History) []Violation {
	var out []Violation
	timers := map[string][]evaluator.Timer{}
	for _, t := range h.Timers {
		timers[t.ScheduleID] = append(timers[t.ScheduleID], t)
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range h.livesOf() {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range ids {
		if !h.Quiet[id] {
			continue
		}
		ls := h.livesOf()[id]
		l := ls[len(ls)-1]
		ts := timers[id]
		bad := func(format string, args ...any) {
			out = append(out, Violation{Invariant: "C3", ScheduleID: id, Detail: fmt.Sprintf(format, args...)})
		}
		if l.deleted != nil || l.paused {
			if len(ts) > 0 {
				bad("%s schedule has a timer armed at %s", map[bool]string{true: "deleted", false: "paused"}[l.deleted != nil], stamp(ts[0].At))
			}
			continue
		}
		if len(l.versions) == 0 {
			continue
		}
		v := l.versions[len(l.versions)-1]
		switch {
		case v.finished(id, h.Now) || h.usedUp(id, l):
			if len(ts) > 0 {
				bad("finished schedule (no tick left before its end_at, or its remaining_runs made) has a timer armed at %s", stamp(ts[0].At))
			}
		case len(ts) == 0:
			bad("active schedule has no timer armed")
		case len(ts) > 1:
			bad("%d timers armed", len(ts))
		case v.cfg.Jitter > 0:
			if _, due, ok := v.nextDue(id, h.Now); ok && !ts[0].At.Equal(due) || !ok && !ts[0].At.After(h.Now) {
				bad("timer armed at %s, not at the jittered time (%s) of the next tick due after %s", stamp(ts[0].At), stamp(due), stamp(h.Now))
			}
		case !v.isNext(ts[0].At, h.Now):
			bad("timer armed at %s, not at the next tick after %s", stamp(ts[0].At), stamp(h.Now))
		}
	}
	return out
}

// finished reports whether v has no tick after now (past its end_at); under
// jitter, none due after now (the last tick is due up to a jitter later).
func (v version) finished(id string, now time.Time) bool {
	if v.cfg.EndAt.IsZero() || !v.grid(v.first).Next(now).IsZero() {
		return false
	}
	if v.cfg.Jitter <= 0 {
		return true
	}
	var last time.Time // the last tick, if within a jitter of now and v's own (after its operation)
	for n := v.grid(v.first).Next(maxTime(now.Add(-time.Duration(v.cfg.Jitter)), v.first)); !n.IsZero(); n = v.grid(v.first).Next(n) {
		last = n
	}
	return last.IsZero() || !v.due(id, last).After(now)
}

// isNext reports whether t is v's first tick after now.
func (v version) isNext(t, now time.Time) bool {
	if !t.After(now) || !v.onGrid(t) {
		return false
	}
	if v.trig.IsInterval() {
		return !t.Add(-v.trig.Period()).After(now) // the tick before t is not after now
	}
	return v.grid(v.first).Next(now).Equal(t)
}

// C4 Next run described: at a quiet point an active schedule describes, as
// its first upcoming time, its next tick after now (the API users read to see
// when a job runs next). A paused schedule is not judged: what it would run
// next once resumed is the implementation's to say.
func C4(h *History) []Violation {
	var out []Violation
	for _, id := range slices.Sorted(maps.Keys(h.Described)) {
		d := h.Described[id]
		ls := h.livesOf()[id]
		if !h.Quiet[id] || len(ls) == 0 {
			continue
		}
		l := ls[len(ls)-1]
		bad := func(format string, args ...any) {
			out = append(out, Violation{Invariant: "C4", ScheduleID: id, Detail: fmt.Sprintf(format, args...)})
		}
		switch {
		case l.deleted != nil || len(l.versions) == 0 || l.paused:
		case l.versions[len(l.versions)-1].finished(id, h.Now) || h.usedUp(id, l):
			if len(d.Upcoming) > 0 {
				bad("finished schedule (no tick left before its end_at, or its remaining_runs made) describes a next run at %s", stamp(d.Upcoming[0]))
			}
		case len(d.Upcoming) == 0:
			bad("active schedule describes no next run")
		case l.versions[len(l.versions)-1].cfg.Jitter > 0:
			if !l.versions[len(l.versions)-1].isNextDue(id, d.Upcoming[0], h.Now) {
				bad("describes its next run at %s, not the next tick due (with its jitter) after %s", stamp(d.Upcoming[0]), stamp(h.Now))
			}
		case !l.versions[len(l.versions)-1].isNext(d.Upcoming[0], h.Now):
			bad("describes its next run at %s, not at the next tick after %s", stamp(d.Upcoming[0]), stamp(h.Now))
		}
	}
	return out
}

// maxC1Ticks bounds the ticks C1 enumerates per schedule.
const maxC1Ticks = 100_000

// C1 Nothing lost: for a schedule at a quiet point whose every config is
// allow_all with catch-up all and no window, every tick of its active periods
// up to now started exactly once. A period that a pause, update or delete
// ended may lose the ticks that were due but not yet delivered when the
// operation applied (docs/semantics.md): there, only the ticks up to its last
// started one are owed.
func C1(h *History) []Violation {
	vs, _, _ := c1(h)
	return vs
}

// c1 is C1; judged says whether any schedule was in its domain, and
// skipped names the schedules left out for having too many ticks to list.
func c1(h *History) (out []Violation, judged bool, skipped []string) {
	started := map[string]map[time.Time]bool{}
	for _, r := range h.Runs {
		if isManual(r) {
			continue
		}
		if started[r.Request.ScheduleID] == nil {
			started[r.Request.ScheduleID] = map[time.Time]bool{}
		}
		started[r.Request.ScheduleID][r.Request.Nominal.UTC()] = true
	}
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range h.livesOf() {
			if !yield(id) {
				return
			}
		}
	}) {
		if !h.Quiet[id] {
			continue
		}
		for _, l := range h.livesOf()[id] {
			ticks, ok, tooMany := l.owedTicks(h.Now, started[id])
			if tooMany {
				skipped = append(skipped, id)
			}
			if !ok {
				continue
			}
			judged = true
			for _, t := range ticks {
				if !started[id][t] {
					out = append(out, Violation{Invariant: "C1", ScheduleID: id, Nominal: t, Detail: "tick of an active period never started"})
					break
				}
			}
		}
	}
	return out, judged, skipped
}

// owedTicks lists the ticks a life owes up to now, or false when C1 does not
// apply (another policy, a window, an ambiguous anchor, or too many ticks:
// then tooMany).
func (l *life) owedTicks(now time.Time, started map[time.Time]bool) (ticks []time.Time, ok, tooMany bool) {
	var out []time.Time
	for i, v := range l.versions {
		from := len(out)
		c := v.cfg
		if c.Overlap != evaluator.OverlapAllowAll || c.CatchUp != evaluator.CatchUpAll || c.CatchUpWindow != nil || c.RemainingRuns > 0 || !v.first.Equal(v.at) {
			return nil, false, false
		}
		end := now
		if i+1 < len(l.versions) {
			end = l.versions[i+1].first
		}
		if l.deleted != nil && l.deleted.First.Before(end) {
			end = l.deleted.First // the delete may date from its first attempt
		}
		g := v.grid(v.first)
		for t := g.Next(v.first); !t.IsZero() && !t.After(now) && (t.Before(end) || t.Equal(now) && end.Equal(now)); t = g.Next(t) {
			if len(out) == maxC1Ticks {
				return nil, false, true
			}
			if c.Jitter > 0 && v.due(l.created.ScheduleID, t).After(now) {
				break // not due yet, nor any later tick
			}
			paused := slices.ContainsFunc(l.pauses, func(p span) bool {
				return !t.Before(p.first) && (p.until.IsZero() || !t.After(p.until))
			})
			if !paused {
				out = append(out, t)
			}
		}
		ended := i+1 < len(l.versions) || l.deleted != nil || l.paused ||
			slices.ContainsFunc(l.pauses, func(p span) bool { return !p.first.Before(v.first) })
		if ended { // owed only up to the period's last started tick
			last := from
			for j := from; j < len(out); j++ {
				if started[out[j]] {
					last = j + 1
				}
			}
			out = out[:last]
		}
	}
	return out, true, false
}

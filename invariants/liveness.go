package invariants

import (
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// A2 Described = recorded: at a quiet point a schedule's counters are what
// its log's dispositions imply, and what it describes agrees with the
// engine's own record: as many starts as the engine made for it, the latest
// of their nominal times as its last triggered tick, and a cancel asked for
// each running execution it says it asked to cancel.
func A2(h *History) []Violation {
	var out []Violation
	byID := h.runsBy()
	logs := h.readLog()
	for _, id := range slices.Sorted(mapKeys(h.Described)) {
		d := h.Described[id]
		if !h.Quiet[id] {
			continue
		}
		bad := func(format string, args ...any) {
			out = append(out, Violation{Invariant: "A2", ScheduleID: id, Detail: fmt.Sprintf(format, args...)})
		}
		if lt := logs[id]; lt != nil && d.Counters != lt.counts {
			bad("counters %+v, but the log's dispositions give %+v", d.Counters, lt.counts)
		}
		runs := byID[id]
		if int64(len(runs)) != d.Counters.Started {
			bad("counts %d starts, but the engine started %d executions for it", d.Counters.Started, len(runs))
		}
		var last time.Time
		cancel := map[evaluator.Execution]bool{}
		for _, r := range runs {
			if r.Request.Nominal.After(last) {
				last = r.Request.Nominal.UTC()
			}
			cancel[r.Execution] = r.CancelRequested
		}
		if !d.LastTriggered.Equal(last) {
			bad("last triggered %s, but the engine's latest start is for %s", stamp(d.LastTriggered), stamp(last))
		}
		for _, r := range d.Running {
			if asked, ok := cancel[r.Execution]; ok && asked != r.CancelRequested {
				bad("running %s: cancel requested %t, but the engine says %t", r.Execution.WorkflowID, r.CancelRequested, asked)
			}
		}
	}
	return out
}

// deadline is the latest time something owed from `from` may take: the
// liveness bound after from, extended past every disturbance (a fault, a
// crash and its downtime, a late delivery) that begins before it ends.
func (h *History) deadline(from time.Time) time.Time {
	d := from.Add(h.Bound)
	i, _ := slices.BinarySearchFunc(h.Disturbances, from, func(s sim.Span, t time.Time) int { return s.Until.Compare(t) })
	for ; i < len(h.Disturbances) && !h.Disturbances[i].From.After(d); i++ {
		if u := h.Disturbances[i].Until.Add(h.Bound); u.After(d) {
			d = u
		}
	}
	return d
}

// opBetween reports whether an operation other than a create was applied to
// (or tried on) the schedule in [from, until]: a pause, update or delete may
// drop what was owed.
func (h *History) opBetween(id string, from, until time.Time) bool {
	in := func(op sim.AppliedOp) bool {
		return op.ScheduleID == id && op.Kind != sim.OpCreate && !op.First.After(until) && !op.At.Before(from)
	}
	return slices.ContainsFunc(h.Applied, in) || slices.ContainsFunc(h.Unconfirmed, func(op sim.AppliedOp) bool {
		return op.ScheduleID == id && op.Kind != sim.OpCreate
	})
}

// L1 Buffered tick starts: once the running set of a schedule with a
// buffered tick empties — judged from the engine's record of its executions,
// not from the schedule's description — the buffered tick starts within the
// liveness bound (a few retry delays after the last disturbance), unless an
// operation drops it.
func L1(h *History) []Violation {
	var out []Violation
	byID := h.runsBy()
	logs := h.readLog()
	for _, id := range slices.Sorted(mapKeys(logs)) {
		runs := byID[id]
		// buffer_all's ticks queued one by one wait like a buffered tick:
		// a start before a later one's deadline fills the running set
		// again, so the wait of the next begins anew at its close.
		for _, b := range slices.Concat(logs[id].buffers, logs[id].waiting, logs[id].manualWaiting) {
			empty, due, ok := h.bufferDue(runs, b)
			if !ok {
				continue // something still runs
			}
			if h.opBetween(id, b.at, due) {
				continue
			}
			started := slices.IndexFunc(runs, func(r fakes.Run) bool {
				return r.Request.Nominal.Equal(b.nominal) && (b.origin == "" || r.Request.Origin == b.origin)
			})
			v := Violation{Invariant: "L1", ScheduleID: id, Nominal: b.nominal}
			switch {
			case started >= 0 && runs[started].StartedAt.After(due):
				v.Detail = fmt.Sprintf("started at %s; nothing ran from %s, so it was due by %s", stamp(runs[started].StartedAt), stamp(empty), stamp(due))
			case started < 0 && !b.droppedAt.IsZero() && !b.droppedAt.After(due):
				continue // dropped in time (A1 judges whether it may be)
			case started < 0 && h.up() && h.Now.After(due):
				v.Detail = fmt.Sprintf("still not started at %s; nothing has run since %s", stamp(h.Now), stamp(empty))
			default:
				continue
			}
			out = append(out, v)
		}
		out = append(out, h.queueWaits(id, runs, logs[id].queue)...)
	}
	return out
}

// queueWaits is L1 for buffer_all's ranges a catch-up queued (their ticks
// are not listed one by one): once nothing else runs after the range's
// latest start, its next tick must start within the liveness bound, until it
// is paid or dropped. (That each earlier one started in time is not judged.)
func (h *History) queueWaits(id string, runs []fakes.Run, queue []logOwed) []Violation {
	var out []Violation
	for _, q := range queue {
		if q.dropped || q.paid >= q.count || q.count <= 1 {
			continue // done, dropped, or one tick (judged as a waiting tick)
		}
		own := func(r fakes.Run) bool {
			return !isManual(r) && !r.Request.Nominal.Before(q.next) && r.Request.Nominal.Before(q.until)
		}
		empty, due, ok := h.waitDue(runs, maxTime(q.at, q.paidAt), own)
		if !ok || h.opBetween(id, q.at, due) || !h.up() || !h.Now.After(due) {
			continue
		}
		out = append(out, Violation{Invariant: "L1", ScheduleID: id, Nominal: q.next,
			Detail: fmt.Sprintf("%d of the %d ticks queued in [%s, %s) still wait at %s; nothing has run since %s", q.count-q.paid, q.count, stamp(q.from), stamp(q.until), stamp(h.Now), stamp(empty))})
	}
	return out
}

// bufferDue is when the running set first empties for good after b was
// buffered, and by when b must then start: a run that starts before that
// deadline (an owed catch-up start goes before the buffered tick) fills the
// set again, and the wait begins anew when it closes. False while something
// runs.
func (h *History) bufferDue(runs []fakes.Run, b logBuffer) (empty, due time.Time, ok bool) {
	return h.waitDue(runs, b.at, func(r fakes.Run) bool { return r.Request.Nominal.Equal(b.nominal) })
}

// waitDue is bufferDue for what waits from `from`: own says which runs are
// its own starts (they do not count as something else running).
func (h *History) waitDue(runs []fakes.Run, from time.Time, own func(fakes.Run) bool) (empty, due time.Time, ok bool) {
	for {
		if empty, ok = emptiesAt(runs, from, own); !ok {
			return empty, due, false
		}
		due = h.deadline(empty)
		i := slices.IndexFunc(runs, func(r fakes.Run) bool {
			return !own(r) && r.StartedAt.After(empty) && !r.StartedAt.After(due)
		})
		if i < 0 {
			return empty, due, true
		}
		from = runs[i].StartedAt
	}
}

// emptiesAt is the first instant from `from` at which none of runs but the
// waiting one's own is open; false if that never happens.
func emptiesAt(runs []fakes.Run, from time.Time, own func(fakes.Run) bool) (time.Time, bool) {
	t := from
	for {
		latest, open := t, false
		for _, r := range runs {
			if own(r) || r.StartedAt.After(t) || r.Closed && !r.ClosedAt.After(t) {
				continue
			}
			if !r.Closed {
				return time.Time{}, false
			}
			open = true
			if r.ClosedAt.After(latest) {
				latest = r.ClosedAt
			}
		}
		if !open {
			return t, true
		}
		t = latest
	}
}

// L2 Owed starts are paid: the starts a catch-up decision owes all happen
// within the liveness bound of the decision, unless an operation drops them.
func L2(h *History) []Violation {
	var out []Violation
	byID := h.runsBy()
	logs := h.readLog()
	for _, id := range slices.Sorted(mapKeys(logs)) {
		// A catch-up's owed starts are ticks' own, a backfill's are named
		// "backfill" (their waiting ones are L1's).
		type owed struct {
			logOwed
			origin string
		}
		var all []owed
		for _, o := range logs[id].owed {
			all = append(all, owed{o, ""})
		}
		for _, o := range logs[id].backfill {
			if !o.wait {
				all = append(all, owed{o, evaluator.OriginBackfill})
			}
		}
		for _, o := range all {
			due := h.deadline(o.at)
			if !h.Now.After(due) || h.opBetween(id, o.at, due) {
				continue
			}
			var n int64
			for _, r := range byID[id] {
				if r.Request.Origin == o.origin && !r.Request.Nominal.Before(o.from) && r.Request.Nominal.Before(o.until) && !r.StartedAt.After(due) {
					n++
				}
			}
			if n < o.count {
				out = append(out, Violation{Invariant: "L2", ScheduleID: id, Nominal: o.from,
					Detail: fmt.Sprintf("%d of the %d starts owed since %s for [%s, %s) started by %s", n, o.count, stamp(o.at), stamp(o.from), stamp(o.until), stamp(due))})
			}
		}
	}
	return out
}

// L3 Every due tick is decided: for an active schedule, each tick of its
// current configuration that came due more than the liveness bound ago (and
// after the last disturbance) has a disposition in the log — whatever the
// schedule says it owes. And once the world owes a schedule nothing and the
// bound has passed since the last disturbance, the schedule owes nothing
// either: no owed start, no buffered tick with nothing running. (This last
// clause reads the description, so it holds for processes that keep their
// own log too.)
func L3(h *History) []Violation {
	if h.l3Unsettled() != "" {
		return nil
	}
	var out []Violation
	for _, id := range slices.Sorted(mapKeys(h.Described)) {
		if d := h.Described[id]; h.Settled[id] && !quietDescription(d) {
			what := fmt.Sprintf("%d owed start ranges", len(d.Owed))
			if len(d.Owed) == 0 {
				what = "a buffered tick (" + stamp(d.Buffered) + ") with nothing running"
			}
			out = append(out, Violation{Invariant: "L3", ScheduleID: id,
				Detail: fmt.Sprintf("still describes %s at %s, though nothing disturbed it for the liveness bound (%s)", what, stamp(h.Now), h.Bound)})
		}
	}
	logs := h.readLog()
	cutoff := h.Now.Add(-h.Bound)
	for _, id := range slices.Sorted(mapKeys(h.livesOf())) {
		ls := h.livesOf()[id]
		l := ls[len(ls)-1]
		lt := logs[id]
		if lt == nil || l.deleted != nil || l.paused || len(l.versions) == 0 || h.opBetween(id, cutoff, h.Now) {
			continue
		}
		v := l.versions[len(l.versions)-1]
		if !v.first.Equal(v.at) {
			continue // the anchor is ambiguous
		}
		if h.usedUp(id, l) {
			continue // its remaining_runs are made: no tick is due any more
		}
		t := v.grid(v.at).Next(maxTime(v.at, lt.decidedUntil.Add(-time.Nanosecond)))
		due := t
		if v.cfg.Jitter > 0 && !t.IsZero() {
			due = v.due(id, t) // due at its jittered time
		}
		if !t.IsZero() && !due.After(cutoff) {
			out = append(out, Violation{Invariant: "L3", ScheduleID: id, Nominal: t,
				Detail: fmt.Sprintf("due at %s, still without a disposition in the log at %s", stamp(due), stamp(h.Now))})
		}
	}
	return out
}

// l3Unsettled says why L3 cannot judge now, or "".
func (h *History) l3Unsettled() string {
	if !h.up() {
		return "the process is down"
	}
	if n := len(h.Disturbances); n > 0 && h.deadline(h.Disturbances[n-1].From).After(h.Now) {
		return fmt.Sprintf("the last disturbance, at %s, is less than the liveness bound (%s) ago", stamp(h.Disturbances[n-1].From), h.Bound)
	}
	return ""
}

// runsBy groups the engine's executions by schedule, in start order.
func (h *History) runsBy() map[string][]fakes.Run {
	out := map[string][]fakes.Run{}
	for _, r := range h.Runs {
		out[r.Request.ScheduleID] = append(out[r.Request.ScheduleID], r)
	}
	return out
}

// up reports whether the process is up (it could describe its schedules).
func (h *History) up() bool { return h.Described != nil }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

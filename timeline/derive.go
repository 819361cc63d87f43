package timeline

import (
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/sim"
)

// event reads the decisions an appended event records into tick marks.
func (b *builder) event(l *Lane, e evaluator.Event, at int64) {
	one := func(d string) {
		b.tick(l, Tick{Nominal: b.ms(e.Nominal), Count: 1, Disposition: d, Decided: at})
	}
	switch e.Type {
	case evaluator.Triggered:
		// A catch-up's starts are drawn with its decision; a buffered (or
		// queued) tick's mark turns to start, as its fate; a tick or an
		// adopted start is new.
		if e.Cause == evaluator.CauseTick || e.Cause == evaluator.CauseAdopt || e.Cause == evaluator.CauseBuffer {
			one("start")
		}
	case evaluator.Skipped:
		one("skip")
	case evaluator.Buffered:
		one("buffer")
	case evaluator.Dropped:
		if !e.Nominal.IsZero() {
			one("drop")
		}
		for _, r := range e.Ranges {
			if r.Until.Sub(r.From) == time.Nanosecond {
				// One tick queued on its own: its mark turns to drop.
				b.tick(l, Tick{Nominal: b.ms(r.From), Count: 1, Disposition: "drop", Decided: at})
				continue
			}
			b.span(l, r, "drop", at)
		}
	case evaluator.CatchUpDecided:
		for _, r := range e.Ranges {
			b.span(l, r, r.Disposition.String(), at)
		}
	case evaluator.Paused:
		if e.Cause == evaluator.CauseFailure {
			// No operation made it: pause_on_failure did, when it learnt
			// that an execution failed.
			l.Marks = append(l.Marks, Mark{At: at, Kind: "pause", Schedule: e.ScheduleID, Detail: "on failure of " + e.Execution.WorkflowID})
		}
	}
}

// span marks a range of ticks decided at once: one tick when it counts one;
// uncounted (Count 0) when the log does not count them (it counts only
// owed starts).
func (b *builder) span(l *Lane, r evaluator.TickRange, d string, at int64) {
	t := Tick{Nominal: b.ms(r.From), Count: r.Count, Disposition: d, Decided: at}
	if t.Count != 1 {
		t.Until = b.ms(r.Until)
	}
	b.tick(l, t)
}

// tick adds a tick mark, one per lane and nominal time for single ticks: a
// later event about the same tick (a buffered tick started or dropped)
// gives the mark its fate, the tick's last disposition, as the scenario
// format's ticks expectation reads it; a replayed event changes nothing.
func (b *builder) tick(l *Lane, t Tick) {
	if t.Until == 0 {
		seen := b.ticked[l.ID]
		if seen == nil {
			seen = map[int64]int{}
			b.ticked[l.ID] = seen
		}
		if i, ok := seen[t.Nominal]; ok {
			if old := &l.Ticks[i]; old.Disposition != t.Disposition && t.Disposition != "none" {
				old.Disposition, old.Decided = t.Disposition, t.Decided
			}
			return
		}
		seen[t.Nominal] = len(l.Ticks)
	}
	l.Ticks = append(l.Ticks, t)
}

// pending notes a delivered tick of an implementation without a log to read.
func (b *builder) pending(l *Lane, nominal, at int64) {
	b.delivered[l.ID] = append(b.delivered[l.ID], Tick{Nominal: nominal, Count: 1, Disposition: "none", Decided: at})
}

// unstarted marks the delivered ticks that never started (log-less
// implementations only: why is theirs to know).
func (b *builder) unstarted() {
	for _, id := range b.order {
		for _, t := range b.delivered[id] {
			b.tick(b.lanes[id], t)
		}
	}
}

// maxRows bounds a lane's execution rows: a catch-up of a hundred
// overlapping starts would otherwise make a lane a hundred rows tall. Bars
// beyond it share the last row.
const maxRows = 8

// stack gives each execution the first row free at its start, in start
// order, and returns how many rows that took (at least one, at most
// maxRows).
func stack(xs []Execution) int {
	var ends []int64 // per row: when its last bar closes
	for i := range xs {
		row := slices.IndexFunc(ends, func(end int64) bool { return end <= xs[i].Start })
		if row < 0 {
			row = len(ends)
			ends = append(ends, 0)
		}
		// A bar of no length still takes a pixel: keep it off its neighbour.
		ends[row] = max(xs[i].Close, xs[i].Start+1)
		xs[i].Row = min(row, maxRows-1)
	}
	return min(max(len(ends), 1), maxRows)
}

// offsets lists the zone's UTC offset at from and at each change before
// until. Go's ZoneBounds can answer an end before the instant (golang/go
// issue 81583); then the walk probes an hour on.
func (b *builder) offsets(zone string, from, until time.Time) []Offset {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return []Offset{}
	}
	name, off := from.In(loc).Zone()
	out := []Offset{{At: b.ms(from), Seconds: off, Name: name}}
	t := from
	for len(out) < 10000 {
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(until) {
			break
		}
		if !end.After(t) {
			t = t.Add(time.Hour)
			continue
		}
		t = end
		name, off := t.In(loc).Zone()
		if last := out[len(out)-1]; last.Seconds != off || last.Name != name {
			out = append(out, Offset{At: b.ms(t), Seconds: off, Name: name})
		}
	}
	return out
}

// violation places a broken invariant: at the start it concerns (the last
// start of its tick before the check), else at its tick, else at the check.
func (b *builder) violation(v invariants.Violation, checked time.Time, records []sim.Record) Violation {
	out := Violation{Invariant: v.Invariant, Schedule: v.ScheduleID, Detail: v.Detail, Lines: v.Lines, At: b.ms(checked)}
	if out.Lines == nil {
		out.Lines = []string{}
	}
	if e, ok := invariants.Lookup(v.Invariant); ok {
		out.Name, out.Says = e.Name, e.Says
	}
	if v.Nominal.IsZero() {
		return out
	}
	n := b.ms(v.Nominal)
	out.Nominal, out.At = &n, n
	for _, r := range records {
		if !checked.IsZero() && r.At.After(checked) {
			break
		}
		if r.Kind == sim.KindStart && r.Err == "" && r.ScheduleID == v.ScheduleID && r.Nominal.Equal(v.Nominal) {
			out.At = b.ms(r.At)
		}
	}
	return out
}

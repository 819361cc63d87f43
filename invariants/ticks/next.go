package ticks

import "time"

// IsInterval reports whether the trigger is an interval.
func (t *Trigger) IsInterval() bool { return t.period > 0 }

// Period is the interval, or 0 for a cron.
func (t *Trigger) Period() time.Duration { return t.period }

// Grid is a trigger's tick sequence anchored at a reference time (which only
// intervals use). Its zero value has no ticks.
type Grid struct {
	t   *Trigger
	ref time.Time
	// from and to bound the ticks, both inclusive (zero: unbounded).
	from, to time.Time
	// back: an interval's ticks are ref + k·period for every integer k.
	back bool
}

// Backwards extends an interval's ticks before its reference: ref + k·period
// for every integer k, the ticks a backfill reads (a cron's are unchanged).
func (g Grid) Backwards() Grid {
	g.back = true
	return g
}

// Grid anchors the trigger at ref.
func (t *Trigger) Grid(ref time.Time) Grid { return Grid{t: t, ref: ref.UTC()} }

// Within keeps only the ticks in [from, to] (a zero bound: none on that side).
func (g Grid) Within(from, to time.Time) Grid {
	g.from, g.to = from.UTC(), to.UTC()
	return g
}

// Next returns the first tick strictly after `after` in UTC — of an interval
// ref + k·period, k ≥ 1; of a cron, see Trigger.Next — or the zero time when
// there is none.
func (g Grid) Next(after time.Time) time.Time {
	if !g.from.IsZero() && after.Before(g.from) {
		after = g.from.Add(-time.Nanosecond)
	}
	var t time.Time
	switch {
	case g.t == nil:
		return time.Time{}
	case g.t.period > 0 && g.back && after.Before(g.ref):
		// The smallest ref - k·period (k ≥ 0) after `after`.
		k := g.ref.Sub(after) / g.t.period
		if t = g.ref.Add(-k * g.t.period); !t.After(after) {
			t = t.Add(g.t.period)
		}
	case g.t.period > 0:
		t = g.t.intervalAfter(g.ref, after.UTC())
	default:
		t = g.t.Next(after)
	}
	if !g.to.IsZero() && t.After(g.to) {
		return time.Time{}
	}
	return t
}

func (t *Trigger) intervalAfter(ref, after time.Time) time.Time {
	first := ref.Add(t.period)
	if after.Before(first) {
		return first
	}
	k := after.Sub(ref)/t.period + 1 // Sub saturates past ~292 years: checked below
	if k > (1<<63-1)/t.period {
		return time.Time{}
	}
	next := ref.Add(k * t.period)
	if !next.After(after) {
		return time.Time{}
	}
	return next
}

// yearsAhead is how far Next looks: a cron with no tick in the calendar
// years up to five after the query has none (robfig's limit too).
const yearsAhead = 5

// Next returns a cron's first tick strictly after `after`, in UTC, or the
// zero time when there is none within yearsAhead calendar years.
//
// It walks forward from the next whole second. At each instant it reads the
// wall clock in the zone; if the date does not match it jumps to the next
// day, if the hour does not, to the next hour, and so on — but only when the
// UTC offset is the same at both ends of the jump, so that every instant
// skipped reads a wall time of the unit that did not match. Across an offset
// change it tries the next smaller unit, down to single seconds.
func (t *Trigger) Next(after time.Time) time.Time {
	at := after.Truncate(time.Second).Add(time.Second)
	limit := at.In(t.zone).Year() + yearsAhead
	for {
		w := at.In(t.zone)
		year, month, day := w.Date()
		hour, minute, second := w.Clock()
		if year > limit {
			return time.Time{}
		}
		// The largest unit that cannot match: a field that does not match
		// and has no later value in its unit rules out the rest of the unit
		// above it too.
		unit := time.Duration(0)
		switch {
		case !t.has(4, int(month)) || !t.dayMatches(day, w.Weekday()):
			unit = 24 * time.Hour
		case !t.has(2, hour):
			unit = t.orAbove(2, hour, time.Hour)
		case !t.has(1, minute):
			unit = t.orAbove(1, minute, time.Minute)
		case !t.has(0, second):
			unit = t.orAbove(0, second, time.Second)
		default:
			return at.UTC()
		}
		at = t.skip(at, w, hour*3600+minute*60+second, unit)
	}
}

// skip moves past the rest of the wall-clock unit w is in, without skipping
// an instant of another unit.
func (t *Trigger) skip(at, w time.Time, secondOfDay int, unit time.Duration) time.Time {
	_, off := w.Zone()
	into := time.Duration(secondOfDay) * time.Second
	for ; unit > time.Second; unit = smaller(unit) {
		next := at.Add(unit - into%unit)
		_, endOff := next.Add(-time.Second).In(t.zone).Zone()
		if _, nextOff := next.In(t.zone).Zone(); nextOff == off && endOff == off {
			return next
		}
	}
	return at.Add(time.Second)
}

// orAbove is unit, or the unit above it when field has no value after v.
func (t *Trigger) orAbove(field, v int, unit time.Duration) time.Duration {
	if t.fields[field]>>(v+1) != 0 {
		return unit
	}
	switch unit {
	case time.Second:
		return time.Minute
	case time.Minute:
		return time.Hour
	}
	return 24 * time.Hour
}

func smaller(unit time.Duration) time.Duration {
	switch unit {
	case 24 * time.Hour:
		return time.Hour
	case time.Hour:
		return time.Minute
	}
	return time.Second
}

func (t *Trigger) has(field, v int) bool { return t.fields[field]&(1<<v) != 0 }

// dayMatches: with either day field "*" both must match, else either.
func (t *Trigger) dayMatches(day int, weekday time.Weekday) bool {
	dom, dow := t.has(3, day), t.has(5, int(weekday))
	if t.star[3] || t.star[5] {
		return dom && dow
	}
	return dom || dow
}

package properties

import (
	"slices"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
)

// Boundary values: defects hide where two times are equal — a delivery late
// by exactly the catch-up window, a run that closes exactly at the next tick,
// a restart, an operation or a seam fault exactly at a tick or at a DST
// change. Values drawn from small fixed sets rarely line up, so each history
// derives such instants from its own schedules, and a fixed share of the
// generated times is drawn from them (boundaryShare), each exact or one
// nanosecond either side.

// boundaryShare is the weight of boundary instants against uniform ones (1 in 4).
const boundaryShare = 1

// boundaryValues turns boundary generation on; only a test turns it off, to
// show what it adds.
var boundaryValues = true

// boundaries lists a history's boundary instants up to until, as offsets
// from its start: the ticks of its schedules, the closures of the runs they
// start (tick + runs_for), and the clock changes of their zones.
func boundaries(h History, until time.Duration) []time.Duration {
	var out []time.Duration
	for _, s := range h.Schedules {
		out = append(out, ownBoundaries(s, h.Start, until)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ownBoundaries are one schedule's boundary instants (see boundaries).
func ownBoundaries(s Schedule, start time.Time, until time.Duration) []time.Duration {
	if s.BadTrigger != nil {
		return nil
	}
	var out []time.Duration
	for _, t := range ticksOf(s, start, until) {
		out = append(out, t)
		if c := t + s.RunsFor; s.RunsFor > 0 && c <= until {
			out = append(out, c)
		}
	}
	return append(out, zoneChanges(s, start, until)...)
}

// zoneChanges lists when a zoned cron's zone changes its UTC offset in
// [start, start+until].
func zoneChanges(s Schedule, start time.Time, until time.Duration) []time.Duration {
	if s.Trigger.Timezone == "" {
		return nil
	}
	loc, err := time.LoadLocation(s.Trigger.Timezone)
	if err != nil {
		return nil
	}
	var out []time.Duration
	_, prev := start.In(loc).Zone()
	for d := time.Duration(0); d <= until; d += time.Minute {
		if _, off := start.Add(d).In(loc).Zone(); off != prev {
			out, prev = append(out, d), off
		}
	}
	return out
}

// nearly draws t, t-1ns or t+1ns (never before 0 or after until).
func nearly(ts []time.Duration, until time.Duration) gopter.Gen {
	vals := make([]any, 0, 3*len(ts))
	for _, t := range ts {
		for _, d := range []time.Duration{t, t - 1, t + 1} {
			if d >= 0 && d <= until {
				vals = append(vals, d)
			}
		}
	}
	return gen.OneConstOf(vals...)
}

// orBoundary draws from uniform, or one time in 1+boundaryShare from the
// boundary instants up to until.
func orBoundary(uniform gopter.Gen, h History, until time.Duration) gopter.Gen {
	bs := boundaries(h, until)
	if len(bs) == 0 || !boundaryValues {
		return uniform
	}
	return gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: uniform}, {Weight: boundaryShare, Gen: nearly(bs, until)}})
}

// landing draws a crash whose downtime ends, or a clock jump that lands,
// exactly at a boundary instant: at b - d for a duration d of ds.
func landing(h History, until time.Duration, ds []time.Duration, kind string) gopter.Gen {
	var pairs []any
	for _, b := range boundaries(h, until) {
		for _, d := range ds {
			if d > 0 && b-d >= 0 {
				pairs = append(pairs, [2]time.Duration{b - d, d})
			}
		}
	}
	if len(pairs) == 0 || !boundaryValues {
		return nil
	}
	return gen.OneConstOf(pairs...).Map(func(p [2]time.Duration) Step {
		return Step{At: p[0], Kind: kind, Duration: p[1]}
	})
}

// periodOf is the distance between a schedule's first two ticks (0 if it
// has fewer).
func periodOf(ticks []time.Duration) time.Duration {
	if len(ticks) < 2 {
		return 0
	}
	return ticks[1] - ticks[0]
}

// lateness lists the boundary latenesses of a schedule's tick: exactly its
// catch-up window and 1ns either side, and exactly one or two periods (the
// delivery lands on a later tick).
func lateness(s Schedule, period time.Duration) []any {
	if !boundaryValues {
		return nil
	}
	var out []any
	if w := s.Window; w > 0 {
		out = append(out, w-1, w, w+1)
	}
	if period > 0 {
		out = append(out, period, 2*period)
	}
	return out
}

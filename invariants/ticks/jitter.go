package ticks

import "time"

// Jitter is the documented delay of a tick (docs/semantics.md, "Jitter"):
// FNV-1a 64 of the workflow id "<schedule id>@<nominal, RFC 3339 with
// nanoseconds>", modulo min(max, next − nominal) in whole milliseconds (max
// when there is no next tick), in milliseconds; zero under a bound of a
// millisecond or less. Written from the rule, not by calling the evaluator.
func Jitter(scheduleID string, nominal, next time.Time, max time.Duration) time.Duration {
	bound := max
	if !next.IsZero() && next.Sub(nominal) < bound {
		bound = next.Sub(nominal)
	}
	ms := uint64(bound / time.Millisecond)
	if ms <= 1 {
		return 0
	}
	h := uint64(14695981039346656037)
	id := scheduleID + "@" + nominal.UTC().Format(time.RFC3339Nano)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return time.Duration(h%ms) * time.Millisecond
}

// Jittered is a grid with its schedule's jitter: when each tick is due.
type Jittered struct {
	Grid       Grid
	ScheduleID string
	Max        time.Duration
}

// Due is when the tick at t is due: t plus its jitter.
func (j Jittered) Due(t time.Time) time.Time {
	return t.Add(Jitter(j.ScheduleID, t, j.Grid.Next(t), j.Max))
}

// FirstDue is the first tick due at or after u (zero: none). Ticks are due
// in their order, so only the last tick before u can be due at or after u;
// the ticks of (u − Max, u) are walked to find it.
func (j Jittered) FirstDue(u time.Time) time.Time {
	var last time.Time
	t := j.Grid.Next(u.Add(-j.Max))
	for ; !t.IsZero() && t.Before(u); t = j.Grid.Next(t) {
		last = t
	}
	if !last.IsZero() && !j.Due(last).Before(u) {
		return last
	}
	return t
}

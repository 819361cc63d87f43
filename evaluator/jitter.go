package evaluator

import (
	"hash/fnv"
	"time"
)

// JitterOf is the delay of the tick at nominal of schedule scheduleID under a
// maximum jitter, in whole milliseconds: FNV-1a (64 bits) of the tick's
// workflow id (WorkflowID(scheduleID, nominal)), modulo the bound in
// milliseconds (rounded down). The bound is jitter, or the gap to the next
// nominal time `next` when that is shorter, so a tick never starts at or
// after the next one's nominal time; a last tick (next zero) takes the whole
// jitter. Zero under a bound of a millisecond or less. It depends on nothing
// else — neither the clock nor the process — so every restart and every
// implementation finds the same delay; milliseconds keep traces readable.
func JitterOf(scheduleID string, nominal, next time.Time, jitter time.Duration) time.Duration {
	bound := jitter
	if !next.IsZero() {
		bound = min(bound, next.Sub(nominal))
	}
	ms := uint64(bound / time.Millisecond)
	if ms <= 1 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(WorkflowID(scheduleID, nominal)))
	return time.Duration(h.Sum64()%ms) * time.Millisecond
}

// jittered is a grid seen through its ticks' jittered (due) times: nominal
// + JitterOf. Due times keep the ticks' order (a tick is due before the next
// one's nominal time), so the planner's rules — the late-tick rule, the
// window, on time — apply to due times unchanged, and its ranges map back to
// nominal ranges holding the same ticks.
type jittered struct {
	g      *Grid
	id     string
	jitter time.Duration
	// interval: the grid's period (0 for a cron): the last tick before an
	// instant is then found in O(1).
	period time.Duration
}

// due is the jittered time of the tick at t.
func (j *jittered) due(t time.Time) time.Time {
	return t.Add(JitterOf(j.id, t, j.g.Next(t), j.jitter))
}

// firstDue is the first tick whose due time is at or after u (zero: none).
// Only the last tick before u can be due at or after u (the ones before it
// are due before its nominal time), and only if it is within jitter of u:
// for a cron, finding it walks the ticks of (u - jitter, u).
func (j *jittered) firstDue(u time.Time) time.Time {
	from := u.Add(-j.jitter)
	if j.period > 0 {
		// An interval's last tick before v lies in [v-period, v), where v
		// is u, or just past end_at when that is sooner.
		v := u
		if !j.g.to.IsZero() && j.g.to.Before(u) {
			v = j.g.to.Add(time.Nanosecond)
		}
		if f := v.Add(-j.period - time.Nanosecond); f.After(from) {
			from = f
		}
	}
	t := j.g.Next(from)
	if t.IsZero() || !t.Before(u) {
		return t
	}
	for {
		n := j.g.Next(t)
		if n.IsZero() || !n.Before(u) {
			if !j.due(t).Before(u) {
				return t
			}
			return n
		}
		t = n
	}
}

// Next is the first due time strictly after `after` (Sequence).
func (j *jittered) Next(after time.Time) time.Time {
	t := j.firstDue(after.Add(time.Nanosecond))
	if t.IsZero() {
		return t
	}
	return j.due(t)
}

// CountIn counts the ticks due in [from, until) (Sequence).
func (j *jittered) CountIn(from, until time.Time) int64 {
	a := j.firstDue(from)
	if a.IsZero() || !from.Before(until) {
		return 0
	}
	return j.g.CountIn(a, j.nominal(until))
}

// nominal maps a boundary of due time u to the nominal boundary that keeps
// the same ticks on each side: the first tick due at or after u, or past the
// grid's last tick when none is.
func (j *jittered) nominal(u time.Time) time.Time {
	if t := j.firstDue(u); !t.IsZero() {
		return t
	}
	if !j.g.to.IsZero() {
		return j.g.to.Add(time.Nanosecond)
	}
	return endOfTime
}

// endOfTime stands past every tick a grid can compute (year 2262).
var endOfTime = time.Unix(0, 1<<63-1).UTC()

// nominalPlan rewrites a plan decided in due times into nominal times, in
// place: the log, the state and the workflow ids keep nominal times.
func (j *jittered) nominalPlan(p *Plan) {
	for i := range p.Ranges {
		r := &p.Ranges[i]
		r.From, r.Until = j.nominal(r.From), j.nominal(r.Until)
	}
	if !p.Next.IsZero() {
		p.Next = j.firstDue(p.Next)
	}
}

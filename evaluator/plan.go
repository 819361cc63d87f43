package evaluator

import (
	"time"

	"github.com/schedsim/schedsim/internal/mutation"
)

// Sequence is a trigger's tick sequence as the planner sees it; Grid implements it.
// It is an interface so tests can count calls (the O(1) catch-up budget).
type Sequence interface {
	// Next returns the first tick strictly after `after`, or the zero time.
	Next(after time.Time) time.Time
	// CountIn returns the number of ticks in [from, until).
	CountIn(from, until time.Time) int64
}

// TickRange is a run of consecutive ticks in [From, Until) that share one
// disposition. Count is the number of ticks of a Start range (the starts still
// owed) and, under buffer_all, of a Buffer range (the ticks queued) and of a
// Skip range (the ticks that found the queue full); other ranges leave it 0,
// because counting cron ticks is O(length).
type TickRange struct {
	Disposition Disposition `json:"disposition"`
	From        time.Time   `json:"from"`
	Until       time.Time   `json:"until"`
	Count       int64       `json:"count,omitempty"`
}

// PlanInput is what a timer delivery decides from.
type PlanInput struct {
	Next     time.Time // the schedule's next nominal time; must not be after Now
	Now      time.Time
	Overlap  OverlapPolicy
	CatchUp  CatchUpPolicy
	Window   time.Duration // 0: no catch-up window
	Running  bool          // the running set is not empty
	Buffered bool          // a tick is buffered (buffer_one)
	Queued   int64         // ticks queued (buffer_all)
	Limit    int64         // buffer_all's bound (Config.Limit)
	// Limited: remaining_runs is set, and Capacity is how many more ticks it
	// lets start or wait; beyond it a tick is skipped.
	Limited  bool
	Capacity int64

	mut    mutation.Set // the evaluator's mutants, if any
	ranges []TickRange  // a buffer for Plan.Ranges, reused by the evaluator
}

// Plan is a delivery's decision: a disposition for every due tick, as
// consecutive ranges oldest first, and the schedule's new next time (zero
// when the trigger has no more ticks).
type Plan struct {
	Ranges []TickRange
	Next   time.Time
	// Late reports that more than one tick was due (a catch-up decision).
	Late bool
}

// PlanDelivery applies the late-tick rule, the catch-up window, the catch-up
// policy and the overlap policy (docs/semantics.md) to the ticks due at in.Now. For
// catch-up one and skip it calls seq.Next a constant number of times whatever
// the length of the outage; for all it also counts start ranges with CountIn.
func PlanDelivery(seq Sequence, in PlanInput) Plan {
	b := planBuilder{seq: seq, policy: in.Overlap, running: in.Running, buffered: in.Buffered, mut: in.mut, ranges: in.ranges,
		queued: in.Queued, limit: in.Limit, capacity: -1}
	if in.Limited {
		b.capacity = max(in.Capacity, 0)
	}
	if in.Overlap == OverlapBufferAll {
		b.buffered = b.queued >= b.limit // full: the disposition is skip
	}
	missed := func(t time.Time) bool { return t.Before(in.Now.Add(-in.Window)) }
	if in.mut.Has(mutation.WindowInclusive) {
		missed = func(t time.Time) bool { return !t.After(in.Now.Add(-in.Window)) }
	}
	first := in.Next
	second := seq.Next(first)
	if second.IsZero() || second.After(in.Now) {
		// A lone due tick is handled normally, even a little late; only the window applies.
		until := orEnd(second, first)
		if in.Window > 0 && missed(first) {
			b.add(Miss, first, until, 0)
		} else {
			b.tick(first, until)
		}
		return Plan{Ranges: b.ranges, Next: second}
	}
	next := seq.Next(in.Now)
	end := orEnd(next, in.Now)
	onTime := seq.Next(in.Now.Add(-time.Nanosecond)).Equal(in.Now) && !in.mut.Has(mutation.TickAtNowIsLate)
	lateEnd := end
	if onTime {
		lateEnd = in.Now
	}
	from := first
	if in.Window > 0 {
		if cutoff := in.Now.Add(-in.Window); missed(from) {
			w := clip(seq.Next(cutoff.Add(-time.Nanosecond)), lateEnd)
			if in.mut.Has(mutation.WindowInclusive) {
				w = clip(seq.Next(cutoff), lateEnd)
			}
			b.add(Miss, from, w, 0)
			from = w
		}
	}
	if from.Before(lateEnd) {
		switch in.CatchUp {
		case CatchUpAll:
			b.stream(from, lateEnd)
		case CatchUpOne:
			if in.mut.Has(mutation.CatchUpOneNewest) {
				last := from
				for t := seq.Next(last); !t.IsZero() && t.Before(lateEnd); t = seq.Next(t) {
					last = t
				}
				b.add(Miss, from, last, 0)
				b.tick(last, lateEnd)
				break
			}
			s := clip(seq.Next(from), lateEnd)
			b.tick(from, s)
			b.add(Miss, s, lateEnd, 0)
		case CatchUpSkip:
			b.add(Miss, from, lateEnd, 0)
		default:
			// Unreachable: configs are validated against the table, and
			// TestEveryPolicyHasABehaviour fails for a policy added without a case.
			b.add(Miss, from, lateEnd, 0)
		}
	}
	if onTime {
		b.tick(in.Now, end)
	}
	return Plan{Ranges: b.ranges, Next: next, Late: true}
}

// orEnd stands in for a missing next tick: the range then ends just after last.
func orEnd(next, last time.Time) time.Time {
	if next.IsZero() {
		return last.Add(time.Nanosecond)
	}
	return next
}

func clip(t, end time.Time) time.Time {
	if t.IsZero() || t.After(end) {
		return end
	}
	return t
}

type planBuilder struct {
	seq    Sequence
	policy OverlapPolicy
	// running: the simulated running set is not empty; buffered: the buffer
	// has no room (buffer_one's tick, or buffer_all's queue at its limit).
	running, buffered bool
	queued, limit     int64 // buffer_all's queue
	capacity          int64 // remaining_runs' room (negative: unlimited)
	ranges            []TickRange
	mut               mutation.Set
}

// tick decides one tick [at, until) against the simulated running set: a tick
// chosen to start is running from then on, a buffered one fills the buffer.
func (b *planBuilder) tick(at, until time.Time) {
	d := Overlap(b.policy, b.running, b.buffered)
	if b.mut.Has(mutation.BufferKeepsNewest) && b.policy == OverlapBufferOne && b.running {
		d = Buffer // a newer tick replaces the buffered one
	}
	limited := false
	if d == Start || d == Buffer {
		switch {
		case b.capacity == 0:
			d, limited = Skip, true // remaining_runs has no room for it
		case b.capacity > 0:
			b.capacity--
		}
	}
	var n int64
	switch {
	case d == Start:
		b.running, n = true, 1
	case b.policy == OverlapBufferAll && !limited:
		// buffer_all counts what it queues, and what found the queue full
		// (a tick remaining_runs skipped is not an overflow: uncounted).
		n = 1
		if d == Buffer {
			b.queued++
			b.buffered = b.queued >= b.limit
		}
	case d == Buffer:
		b.buffered = true
	}
	b.add(d, at, until, n)
}

// stream decides every tick of [from, end) oldest first. After at most two ticks
// the disposition can no longer change, so the rest is one range: O(1) events.
func (b *planBuilder) stream(from, end time.Time) {
	for from.Before(end) {
		if b.capacity == 0 {
			b.add(Skip, from, end, 0)
			return
		}
		if b.running && b.policy == OverlapBufferAll && !b.buffered {
			from = b.queue(from, end)
			continue
		}
		if b.running && (b.policy != OverlapBufferOne || b.buffered) {
			d := Overlap(b.policy, true, b.buffered)
			var n int64
			if d == Start || b.policy == OverlapBufferAll {
				n = b.seq.CountIn(from, end)
			}
			if d == Start && b.capacity >= 0 && n > b.capacity {
				// Only capacity of them may start: the rest are skipped.
				rest := b.nth(from, b.capacity)
				b.add(Start, from, rest, b.capacity)
				b.capacity = 0
				b.add(Skip, rest, end, 0)
				return
			}
			if d == Start && b.capacity > 0 {
				b.capacity -= n
			}
			b.add(d, from, end, n)
			return
		}
		s := clip(b.seq.Next(from), end)
		b.tick(from, s)
		from = s
	}
}

// queue queues the ticks of [from, end) that fit in buffer_all's queue, and
// returns where the rest begins (end when all fit). Finding where the queue
// fills takes one seq.Next per tick queued: at most the limit.
func (b *planBuilder) queue(from, end time.Time) time.Time {
	room := b.limit - b.queued
	if b.capacity >= 0 && b.capacity < room {
		room = b.capacity // remaining_runs leaves less room than the bound
	}
	n := b.seq.CountIn(from, end)
	rest := end
	if n > room {
		n, rest = room, b.nth(from, room)
	}
	b.add(Buffer, from, rest, n)
	b.queued += n
	b.buffered = b.queued >= b.limit
	if b.capacity > 0 {
		b.capacity -= n
	}
	return rest
}

// nth is the tick that follows n ticks counted from the tick from: one
// seq.Next per tick (callers bound n).
func (b *planBuilder) nth(from time.Time, n int64) time.Time {
	for range n {
		from = b.seq.Next(from)
	}
	return from
}

func (b *planBuilder) add(d Disposition, from, until time.Time, n int64) {
	if !from.Before(until) {
		return
	}
	if k := len(b.ranges) - 1; k >= 0 && b.ranges[k].Disposition == d && b.ranges[k].Until.Equal(from) {
		b.ranges[k].Until = until
		b.ranges[k].Count += n
		return
	}
	b.ranges = append(b.ranges, TickRange{Disposition: d, From: from, Until: until, Count: n})
}

package invariants

import (
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// What the log says was done with each tick, read once for the accounting
// (A1, A2) and liveness (L1–L3) checks. The log is the harness's record, not
// the process's description of itself.

// logTicks is one schedule's log, read.
type logTicks struct {
	decidedUntil time.Time // every tick before it has a disposition
	buffers      []logBuffer
	owed         []logOwed
	// all: the policy in force is buffer_all, whose queue is ranges of
	// ticks paid oldest first, as owed starts are.
	all   bool
	queue []logOwed
	// waiting are buffer_all's ticks queued one by one (a lone tick's
	// buffered event), for L1: each is a buffered tick that waits its turn.
	waiting []logBuffer
	// manual are the manual starts (TriggerNow) decided to start or to
	// wait; manualWaiting those that waited, for L1.
	manual        []logBuffer
	manualWaiting []logBuffer
	counts        evaluator.Counters // what the dispositions imply
	twice         []Violation        // A1
	flight        inFlight           // S9
	// backfill are the ranges backfill decisions owe (start) or keep
	// waiting (buffer), paid by backfilled starts.
	backfill []logOwed
}

// logBuffer is a tick buffered at at, and when it left the buffer (zero:
// still there).
type logBuffer struct {
	nominal, at time.Time
	startedAt   time.Time
	droppedAt   time.Time
	origin      string // of its start: "" for a tick's own, trigger, backfill
}

// logOwed is a range of starts a catch-up decision owed, from at.
type logOwed struct {
	from, until, at time.Time
	count, paid     int64
	dropped         bool
	next            time.Time // the next tick the payments may name
	paidAt          time.Time // the instant of the latest payment
	wait            bool      // a backfill's ticks that wait (not owed)
}

// readLog walks the log once, per schedule in log order, ignoring an event
// whose seq the schedule has already had (a duplicated append).
func (h *History) readLog() map[string]*logTicks {
	if h.logRead != nil {
		return h.logRead
	}
	out := map[string]*logTicks{}
	seq := map[string]uint64{}
	for _, e := range h.Events {
		id := e.ScheduleID
		if e.Seq != 0 && e.Seq <= seq[id] {
			continue
		}
		seq[id] = e.Seq
		lt := out[id]
		if lt == nil {
			lt = &logTicks{}
			out[id] = lt
		}
		lt.apply(e)
	}
	h.logRead = out
	return out
}

func (lt *logTicks) twiceAt(e evaluator.Event, n time.Time, format string, args ...any) {
	lt.twice = append(lt.twice, Violation{Invariant: "A1", ScheduleID: e.ScheduleID, Nominal: n,
		Detail: fmt.Sprintf("event seq %d (%s): ", e.Seq, e.Type) + fmt.Sprintf(format, args...)})
}

// decide notes a first disposition of the ticks in [from, until).
func (lt *logTicks) decide(e evaluator.Event, from, until time.Time) {
	if from.Before(lt.decidedUntil) {
		lt.twiceAt(e, from, "disposes of a tick again: every tick before %s already had a disposition", stamp(lt.decidedUntil))
	}
	if until.After(lt.decidedUntil) {
		lt.decidedUntil = until
	}
}

func (lt *logTicks) buffered() *logBuffer {
	if n := len(lt.buffers); n > 0 && lt.buffers[n-1].startedAt.IsZero() && lt.buffers[n-1].droppedAt.IsZero() {
		return &lt.buffers[n-1]
	}
	return nil
}

func (lt *logTicks) apply(e evaluator.Event) {
	lt.flight.apply(e)
	point := func(n time.Time) { lt.decide(e, n, n.Add(time.Nanosecond)) }
	buffer := func(n time.Time) {
		if b := lt.buffered(); b != nil {
			lt.twiceAt(e, n, "buffers while %s is buffered", stamp(b.nominal))
			b.droppedAt = e.At
		}
		lt.buffers = append(lt.buffers, logBuffer{nominal: n, at: e.At})
	}
	switch e.Type {
	case evaluator.Created, evaluator.Updated, evaluator.Resumed:
		// A new grid from now: its ticks are later than this event, the
		// old one's last range may have reached beyond it.
		lt.decidedUntil = e.At.Add(time.Nanosecond)
		if e.Config != nil {
			lt.all = e.Config.Overlap == evaluator.OverlapBufferAll
		}
	case evaluator.Skipped:
		point(e.Nominal)
		if e.Cause == evaluator.CauseOverflow {
			lt.counts.Overflowed++
		} else {
			lt.counts.Skipped++
		}
	case evaluator.Buffered:
		point(e.Nominal)
		lt.counts.Buffered++
		if lt.all {
			lt.queue = append(lt.queue, logOwed{from: e.Nominal, until: e.Nominal.Add(time.Nanosecond), at: e.At, count: 1, next: e.Nominal})
			lt.waiting = append(lt.waiting, logBuffer{nominal: e.Nominal, at: e.At})
			break
		}
		buffer(e.Nominal)
	case evaluator.CatchUpDecided:
		for _, r := range e.Ranges {
			lt.decide(e, r.From, r.Until)
			switch r.Disposition {
			case evaluator.Start:
				lt.owed = append(lt.owed, logOwed{from: r.From, until: r.Until, at: e.At, count: r.Count, next: r.From})
			case evaluator.Skip:
				if lt.all {
					lt.counts.Overflowed += r.Count
				} else {
					lt.counts.Skipped++
				}
			case evaluator.Buffer:
				if lt.all {
					lt.counts.Buffered += r.Count
					lt.queue = append(lt.queue, logOwed{from: r.From, until: r.Until, at: e.At, count: r.Count, next: r.From})
					break
				}
				buffer(r.From)
				lt.counts.Buffered++
			case evaluator.Miss:
				lt.counts.MissedRanges++
			}
		}
	case evaluator.TriggerRequested:
		lt.requested(e)
	case evaluator.BackfillDecided:
		lt.backfilled(e)
	case evaluator.Triggered:
		lt.counts.Started++
		switch e.Cause {
		case evaluator.CauseTrigger:
			lt.manualStarted(e)
		case evaluator.CauseBackfill:
			lt.backfillStarted(e)
		case evaluator.CauseBuffer:
			if i := slices.IndexFunc(lt.queue, func(o logOwed) bool { return !o.dropped && o.paid < o.count }); i >= 0 {
				// buffer_all: the oldest queued tick, and only it.
				if q := &lt.queue[i]; !e.Nominal.Before(q.next) && e.Nominal.Before(q.until) {
					q.paid++
					q.next, q.paidAt = e.Nominal.Add(time.Nanosecond), e.At
					lt.waited(e.Nominal, func(b *logBuffer) { b.startedAt = e.At })
				} else {
					lt.twiceAt(e, e.Nominal, "starts a queued tick that is not the oldest queued (%s)", stamp(q.next))
				}
				break
			}
			if b := lt.buffered(); b != nil && b.nominal.Equal(e.Nominal) {
				b.startedAt = e.At
			} else {
				lt.twiceAt(e, e.Nominal, "starts a buffered tick that is not the one buffered")
			}
		case evaluator.CauseCatchUp:
			if !pay(lt.owed, e.Nominal) {
				lt.twiceAt(e, e.Nominal, "starts a catch-up tick that is not owed (or already paid)")
			}
		default:
			point(e.Nominal)
		}
	case evaluator.Dropped:
		if lt.flight.dropped(e) {
			point(e.Nominal) // a tick in flight under jitter: dropped is its disposition
			lt.counts.Dropped++
		} else if !e.Nominal.IsZero() {
			if b := lt.buffered(); b != nil && b.nominal.Equal(e.Nominal) {
				b.droppedAt = e.At
			} else {
				lt.twiceAt(e, e.Nominal, "drops a tick that is not buffered")
			}
			lt.counts.Dropped++
		}
		for _, r := range e.Ranges {
			lt.counts.Dropped += r.Count
			if e.Origin == evaluator.OriginBackfill {
				for i := range lt.backfill {
					if !lt.backfill[i].wait {
						lt.backfill[i].dropped = true
					}
				}
				continue
			}
			drop := lt.owed
			if r.Disposition == evaluator.Buffer {
				drop = lt.queue
				lt.waited(time.Time{}, func(b *logBuffer) { b.droppedAt = e.At })
			}
			for i := range drop {
				drop[i].dropped = true
			}
		}
	case evaluator.Deleted:
		for i := range lt.backfill {
			if b := &lt.backfill[i]; !b.dropped {
				b.dropped = true
				lt.counts.Dropped += b.count - b.paid
			}
		}
		for i := range lt.manual {
			if m := &lt.manual[i]; m.startedAt.IsZero() && m.droppedAt.IsZero() {
				m.droppedAt = e.At
				lt.counts.Dropped++
			}
		}
		for i := range lt.manualWaiting {
			if m := &lt.manualWaiting[i]; m.startedAt.IsZero() {
				m.droppedAt = e.At
			}
		}
		for i := range lt.owed {
			lt.owed[i].dropped = true
		}
		for i := range lt.queue {
			lt.queue[i].dropped = true
		}
		lt.waited(time.Time{}, func(b *logBuffer) { b.droppedAt = e.At })
		if b := lt.buffered(); b != nil {
			b.droppedAt = e.At
		}
	}
}

// waited applies f to the queued tick at nominal still waiting, or to every
// one still waiting when nominal is zero.
func (lt *logTicks) waited(nominal time.Time, f func(*logBuffer)) {
	for i := range lt.waiting {
		b := &lt.waiting[i]
		if b.startedAt.IsZero() && b.droppedAt.IsZero() && (nominal.IsZero() || b.nominal.Equal(nominal)) {
			f(b)
		}
	}
}

// A1 One disposition per tick: in the log, each tick of a schedule is
// disposed of once — started, skipped, buffered, missed, or owed by a
// catch-up decision — and only the documented transitions follow: a buffered
// tick is started or dropped, an owed start is paid (once) or dropped.
func A1(h *History) []Violation {
	var out []Violation
	for _, id := range slices.Sorted(mapKeys(h.readLog())) {
		out = append(out, h.readLog()[id].twice...)
	}
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// pay takes the start of the tick at n from the first range of rs that still
// owes it (a catch-up's or a backfill's), oldest first; false when none does.
func pay(rs []logOwed, n time.Time) bool {
	i := slices.IndexFunc(rs, func(o logOwed) bool {
		return !o.dropped && o.paid < o.count && !n.Before(o.next) && n.Before(o.until)
	})
	if i < 0 {
		return false
	}
	rs[i].paid++
	rs[i].next = n.Add(time.Nanosecond)
	return true
}

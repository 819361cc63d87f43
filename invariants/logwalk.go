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
	counts       evaluator.Counters // what the dispositions imply
	twice        []Violation        // A1
}

// logBuffer is a tick buffered at at, and when it left the buffer (zero:
// still there).
type logBuffer struct {
	nominal, at time.Time
	startedAt   time.Time
	droppedAt   time.Time
}

// logOwed is a range of starts a catch-up decision owed, from at.
type logOwed struct {
	from, until, at time.Time
	count, paid     int64
	dropped         bool
	next            time.Time // the next tick the payments may name
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
	case evaluator.Skipped:
		point(e.Nominal)
		lt.counts.Skipped++
	case evaluator.Buffered:
		point(e.Nominal)
		buffer(e.Nominal)
		lt.counts.Buffered++
	case evaluator.CatchUpDecided:
		for _, r := range e.Ranges {
			lt.decide(e, r.From, r.Until)
			switch r.Disposition {
			case evaluator.Start:
				lt.owed = append(lt.owed, logOwed{from: r.From, until: r.Until, at: e.At, count: r.Count, next: r.From})
			case evaluator.Skip:
				lt.counts.Skipped++
			case evaluator.Buffer:
				buffer(r.From)
				lt.counts.Buffered++
			case evaluator.Miss:
				lt.counts.MissedRanges++
			}
		}
	case evaluator.Triggered:
		lt.counts.Started++
		switch e.Cause {
		case evaluator.CauseBuffer:
			if b := lt.buffered(); b != nil && b.nominal.Equal(e.Nominal) {
				b.startedAt = e.At
			} else {
				lt.twiceAt(e, e.Nominal, "starts a buffered tick that is not the one buffered")
			}
		case evaluator.CauseCatchUp:
			i := slices.IndexFunc(lt.owed, func(o logOwed) bool {
				return !o.dropped && o.paid < o.count && !e.Nominal.Before(o.next) && e.Nominal.Before(o.until)
			})
			if i < 0 {
				lt.twiceAt(e, e.Nominal, "starts a catch-up tick that is not owed (or already paid)")
				break
			}
			lt.owed[i].paid++
			lt.owed[i].next = e.Nominal.Add(time.Nanosecond)
		default:
			point(e.Nominal)
		}
	case evaluator.Dropped:
		if !e.Nominal.IsZero() {
			if b := lt.buffered(); b != nil && b.nominal.Equal(e.Nominal) {
				b.droppedAt = e.At
			} else {
				lt.twiceAt(e, e.Nominal, "drops a tick that is not buffered")
			}
			lt.counts.Dropped++
		}
		for _, r := range e.Ranges {
			lt.counts.Dropped += r.Count
		}
		if len(e.Ranges) > 0 {
			for i := range lt.owed {
				lt.owed[i].dropped = true
			}
		}
	case evaluator.Deleted:
		for i := range lt.owed {
			lt.owed[i].dropped = true
		}
		if b := lt.buffered(); b != nil {
			b.droppedAt = e.At
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

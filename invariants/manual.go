package invariants

import (
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// mManual is a manual start (TriggerNow) waiting for its schedule's running
// set to empty.
type mManual struct {
	nominal time.Time
	policy  evaluator.OverlapPolicy
	origin  string // trigger, or backfill for a backfilled tick that waits
}

// manualWorkflowID is the documented workflow id of a manual start: the
// tick form followed by "#trigger".
func manualWorkflowID(scheduleID string, nominal time.Time) string {
	return workflowID(scheduleID, nominal) + "#trigger"
}

// full reports whether policy p has no room for one more waiting start:
// buffer_one's one place (taken by a buffered tick or a waiting manual
// start), buffer_all's queue (its ticks and the manual starts waiting) at
// its bound.
func (s *mSched) full(p evaluator.OverlapPolicy) bool {
	switch p {
	case evaluator.OverlapBufferOne:
		return !s.buffered.IsZero() || len(s.manual) > 0
	case evaluator.OverlapBufferAll:
		return int64(len(s.queued)+len(s.manual)) >= bufferLimit(s.cfg)
	}
	return false
}

// trigger decides a TriggerNow at m.now (docs/semantics.md, Trigger now);
// false when it is refused (no schedule, deleted or paused). Its nominal
// time is now, or 1 ns after the previous manual start's.
func (m *model) trigger(s *mSched, override evaluator.OverlapPolicy) bool {
	if s == nil || s.deleted || s.paused {
		return false
	}
	n := m.now
	if !n.After(s.lastManual) {
		n = s.lastManual.Add(time.Nanosecond)
	}
	s.lastManual = n
	p := override
	if p == 0 {
		p = s.cfg.Overlap
	}
	if len(s.running) > 0 {
		switch p {
		case evaluator.OverlapSkip:
			return true
		case evaluator.OverlapBufferOne, evaluator.OverlapBufferAll:
			if !s.full(p) {
				s.manual = append(s.manual, mManual{nominal: n, policy: p, origin: evaluator.OriginTrigger})
			}
			return true
		}
	}
	m.makeRoom(s, p)
	m.run(s, n, evaluator.OriginTrigger)
	return true
}

// startManualWaiting starts the oldest manual start waiting, once s's
// running set is empty, when it is older than the buffered tick and
// buffer_all's oldest queued one (waiting starts go oldest first).
func (m *model) startManualWaiting(s *mSched) bool {
	if len(s.manual) == 0 {
		return false
	}
	w := s.manual[0]
	if !s.buffered.IsZero() && s.buffered.Before(w.nominal) || len(s.queued) > 0 && s.queued[0].Before(w.nominal) {
		return false
	}
	s.manual = s.manual[1:]
	m.makeRoom(s, w.policy)
	m.run(s, w.nominal, w.origin)
	return true
}

// startManualWaitingAtResume: a manual start waits through a pause (a
// paused schedule starts nothing); the resume starts it if nothing runs.
func (m *model) startManualWaitingAtResume(s *mSched) {
	if len(s.running) == 0 {
		m.startManualWaiting(s)
	}
}

// isManual reports whether r is a manual start (TriggerNow): exempt from the
// grid invariants (S5–S8, C1), not from overlap (S1, S2) nor accounting.
func isManual(r fakes.Run) bool { return r.Request.Origin != "" }

// policyOf is the overlap policy r started under: a manual start's, as the
// log's trigger_requested event for it says (or, without one, the override
// given with the trigger operation whose attempts span its nominal time),
// else the policy in force (life.policyAt).
func (h *History) policyOf(r fakes.Run, l *life, idx int) (evaluator.OverlapPolicy, bool) {
	if isManual(r) {
		n := r.Request.Nominal
		if r.Request.Origin == evaluator.OriginBackfill {
			// The latest backfill decision before the start whose range holds it.
			var p evaluator.OverlapPolicy
			for _, e := range h.Events {
				if e.Type == evaluator.BackfillDecided && e.ScheduleID == r.Request.ScheduleID && !e.At.After(r.StartedAt) &&
					slices.ContainsFunc(e.Ranges, func(x evaluator.TickRange) bool { return !n.Before(x.From) && n.Before(x.Until) }) {
					p = e.Overlap
				}
			}
			if p != 0 {
				return p, true
			}
			for _, op := range h.Applied {
				if op.Kind == sim.OpBackfill && op.ScheduleID == r.Request.ScheduleID && op.Overlap != 0 && !n.Before(op.From) && n.Before(op.To) {
					return op.Overlap, true
				}
			}
			return l.policyAt(r.StartedAt, idx)
		}
		for _, e := range h.Events {
			if e.Type == evaluator.TriggerRequested && e.ScheduleID == r.Request.ScheduleID && e.Nominal.Equal(n) {
				return e.Overlap, e.Overlap != 0
			}
		}
		for _, op := range h.Applied {
			// A nominal time is its attempt's instant, or up to a few ns
			// after it when several triggers share one instant.
			if op.Kind == sim.OpTrigger && op.ScheduleID == r.Request.ScheduleID && op.Overlap != 0 &&
				!n.Before(op.First) && !n.After(op.At.Add(time.Microsecond)) {
				return op.Overlap, true
			}
		}
	}
	return l.policyAt(r.StartedAt, idx)
}

// requested reads a TriggerRequested event: a manual start decided (not a
// tick: A1's one-disposition rule does not apply to it).
func (lt *logTicks) requested(e evaluator.Event) {
	switch e.Disposition {
	case evaluator.Skip:
		lt.counts.Skipped++
	case evaluator.Buffer:
		lt.counts.Buffered++
		lt.manual = append(lt.manual, logBuffer{nominal: e.Nominal, at: e.At, origin: evaluator.OriginTrigger})
		lt.manualWaiting = append(lt.manualWaiting, logBuffer{nominal: e.Nominal, at: e.At, origin: evaluator.OriginTrigger})
	case evaluator.Start:
		lt.manual = append(lt.manual, logBuffer{nominal: e.Nominal, at: e.At})
	default:
		lt.twiceAt(e, e.Nominal, "a manual start decided %s", e.Disposition)
	}
}

// manualStarted reads a manual start's Triggered event: it pays a manual
// start decided and not yet made.
func (lt *logTicks) manualStarted(e evaluator.Event) {
	i := slices.IndexFunc(lt.manual, func(b logBuffer) bool {
		return b.nominal.Equal(e.Nominal) && b.startedAt.IsZero() && b.droppedAt.IsZero()
	})
	if i < 0 {
		lt.twiceAt(e, e.Nominal, "makes a manual start that was not requested (or was already made)")
		return
	}
	lt.manual[i].startedAt = e.At
	for j := range lt.manualWaiting {
		if lt.manualWaiting[j].nominal.Equal(e.Nominal) && lt.manualWaiting[j].origin == evaluator.OriginTrigger {
			lt.manualWaiting[j].startedAt = e.At
		}
	}
}

// withFailurePauses adds to the applied operations the pauses that
// pause_on_failure recorded (a paused event with cause failure), at the
// instant each was recorded: no operation made them, yet S5 and the
// grid checks must know them (a resume after one re-anchors the grid).
// Within its instant a failure pause comes before the operations (closure
// notices are handled first) and after every start made so far there.
func (h *History) withFailurePauses(ops []sim.AppliedOp) []sim.AppliedOp {
	for _, e := range h.Events {
		if e.Type != evaluator.Paused || e.Cause != evaluator.CauseFailure {
			continue
		}
		starts := 0
		for _, r := range h.Runs {
			if !r.StartedAt.After(e.At) {
				starts++
			}
		}
		p := sim.AppliedOp{Op: sim.Op{At: e.At, Kind: sim.OpPause, ScheduleID: e.ScheduleID, RequestID: "failure"},
			First: e.At, At: e.At, StartsBefore: starts}
		i := slices.IndexFunc(ops, func(op sim.AppliedOp) bool { return !op.At.Before(e.At) })
		if i < 0 {
			i = len(ops)
		}
		// An operation that succeeded at the pause's instant or later may
		// have taken effect before it (recorded before a crash, its retry
		// a repeat): the log's order decides.
		for j := i; j < len(ops); j++ {
			if ops[j].ScheduleID == e.ScheduleID && h.recordedBefore(ops[j], e) {
				i = j + 1
			}
		}
		ops = slices.Insert(ops, i, p)
	}
	return ops
}

// recordedBefore reports whether op's own event precedes e in the log.
func (h *History) recordedBefore(op sim.AppliedOp, e evaluator.Event) bool {
	if op.RequestID == "" {
		return false
	}
	for _, x := range h.Events {
		if x.ScheduleID == e.ScheduleID && x.RequestID == op.RequestID && x.Seq < e.Seq && x.Type != evaluator.Dropped {
			return true
		}
	}
	return false
}

// backfill decides a Backfill at m.now (docs/semantics.md, Backfill): the
// ticks of [From, To) on the trigger's grid extended before its anchor,
// oldest first, each against the running set as the decision unfolds under
// the operation's policy (or the schedule's): started at once, waiting with
// the manual starts (a buffer policy with room), or skipped. False when it
// is refused: no schedule, deleted or paused, a range not in the past or
// without ticks.
func (m *model) backfill(s *mSched, op sim.Op) bool {
	if s == nil || s.deleted || s.paused || !op.From.Before(op.To) || op.To.After(m.now) {
		return false
	}
	p := op.Overlap
	if p == 0 {
		p = s.cfg.Overlap
	}
	first := s.backfillGrid.Next(op.From.Add(-time.Nanosecond))
	if first.IsZero() || !first.Before(op.To) {
		return false
	}
	for _, b := range s.backfilled {
		// A tick is backfilled at most once: a range holding one that an
		// earlier backfill had is refused.
		lo, hi := maxTime(first, b[0]), b[1]
		if op.To.Before(hi) {
			hi = op.To
		}
		if t := s.backfillGrid.Next(lo.Add(-time.Nanosecond)); !t.IsZero() && t.Before(hi) {
			return false
		}
	}
	s.backfilled = append(s.backfilled, [2]time.Time{first, op.To})
	n := 0
	for t := first; !t.IsZero() && t.Before(op.To); t = s.backfillGrid.Next(t) {
		if n++; n > maxModelTicks {
			m.err = fmt.Errorf("%w: a backfill of more than %d ticks", ErrUnsupported, maxModelTicks)
			return true
		}
		if len(s.running) > 0 {
			switch p {
			case evaluator.OverlapSkip:
				return true // the rest are skipped too: nothing closes inside a decision
			case evaluator.OverlapBufferOne, evaluator.OverlapBufferAll:
				if s.full(p) {
					return true
				}
				s.manual = append(s.manual, mManual{nominal: t, policy: p, origin: evaluator.OriginBackfill})
				slices.SortStableFunc(s.manual, func(a, b mManual) int { return a.nominal.Compare(b.nominal) })
				continue
			}
		}
		m.makeRoom(s, p)
		m.run(s, t, evaluator.OriginBackfill)
	}
	return true
}

// backfilled reads a BackfillDecided event: its counts, and the ranges it
// owes or keeps waiting (backfilled ticks are not the schedule's own: A1's
// one-disposition rule does not apply to them).
func (lt *logTicks) backfilled(e evaluator.Event) {
	for _, r := range e.Ranges {
		switch r.Disposition {
		case evaluator.Start:
			lt.backfill = append(lt.backfill, logOwed{from: r.From, until: r.Until, at: e.At, count: r.Count, next: r.From})
		case evaluator.Buffer:
			n := max(r.Count, 1) // buffer_one's one waiting tick is not counted in its range
			lt.counts.Buffered += n
			lt.backfill = append(lt.backfill, logOwed{from: r.From, until: r.Until, at: e.At, count: n, next: r.From, wait: true})
			if n == 1 {
				// One tick waiting (r.From): L1 judges it as a buffered tick.
				// (A range of several is not judged tick by tick.)
				lt.manualWaiting = append(lt.manualWaiting, logBuffer{nominal: r.From, at: e.At, origin: evaluator.OriginBackfill})
			}
		case evaluator.Skip:
			if e.Overlap == evaluator.OverlapBufferAll {
				lt.counts.Overflowed += r.Count
			} else {
				lt.counts.Skipped++
			}
		default:
			lt.twiceAt(e, r.From, "a backfill decided %s", r.Disposition)
		}
	}
}

// backfillStarted reads a backfilled tick's Triggered event: it pays a
// range a backfill owed or kept waiting, once.
func (lt *logTicks) backfillStarted(e evaluator.Event) {
	if !pay(lt.backfill, e.Nominal) {
		lt.twiceAt(e, e.Nominal, "starts a backfilled tick no backfill owes (or already started)")
		return
	}
	for j := range lt.manualWaiting {
		if lt.manualWaiting[j].nominal.Equal(e.Nominal) && lt.manualWaiting[j].origin == evaluator.OriginBackfill {
			lt.manualWaiting[j].startedAt = e.At
		}
	}
}

package invariants

import (
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants/ticks"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// deliver decides every schedule whose timer is due, in id order; true if
// it decided.
func (m *model) deliver() (bool, error) {
	var ids []string
	for {
		id, at, ok := m.due.peek(m.dueNow)
		if !ok || at.After(m.now) {
			break
		}
		m.due.pop()
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		s := m.scheds[id]
		if err := m.decide(s); err != nil {
			return false, err
		}
		m.schedule(s)
	}
	return len(ids) > 0, nil
}

// dueAt is when s's next tick is delivered (zero: never): at its time, or
// later by the largest late fault of that tick.
func (m *model) dueAt(s *mSched) time.Time {
	if s.paused || s.deleted || s.next.IsZero() {
		return time.Time{}
	}
	var late time.Duration
	at := s.due(s.next) // a late fault names the timer's time
	for _, f := range m.faults {
		if f.Kind == sim.Late && f.Schedule == s.id && f.Nominal.Equal(at) {
			late = max(late, f.Late)
		}
	}
	return at.Add(late)
}

// dueNow reports whether an entry of the due heap is still s's delivery.
func (m *model) dueNow(id string, at time.Time) bool {
	s := m.scheds[id]
	return s != nil && m.dueAt(s).Equal(at)
}

// schedule notes s's next delivery.
func (m *model) schedule(s *mSched) {
	if at := m.dueAt(s); !at.IsZero() {
		m.due.push(at, 0, s.id)
	}
}

// decide applies the late-tick rule, the window, the catch-up policy and the
// overlap policy to every due tick, oldest first. Like the evaluator it never
// lists the due ticks: one and skip cost O(1) whatever the outage, and all
// walks only the ticks its overlap policy can still act on.
func (m *model) decide(s *mSched) error {
	first := s.next // due: first, then the grid's ticks due by now
	// Several are due when the tick after the first is due too; a grid with
	// no tick after the first (past its end_at) has a lone due tick. Under
	// jitter every rule reads due (jittered) times.
	second := s.grid.Next(first)
	several := !s.due(first).After(m.now) && !second.IsZero() && !s.due(second).After(m.now)
	s.next = s.firstDue(m.now.Add(time.Nanosecond))
	kept := first // the oldest due tick the window keeps
	if w := s.cfg.CatchUpWindow; w != nil && s.due(kept).Before(m.now.Add(-time.Duration(*w))) {
		// Ticks due strictly before now-window are missed.
		kept = s.firstDue(m.now.Add(-time.Duration(*w)))
		if kept.IsZero() || s.due(kept).After(m.now) {
			return nil // every due tick is missed
		}
	}
	onTime := time.Time{} // the tick due at exactly now, or the lone due tick
	lateUntil := s.next   // late ticks are kept ticks before this
	if lateUntil.IsZero() {
		lateUntil = endOfTime // no tick left: every one from kept on is due
	}
	switch {
	case !several:
		onTime, lateUntil = kept, kept
	default:
		if t := s.firstDue(m.now); !t.IsZero() && s.due(t).Equal(m.now) {
			onTime, lateUntil = t, t
		}
	}
	if several && kept.Before(lateUntil) {
		m.catchUp(s.id, kept, lateUntil)
	}
	if !onTime.IsZero() && !s.restartedAt.IsZero() && s.restartedAt.Equal(m.now) {
		m.catchUp(s.id, onTime, onTime.Add(time.Nanosecond))
	}
	if several && kept.Before(lateUntil) {
		switch s.cfg.CatchUp {
		case evaluator.CatchUpSkip:
		case evaluator.CatchUpOne:
			m.overlap(s, kept)
		case evaluator.CatchUpAll:
			n := 0
			for t := kept; !t.IsZero() && t.Before(lateUntil) && !m.inert(s); t = s.grid.Next(t) {
				if n++; n > maxModelTicks {
					return fmt.Errorf("%w: more than %d late ticks start in one decision", ErrUnsupported, maxModelTicks)
				}
				m.overlap(s, t)
			}
		default:
			return fmt.Errorf("%w: the model does not know the catch-up policy %s", ErrUnsupported, s.cfg.CatchUp)
		}
	}
	if !onTime.IsZero() {
		m.overlap(s, onTime)
	}
	return m.err
}

// due is when the tick at t is decided: t, or t plus its jitter.
func (s *mSched) due(t time.Time) time.Time {
	if s.cfg.Jitter <= 0 || t.IsZero() {
		return t
	}
	return s.jittered().Due(t)
}

// firstDue is the first tick due at or after u (zero: none).
func (s *mSched) firstDue(u time.Time) time.Time {
	if s.cfg.Jitter <= 0 {
		return s.grid.Next(u.Add(-time.Nanosecond))
	}
	return s.jittered().FirstDue(u)
}

func (s *mSched) jittered() ticks.Jittered {
	return ticks.Jittered{Grid: s.grid, ScheduleID: s.id, Max: time.Duration(s.cfg.Jitter)}
}

// endOfTime is past every tick a grid computes.
var endOfTime = time.Unix(0, 1<<63-1).UTC()

// inert reports whether the overlap policy can do nothing more with further
// ticks of this decision: skip with a run going, buffer_one with a run going
// and a tick buffered, buffer_all with a run going and its queue full (the
// running set changes only at a closure, never inside a decision).
func (m *model) inert(s *mSched) bool {
	if !s.roomLeft() {
		return true // remaining_runs skips the rest
	}
	busy := len(s.running) > 0
	switch s.cfg.Overlap {
	case evaluator.OverlapSkip:
		return busy
	case evaluator.OverlapBufferOne, evaluator.OverlapBufferAll:
		return busy && s.full(s.cfg.Overlap)
	}
	return false
}

// catchUp notes the ticks in [from, until) as decided late (C2).
func (m *model) catchUp(id string, from, until time.Time) {
	m.out.catchUps[id] = append(m.out.catchUps[id], lateSpan{from, until})
}

// bufferLimit is buffer_all's bound in force: the config's, else the
// documented default of 1,000 (docs/semantics.md; the checkers read the rule,
// they do not call the evaluator's Config.Limit).
func bufferLimit(c evaluator.Config) int64 {
	if c.BufferLimit > 0 {
		return int64(c.BufferLimit)
	}
	return 1000
}

// runsUsedUp reports whether remaining_runs allows no more start.
func (s *mSched) runsUsedUp() bool {
	return s.cfg.RemainingRuns > 0 && s.used >= s.cfg.RemainingRuns
}

// roomLeft reports whether remaining_runs lets one more tick start or wait:
// the starts made and the ticks waiting count against it.
func (s *mSched) roomLeft() bool {
	if s.cfg.RemainingRuns <= 0 {
		return true
	}
	waiting := len(s.queued)
	if !s.buffered.IsZero() {
		waiting++
	}
	return s.used+waiting < s.cfg.RemainingRuns
}

func (m *model) overlap(s *mSched, t time.Time) {
	busy := len(s.running) > 0
	if !s.roomLeft() {
		// remaining_runs has no room: skipped, whatever the policy (a
		// buffered tick would be skipped by buffer_one anyway).
		return
	}
	switch s.cfg.Overlap {
	case evaluator.OverlapAllowAll:
	default:
		m.err = fmt.Errorf("%w: the model does not know the overlap policy %s", ErrUnsupported, s.cfg.Overlap)
		return
	case evaluator.OverlapSkip:
		if busy {
			return
		}
	case evaluator.OverlapBufferOne:
		if busy {
			// A manual start waiting holds the one place too.
			if !s.full(evaluator.OverlapBufferOne) {
				s.buffered = t
			}
			return
		}
	case evaluator.OverlapBufferAll:
		if busy {
			// Past the bound (schedsim's buffer_limit, 1,000 by default as
			// gocron's channel) the tick is skipped.
			if !s.full(evaluator.OverlapBufferAll) {
				s.queued = append(s.queued, t)
			}
			return
		}
	case evaluator.OverlapTerminatePrevious, evaluator.OverlapCancelPrevious:
		m.makeRoom(s, s.cfg.Overlap)
	}
	m.start(s, t)
}

// makeRoom carries out what policy p does to the running set before a
// start: terminate_previous terminates every run, cancel_previous asks every
// run not yet asked to cancel.
func (m *model) makeRoom(s *mSched, p evaluator.OverlapPolicy) {
	switch p {
	case evaluator.OverlapTerminatePrevious:
		for _, r := range s.running {
			m.close(r, m.now)
			r.notified = true // recorded closed at once; the engine's notice changes nothing
			m.out.Terminates = append(m.out.Terminates, Predicted{ScheduleID: s.id, Nominal: r.nominal, At: m.now})
		}
		s.running = s.running[:0]
	case evaluator.OverlapCancelPrevious:
		for _, r := range s.running {
			if !r.cancelled {
				r.cancelled, r.cancelAt = true, m.now
				if c := m.now.Add(m.cfg.CancelDelay); r.closesAt.IsZero() || c.Before(r.closesAt) {
					r.closesAt = c
					m.closeAt(r)
				}
				m.out.Cancels = append(m.out.Cancels, Predicted{ScheduleID: s.id, Nominal: r.nominal, At: m.now})
			}
		}
	}
}

func (m *model) start(s *mSched, t time.Time) {
	m.run(s, t, "")
	if s.used++; s.runsUsedUp() {
		s.next = time.Time{} // its runs are used up: finished
	}
}

// run starts an execution of s named t: a tick's (origin ""), a manual
// one's (trigger) or a backfilled tick's (backfill).
func (m *model) run(s *mSched, t time.Time, origin string) {
	req := evaluator.StartRequest{ScheduleID: s.id, Nominal: t, WorkflowID: workflowID(s.id, t), Origin: origin}
	if origin != "" {
		req.WorkflowID += "#" + origin // the documented forms: <tick id>#trigger, <tick id>#backfill
	}
	manual := origin != ""
	r := &mRun{sched: s.id, key: req.WorkflowID, nominal: t, manual: manual}
	r.fails = m.cfg.Fails != nil && m.cfg.Fails(req)
	if m.cfg.Duration != nil {
		if d := m.cfg.Duration(req); d > 0 {
			r.closesAt = m.now.Add(d)
		}
	}
	m.nruns++
	r.seq = m.nruns
	m.open[r.key] = r
	m.closeAt(r)
	s.running = append(s.running, r)
	m.out.Starts = append(m.out.Starts, Predicted{ScheduleID: s.id, Nominal: t, At: m.now, Manual: manual, Origin: origin})
}

// startWaiting starts the buffered tick, or buffer_all's oldest queued one,
// once s's running set is empty. A queued tick is named by the instant it
// starts when the profile's starts carry no tick (profile.IdentityStartInstant).
func (m *model) startWaiting(s *mSched) {
	if s.paused || s.deleted || len(s.running) > 0 {
		return
	}
	if m.startManualWaiting(s) {
		return
	}
	switch {
	case !s.buffered.IsZero():
		m.start(s, s.buffered)
		s.buffered = time.Time{}
	case len(s.queued) > 0:
		t := s.queued[0]
		s.queued = s.queued[1:]
		if m.prof.Identity == profile.IdentityStartInstant {
			t = m.now
		}
		m.start(s, t)
	}
}

package invariants

import (
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants/ticks"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

func (m *model) applyOps() bool {
	done := false
	for len(m.ops) > 0 && !m.ops[0].At.After(m.now) {
		op := m.ops[0]
		m.ops = m.ops[1:]
		done = true
		s := m.scheds[op.ScheduleID]
		if s != nil && op.RequestID != "" && op.RequestID == s.lastRequest {
			continue // a replay (same operation) or a reused id (another): no effect either way
		}
		recorded := true
		switch op.Kind {
		case sim.OpCreate:
			if s != nil || !valid(op.Config) {
				continue
			}
			s = &mSched{id: op.ScheduleID}
			if !m.configure(s, op.Config) {
				continue
			}
			m.scheds[op.ScheduleID] = s
			if i, found := slices.BinarySearch(m.ids, op.ScheduleID); !found {
				m.ids = slices.Insert(m.ids, i, op.ScheduleID)
			}
		case sim.OpUpdate:
			if s == nil || s.deleted || !valid(op.Config) {
				continue
			}
			old := *s
			if !m.configure(s, op.Config) {
				*s = old
				continue
			}
			s.buffered, s.queued, s.used = time.Time{}, nil, 0
			if m.prof.Reregisters {
				s.running = nil // the new registration does not see them
			}
		case sim.OpPause:
			recorded = s != nil && !s.deleted && !s.paused
			if recorded {
				s.paused, s.buffered, s.queued = true, time.Time{}, nil
			}
		case sim.OpResume:
			recorded = s != nil && !s.deleted && s.paused
			if recorded {
				s.paused = false
				if !m.configure(s, s.cfg) || s.runsUsedUp() {
					s.next = time.Time{} // resumed past its end_at, or its runs used up: finished
				}
				if m.prof.Reregisters {
					s.running = nil
				}
				m.startManualWaitingAtResume(s)
			}
		case sim.OpDelete:
			recorded = s != nil && !s.deleted
			if recorded {
				s.deleted, s.buffered, s.queued, s.manual = true, time.Time{}, nil, nil
			}
		case sim.OpTrigger:
			recorded = m.trigger(s, op.Overlap)
		case sim.OpBackfill:
			recorded = m.backfill(s, op)
		}
		if s = m.scheds[op.ScheduleID]; s != nil {
			m.schedule(s)
		}
		if s != nil && recorded {
			s.lastRequest = op.RequestID
		}
	}
	return done
}

// configure anchors s's trigger now; false if it never fires again.
func (m *model) configure(s *mSched, c evaluator.Config) bool {
	t, err := ticks.Parse(c.Trigger)
	if err != nil {
		return false
	}
	anchor := m.now
	if t.IsInterval() && m.prof.IntervalAnchor == profile.AnchorOperationSecond {
		anchor = anchor.Truncate(time.Second)
	}
	g := t.Grid(anchor).Within(c.StartAt, c.EndAt)
	// A backfill reads the grid anchored here even when no tick is left
	// (the evaluator's reference moves at every create, update and resume).
	s.backfillGrid = t.Grid(anchor).Backwards()
	next := g.Next(m.now)
	if next.IsZero() {
		return false
	}
	s.cfg, s.grid, s.next = c, g, next
	return true
}

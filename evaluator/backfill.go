package evaluator

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/internal/mutation"
)

// Span is a range of time [From, Until).
type Span struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// BackfillWorkflowID is the workflow id of a backfilled tick: the tick form
// followed by "#backfill", never the tick's own run's, and deterministic
// (recovery adopts by it; a tick is backfilled at most once).
func BackfillWorkflowID(scheduleID string, nominal time.Time) string {
	return WorkflowID(scheduleID, nominal) + "#" + OriginBackfill
}

// Backfill starts the trigger's ticks in the past range [from, to) under
// overlap (zero: the schedule's policy), as Temporal's backfill. An
// interval's ticks are its grid extended before its reference (reference +
// k·period, k any integer); start_at, end_at and remaining_runs do not
// apply. The whole range is decided at once, against the running set as the
// decision unfolds (as a catch-up with catch-up all decides its late ticks),
// and recorded as one event before any start: owed starts as ranges (O(1)
// events whatever the range's length), then made oldest first; a tick a
// buffer policy keeps waits with the manual starts (sharing buffer_one's
// place and buffer_all's queue); the rest are skipped. A crash resumes the
// recorded decision. Refused — nothing recorded — on a paused or deleted
// schedule, for a range not in the past, without ticks, or while an earlier
// backfill still owes starts. A backfilled tick is not a tick of the
// schedule's own: its workflow id is BackfillWorkflowID, and it is exempt
// from the grid invariants.
func (ev *Evaluator) Backfill(ctx context.Context, r Request, from, to time.Time, overlap OverlapPolicy) error {
	if overlap != 0 && !overlap.valid() {
		return fmt.Errorf("%w: backfill: unknown overlap policy %d", ErrInvalidRequest, int(overlap))
	}
	if from.IsZero() || !from.Before(to) {
		return fmt.Errorf("%w: backfill: range [%s, %s) is empty", ErrInvalidRequest, stamp(from), stamp(to))
	}
	return ev.mutate(ctx, r, BackfillDecided, func(st *State, now time.Time) ([]Event, error) {
		switch {
		case st.Paused:
			return nil, fmt.Errorf("%w: %q starts nothing until resumed", ErrPaused, r.ScheduleID)
		case to.After(now):
			return nil, fmt.Errorf("%w: backfill: range end %s is not in the past (now %s)", ErrInvalidRequest, stamp(to), stamp(now))
		case len(st.Backfill) > 0:
			return nil, fmt.Errorf("%w: backfill: %q still owes the starts of an earlier backfill", ErrInvalidRequest, r.ScheduleID)
		}
		p := overlap
		if p == 0 {
			p = st.Config.Overlap
		}
		g := st.backfillGrid(st.Reference)
		first := g.Next(from.Add(-time.Nanosecond))
		if first.IsZero() || !first.Before(to) {
			return nil, fmt.Errorf("%w: backfill: the trigger has no tick in [%s, %s)", ErrInvalidRequest, stamp(from), stamp(to))
		}
		for _, b := range st.Backfilled {
			lo, hi := maxTime(first, b.From), minTime(to, b.Until)
			if t := g.Next(lo.Add(-time.Nanosecond)); !t.IsZero() && t.Before(hi) {
				return nil, fmt.Errorf("%w: backfill: tick %s was backfilled already (by the backfill of [%s, %s)): a tick is backfilled at most once",
					ErrInvalidRequest, stamp(t), stamp(b.From), stamp(b.Until))
			}
		}
		plan := p
		if ev.mut.Has(mutation.BackfillIgnoresOverlap) {
			plan = OverlapAllowAll // every tick starts
		}
		b := planBuilder{seq: &g, policy: plan, running: len(st.Running) > 0, buffered: st.waitFull(p),
			queued: st.queued() + st.waiting(), limit: st.Config.Limit(), capacity: -1, mut: ev.mut}
		b.stream(first, to)
		return []Event{{Type: BackfillDecided, RequestID: r.RequestID, Overlap: p, Anchor: st.Reference, Ranges: b.ranges}}, nil
	})
}

// backfillGrid is the trigger's ticks anchored at anchor, an interval's
// before it too, without the config's bounds.
func (s *State) backfillGrid(anchor time.Time) Grid {
	if s.trigger == nil {
		return Grid{}
	}
	return s.trigger.Grid(anchor).Backwards()
}

// applyBackfill projects a BackfillDecided event: start ranges are owed,
// the ticks of buffer ranges wait with the manual starts, oldest first.
func (s *State) applyBackfill(e *Event) error {
	if !e.Overlap.valid() {
		return corrupt(e, "overlap policy %s", e.Overlap)
	}
	if len(s.Backfill) > 0 {
		return corrupt(e, "an earlier backfill still owes starts")
	}
	g := s.backfillGrid(e.Anchor)
	for _, r := range e.Ranges {
		switch r.Disposition {
		case Start:
			s.Backfill = append(s.Backfill, r)
		case Skip:
			if e.Overlap == OverlapBufferAll {
				s.Counters.Overflowed += r.Count
			} else {
				s.Counters.Skipped++
			}
		case Buffer:
			n := max(r.Count, 1) // buffer_one's one waiting tick is not counted in its range
			t := g.Next(r.From.Add(-time.Nanosecond))
			for range n {
				if t.IsZero() || !t.Before(r.Until) {
					return corrupt(e, "%d ticks wait in [%s, %s) but the trigger has fewer", n, stamp(r.From), stamp(r.Until))
				}
				s.Manual = append(s.Manual, ManualStart{Nominal: t, Overlap: e.Overlap, Wait: true, Origin: OriginBackfill})
				t = g.Next(t)
			}
			s.Counters.Buffered += n
		default:
			return corrupt(e, "range disposition %s", r.Disposition)
		}
	}
	if len(s.Backfill) > 0 {
		s.BackfillAnchor, s.BackfillPolicy = e.Anchor, e.Overlap
	}
	if n := len(e.Ranges); n > 0 {
		s.Backfilled = append(s.Backfilled, Span{From: e.Ranges[0].From, Until: e.Ranges[n-1].Until})
	}
	// Waiting starts go oldest first: backfilled ticks are older than the
	// manual starts asked before them.
	slices.SortStableFunc(s.Manual, func(a, b ManualStart) int { return a.Nominal.Compare(b.Nominal) })
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// payBackfill takes a backfilled tick's start: the head of the owed ranges,
// else a waiting one.
func (s *State) payBackfill(nominal time.Time) bool {
	return payFirst(&s.Backfill, nominal) || s.payManual(nominal, OriginBackfill)
}

// startBackfill makes the oldest owed start of a backfill, under the
// backfill's policy.
func (ev *Evaluator) startBackfill(ctx context.Context, en *entry) error {
	st := en.st
	g := st.backfillGrid(st.BackfillAnchor)
	t := g.Next(st.Backfill[0].From.Add(-time.Nanosecond))
	if t.IsZero() || !t.Before(st.Backfill[0].Until) {
		return fmt.Errorf("%w: schedule %q owes %d backfill starts in [%s, %s) but its trigger has none",
			ErrCorruptLog, st.ID, st.Backfill[0].Count, stamp(st.Backfill[0].From), stamp(st.Backfill[0].Until))
	}
	return ev.startManual(ctx, en, ManualStart{Nominal: t, Overlap: st.BackfillPolicy, Origin: OriginBackfill})
}

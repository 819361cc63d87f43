package evaluator

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/internal/mutation"
)

// ManualStart is a start asked for by TriggerNow rather than by the
// trigger: decided at once under its overlap policy, it is owed (starts as
// soon as it can be made) or waits (a buffer policy found the running set
// busy) until the running set is empty.
type ManualStart struct {
	Nominal time.Time     `json:"nominal"`
	Overlap OverlapPolicy `json:"overlap"`
	Wait    bool          `json:"wait,omitempty"`
	// Origin: "backfill" for a backfilled tick that waits; empty for a
	// TriggerNow.
	Origin string `json:"origin,omitempty"`
}

// Origins of a start that is not a tick's own (StartRequest.Origin).
const (
	OriginTrigger  = "trigger"  // asked by TriggerNow
	OriginBackfill = "backfill" // a tick of a Backfill
)

// workflowID is the workflow id of m's start.
func (m ManualStart) workflowID(scheduleID string) string {
	if m.Origin == OriginBackfill {
		return BackfillWorkflowID(scheduleID, m.Nominal)
	}
	return ManualWorkflowID(scheduleID, m.Nominal)
}

// cause is the cause of m's Triggered event.
func (m ManualStart) cause() string {
	if m.Origin == OriginBackfill {
		return CauseBackfill
	}
	return CauseTrigger
}

// ManualWorkflowID is the workflow id of a manual start: never a tick's,
// even at a tick's instant, and as deterministic (recovery adopts by it).
func ManualWorkflowID(scheduleID string, nominal time.Time) string {
	return WorkflowID(scheduleID, nominal) + "#" + OriginTrigger
}

// TriggerNow starts one execution now, outside the trigger (Temporal's
// TriggerImmediately). Its nominal time is now — or 1 ns after the
// schedule's previous manual start, so that two at one instant stay two — and
// its workflow id ManualWorkflowID. overlap (zero: the schedule's policy)
// decides against the running set as for a tick: start (cancelling or
// terminating first, as the policy says), wait (buffer_one, unless a tick or
// a manual start already waits; buffer_all, unless its queue is full) or
// skip. The decision is recorded before the start is made, so a crash
// cannot lose nor repeat it. Refused on a paused or deleted schedule. A
// manual start is not a tick: it does not count against remaining_runs, is
// allowed once the trigger has no tick left, and survives pause and update
// (delete drops it if it still waits).
func (ev *Evaluator) TriggerNow(ctx context.Context, r Request, overlap OverlapPolicy) error {
	if overlap != 0 && !overlap.valid() {
		return fmt.Errorf("%w: trigger now: unknown overlap policy %d", ErrInvalidRequest, int(overlap))
	}
	return ev.mutate(ctx, r, TriggerRequested, func(st *State, now time.Time) ([]Event, error) {
		if st.Paused {
			return nil, fmt.Errorf("%w: %q starts nothing until resumed", ErrPaused, r.ScheduleID)
		}
		p := overlap
		if p == 0 {
			p = st.Config.Overlap
		}
		if !now.After(st.LastManual) {
			now = st.LastManual.Add(time.Nanosecond)
		}
		d := Overlap(p, len(st.Running) > 0, st.waitFull(p))
		if ev.mut.Has(mutation.TriggerIgnoresOverlap) {
			d = Start // as Temporal's triggerImmediately once ignored BUFFER_ONE
		}
		return []Event{{Type: TriggerRequested, RequestID: r.RequestID, Nominal: now, Overlap: p, Disposition: d}}, nil
	})
}

// waiting is how many manual starts wait for the running set to empty.
func (s *State) waiting() int64 {
	var n int64
	for _, m := range s.Manual {
		if m.Wait {
			n++
		}
	}
	return n
}

// waitFull reports whether policy p has no room for one more waiting start:
// buffer_one's one place (a buffered tick or a waiting manual start), or
// buffer_all's queue at its bound.
func (s *State) waitFull(p OverlapPolicy) bool {
	switch p {
	case OverlapBufferOne:
		return !s.Buffered.IsZero() || s.waiting() > 0
	case OverlapBufferAll:
		return s.queued()+s.waiting() >= s.Config.Limit()
	}
	return false
}

// applyManual projects a TriggerRequested event.
func (s *State) applyManual(e *Event) error {
	if e.Nominal.IsZero() || !e.Nominal.After(s.LastManual) {
		return corrupt(e, "manual start %s is not after the previous one %s", stamp(e.Nominal), stamp(s.LastManual))
	}
	if !e.Overlap.valid() {
		return corrupt(e, "overlap policy %s", e.Overlap)
	}
	s.LastManual = e.Nominal
	switch e.Disposition {
	case Skip:
		s.Counters.Skipped++
	case Start:
		s.Manual = append(s.Manual, ManualStart{Nominal: e.Nominal, Overlap: e.Overlap})
	case Buffer:
		s.Counters.Buffered++
		s.Manual = append(s.Manual, ManualStart{Nominal: e.Nominal, Overlap: e.Overlap, Wait: true})
	default:
		return corrupt(e, "disposition %s", e.Disposition)
	}
	return nil
}

// payManual takes the manual start of origin at nominal out of the owed and
// waiting ones.
func (s *State) payManual(nominal time.Time, origin string) bool {
	i := slices.IndexFunc(s.Manual, func(m ManualStart) bool { return m.Nominal.Equal(nominal) && m.Origin == origin })
	if i < 0 {
		return false
	}
	s.Manual = slices.Delete(s.Manual, i, i+1)
	return true
}

// nextManual is the manual start to make now, if any: the first owed one,
// else, when nothing runs, the first waiting one if it is older than the
// buffered tick and buffer_all's oldest queued tick (waiting starts go
// oldest first, manual or not).
func (s *State) nextManual() (ManualStart, bool) {
	for _, m := range s.Manual {
		if !m.Wait {
			return m, true
		}
	}
	if len(s.Manual) == 0 || len(s.Running) > 0 {
		return ManualStart{}, false
	}
	m := s.Manual[0]
	if !s.Buffered.IsZero() && s.Buffered.Before(m.Nominal) {
		return ManualStart{}, false
	}
	if len(s.Queued) > 0 {
		if t, err := s.firstIn(s.Queued[0], "ticks queued"); err != nil || t.Before(m.Nominal) {
			return ManualStart{}, false
		}
	}
	return m, true
}

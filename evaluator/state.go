package evaluator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Running is an execution in a schedule's running set.
type Running struct {
	Execution       Execution `json:"execution"`
	Nominal         time.Time `json:"nominal"`
	CancelRequested bool      `json:"cancel_requested,omitempty"`
}

// Counters count what a schedule's ticks became. Skipped counts a catch-up skip
// range once (counting cron ticks would cost O(outage)); MissedRanges counts
// ranges for the same reason. Dropped counts ticks; so do Buffered and
// Overflowed under buffer_all (its ranges are counted when decided), where
// Overflowed are the ticks that found the queue full.
type Counters struct {
	Started      int64 `json:"started"`
	Skipped      int64 `json:"skipped"`
	Buffered     int64 `json:"buffered"`
	Dropped      int64 `json:"dropped"`
	MissedRanges int64 `json:"missed_ranges"`
	Overflowed   int64 `json:"overflowed,omitempty"`
}

// State is a schedule's state: a pure projection of its events. The evaluator
// changes it only by applying the events it has recorded, so the live state and
// a fresh projection of the log agree by construction.
type State struct {
	ID      string `json:"id"`
	Version uint64 `json:"version"` // Seq of the last applied event
	Config  Config `json:"config"`
	Paused  bool   `json:"paused,omitempty"`
	Deleted bool   `json:"deleted,omitempty"`
	// Reference anchors interval ticks: the time of the last create, update or resume.
	Reference time.Time `json:"reference"`
	// Next is the next nominal time; zero when the trigger has no more ticks.
	Next          time.Time   `json:"next,omitzero"`
	Running       []Running   `json:"running,omitempty"`
	Buffered      time.Time   `json:"buffered,omitzero"`
	Queued        []TickRange `json:"queued,omitempty"`  // buffer_all's waiting ticks, oldest first
	Pending       []TickRange `json:"pending,omitempty"` // owed starts, oldest first
	LastTriggered time.Time   `json:"last_triggered,omitzero"`
	// RunsUsed counts the starts made under the config in force (for
	// remaining_runs; reset by an update).
	RunsUsed int64 `json:"runs_used,omitempty"`
	// Manual are the manual starts (TriggerNow) owed or waiting, oldest
	// first; LastManual the nominal time of the latest one asked.
	Manual []ManualStart `json:"manual,omitempty"`
	// StartPending: the last decision's cancels or terminates are recorded
	// but not the start they were made for (a crash or an error came
	// between): while a tick is due, waiting starts do not take the room.
	StartPending bool `json:"start_pending,omitempty"`
	// Backfill are a backfill's owed starts, oldest first, on the grid
	// anchored at BackfillAnchor, under BackfillPolicy.
	Backfill       []TickRange   `json:"backfill,omitempty"`
	BackfillAnchor time.Time     `json:"backfill_anchor,omitzero"`
	BackfillPolicy OverlapPolicy `json:"backfill_policy,omitzero"`
	// Backfilled are the ranges backfills decided, in order (a tick is
	// backfilled at most once).
	Backfilled    []Span    `json:"backfilled,omitempty"`
	LastManual    time.Time `json:"last_manual,omitzero"`
	Counters      Counters  `json:"counters"`
	LastRequestID string    `json:"last_request_id,omitempty"`
	LastRequestOp EventType `json:"last_request_op,omitempty"`

	trigger *Trigger
}

// Active reports whether ticks fire: neither paused nor deleted.
func (s *State) Active() bool { return !s.Paused && !s.Deleted }

// Grid returns the tick sequence in force.
func (s *State) Grid() Grid {
	if s.trigger == nil {
		return Grid{}
	}
	return s.trigger.Grid(s.Reference).Within(s.Config.StartAt, s.Config.EndAt)
}

// Due is when the next tick is decided: its nominal time, delayed by its
// jitter when the config has one (zero when there is no next tick).
func (s *State) Due() time.Time {
	if s.Config.Jitter <= 0 || s.Next.IsZero() {
		return s.Next
	}
	g := s.Grid()
	return s.jittered(&g).due(s.Next)
}

// jittered views g (the grid in force) through its ticks' jittered times.
func (s *State) jittered(g *Grid) *jittered {
	j := &jittered{g: g, id: s.ID, jitter: time.Duration(s.Config.Jitter)}
	if s.trigger != nil {
		j.period = s.trigger.Period()
	}
	return j
}

// InFlight reports whether the next tick's nominal time is before now but
// its jittered time is not: an operation at now drops it (recorded), where
// it would otherwise vanish unrecorded with the grid it belongs to.
func (s *State) InFlight(now time.Time) bool {
	return s.Config.Jitter > 0 && s.Active() && !s.Next.IsZero() && s.Next.Before(now) && !s.Due().Before(now)
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	c := *s
	c.Running = slices.Clone(s.Running)
	c.Pending = slices.Clone(s.Pending)
	c.Queued = slices.Clone(s.Queued)
	c.Manual = slices.Clone(s.Manual)
	c.Backfill = slices.Clone(s.Backfill)
	c.Backfilled = slices.Clone(s.Backfilled)
	return &c
}

// runsLeft is how many starts the config in force still allows; -1:
// unlimited.
func (s *State) runsLeft() int64 {
	if s.Config.RemainingRuns <= 0 {
		return -1
	}
	return max(int64(s.Config.RemainingRuns)-s.RunsUsed, 0)
}

// capacity is how many more ticks may be chosen to start or to wait: the
// runs left less the ticks already waiting (buffered, queued, owed); -1:
// unlimited.
func (s *State) capacity() int64 {
	left := s.runsLeft()
	if left < 0 {
		return -1
	}
	waiting := s.queued()
	if !s.Buffered.IsZero() {
		waiting++
	}
	for _, p := range s.Pending {
		waiting += p.Count
	}
	return max(left-waiting, 0)
}

// queued is how many ticks buffer_all's queue holds.
func (s *State) queued() int64 {
	var n int64
	for _, q := range s.Queued {
		n += q.Count
	}
	return n
}

// firstIn is the first tick of r, the head of the owed starts or of
// buffer_all's queue (what names which, for the error): a range whose
// ticks the trigger does not have is a corrupt log.
func (s *State) firstIn(r TickRange, what string) (time.Time, error) {
	t := s.Grid().Next(r.From.Add(-time.Nanosecond))
	if t.IsZero() || !t.Before(r.Until) {
		return time.Time{}, fmt.Errorf("%w: schedule %q has %d %s in [%s, %s) but its trigger has none",
			ErrCorruptLog, s.ID, r.Count, what, stamp(r.From), stamp(r.Until))
	}
	return t, nil
}

// payFirst takes the tick at nominal from the head of rs (owed starts or
// buffer_all's queue): [nominal+1ns, until) then holds exactly the ticks
// still waiting, Count how many. False when nominal is not in the head.
func payFirst(rs *[]TickRange, nominal time.Time) bool {
	if len(*rs) == 0 || nominal.Before((*rs)[0].From) || !nominal.Before((*rs)[0].Until) {
		return false
	}
	p := &(*rs)[0]
	p.From, p.Count = nominal.Add(time.Nanosecond), p.Count-1
	if p.Count <= 0 {
		*rs = slices.Delete(*rs, 0, 1)
	}
	return true
}

func (s *State) runningIndex(x Execution) int {
	return slices.IndexFunc(s.Running, func(r Running) bool { return r.Execution == x })
}

// Apply applies e to s. An event already applied (Seq ≤ Version) is ignored;
// a gap or an event that does not fit the state is ErrCorruptLog.
func (s *State) Apply(e Event) error { return s.applyEvent(&e) }

// applyEvent is Apply without copying the event (the evaluator applies
// every event it records: a tick's copies were measurable).
func (s *State) applyEvent(e *Event) error {
	if e.Seq <= s.Version {
		return nil
	}
	if e.Seq != s.Version+1 || e.ScheduleID != s.ID {
		return corrupt(e, "expected seq %d of schedule %q", s.Version+1, s.ID)
	}
	if s.Deleted {
		return corrupt(e, "schedule is deleted")
	}
	if (e.Type == Created) != (s.Version == 0) {
		return corrupt(e, "created must be the first event, and only the first")
	}
	if err := s.apply(e); err != nil {
		return err
	}
	s.Version = e.Seq
	return nil
}

func (s *State) apply(e *Event) error {
	switch e.Type {
	case Created, Updated:
		if e.Config == nil {
			return corrupt(e, "no config")
		}
		trig, cfg, err := e.Config.compile()
		if err != nil {
			return corrupt(e, "%v", err)
		}
		s.Config, s.trigger, s.Reference, s.Next, s.RunsUsed = cfg, trig, e.At, e.Next, 0
	case Paused:
		if e.Cause != "" && e.Cause != CauseFailure {
			return corrupt(e, "unknown cause %q", e.Cause)
		}
		s.Paused = true
	case Resumed:
		s.Paused, s.Reference, s.Next = false, e.At, e.Next
	case Deleted:
		s.Counters.Dropped += int64(len(s.Manual)) // manual starts not made are dropped with the schedule
		for _, r := range s.Backfill {
			s.Counters.Dropped += r.Count // and a backfill's owed starts
		}
		s.Deleted, s.Buffered, s.Pending, s.Queued, s.Manual, s.Backfill = true, time.Time{}, nil, nil, nil, nil
	case TriggerRequested:
		if err := s.applyManual(e); err != nil {
			return err
		}
	case BackfillDecided:
		if err := s.applyBackfill(e); err != nil {
			return err
		}
	case Skipped:
		if e.Cause == CauseOverflow {
			s.Counters.Overflowed++
		} else {
			s.Counters.Skipped++
		}
		s.Next = e.Next
	case Buffered:
		s.Counters.Buffered++
		s.Next = e.Next
		if s.Config.Overlap == OverlapBufferAll {
			s.Queued = append(s.Queued, TickRange{Disposition: Buffer, From: e.Nominal, Until: e.Nominal.Add(time.Nanosecond), Count: 1})
		} else {
			s.Buffered = e.Nominal
		}
	case CatchUpDecided:
		for _, r := range e.Ranges {
			switch r.Disposition {
			case Start:
				s.Pending = append(s.Pending, r)
			case Skip:
				if s.Config.Overlap == OverlapBufferAll {
					s.Counters.Overflowed += r.Count
				} else {
					s.Counters.Skipped++
				}
			case Buffer:
				if s.Config.Overlap == OverlapBufferAll {
					s.Counters.Buffered += r.Count
					s.Queued = append(s.Queued, r)
				} else {
					s.Counters.Buffered++
					s.Buffered = r.From
				}
			case Miss:
				s.Counters.MissedRanges++
			default:
				return corrupt(e, "range disposition %s", r.Disposition)
			}
		}
		s.Next = e.Next
	case Triggered:
		if err := s.applyTriggered(e); err != nil {
			return err
		}
	case Dropped:
		if !e.Nominal.IsZero() && e.Nominal.Equal(s.Next) && s.Config.Jitter > 0 {
			// The next tick, in flight between its nominal and its jittered
			// time: the operation's own event moves Next (a pause keeps it,
			// and its resume re-anchors).
			s.Counters.Dropped++
		} else if !e.Nominal.IsZero() {
			if !e.Nominal.Equal(s.Buffered) {
				return corrupt(e, "drops %s but the buffered tick is %s", stamp(e.Nominal), stamp(s.Buffered))
			}
			s.Buffered = time.Time{}
			s.Counters.Dropped++
		}
		for _, r := range e.Ranges {
			s.Counters.Dropped += r.Count
			if e.Origin == OriginBackfill {
				s.Backfill = nil
				continue
			}
			if r.Disposition == Buffer {
				s.Queued = nil
			} else {
				s.Pending = nil
			}
		}
	case CancelRequested, ExecutionClosed:
		if e.Execution == (Execution{}) {
			return corrupt(e, "no execution")
		}
		i := s.runningIndex(e.Execution)
		if i < 0 {
			return corrupt(e, "execution %s is not running", e.Execution.WorkflowID)
		}
		if e.Type == ExecutionClosed && e.Cause != "" && e.Cause != CauseTerminate {
			return corrupt(e, "unknown cause %q", e.Cause)
		}
		if e.Type == CancelRequested {
			s.Running[i].CancelRequested = true
		} else {
			s.Running = slices.Delete(s.Running, i, i+1)
		}
	default:
		return corrupt(e, "unknown type")
	}
	switch e.Type {
	case CancelRequested:
		s.StartPending = true
	case ExecutionClosed:
		s.StartPending = s.StartPending || e.Cause == CauseTerminate
	case Triggered, Skipped, Buffered, CatchUpDecided, Updated, Paused, Resumed, Deleted:
		s.StartPending = false
	}
	if e.RequestID != "" && e.Type != Dropped {
		s.LastRequestID, s.LastRequestOp = e.RequestID, e.Type
	}
	return nil
}

func (s *State) applyTriggered(e *Event) error {
	if e.Execution == (Execution{}) {
		return corrupt(e, "no execution")
	}
	switch e.Cause {
	case CauseBackfill:
		if !s.payBackfill(e.Nominal) {
			return corrupt(e, "no backfill start at %s is owed", stamp(e.Nominal))
		}
		s.Running = append(s.Running, Running{Execution: e.Execution, Nominal: e.Nominal})
		s.Counters.Started++
		if e.Nominal.After(s.LastTriggered) {
			s.LastTriggered = e.Nominal
		}
		return nil // not a tick of the schedule's own: remaining_runs does not count it
	case CauseTrigger:
		if !s.payManual(e.Nominal, "") {
			return corrupt(e, "no manual start at %s is owed", stamp(e.Nominal))
		}
		s.Running = append(s.Running, Running{Execution: e.Execution, Nominal: e.Nominal})
		s.Counters.Started++
		if e.Nominal.After(s.LastTriggered) {
			s.LastTriggered = e.Nominal
		}
		return nil // not a tick: remaining_runs does not count it
	case CauseTick, CauseAdopt:
		if !e.Nominal.Equal(s.Next) {
			return corrupt(e, "tick %s is not the next tick %s", stamp(e.Nominal), stamp(s.Next))
		}
		s.Next = e.Next
	case CauseCatchUp:
		if !payFirst(&s.Pending, e.Nominal) {
			return corrupt(e, "tick %s is not owed", stamp(e.Nominal))
		}
	case CauseBuffer:
		if len(s.Queued) > 0 {
			// buffer_all: the oldest queued tick, as an owed start is paid.
			if !payFirst(&s.Queued, e.Nominal) {
				return corrupt(e, "tick %s is not the oldest queued tick", stamp(e.Nominal))
			}
			break
		}
		if !e.Nominal.Equal(s.Buffered) {
			return corrupt(e, "tick %s is not the buffered tick", stamp(e.Nominal))
		}
		s.Buffered = time.Time{}
	default:
		return corrupt(e, "cause %q", e.Cause)
	}
	s.Running = append(s.Running, Running{Execution: e.Execution, Nominal: e.Nominal})
	s.Counters.Started++
	s.RunsUsed++
	if s.runsLeft() == 0 {
		s.Next = time.Time{} // its runs are used up: finished
	}
	if e.Nominal.After(s.LastTriggered) {
		s.LastTriggered = e.Nominal
	}
	return nil
}

func corrupt(e *Event, format string, args ...any) error {
	return fmt.Errorf("%w: schedule %q seq %d (%s): %s", ErrCorruptLog, e.ScheduleID, e.Seq, e.Type, fmt.Sprintf(format, args...))
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Snapshot holds every schedule's state, deleted ones included (their ids are
// never reused). A log read returns the latest snapshot and the events after it.
type Snapshot struct {
	States []*State `json:"states"`
}

// Project folds a snapshot (may be nil) and the events after it into
// per-schedule states, sorted by id. A schedule whose events do not apply is
// left out of the result and reported in the error (a joined list of
// ErrCorruptLog errors); the others are still returned.
func Project(snap *Snapshot, events []Event) ([]*State, error) {
	out, broken := project(snap, events)
	ids := make([]string, 0, len(broken))
	for id := range broken {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	errs := make([]error, len(ids))
	for i, id := range ids {
		errs[i] = broken[id]
	}
	return out, errors.Join(errs...)
}

func project(snap *Snapshot, events []Event) ([]*State, map[string]error) {
	states := map[string]*State{}
	broken := map[string]error{}
	if snap != nil {
		for _, st := range snap.States {
			c := st.Clone()
			if err := c.restoreTrigger(); err != nil {
				broken[c.ID] = err
				continue
			}
			states[c.ID] = c
		}
	}
	for _, e := range events {
		if broken[e.ScheduleID] != nil {
			continue
		}
		st := states[e.ScheduleID]
		if st == nil {
			st = &State{ID: e.ScheduleID}
			states[e.ScheduleID] = st
		}
		if err := st.Apply(e); err != nil {
			broken[e.ScheduleID] = err
			delete(states, e.ScheduleID)
		}
	}
	out := make([]*State, 0, len(states))
	for _, st := range states {
		if st.Version > 0 {
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(a, b *State) int { return strings.Compare(a.ID, b.ID) })
	return out, broken
}

func (s *State) restoreTrigger() error {
	trig, cfg, err := s.Config.compile()
	if err != nil {
		return fmt.Errorf("%w: snapshot of schedule %q: %v", ErrCorruptLog, s.ID, err)
	}
	s.trigger, s.Config = trig, cfg
	return nil
}

package scenarios

import (
	"errors"
	"fmt"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// Scenario is a loaded, validated scenario file.
type Scenario struct {
	File        string // as given to Load (or the library path)
	Name        string
	Description string
	Start       time.Time
	Until       time.Time // the end of the run; the last step's time when not given
	Seed        int64
	RetryDelay  time.Duration
	CancelDelay time.Duration
	Rates       sim.Rates
	Schedules   []Schedule
	Steps       []Step
	End         *Expect // checked at Until
	// Golden is the scenario's whole-trace golden ("" when it has none yet).
	Golden string
}

// Schedule is a schedule the scenario uses: created at the start unless a
// step creates it.
type Schedule struct {
	Pos     Pos
	ID      string
	Config  evaluator.Config
	RunsFor time.Duration // 0: until cancelled or closed by a step
	// RunsForNominal overrides RunsFor for the executions of given ticks.
	RunsForNominal map[time.Time]time.Duration
	// Fails: every execution of it that ends by itself (after RunsFor)
	// fails rather than completes.
	Fails bool
}

// CreatedByStep reports whether a step of the scenario creates schedule id
// (else it is created at the start).
func (s *Scenario) CreatedByStep(id string) bool {
	for _, st := range s.Steps {
		if st.Op != nil && st.Op.Kind == sim.OpCreate && st.Op.ScheduleID == id {
			return true
		}
	}
	return false
}

// Step is one line of the timeline: exactly one of its pointers is set.
type Step struct {
	Pos       Pos
	At        time.Time
	Op        *sim.Op
	WantError string // for an Op: the error it must fail with (a substring)
	Action    *sim.Action
	Fault     *sim.Fault
	Expect    *Expect
	Advance   bool
}

// Place sets the step's time, and the times of what it carries: an
// operation, action or expectation happens then; a jump or a crash between
// seam calls happens then; a fault at a seam call matches calls from then on.
func (s *Step) Place(at time.Time) {
	s.At = at
	switch {
	case s.Op != nil:
		s.Op.At = at
	case s.Action != nil:
		s.Action.At = at
	case s.Expect != nil:
		s.Expect.At = at
	case s.Fault == nil:
	case s.Fault.Kind == sim.Jump, s.Fault.Kind.AtSeam() && s.Fault.Call == "" && s.Fault.Nth == 0:
		s.Fault.At = at
	case s.Fault.Kind.AtSeam():
		s.Fault.After = at
	}
}

// What names what the step does, for traces.
func (s Step) What() string {
	switch {
	case s.Op != nil:
		return fmt.Sprintf("%s %s", s.Op.Kind, s.Op.ScheduleID)
	case s.Action != nil:
		if s.Action.Kind == sim.ActSlow {
			return fmt.Sprintf("slow %s@%s for %s", s.Action.ScheduleID, stamp(s.Action.Nominal), s.Action.For)
		}
		return fmt.Sprintf("%s %s@%s", s.Action.Kind, s.Action.ScheduleID, stamp(s.Action.Nominal))
	case s.Fault != nil:
		return describeFault(*s.Fault)
	case s.Expect != nil:
		return "expect"
	default:
		return "advance"
	}
}

func describeFault(f sim.Fault) string {
	out := f.Kind.String()
	if f.Call != "" {
		out += fmt.Sprintf(" %s %s", f.Phase, f.Call)
	}
	if f.Nth > 0 {
		out += fmt.Sprintf(" nth=%d", f.Nth)
	}
	if f.Schedule != "" {
		out += " " + f.Schedule
	}
	if !f.Nominal.IsZero() {
		out += "@" + stamp(f.Nominal)
	}
	switch f.Kind {
	case sim.Crash:
		out += " downtime=" + f.Downtime.String()
	case sim.Late:
		out += " by=" + f.Late.String()
	case sim.Jump:
		out += " +" + f.Jump.String()
	}
	return out
}

// Expect is what must hold at an instant. Nil fields are not checked.
type Expect struct {
	Pos        Pos
	At         time.Time
	Starts     *[]StartWant // every execution started so far, in start order
	Cancels    *[]StartWant // every cancel asked so far, in order
	Terminates *[]StartWant // every execution terminated so far, in order
	Ticks      []TickWant   // the listed ticks only
	Schedules  []ScheduleWant
	Timers     *[]TimerWant // every armed timer
	Invariants bool         // every invariant the run allows checking
}

// StartWant is an execution started (or a cancel asked) for a tick; At is
// when, unchecked when zero.
type StartWant struct {
	Schedule string
	Nominal  time.Time
	At       time.Time
}

// Dispositions a tick can end with, as its log says.
var Dispositions = []string{"start", "skip", "buffer", "drop", "miss", "owed", "none"}

// TickWant is the final disposition of one tick.
type TickWant struct {
	Schedule    string
	Nominal     time.Time
	Disposition string
}

// ScheduleWant is what the process must describe of a schedule; nil fields
// are not checked.
type ScheduleWant struct {
	Pos      Pos
	Schedule string
	Exists   *bool
	Paused   *bool
	Next     *time.Time // zero: none
	Running  *[]time.Time
	Buffered *time.Time // zero: none
	Counters []CounterWant
}

// CounterWant is one counter of a schedule.
type CounterWant struct {
	Name  string
	Value int64
}

// Counters are the counter names a scenario can expect.
var Counters = []string{"started", "skipped", "buffered", "dropped", "missed_ranges", "overflowed"}

// TimerWant is an armed timer.
type TimerWant struct {
	Schedule string
	At       time.Time
}

// Pos is a position in a scenario file.
type Pos struct {
	File         string
	Line, Column int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// ErrInvalid is wrapped by every error about a scenario file's content.
var ErrInvalid = errors.New("invalid scenario")

// Error is one problem of a scenario file, at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap makes every *Error match ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

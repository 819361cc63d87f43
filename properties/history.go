package properties

import (
	"fmt"
	"sort"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

// History is one generated world: schedules, each created by a step of its
// own, lifecycle operations and faults at times within the horizon. It is
// what the generators produce, what the shrinker simplifies, and what a
// failure prints as a scenario file.
type History struct {
	Start       time.Time
	Horizon     time.Duration
	CancelDelay time.Duration
	Schedules   []Schedule
	Steps       []Step
	Mix         Mix // what the case was drawn with
}

// Schedule is a generated schedule; CreateAt is when its create step runs.
type Schedule struct {
	ID      string
	Trigger evaluator.TriggerSpec
	Overlap evaluator.OverlapPolicy
	CatchUp evaluator.CatchUpPolicy
	Window  time.Duration // 0: none
	// BufferLimit is buffer_all's bound (0: the default, 1,000): small ones
	// make the generated queues fill.
	BufferLimit int
	// StartAt and EndAt bound the ticks, as offsets from the start (0: none).
	StartAt, EndAt time.Duration
	// RemainingRuns limits its starts (0: unlimited).
	RemainingRuns int
	// Fails: its executions fail when they end by themselves;
	// PauseOnFailure: a failure pauses it.
	Fails, PauseOnFailure bool
	// Jitter delays each tick (0: none).
	Jitter   time.Duration
	RunsFor  time.Duration // 0: until cancelled
	CreateAt time.Duration
	// BadTrigger, when set, makes the create invalid: it must be refused
	// and leave the log unchanged (WantError is what it fails with).
	BadTrigger *evaluator.TriggerSpec
	WantError  string
}

// Step kinds.
const (
	StepUpdate            = "update"
	StepPause             = "pause"
	StepResume            = "resume"
	StepDelete            = "delete"
	StepTrigger           = "trigger_now" // a manual start; Overlap overrides the policy (0: none)
	StepBackfill          = "backfill"    // the past range [Nominal, Duration) (offsets); Overlap overrides
	StepBadCreate         = "bad_create"  // a create that must be refused
	StepCrash             = "crash"       // now, or at a seam call when Call is set
	StepError             = "error"
	StepLate              = "late"
	StepDuplicateDelivery = "duplicate_delivery"
	StepDuplicateNotice   = "duplicate_notice"
	StepJump              = "jump"
)

// Step is one generated step.
type Step struct {
	At       time.Duration
	Kind     string
	Schedule string
	// Update: the fields it changes (empty: unchanged); BadTrigger makes the
	// trigger invalid (the update or create must be refused).
	Overlap evaluator.OverlapPolicy // 0: unchanged
	CatchUp evaluator.CatchUpPolicy
	Trigger *evaluator.TriggerSpec
	// Faults at a seam call; Nominal for tick faults (an offset).
	Call, Phase string
	Nominal     time.Duration
	Duration    time.Duration // downtime, lateness or jump
	WantError   string        // filled in from a run before printing
}

// Size is the number of timeline steps the history prints (creates included).
func (h History) Size() int { return len(h.Schedules) + len(h.Steps) }

// Scenario builds the history as a scenario (the one model scenarios.Parse
// and scenarios.Format share) whose expectation is that every invariant
// holds; name and description head it. Creates come first among steps at
// one time.
func (h History) Scenario(name, description string) *scenarios.Scenario {
	start := h.Start.UTC()
	at := func(d time.Duration) time.Time { return start.Add(d) }
	s := &scenarios.Scenario{File: name + ".yaml", Name: name, Description: description, Start: start, Until: at(h.Horizon),
		CancelDelay: h.CancelDelay, End: &scenarios.Expect{At: at(h.Horizon), Invariants: true}}
	type timed struct {
		at   time.Duration
		step scenarios.Step
	}
	var steps []timed
	configs := map[string]evaluator.Config{} // as the last accepted create or update left them
	for _, sc := range h.Schedules {
		c := evaluator.Config{Trigger: sc.Trigger, Overlap: sc.Overlap, CatchUp: sc.CatchUp, WorkflowType: "workflow"}
		if sc.Overlap == evaluator.OverlapBufferAll {
			c.BufferLimit = sc.BufferLimit
		}
		c.RemainingRuns = sc.RemainingRuns
		c.PauseOnFailure = sc.PauseOnFailure
		c.Jitter = evaluator.Duration(sc.Jitter)
		if sc.StartAt > 0 {
			c.StartAt = at(sc.StartAt)
		}
		if sc.EndAt > 0 {
			c.EndAt = at(sc.EndAt)
		}
		if sc.Window > 0 {
			w := evaluator.Duration(sc.Window)
			c.CatchUpWindow = &w
		}
		s.Schedules = append(s.Schedules, scenarios.Schedule{ID: sc.ID, Config: c, RunsFor: sc.RunsFor, Fails: sc.Fails})
		configs[sc.ID] = c
		create := c
		if sc.BadTrigger != nil {
			create.Trigger = *sc.BadTrigger
		}
		steps = append(steps, timed{sc.CreateAt, scenarios.Step{WantError: sc.WantError,
			Op: &sim.Op{Kind: sim.OpCreate, ScheduleID: sc.ID, RequestID: "create-" + sc.ID, Config: create}}})
	}
	for i, st := range h.Steps {
		steps = append(steps, timed{st.At, st.scenarioStep(i, start, configs)})
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at < steps[j].at })
	for _, t := range steps {
		st := t.step
		st.Place(at(t.at))
		s.Steps = append(s.Steps, st)
	}
	return s
}

// scenarioStep is step i as a scenario step (its time is set by the caller);
// configs follow the accepted updates.
func (st Step) scenarioStep(i int, start time.Time, configs map[string]evaluator.Config) scenarios.Step {
	out := scenarios.Step{WantError: st.WantError}
	switch st.Kind {
	case StepUpdate, StepPause, StepResume, StepDelete, StepBadCreate:
		op := &sim.Op{Kind: sim.OpKind(st.Kind), ScheduleID: st.Schedule, RequestID: fmt.Sprintf("r%d", i+1)}
		if st.Kind == StepBadCreate || st.Kind == StepUpdate {
			op.Kind = map[string]sim.OpKind{StepBadCreate: sim.OpCreate, StepUpdate: sim.OpUpdate}[st.Kind]
			c := configs[st.Schedule]
			if st.Trigger != nil {
				c.Trigger = *st.Trigger
			}
			if st.Overlap != 0 {
				c.Overlap = st.Overlap
			}
			if c.Overlap != evaluator.OverlapBufferAll {
				c.BufferLimit = 0 // only buffer_all takes a bound
			}
			// An update replaces the config: a generated one sets no bounds
			// (it may come after the old end_at).
			c.StartAt, c.EndAt = time.Time{}, time.Time{}
			c.RemainingRuns = 0 // nor a limit (a generated update is never refused for it)
			if st.CatchUp != 0 {
				c.CatchUp = st.CatchUp
			}
			op.Config = c
			if st.Kind == StepUpdate && st.WantError == "" {
				configs[st.Schedule] = c
			}
		}
		out.Op = op
	case StepTrigger:
		out.Op = &sim.Op{Kind: sim.OpTrigger, ScheduleID: st.Schedule, RequestID: fmt.Sprintf("r%d", i+1), Overlap: st.Overlap}
	case StepBackfill:
		out.Op = &sim.Op{Kind: sim.OpBackfill, ScheduleID: st.Schedule, RequestID: fmt.Sprintf("r%d", i+1), Overlap: st.Overlap,
			From: start.Add(st.Nominal), To: start.Add(st.Duration)}
	case StepCrash, StepError:
		f := &sim.Fault{Kind: sim.Crash, Call: st.Call, Downtime: st.Duration}
		if st.Kind == StepError {
			f.Kind = sim.Error
		}
		if st.Call != "" {
			f.Phase = map[string]fakes.Phase{"before": fakes.Before, "after": fakes.After}[st.Phase]
			f.Schedule = st.Schedule
		}
		out.Fault = f
	case StepLate, StepDuplicateDelivery, StepDuplicateNotice:
		k, _ := sim.ParseFaultKind(st.Kind)
		out.Fault = &sim.Fault{Kind: k, Schedule: st.Schedule, Nominal: start.Add(st.Nominal)}
		if k == sim.Late {
			out.Fault.Late = st.Duration
		}
	case StepJump:
		out.Fault = &sim.Fault{Kind: sim.Jump, Jump: st.Duration}
	}
	return out
}

// Format writes the history as a scenario file (see Scenario).
func (h History) Format(name, description string) string {
	b, err := scenarios.Format(h.Scenario(name, description))
	if err != nil {
		return "# the scenario cannot be written: " + err.Error() + "\n"
	}
	return string(b)
}

package temporal

import (
	"fmt"
	"slices"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	schedulespb "go.temporal.io/server/api/schedule/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

// Verdict is what Temporal did with a scenario: passed the checks that
// apply to it, failed one, or the scenario cannot be run (Why says why).
type Verdict struct {
	Scenario   string
	Applicable bool
	Why        string // not applicable: the reason
	Violations []invariants.Violation
	Checked    []string
	Runs       []fakes.Run // what Temporal started, in start order
}

func (v Verdict) String() string {
	switch {
	case !v.Applicable:
		return fmt.Sprintf("N/A   %s: %s", v.Scenario, v.Why)
	case len(v.Violations) > 0:
		return fmt.Sprintf("FAIL  %s: %s", v.Scenario, v.Violations[0])
	}
	return fmt.Sprintf("PASS  %s (%v)", v.Scenario, v.Checked)
}

// RunScenario runs a schedsim scenario against Temporal's schedule
// workflow, each schedule in an environment of its own (Temporal's
// schedules do not share anything), and judges the result under the
// temporal-v1 profile (invariants.Judge). A scenario that needs what the test environment cannot
// do (a crash, a seam fault, a scripted closure) or Temporal cannot express
// is not applicable, with the reason.
func RunScenario(s *scenarios.Scenario) Verdict {
	v := Verdict{Scenario: s.Name}
	if why := applies(s); why != "" {
		v.Why = why
		return v
	}
	h := &invariants.History{Now: s.Until}
	due := map[string]time.Time{} // schedule/run id → due time
	h.Due = func(r fakes.Run) time.Time { return due[r.Request.ScheduleID+"/"+r.Execution.RunID] }
	ran := 0 // schedules run
	for _, sc := range s.Schedules {
		in, a, err := inputOf(s, sc)
		if err != nil {
			v.Why = err.Error()
			return v
		}
		if a.never {
			continue // schedsim refused its create: nothing is sent for it
		}
		ran++
		obs, err := Run(in)
		if err != nil {
			v.Why = fmt.Sprintf("schedule %s: %v", sc.ID, err)
			return v
		}
		one := obs.History(sc.ID, a.created, in.Start, s.Until)
		manualOrigins(one, s.Steps, sc.ID)
		specs := []spec{{in.Start, in.Schedule.Spec}}
		for i, op := range in.Ops {
			if op.Update != nil && !obs.Delivered[i].IsZero() {
				specs = append(specs, spec{obs.Delivered[i], op.Update.Schedule.Spec})
			}
		}
		d, err := dueTimes(one.Runs, specs)
		if err != nil {
			v.Why = fmt.Sprintf("schedule %s: its spec: %v", sc.ID, err)
			return v
		}
		for k, t := range d {
			due[sc.ID+"/"+k] = t
		}
		h.Applied = append(h.Applied, one.Applied...)
		// An operation took effect when it reached the workflow (one asked
		// while the scheduler was down, at the restart).
		for i, op := range a.ops {
			if at := obs.Delivered[i]; !at.IsZero() {
				// This schedule's starts at that instant before it: those
				// made before it reached the workflow, and those of ticks due
				// then (the workflow handles a wakeup's ticks and starts
				// before the signals it then receives); at a restart, the
				// catch-up of the ticks due while it was down too (the
				// workflow receives signals only once its first iteration
				// is done).
				restart := in.Ops[i].At.Before(at)
				k := 0
				for j, x := range obs.Executions {
					due, ok := d[runID(j)]
					if x.StartedAt.Equal(at) && (j < obs.StartedBefore[i] || !x.Manual && ok && (due.Equal(at) || restart && due.Before(at))) {
						k++
					}
				}
				first := at // it took effect exactly then
				if op.Kind == sim.OpTrigger {
					first = in.Ops[i].At // a trigger's nominal time is when it was asked
				}
				h.Applied = append(h.Applied, sim.AppliedOp{Op: op, First: first, At: at, StartsBefore: k})
			}
		}
		if a.deleted != nil {
			h.Applied = append(h.Applied, sim.AppliedOp{Op: *a.deleted, First: in.End, At: in.End})
		}
		h.Runs = append(h.Runs, one.Runs...)
	}
	slices.SortStableFunc(h.Applied, func(a, b sim.AppliedOp) int { return a.At.Compare(b.At) })
	slices.SortStableFunc(h.Runs, func(a, b fakes.Run) int { return a.StartedAt.Compare(b.StartedAt) })
	// StartsBefore counts, in h.Runs, the starts before an operation took
	// effect: the earlier instants', the other schedules' of that instant
	// that come before it in h.Runs (grouped by schedule, in schedule order:
	// the sort is stable), and its own schedule's that fired before it.
	for i := range h.Applied {
		op := &h.Applied[i]
		if op.Kind == sim.OpCreate {
			continue
		}
		for _, r := range h.Runs {
			if r.StartedAt.Before(op.At) || r.StartedAt.Equal(op.At) && scheduleIndex(s, r.Request.ScheduleID) < scheduleIndex(s, op.ScheduleID) {
				op.StartsBefore++
			}
		}
	}
	if ran == 0 {
		v.Why = "no schedule exists: every create is refused"
		return v
	}
	v.Applicable = true
	rep := invariants.Judge(profile.TemporalV1(), h)
	v.Checked, v.Violations, v.Runs = rep.Checked, rep.Violations, h.Runs
	return v
}

// applies says why the scenario cannot run against Temporal ("" when it can).
func applies(s *scenarios.Scenario) string {
	r := s.Rates
	if r.Crash > 0 || r.Error > 0 || r.Late > 0 || r.Duplicate > 0 {
		return "random faults: the test environment has no crash or seam fault"
	}
	for _, st := range s.Steps {
		switch {
		case st.Fault != nil && st.Fault.Kind == sim.Crash && st.Fault.Call == "" && st.Fault.Nth == 0:
			// A crash between calls: a continue-as-new, then the downtime.
		case lostTaskAfterStart(st.Fault, s):
			// A crash just after a start took effect: see lostTaskAfterStart.
		case st.Fault != nil:
			return fmt.Sprintf("a %s at a seam call: the test environment has no seam to fail", st.Fault.Kind)
		case st.Action != nil:
			return fmt.Sprintf("a scripted %s of an execution (not translated yet)", st.Action.Kind)
		case st.Op == nil:
		case st.Op.Kind == sim.OpCreate && st.At.After(s.Start) && slices.ContainsFunc(s.Steps, func(o scenarios.Step) bool {
			return o.Op != nil && o.Op.ScheduleID == st.Op.ScheduleID && o.Op.Kind == sim.OpCreate && o.At.Before(st.At)
		}):
			return fmt.Sprintf("schedule %s created twice", st.Op.ScheduleID)
		}
	}
	return ""
}

// patchOf is the schedule patch signal of a schedsim operation.
func patchOf(op sim.Op, at time.Time) *schedulepb.SchedulePatch {
	switch op.Kind {
	case sim.OpPause:
		return &schedulepb.SchedulePatch{Pause: "paused by schedsim"}
	case sim.OpResume:
		return &schedulepb.SchedulePatch{Unpause: "resumed by schedsim"}
	case sim.OpTrigger:
		return &schedulepb.SchedulePatch{TriggerImmediately: &schedulepb.TriggerImmediatelyRequest{
			OverlapPolicy: overlaps[op.Overlap], ScheduledTime: timestamppb.New(at)}}
	default: // backfill
		return &schedulepb.SchedulePatch{BackfillRequest: []*schedulepb.BackfillRequest{{
			StartTime: timestamppb.New(op.From), EndTime: timestamppb.New(op.To), OverlapPolicy: overlaps[op.Overlap]}}}
	}
}

// manualOrigins tells a trigger-immediately start from a backfill's (both
// are manual starts to Temporal) and gives a trigger the instant it was
// asked at as its nominal time: Temporal appends that time to the workflow
// id truncated to the second, and the checkers find a trigger's overlap
// override by its instant. A manual start no trigger explains is a
// backfill's (its nominal time is a tick of the range).
func manualOrigins(h *invariants.History, steps []scenarios.Step, id string) {
	for i, r := range h.Runs {
		if r.Request.Origin != evaluator.OriginTrigger {
			continue
		}
		trigger := false
		for _, st := range steps {
			if op := st.Op; op != nil && op.ScheduleID == id && op.Kind == sim.OpTrigger && st.At.Truncate(time.Second).Equal(r.Request.Nominal) {
				h.Runs[i].Request.Nominal, trigger = st.At, true
				break
			}
		}
		if !trigger {
			h.Runs[i].Request.Origin = evaluator.OriginBackfill
		}
	}
}

// scheduleIndex is the position of schedule id in the scenario.
func scheduleIndex(s *scenarios.Scenario, id string) int {
	return slices.IndexFunc(s.Schedules, func(sc scenarios.Schedule) bool { return sc.ID == id })
}

// lostTaskAfterStart reports whether f is a crash just after a given tick's
// start took effect, which the adapter translates into what it is for
// Temporal's worker: the workflow task that ran the StartWorkflow local
// activity is lost and replayed, the replay starts the tick again under a
// new request id (its SideEffect batch of UUIDs is made anew), and the
// server answers "already started" (Input.AlreadyStarted; temporal-2). The
// downtime is not translated: the replayed task runs at once.
func lostTaskAfterStart(f *sim.Fault, s *scenarios.Scenario) bool {
	return f != nil && f.Kind == sim.Crash && f.Call == "engine.start" && f.Phase == fakes.After && !f.Nominal.IsZero() &&
		(f.Schedule != "" || len(s.Schedules) == 1)
}

// asked is what a scenario asks of one schedule, in schedsim's terms: the
// config it is created with, the operations sent (Input.Ops, in order) and
// the delete that ends it (nil: none).
type asked struct {
	created evaluator.Config
	ops     []sim.Op
	deleted *sim.Op
	never   bool // only refused steps create it: it never exists
}

// inputOf translates what a scenario asks of schedule sc into the driver's
// input: its Temporal schedule, the operations as signals at their
// instants, its executions' run times, its crashes.
func inputOf(s *scenarios.Scenario, sc scenarios.Schedule) (Input, asked, error) {
	t, err := Translate(sc.Config)
	if err != nil {
		return Input{}, asked{}, fmt.Errorf("schedule %s: %w", sc.ID, err)
	}
	in := Input{Schedule: t, RunFor: sc.RunsFor, RunsForNominal: sc.RunsForNominal, Fails: sc.Fails, Start: s.Start, End: s.Until}
	a := asked{created: sc.Config, never: s.CreatedByStep(sc.ID)}
	paused := false
	for _, st := range s.Steps {
		op := st.Op
		if op == nil || op.ScheduleID != sc.ID || a.deleted != nil || st.WantError != "" {
			// Neither what schedsim refuses nor, after a delete, the
			// schedule's operations (refused too) are sent.
			continue
		}
		switch op.Kind {
		case sim.OpCreate:
			// Created by a step: the schedule workflow starts then.
			in.Start, a.created, a.never = st.At, op.Config, false
			if in.Schedule, err = Translate(op.Config); err != nil {
				return Input{}, asked{}, fmt.Errorf("schedule %s: %w", sc.ID, err)
			}
		case sim.OpDelete:
			// Deleting a schedule ends its workflow; its runs go on.
			in.End, a.deleted = st.At, op
		case sim.OpUpdate:
			u, err := Translate(op.Config)
			if err != nil {
				return Input{}, asked{}, fmt.Errorf("update of %s: %w", sc.ID, err)
			}
			u.State.Paused = paused // schedsim's update keeps a pause; Temporal's replaces the state
			u.Action = actionOf()
			in.Ops = append(in.Ops, Op{At: st.At, Update: &schedulespb.FullUpdateRequest{Schedule: u}})
			a.ops = append(a.ops, *op)
		default:
			paused = op.Kind == sim.OpPause || paused && op.Kind != sim.OpResume
			in.Ops = append(in.Ops, Op{At: st.At, Patch: patchOf(*op, st.At)})
			a.ops = append(a.ops, *op)
		}
	}
	for _, st := range s.Steps {
		switch f := st.Fault; {
		case f == nil:
		case lostTaskAfterStart(f, s) && (f.Schedule == sc.ID || f.Schedule == "" && len(s.Schedules) == 1):
			in.AlreadyStarted = append(in.AlreadyStarted, f.Nominal)
		case f.Kind == sim.Crash && f.Call == "":
			in.Crashes = append(in.Crashes, Crash{At: st.At, Downtime: f.Downtime})
		}
	}
	return in, a, nil
}

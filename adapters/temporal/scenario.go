package temporal

import (
	"fmt"
	"slices"
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	schedulespb "go.temporal.io/server/api/schedule/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
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

// universal are the checks that hold for any correct scheduler with these
// policy names, whatever its dialect (no overlap, cancel first, at most
// once, silent while paused, monotone); the grid, the model and the log's
// accounting need the temporal-v1 profile, which is not written yet.
var universal = []struct {
	id    string
	check func(*invariants.History) []invariants.Violation
}{{"S1", invariants.S1}, {"S2", invariants.S2}, {"S4", invariants.S4}, {"S5", invariants.S5}, {"S7", invariants.S7}}

// RunScenario runs a schedsim scenario against Temporal's schedule
// workflow, each schedule in an environment of its own (Temporal's
// schedules do not share anything), and judges the result with the
// universal checks. A scenario that needs what the test environment cannot
// do (a crash, a seam fault, a scripted closure) or Temporal cannot express
// is not applicable, with the reason.
func RunScenario(s *scenarios.Scenario) Verdict {
	v := Verdict{Scenario: s.Name}
	if why := applies(s); why != "" {
		v.Why = why
		return v
	}
	h := &invariants.History{Now: s.Until}
	for _, sc := range s.Schedules {
		t, err := Translate(sc.Config)
		if err != nil {
			v.Why = fmt.Sprintf("schedule %s: %v", sc.ID, err)
			return v
		}
		in := Input{Schedule: t, RunFor: sc.RunsFor, Start: s.Start, End: s.Until}
		created := sc.Config
		paused := false
		for _, st := range s.Steps {
			op := st.Op
			if op == nil || op.ScheduleID != sc.ID {
				continue
			}
			switch op.Kind {
			case sim.OpCreate:
				// Created by a step: the schedule workflow starts then.
				in.Start, created = st.At, op.Config
				if t, err = Translate(op.Config); err != nil {
					v.Why = fmt.Sprintf("schedule %s: %v", sc.ID, err)
					return v
				}
				in.Schedule = t
			case sim.OpDelete:
				// Deleting a schedule ends its workflow; its runs go on.
				in.End = st.At
			case sim.OpUpdate:
				u, err := Translate(op.Config)
				if err != nil {
					v.Why = fmt.Sprintf("update of %s: %v", sc.ID, err)
					return v
				}
				u.State.Paused = paused // schedsim's update keeps a pause; Temporal's replaces the state
				u.Action = actionOf()
				in.Ops = append(in.Ops, Op{At: st.At, Update: &schedulespb.FullUpdateRequest{Schedule: u}})
			default:
				paused = op.Kind == sim.OpPause || paused && op.Kind != sim.OpResume
				in.Ops = append(in.Ops, Op{At: st.At, Patch: patchOf(*op, st.At)})
			}
		}
		for _, st := range s.Steps {
			if f := st.Fault; f != nil && f.Kind == sim.Crash {
				in.Crashes = append(in.Crashes, Crash{At: st.At, Downtime: f.Downtime})
			}
		}
		obs, err := Run(in)
		if err != nil {
			v.Why = fmt.Sprintf("schedule %s: %v", sc.ID, err)
			return v
		}
		one := obs.History(sc.ID, created, in.Start, s.Until)
		h.Applied = append(h.Applied, one.Applied...)
		for _, st := range s.Steps {
			if st.Op != nil && st.Op.ScheduleID == sc.ID && st.Op.Kind != sim.OpCreate && st.Op.Kind != sim.OpTrigger && st.Op.Kind != sim.OpBackfill {
				h.Applied = append(h.Applied, sim.AppliedOp{Op: *st.Op, First: st.At, At: st.At})
			}
		}
		h.Runs = append(h.Runs, one.Runs...)
	}
	slices.SortStableFunc(h.Applied, func(a, b sim.AppliedOp) int { return a.At.Compare(b.At) })
	slices.SortStableFunc(h.Runs, func(a, b fakes.Run) int { return a.StartedAt.Compare(b.StartedAt) })
	v.Applicable = true
	for _, c := range universal {
		v.Checked = append(v.Checked, c.id)
		v.Violations = append(v.Violations, c.check(h)...)
	}
	return v
}

// applies says why the scenario cannot run against Temporal ("" when it can).
func applies(s *scenarios.Scenario) string {
	for _, sc := range s.Schedules {
		if len(sc.RunsForNominal) > 0 || sc.Fails {
			return fmt.Sprintf("schedule %s: per-tick run times and failing runs are not translated yet", sc.ID)
		}
	}
	r := s.Rates
	if r.Crash > 0 || r.Error > 0 || r.Late > 0 || r.Duplicate > 0 {
		return "random faults: the test environment has no crash or seam fault"
	}
	for _, st := range s.Steps {
		switch {
		case st.Fault != nil && st.Fault.Kind == sim.Crash && st.Fault.Call == "" && st.Fault.Nth == 0:
			// A crash between calls: a continue-as-new, then the downtime.
		case st.Fault != nil:
			return fmt.Sprintf("a %s at a seam call: the test environment has no seam to fail", st.Fault.Kind)
		case st.Action != nil:
			return fmt.Sprintf("a scripted %s of an execution (not translated yet)", st.Action.Kind)
		case st.Op == nil:
		case st.WantError != "":
			return fmt.Sprintf("a %s that must be refused (Temporal's refusals are not schedsim's)", st.Op.Kind)
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

package scenarios

import (
	"fmt"
	"slices"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Applies reports why a scenario cannot run under a profile ("" when it
// can): a config with a policy, window or interval the implementation does
// not offer, or a fault kind the profile leaves out (scripted or seeded).
// Configs a scenario expects to be refused are exempt: refusing them is
// what it tests.
func Applies(s *Scenario, p profile.Profile) string {
	for _, sc := range s.Schedules {
		if s.CreatedByStep(sc.ID) {
			continue // its step says whether it must be refused
		}
		if why := p.Supports(sc.Config); why != "" {
			return fmt.Sprintf("schedule %s: %s", sc.ID, why)
		}
	}
	for _, st := range s.Steps {
		if op := st.Op; op != nil && op.Kind == sim.OpTrigger && !p.TriggerNow {
			return fmt.Sprintf("%s %s: %s has no trigger now", op.Kind, op.ScheduleID, p.Name)
		}
		if op := st.Op; op != nil && op.Kind == sim.OpBackfill && !p.Backfill {
			return fmt.Sprintf("%s %s: %s has no backfill", op.Kind, op.ScheduleID, p.Name)
		}
		if op := st.Op; op != nil && (op.Kind == sim.OpTrigger || op.Kind == sim.OpBackfill) && op.Overlap != 0 && !slices.Contains(p.OverlapPolicies(), op.Overlap) {
			return fmt.Sprintf("%s %s: %s offers no overlap policy %s", op.Kind, op.ScheduleID, p.Name, op.Overlap)
		}
		if op := st.Op; op != nil && (op.Kind == sim.OpCreate || op.Kind == sim.OpUpdate) && st.WantError == "" {
			if why := p.Supports(op.Config); why != "" {
				return fmt.Sprintf("%s %s: %s", op.Kind, op.ScheduleID, why)
			}
		}
	}
	cfg := s.Config(nil)
	r := cfg.Plan.Rates
	for _, rate := range []struct {
		p    float64
		kind string
	}{{r.Crash, "crash_at_call"}, {r.Error, "error"}, {r.Late, "late"}, {r.Duplicate, "duplicate_delivery"}} {
		if rate.p > 0 && !slices.Contains(p.Faults, rate.kind) {
			return fmt.Sprintf("seeded %s faults are outside %s's faults (%v)", rate.kind, p.Name, p.Faults)
		}
	}
	for _, f := range cfg.Plan.Faults {
		kind := f.Kind.String()
		if f.Kind == sim.Crash && (f.Call != "" || f.Nth > 0) {
			kind = "crash_at_call"
		}
		if !slices.Contains(p.Faults, kind) {
			return fmt.Sprintf("fault %s is outside %s's faults (%v)", kind, p.Name, p.Faults)
		}
	}
	return ""
}

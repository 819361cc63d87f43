package properties_test

import (
	"slices"
	"testing"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
)

// TestGeneratorStaysInTheProfile: under a profile, generated histories use
// only its overlap and catch-up policies, no window it lacks, and only its
// fault kinds — in every fault mode.
func TestGeneratorStaysInTheProfile(t *testing.T) {
	faultOf := map[string]string{properties.StepError: "error", properties.StepLate: "late", properties.StepJump: "jump",
		properties.StepDuplicateDelivery: "duplicate_delivery", properties.StepDuplicateNotice: "duplicate_notice"}
	for _, p := range []profile.Profile{profile.RobfigCronV3(), profile.GocronV2()} {
		for _, mode := range properties.Modes {
			o := properties.Options{Profile: &p, Faults: mode, MaxSchedules: 6, MaxSteps: 30}
			crashes := 0
			for i := range 200 {
				h, err := properties.Generate(properties.DefaultSeed, i, o)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range h.Schedules {
					c := evaluator.Config{Trigger: s.Trigger, Overlap: s.Overlap, CatchUp: s.CatchUp, WorkflowType: "w"}
					if s.Window > 0 {
						w := evaluator.Duration(s.Window)
						c.CatchUpWindow = &w
					}
					if why := p.Supports(c); why != "" {
						t.Fatalf("%s %s case %d: schedule %s: %s", p.Name, mode, i, s.ID, why)
					}
				}
				for _, st := range h.Steps {
					if kind, ok := faultOf[st.Kind]; ok && !slices.Contains(p.Faults, kind) {
						t.Fatalf("%s %s case %d: a %s step, outside %v", p.Name, mode, i, st.Kind, p.Faults)
					}
					if st.Kind == properties.StepCrash {
						crashes++
						if st.Call != "" && !slices.Contains(p.Faults, "crash_at_call") {
							t.Fatalf("%s %s case %d: a crash at %s, outside %v", p.Name, mode, i, st.Call, p.Faults)
						}
					}
					if st.Kind == properties.StepUpdate && st.Overlap != 0 && !slices.Contains(p.OverlapPolicies(), st.Overlap) { // 0: unchanged
						t.Fatalf("%s %s case %d: an update to %s", p.Name, mode, i, st.Overlap)
					}
				}
			}
			if mode != properties.ModeNone && crashes == 0 {
				t.Errorf("%s %s: no crash in 200 cases: the profile's faults are not exercised", p.Name, mode)
			}
		}
	}
}

package robfigcron

import (
	"testing"
	"testing/synctest"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/scenarios"
)

// TestDeterministic runs generated histories 20 times each, every run in a
// bubble of its own, and wants the same trace every time: the adapter's
// claim that the runner is deterministic under synctest.
func TestDeterministic(t *testing.T) {
	prof := profile.RobfigCronV3()
	o := properties.Options{Profile: &prof, Faults: properties.ModeAll, MaxSteps: 30, MaxSchedules: 5}
	for i := range 5 {
		h, err := properties.Generate(properties.DefaultSeed, i, o)
		if err != nil {
			t.Fatal(err)
		}
		s := h.Scenario("determinism", "determinism")
		var first string
		for run := range 20 {
			var trace string
			synctest.Test(t, func(t *testing.T) {
				res, err := scenarios.Run(s, scenarios.Options{Factory: Factory(), Profile: &prof})
				if err != nil {
					t.Fatal(err)
				}
				trace = res.Trace
			})
			if run == 0 {
				first = trace
				if len(first) < 500 {
					t.Fatalf("case %d: a trace of %d bytes exercises too little", i, len(first))
				}
			} else if trace != first {
				t.Fatalf("case %d: run %d gave another trace than run 1", i, run+1)
			}
		}
	}
}

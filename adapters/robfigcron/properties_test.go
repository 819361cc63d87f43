package robfigcron

import (
	"testing"

	"github.com/schedsim/schedsim/inproc/inproctest"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
)

// TestProperties runs the property suite (every case twice, for R3) against
// the robfig/cron runner within its profile.
func TestProperties(t *testing.T) {
	prof := profile.RobfigCronV3()
	cases := 1000
	if testing.Short() {
		cases = 100
	}
	err := properties.Check(Factory(), properties.Options{Cases: cases, Profile: &prof, Evaluator: "robfig/cron v3.0.1", Faults: properties.ModeSwarm,
		Isolate: inproctest.Isolate(t)})
	t.Logf("%d cases", cases)
	if err != nil {
		t.Fatal(err)
	}
}

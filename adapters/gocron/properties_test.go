package gocron

import (
	"testing"
	"testing/synctest"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
)

// TestProperties runs the property suite against gocron within its profile.
func TestProperties(t *testing.T) {
	prof := profile.GocronV2()
	cases := 1000
	if testing.Short() {
		cases = 100
	}
	known := 0
	err := properties.Check(Factory(), properties.Options{Cases: cases, Profile: &prof, Evaluator: "gocron v2.21.2",
		Isolate: func(f func()) { synctest.Test(t, func(*testing.T) { f() }) },
		Known: func(v invariants.Violation) bool {
			if isKnown(v) {
				known++
				return true
			}
			return false
		}})
	t.Logf("%d cases, %d violations of known findings left out", cases, known)
	if err != nil {
		t.Fatal(err)
	}
}

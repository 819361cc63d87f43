package robfigcron

import (
	"testing"
	"testing/synctest"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/scenarios"
)

func TestLibraryScenario(t *testing.T) {
	ss, err := scenarios.LoadAll(scenarios.Library(), ".")
	if err != nil {
		t.Fatal(err)
	}
	prof := profile.RobfigCronV3()
	for _, s := range ss {
		if why := scenarios.Applies(s, prof); why != "" {
			t.Logf("%s: not applicable: %s", s.File, why)
			continue
		}
		synctest.Test(t, func(t *testing.T) {
			res, err := scenarios.Run(s, scenarios.Options{Factory: Factory(), Profile: &prof})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Failures {
				t.Errorf("%s: %s", s.File, f)
			}
			t.Logf("%s: %d failures, %d notes", s.File, len(res.Failures), len(res.Notes))
			if !res.Passed() {
				t.Log(res.Trace)
			}
		})
	}
}

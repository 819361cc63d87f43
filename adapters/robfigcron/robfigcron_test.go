package robfigcron

import (
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/scenarios"
)

func known(t *testing.T) scenarios.Known {
	t.Helper()
	f, err := os.Open("testdata/known-failing.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := scenarios.ParseKnown(f, "testdata/known-failing.txt")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// replay runs a scenario under the profile in a bubble of its own and judges
// it against the known-failing list.
func replay(t *testing.T, k scenarios.Known, path string, s *scenarios.Scenario) {
	prof := profile.RobfigCronV3()
	synctest.Test(t, func(t *testing.T) {
		res, err := scenarios.Run(s, scenarios.Options{Factory: Factory(), Profile: &prof})
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Judge(path, res); err != nil {
			t.Errorf("%v\n%s", err, res.Trace)
		}
	})
}

// TestLibrary replays every library scenario that applies under the
// robfig-cron-v3 profile; the invariants judge, in the runner's dialect.
func TestLibrary(t *testing.T) {
	ss, err := scenarios.LoadAll(scenarios.Library(), ".")
	if err != nil {
		t.Fatal(err)
	}
	k, prof := known(t), profile.RobfigCronV3()
	ran := 0
	for _, s := range ss {
		if why := scenarios.Applies(s, prof); why != "" {
			continue
		}
		ran++
		replay(t, k, "library:"+s.File, s)
	}
	t.Logf("%d of %d library scenarios apply under %s", ran, len(ss), prof.Name)
	if ran < 30 {
		t.Errorf("only %d library scenarios apply: the profile or Applies is too narrow", ran)
	}
}

// TestFindings replays the findings' scenarios: each fails as the
// known-failing list says, or the list is stale.
func TestFindings(t *testing.T) {
	if raceEnabled {
		t.Skip("skipped under -race: the findings replay up to 60 times each; the plain go test runs them")
	}
	files, err := filepath.Glob("testdata/findings/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	k := known(t)
	if len(files) == 0 && len(k.Entries) == 0 {
		t.Skip("no findings recorded for the robfig/cron runner (docs/findings.md)")
	}
	for _, file := range files {
		s, err := scenarios.LoadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		replay(t, k, filepath.ToSlash(filepath.Join("findings", filepath.Base(file))), s)
	}
	for _, p := range k.Paths() {
		if _, err := os.Stat(filepath.Join("testdata", p)); p[:8] != "library:" && err != nil {
			t.Errorf("known-failing list names %s, which does not exist", p)
		}
	}
}

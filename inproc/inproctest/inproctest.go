// Package inproctest is the test suite of an in-process scheduler's adapter
// (see package inproc): its tests call these with the adapter's factory and
// profile, so that every adapter is checked the same way.
package inproctest

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

// Adapter is a scheduler under test.
type Adapter struct {
	Profile profile.Profile
	Factory func() sim.Factory
	// Known is the known-failing list's path (testdata/known-failing.txt):
	// findings' scenarios ("findings/...", under testdata) and library
	// scenarios ("library:...").
	Known string
	// Race: the race detector is on (the counting replays are skipped).
	Race bool
}

// Isolate runs each world in a bubble of its own (properties.Options.Isolate).
func Isolate(t *testing.T) func(func()) {
	return func(f func()) { synctest.Test(t, func(*testing.T) { f() }) }
}

func (a Adapter) known(t *testing.T) scenarios.Known {
	t.Helper()
	f, err := os.Open(a.Known)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := scenarios.ParseKnown(f, a.Known)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// run replays a scenario once, in a bubble of its own.
func (a Adapter) run(t *testing.T, s *scenarios.Scenario) *scenarios.Result {
	var res *scenarios.Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		if res, err = scenarios.Run(s, scenarios.Options{Factory: a.Factory(), Profile: &a.Profile}); err != nil {
			t.Fatal(err)
		}
	})
	return res
}

// replay runs a scenario as often as the known-failing list says and judges
// the runs against it.
func (a Adapter) replay(t *testing.T, k scenarios.Known, path string, s *scenarios.Scenario) {
	if k.Runs(path) > 1 {
		defer RaceRoom()()
	}
	var results []*scenarios.Result
	for range k.Runs(path) {
		results = append(results, a.run(t, s))
	}
	if err := k.Judge(path, results...); err != nil {
		t.Errorf("%v\n%s", err, results[len(results)-1].Trace)
	}
}

// RaceRoom gives the Go scheduler at least 8 Ps until the returned function
// is called. A race in a scheduler (a finding replayed runs=N times) shows
// only when its goroutines interleave: with as many Ps as the 2-core
// machine's cores it showed in 1 of 100 replays at load 3.5, and with 8 in 26.
func RaceRoom() (restore func()) {
	old := runtime.GOMAXPROCS(max(8, runtime.GOMAXPROCS(0)))
	return func() { runtime.GOMAXPROCS(old) }
}

// Library replays every library scenario that applies under the profile
// (the invariants judge, in its dialect) and wants at least min of them.
func (a Adapter) Library(t *testing.T, min int) {
	ss, err := scenarios.LoadAll(scenarios.Library(), ".")
	if err != nil {
		t.Fatal(err)
	}
	k := a.known(t)
	ran := 0
	for _, s := range ss {
		if scenarios.Applies(s, a.Profile) != "" {
			continue
		}
		ran++
		a.replay(t, k, "library:"+s.File, s)
	}
	t.Logf("%d of %d library scenarios apply under %s", ran, len(ss), a.Profile.Name)
	if ran < min {
		t.Errorf("only %d library scenarios apply under %s: the profile or Applies is too narrow", ran, a.Profile.Name)
	}
}

// Findings replays the findings' scenarios (testdata/findings/*.yaml): each
// fails as the known-failing list says, or the list is stale.
func (a Adapter) Findings(t *testing.T) {
	if a.Race {
		t.Skip("skipped under -race: the findings replay up to 60 times each; the plain go test runs them")
	}
	dir := filepath.Dir(a.Known)
	files, err := filepath.Glob(filepath.Join(dir, "findings", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	k := a.known(t)
	if len(files) == 0 && len(k.Entries) == 0 {
		t.Skipf("no findings recorded for %s (docs/findings.md)", a.Profile.Name)
	}
	for _, file := range files {
		s, err := scenarios.LoadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		a.replay(t, k, filepath.ToSlash(filepath.Join("findings", filepath.Base(file))), s)
	}
	for _, p := range k.Paths() {
		if _, err := os.Stat(filepath.Join(dir, p)); !strings.HasPrefix(p, "library:") && err != nil {
			t.Errorf("%s names %s, which does not exist", a.Known, p)
		}
	}
}

// Deterministic runs histories generated in the profile p (the adapter's,
// perhaps narrowed to leave out a policy the scheduler races in) 20 times
// each, every run in a bubble of its own, and wants the same trace every
// time.
func (a Adapter) Deterministic(t *testing.T, p profile.Profile) {
	o := properties.Options{Profile: &p, Faults: properties.ModeAll, MaxSteps: 30, MaxSchedules: 5}
	for i := range 5 {
		h, err := properties.Generate(properties.DefaultSeed, i, o)
		if err != nil {
			t.Fatal(err)
		}
		s := h.Scenario("determinism", "determinism")
		first := a.run(t, s).Trace
		if len(first) < 500 {
			t.Fatalf("case %d: a trace of %d bytes exercises too little", i, len(first))
		}
		for run := 2; run <= 20; run++ {
			if a.run(t, s).Trace != first {
				t.Fatalf("case %d: run %d gave another trace than run 1", i, run)
			}
		}
	}
}

// Replay replays SCHEDSIM_REPLAY=FILE against the scheduler (SCHEDSIM_RUNS=N
// times, for a race), printing the first failing run's failures and trace.
func (a Adapter) Replay(t *testing.T) {
	file := os.Getenv("SCHEDSIM_REPLAY")
	if file == "" {
		t.Skip("SCHEDSIM_REPLAY=FILE not set")
	}
	s, err := scenarios.LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if why := scenarios.Applies(s, a.Profile); why != "" {
		t.Fatalf("%s cannot run under %s: %s", file, a.Profile.Name, why)
	}
	runs, _ := strconv.Atoi(os.Getenv("SCHEDSIM_RUNS"))
	runs = max(runs, 1)
	failed := 0
	for i := range runs {
		res := a.run(t, s)
		if res.Passed() {
			continue
		}
		if failed++; failed == 1 {
			for _, f := range res.Failures {
				t.Errorf("run %d: %s", i+1, f)
			}
			t.Log(res.Trace)
		}
	}
	t.Logf("%d of %d runs failed", failed, runs)
}

// Explore hunts further than CI: SCHEDSIM_EXPLORE=SEED runs 1,000 longer,
// denser swarm histories (SCHEDSIM_HORIZON, at least 3 h) in the profile p
// (the adapter's, perhaps narrowed), leaving out what known matches (nil:
// nothing).
func (a Adapter) Explore(t *testing.T, p profile.Profile, known func(invariants.Violation) bool) {
	seed, err := strconv.ParseInt(os.Getenv("SCHEDSIM_EXPLORE"), 10, 64)
	if err != nil {
		t.Skip("SCHEDSIM_EXPLORE=SEED not set: exploration is not part of go test")
	}
	horizon, _ := time.ParseDuration(os.Getenv("SCHEDSIM_HORIZON"))
	err = properties.Check(a.Factory(), properties.Options{Seed: seed, Cases: 1000, Profile: &p, Horizon: max(horizon, 3*time.Hour), MaxSteps: 40,
		MaxSchedules: 6, Faults: properties.ModeSwarm, Isolate: Isolate(t), Known: known})
	if err != nil {
		t.Fatal(err)
	}
}

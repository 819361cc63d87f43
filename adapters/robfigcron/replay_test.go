package robfigcron

import (
	"os"
	"strconv"
	"testing"
	"testing/synctest"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/scenarios"
)

// TestReplay replays one scenario file against the scheduler, as simrun run
// does against the reference: SCHEDSIM_REPLAY=FILE go test -run TestReplay -v
// (SCHEDSIM_RUNS=N replays it N times, for a race; -v prints the trace).
func TestReplay(t *testing.T) {
	file := os.Getenv("SCHEDSIM_REPLAY")
	if file == "" {
		t.Skip("SCHEDSIM_REPLAY=FILE not set")
	}
	s, err := scenarios.LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	prof := profile.RobfigCronV3()
	if why := scenarios.Applies(s, prof); why != "" {
		t.Fatalf("%s cannot run under %s: %s", file, prof.Name, why)
	}
	runs, _ := strconv.Atoi(os.Getenv("SCHEDSIM_RUNS"))
	failed := 0
	for i := range max(runs, 1) {
		synctest.Test(t, func(t *testing.T) {
			res, err := scenarios.Run(s, scenarios.Options{Factory: Factory(), Profile: &prof})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Passed() {
				failed++
				if failed == 1 {
					for _, f := range res.Failures {
						t.Errorf("run %d: %s", i+1, f)
					}
					t.Log(res.Trace)
				}
			}
		})
	}
	t.Logf("%d of %d runs failed", failed, max(runs, 1))
}

package robfigcron

import (
	"testing"

	"github.com/schedsim/schedsim/inproc/inproctest"
	"github.com/schedsim/schedsim/profile"
)

var adapter = inproctest.Adapter{Profile: profile.RobfigCronV3(), Factory: Factory, Known: "testdata/known-failing.txt", Race: raceEnabled}

// TestLibrary replays every library scenario that applies under robfig-cron-v3.
func TestLibrary(t *testing.T) { adapter.Library(t, 30) }

// TestFindings replays the findings' scenarios against the known-failing list.
func TestFindings(t *testing.T) { adapter.Findings(t) }

// TestDeterministic: the same history, 20 runs, one trace.
func TestDeterministic(t *testing.T) { adapter.Deterministic(t, profile.RobfigCronV3()) }

// TestReplay: SCHEDSIM_REPLAY=FILE go test -run TestReplay -v.
func TestReplay(t *testing.T) { adapter.Replay(t) }

// TestExplore: SCHEDSIM_EXPLORE=SEED go test -run TestExplore.
func TestExplore(t *testing.T) { adapter.Explore(t, profile.RobfigCronV3(), nil) }

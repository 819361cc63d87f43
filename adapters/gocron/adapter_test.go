package gocron

import (
	"testing"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/inproc/inproctest"
	"github.com/schedsim/schedsim/profile"
)

var adapter = inproctest.Adapter{Profile: profile.GocronV2(), Factory: Factory, Known: "testdata/known-failing.txt", Race: raceEnabled}

// TestLibrary replays every library scenario that applies under gocron-v2.
func TestLibrary(t *testing.T) { adapter.Library(t, 30) }

// TestFindings replays the findings' scenarios against the known-failing list.
func TestFindings(t *testing.T) { adapter.Findings(t) }

// TestDeterministic: the same history, 20 runs, one trace; buffer_all left
// out, where gocron races (gocron-2).
func TestDeterministic(t *testing.T) {
	adapter.Deterministic(t, withOverlaps(evaluator.OverlapSkip, evaluator.OverlapAllowAll))
}

// TestReplay: SCHEDSIM_REPLAY=FILE go test -run TestReplay -v.
func TestReplay(t *testing.T) { adapter.Replay(t) }

// TestExplore: SCHEDSIM_EXPLORE=SEED go test -run TestExplore (skip and
// allow_all; buffer_all explores in TestPropertiesBufferAll).
func TestExplore(t *testing.T) {
	adapter.Explore(t, withOverlaps(evaluator.OverlapSkip, evaluator.OverlapAllowAll), nextRunInThePast)
}

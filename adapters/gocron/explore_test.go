package gocron

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
)

// TestExplore hunts further than CI: SCHEDSIM_EXPLORE=SEED runs 1,000
// longer, denser swarm histories from that seed (go test -run TestExplore).
func TestExplore(t *testing.T) {
	seed, err := strconv.ParseInt(os.Getenv("SCHEDSIM_EXPLORE"), 10, 64)
	if err != nil {
		t.Skip("SCHEDSIM_EXPLORE=SEED not set: exploration is not part of go test")
	}
	prof := exploreProfile()
	horizon, _ := time.ParseDuration(os.Getenv("SCHEDSIM_HORIZON"))
	err = properties.Check(Factory(), properties.Options{Seed: seed, Cases: 1000, Profile: &prof, Horizon: max(horizon, 3*time.Hour), MaxSteps: 40,
		MaxSchedules: 6, Faults: properties.ModeSwarm, Isolate: isolate(t), Known: knownFinding})
	if err != nil {
		t.Fatal(err)
	}
}

func exploreProfile() profile.Profile {
	return withOverlaps(evaluator.OverlapSkip, evaluator.OverlapAllowAll)
}

func knownFinding(v invariants.Violation) bool { return nextRunInThePast(v) }

package temporal

import (
	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
)

// Draft is what the generator may draw for Temporal until the temporal-v1
// profile is written: the policies and features this adapter translates
// (catch-up all only: Temporal has no other), crashes between seam calls
// only (a forced continue-as-new). The grid, the model and the log checks
// are not judged under it.
func Draft() profile.Profile {
	var ps []profile.Policy
	for _, o := range evaluator.OverlapPolicies() {
		ps = append(ps, profile.Policy{Ours: o, Theirs: overlaps[o].String()})
	}
	return profile.Profile{Name: "temporal-v1-draft", Scheduler: "go.temporal.io/server/service/worker/scheduler", Version: "v1.32.1",
		Overlaps: ps, CatchUps: []profile.CatchUp{{Ours: evaluator.CatchUpAll, Theirs: "the overlap policy over the burst"}},
		Window: true, Bounds: true, LimitedRuns: true, TriggerNow: true, Jitter: true, Backfill: true,
		Faults: []string{properties.FaultCrash}}
}

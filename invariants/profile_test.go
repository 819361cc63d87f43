package invariants_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// TestRunInReportsWhatTheProfileCannotJudge: under a profile without
// durability, its inapplicable invariants and, after a restart, S1, S2 and C1
// are reported as not applicable, with the profile's reasons, and never
// listed as checked.
func TestRunInReportsWhatTheProfileCannotJudge(t *testing.T) {
	cfg := sim.Config{Ops: []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", RequestID: "c", Config: config(evaluator.OverlapSkip)}},
		Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, At: at(90 * time.Second), Downtime: time.Minute}}}}
	w, err := sim.New(cfg)
	require.NoError(t, err)
	require.NoError(t, w.Run(at(10*time.Minute)))
	prof := profile.GocronV2()
	rep := invariants.RunIn(prof, w, cfg)
	why := map[string]string{}
	for _, n := range rep.NotApplicable {
		why[n.Invariant] = n.Why
	}
	for _, x := range prof.Inapplicable {
		assert.Equal(t, x.Why, why[x.Invariant], x.Invariant)
		assert.NotContains(t, rep.Checked, x.Invariant)
	}
	for _, inv := range []string{"S1", "C1"} {
		assert.Contains(t, why[inv], "restart", inv)
		assert.NotContains(t, rep.Checked, inv)
	}
	assert.Subset(t, rep.Checked, []string{"S4", "S5", "S6", "S7", "C3", "C4", "M1"})
	// The same world under schedsim's profile judges S1.
	assert.Contains(t, invariants.Run(w, cfg).Checked, "S1")
}

// TestReregistrationForgetsRunningRuns: under a profile whose updates
// register the job anew, a skip start after an update is judged against the
// runs of the new registration only — including one started at the update's
// instant but before it took effect.
func TestReregistrationForgetsRunningRuns(t *testing.T) {
	h := &invariants.History{Now: at(10 * time.Minute),
		Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapSkip)), op(sim.OpUpdate, 3*time.Minute, config(evaluator.OverlapSkip))},
		Runs:    []fakes.Run{run(time.Minute, time.Minute, 0), run(3*time.Minute, 3*time.Minute, 0), run(4*time.Minute, 4*time.Minute, 0)}}
	h.Applied[1].StartsBefore = 2 // the 3m run started before the update took effect
	overlaps := func(h *invariants.History) []string {
		var out []string
		for _, v := range invariants.S1(h) {
			out = append(out, v.Nominal.Sub(t0).String())
		}
		return out
	}
	assert.Equal(t, []string{"3m0s", "4m0s"}, overlaps(h), "schedsim: every run after the first overlaps")
	h2 := *h
	h2.Reregisters = true
	assert.Equal(t, []string{"3m0s"}, overlaps(&h2), "re-registered: only the 3m run overlaps the 1m one")
}

// TestReanchorAtRestart: without durability a restart re-anchors an
// interval, so S6 accepts the new grid; without the flag it does not.
func TestReanchorAtRestart(t *testing.T) {
	h := &invariants.History{Now: at(10 * time.Minute), Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll))},
		Runs:     []fakes.Run{run(time.Minute, time.Minute, 70*time.Second), run(150*time.Second, 150*time.Second, 160*time.Second)},
		Restarts: []time.Time{at(90 * time.Second)}}
	assert.Len(t, invariants.S6(h), 1, "schedsim: 2m30s is off the grid")
	h = &invariants.History{Now: h.Now, Applied: h.Applied, Runs: h.Runs, Restarts: h.Restarts, Reanchor: true} // lives are built once per History
	assert.Empty(t, invariants.S6(h), "re-anchored at 1m30s: 2m30s is on the new grid")
}

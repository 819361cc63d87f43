package invariants_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Judge judges a history without a world: what needs a world or the
// profile rules out is reported not applicable, never checked, and a
// violation of it is dropped.
func TestJudgeReportsWhatAHistoryCannotShow(t *testing.T) {
	m := time.Minute
	h := &invariants.History{Now: at(5 * m), Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapSkip))},
		Runs: []fakes.Run{run(m, m, 3*m), run(2*m, 2*m, 0)}}
	rep := invariants.Judge(profile.TemporalV1(), h)
	assert.Equal(t, []string{"S1", "S2", "S4", "S5", "S6", "S7", "S8"}, rep.Checked)
	assert.Equal(t, []string{"S1"}, names(rep.Violations), "2m started while 1m ran under skip")
	why := map[string]string{}
	for _, n := range rep.NotApplicable {
		why[n.Invariant] = n.Why
	}
	for _, inv := range []string{"S3", "S9", "C1", "C2", "C3", "C4", "M1", "R1", "R2", "R4", "A1", "A2", "L1", "L2", "L3", "B1"} {
		assert.NotEmpty(t, why[inv], inv)
	}
	// Under schedsim's profile the same history has S3 and B1 judged, and
	// still nothing that needs a world.
	rep = invariants.Judge(profile.Schedsim(), h)
	assert.Contains(t, rep.Checked, "B1")
	assert.NotContains(t, rep.Checked, "M1")
}

// temporal-v1's grid: an interval is anchored at the Unix epoch, whatever
// the create's instant; a tick off that grid is S6.
func TestEpochAnchoredGrid(t *testing.T) {
	m := time.Minute
	created := op(sim.OpCreate, 20*time.Second, config(evaluator.OverlapAllowAll))
	onEpoch := &invariants.History{Now: at(5 * m), Applied: []sim.AppliedOp{created}, Runs: []fakes.Run{run(m, m, 0), run(2*m, 2*m, 0)}}
	assert.Empty(t, invariants.Judge(profile.TemporalV1(), onEpoch).Violations)
	assert.Equal(t, []string{"S6", "S6"}, names(invariants.Judge(profile.Schedsim(), onEpoch).Violations), "schedsim anchors at 20s")
	offEpoch := &invariants.History{Now: at(5 * m), Applied: []sim.AppliedOp{created}, Runs: []fakes.Run{run(80*time.Second, 80*time.Second, 0)}}
	assert.Equal(t, []string{"S6"}, names(invariants.Judge(profile.TemporalV1(), offEpoch).Violations))
}

// temporal-v1: a run started under allow_all is not seen by a later skip
// (Temporal never tracks it); schedsim's S1 sees it.
func TestUntrackedAllowAll(t *testing.T) {
	m := time.Minute
	h := func() *invariants.History {
		return &invariants.History{Now: at(5 * m),
			Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll)), op(sim.OpUpdate, 90*time.Second, config(evaluator.OverlapSkip))},
			Runs:    []fakes.Run{run(m, m, 0), run(2*m, 2*m, 0), run(3*m, 3*m, 0)}}
	}
	assert.Equal(t, []string{"S1", "S1"}, names(invariants.Judge(profile.Schedsim(), h()).Violations))
	// Under temporal-v1 2m (skip) starts beside the untracked 1m, but 3m
	// finds 2m, tracked, running.
	assert.Equal(t, []string{"S1"}, names(invariants.Judge(profile.TemporalV1(), h()).Violations))
}

// temporal-v1 reads pauses against due times (History.Due) and lets the
// tick due at a pause's instant come first.
func TestPauseOnDueTimes(t *testing.T) {
	m := time.Minute
	c := config(evaluator.OverlapAllowAll)
	c.Jitter = evaluator.Duration(50 * time.Second)
	h := func(due time.Duration) *invariants.History {
		h := &invariants.History{Now: at(10 * m),
			Applied: []sim.AppliedOp{op(sim.OpCreate, 0, c), op(sim.OpPause, 2*m+30*time.Second, c), op(sim.OpResume, 3*m+10*time.Second, c)},
			Runs:    []fakes.Run{run(3*m, due, 0)}}
		h.Due = func(r fakes.Run) time.Time { return at(due) }
		return h
	}
	assert.Empty(t, invariants.S5(h(3*m+20*time.Second)), "due after the resume")
	h0 := h(3*m + 5*time.Second)
	h0.TicksFirst = true
	vs := invariants.S5(h0)
	assert.Equal(t, []string{"S5"}, names(vs), "due inside the pause")
	assert.Contains(t, vs[0].String(), "due time 2026-", "the message names the due time")
	atPause := &invariants.History{Now: at(10 * m), Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll)), op(sim.OpPause, 3*m, c)},
		Runs: []fakes.Run{run(3*m, 3*m, 0)}}
	assert.Equal(t, []string{"S5"}, names(invariants.S5(atPause)), "schedsim: the pause comes first")
	atPause.TicksFirst = true
	assert.Empty(t, invariants.S5(atPause), "temporal-v1: the tick comes first")
}

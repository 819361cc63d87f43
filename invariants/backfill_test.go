package invariants_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/sim"
)

// backfilled is a run of a backfilled tick.
func backfilled(nominal, start, closed time.Duration) fakes.Run {
	r := run(nominal, start, closed)
	r.Request.Origin = evaluator.OriginBackfill
	r.Execution.WorkflowID = evaluator.BackfillWorkflowID("s", at(nominal))
	return r
}

// A backfill under buffer_one at 20m: 2m starts, 3m waits, the rest is
// skipped. L1 judges the waiting tick (by its origin, not the tick's own
// run at 3m), L2 the owed one, and A1 a start no backfill owes.
func TestBackfillLiveness(t *testing.T) {
	m := time.Minute
	c := config(evaluator.OverlapSkip)
	events := func(more ...evaluator.Event) []evaluator.Event {
		return append([]evaluator.Event{
			{Seq: 1, Type: evaluator.Created, ScheduleID: "s", At: at(0), Config: &c, Next: at(m)},
			{Seq: 2, Type: evaluator.BackfillDecided, ScheduleID: "s", At: at(20 * m), Overlap: evaluator.OverlapBufferOne, Anchor: at(0),
				Ranges: []evaluator.TickRange{
					{Disposition: evaluator.Start, From: at(2 * m), Until: at(3 * m), Count: 1},
					{Disposition: evaluator.Buffer, From: at(3 * m), Until: at(4 * m)},
					{Disposition: evaluator.Skip, From: at(4 * m), Until: at(6 * m)}}},
			{Seq: 3, Type: evaluator.Triggered, ScheduleID: "s", At: at(20 * m), Nominal: at(2 * m), Cause: evaluator.CauseBackfill},
		}, more...)
	}
	h := func(runs []fakes.Run, es []evaluator.Event) *invariants.History {
		return &invariants.History{Now: at(40 * m), Applied: []sim.AppliedOp{op(sim.OpCreate, 0, c)}, Runs: runs, Events: es,
			Described: map[string]evaluator.Description{"s": {ID: "s"}}, Bound: 30 * time.Second}
	}
	// 2m's backfilled run closes at 21m; 3m's own tick ran at 3m (before
	// the backfill): it does not stand in for the waiting backfilled 3m.
	stuck := h([]fakes.Run{run(3*m, 3*m, 4*m), backfilled(2*m, 20*m, 21*m)}, events())
	vs := invariants.L1(stuck)
	require.Len(t, vs, 1, "%v", vs)
	assert.Contains(t, vs[0].Detail, "still not started")
	started := h([]fakes.Run{run(3*m, 3*m, 4*m), backfilled(2*m, 20*m, 21*m), backfilled(3*m, 21*m, 0)},
		events(evaluator.Event{Seq: 4, Type: evaluator.Triggered, ScheduleID: "s", At: at(21 * m), Nominal: at(3 * m), Cause: evaluator.CauseBackfill}))
	assert.Empty(t, invariants.L1(started))
	assert.Empty(t, invariants.A1(started))
	assert.Empty(t, invariants.L2(started))

	unpaid := h([]fakes.Run{run(3*m, 3*m, 4*m)}, events()[:2])
	vs = invariants.L2(unpaid)
	require.Len(t, vs, 1, "the owed 2m never started")
	assert.Contains(t, vs[0].Detail, "0 of the 1 starts owed")

	twice := h(nil, events(evaluator.Event{Seq: 4, Type: evaluator.Triggered, ScheduleID: "s", At: at(21 * m), Nominal: at(2 * m), Cause: evaluator.CauseBackfill}))
	vs = invariants.A1(twice)
	require.Len(t, vs, 1)
	assert.Contains(t, vs[0].Detail, "no backfill owes")
}

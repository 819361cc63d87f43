package evaluator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

// startsOf returns the start requests of id with the given origin, in order.
func (w *world) startsOf(id, origin string) []time.Time {
	var out []time.Time
	for _, r := range w.engine.Runs() {
		if r.Request.ScheduleID == id && r.Request.Origin == origin {
			out = append(out, r.Request.Nominal)
		}
	}
	return out
}

// A backfill under allow_all starts every tick of its past range, before the
// schedule's reference too, in one decision, oldest first.
func TestBackfillStartsThePastRange(t *testing.T) {
	w := newWorld(t)
	w.setClock(at(10))
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	before := w.log.Len()
	require.NoError(t, w.ev.Backfill(w.ctx, w.req("s"), at(2), at(6), 0))
	assert.Equal(t, times(at(2), at(3), at(4), at(5)), w.startsOf("s", evaluator.OriginBackfill),
		"the interval's ticks reach before its create at 00:10")
	decided := 0
	for _, e := range w.log.Events()[before:] {
		if e.Type == evaluator.BackfillDecided {
			decided++
		}
	}
	assert.Equal(t, 1, decided, "one decision")
	for _, r := range w.engine.Runs() {
		assert.Equal(t, evaluator.BackfillWorkflowID("s", r.Request.Nominal), r.Request.WorkflowID)
	}
	w.checkReplay()
}

// Under skip the first tick starts and the rest are skipped; under
// buffer_one the second waits (sharing the one place) and starts when the
// running set empties; a later tick's closure-ordered start follows.
func TestBackfillFollowsItsOverlapPolicy(t *testing.T) {
	w := newWorld(t)
	w.setClock(at(10))
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	require.NoError(t, w.ev.Backfill(w.ctx, w.req("s"), at(2), at(6), evaluator.OverlapBufferOne))
	assert.Equal(t, times(at(2)), w.startsOf("s", evaluator.OriginBackfill))
	d := w.get("s")
	require.Len(t, d.Manual, 1)
	assert.Equal(t, at(3), d.Manual[0].Nominal)
	x, ok := w.engine.Close(evaluator.BackfillWorkflowID("s", at(2)))
	require.True(t, ok)
	require.NoError(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusCompleted))
	assert.Equal(t, times(at(2), at(3)), w.startsOf("s", evaluator.OriginBackfill), "the waiting tick starts")
	assert.Equal(t, int64(1), w.get("s").Counters.Skipped, "00:04-00:05 skipped, one range")
	w.checkReplay()
}

// A crash between the recorded decision and its starts resumes the
// decision: the starts already made are adopted, the rest made, none twice.
func TestBackfillResumesAfterACrash(t *testing.T) {
	w := newWorld(t)
	w.setClock(at(10))
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	w.failAlways("engine.start")
	require.Error(t, w.ev.Backfill(w.ctx, w.req("s"), at(2), at(5), 0))
	w.heal()
	assert.Empty(t, w.startsOf("s", evaluator.OriginBackfill))
	require.Len(t, w.get("s").Backfill, 1, "recorded, owed")
	w.restart()
	assert.Equal(t, times(at(2), at(3), at(4)), w.startsOf("s", evaluator.OriginBackfill))
	assert.Empty(t, w.get("s").Backfill)
	w.checkReplay()
}

// Bad backfills are refused with a clear error and record nothing.
func TestBackfillRefusals(t *testing.T) {
	w := newWorld(t)
	w.setClock(at(10))
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	n := w.log.Len()
	for _, c := range []struct {
		from, to time.Time
		want     string
	}{
		{at(5), at(5), "empty"},
		{at(5), at(11), "not in the past"},
		{at(5).Add(time.Second), at(5).Add(2 * time.Second), "no tick"},
	} {
		err := w.ev.Backfill(w.ctx, w.req("s"), c.from, c.to, 0)
		require.ErrorIs(t, err, evaluator.ErrInvalidRequest)
		assert.Contains(t, err.Error(), c.want)
	}
	require.ErrorIs(t, w.ev.Backfill(w.ctx, w.req("s"), at(1), at(2), evaluator.OverlapPolicy(99)), evaluator.ErrInvalidRequest)
	require.NoError(t, w.ev.Pause(w.ctx, w.req("s")))
	n++
	require.ErrorIs(t, w.ev.Backfill(w.ctx, w.req("s"), at(1), at(3), 0), evaluator.ErrPaused)
	assert.Equal(t, n, w.log.Len(), "nothing recorded")
}

// A tick is backfilled at most once: a backfill holding a tick an earlier
// one had is refused, one beside it is not.
func TestBackfillTwiceIsRefused(t *testing.T) {
	w := newWorld(t)
	w.setClock(at(10))
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	require.NoError(t, w.ev.Backfill(w.ctx, w.req("s"), at(2), at(5), 0))
	n := w.log.Len()
	err := w.ev.Backfill(w.ctx, w.req("s"), at(4), at(6), 0)
	require.ErrorIs(t, err, evaluator.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "backfilled already")
	assert.Equal(t, n, w.log.Len())
	require.NoError(t, w.ev.Backfill(w.ctx, w.req("s"), at(5), at(6), 0))
	assert.Equal(t, times(at(2), at(3), at(4), at(5)), w.startsOf("s", evaluator.OriginBackfill))
	w.checkReplay()
}

// A backfill is refused while an earlier one still owes starts (a start
// that failed, not retried yet): nothing is recorded.
func TestBackfillWhileOneStillOwes(t *testing.T) {
	w := newWorld(t)
	w.setClock(at(10))
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	w.failAlways("engine.start")
	require.Error(t, w.ev.Backfill(w.ctx, w.req("s"), at(2), at(4), 0))
	n := w.log.Len()
	err := w.ev.Backfill(w.ctx, w.req("s"), at(6), at(8), 0)
	require.ErrorIs(t, err, evaluator.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "still owes")
	assert.Equal(t, n, w.log.Len())
	w.heal()
	require.NoError(t, w.runUntil(at(11)), "the retry timer pays the owed starts")
	assert.Equal(t, times(at(2), at(3)), w.startsOf("s", evaluator.OriginBackfill))
	require.NoError(t, w.ev.Backfill(w.ctx, w.req("s"), at(6), at(8), 0))
	w.checkReplay()
}

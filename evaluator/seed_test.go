package evaluator_test

// Ports of the seed's evaluator tests (aion, evaluator/tests.rs, E1-E11), with
// the same fixture: 60 s interval, "checkout", created at 00:00, T = 00:01.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

// E1
func TestTimerFireStartsRecordsAndRearmsNextFire(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpOne))
	w.setClock(T)
	out, err := w.ev.TimerFired(w.ctx, "s", T)
	require.NoError(t, err)
	assert.Equal(t, evaluator.Decided, out)
	runs := w.engine.Runs()
	require.Len(t, runs, 1)
	assert.Equal(t, "schedule-tenant", runs[0].Request.SearchAttributes["aion.namespace"])
	assert.JSONEq(t, `{"source":"schedule"}`, string(runs[0].Request.Input))
	var triggered int
	for _, e := range w.log.Events() {
		if e.Type == evaluator.Triggered {
			triggered++
			assert.Equal(t, T, e.Nominal)
		}
	}
	assert.Equal(t, 1, triggered)
	assert.Equal(t, []evaluator.Timer{{ID: evaluator.TimerID("s"), ScheduleID: "s", At: at(2)}}, w.timers.Armed())
	w.checkReplay()
}

// E2
func TestPausedAndDeletedSchedulesDoNotArm(t *testing.T) {
	w := newWorld(t)
	w.create("p", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	w.create("d", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w.ev.Pause(w.ctx, w.req("p")))
	require.NoError(t, w.ev.Delete(w.ctx, w.req("d")))
	assert.Empty(t, w.timers.Armed())
}

// E3
func TestSkipOverlapSkipsAndRearms(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2)))
	assert.Equal(t, times(at(1)), w.started("s"))
	assert.Equal(t, int64(1), w.get("s").Counters.Skipped)
	assert.Equal(t, at(3), w.timers.Armed()[0].At)
	w.checkReplay()
}

// E4
func TestBufferOneOverlapQueuesAtMostOne(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(3)))
	d := w.get("s")
	assert.Equal(t, at(2), d.Buffered, "the first buffered tick is kept")
	assert.Equal(t, int64(1), d.Counters.Buffered)
	assert.Equal(t, int64(1), d.Counters.Skipped)
	assert.Equal(t, times(at(1)), w.started("s"))
	w.checkReplay()
}

// E5
func TestCancelPreviousOverlapCancelsThenStarts(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapCancelPrevious, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2)))
	assert.Equal(t, times(at(1), at(2)), w.started("s"))
	runs := w.engine.Runs()
	assert.True(t, runs[0].CancelRequested)
	assert.False(t, runs[1].CancelRequested)
	assert.Equal(t, 1, w.engine.Cancels())
	w.checkReplay()
}

// E6
func TestAllowAllOverlapAlwaysStarts(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2)))
	assert.Equal(t, times(at(1), at(2)), w.started("s"))
	assert.Len(t, w.get("s").Running, 2)
}

// E7-E9. The seed recovers at 00:03 with next 00:01 and expects 3/1/0 starts.
// Under our semantics recovery decides nothing: it arms the timer at 00:01 (past),
// and that delivery, at 00:03, finds three due ticks of which 00:03 is on
// time. So ours starts 3 (all), 2 (one: oldest late + on time), 1 (skip: on time).
func TestRecoveryCatchUp(t *testing.T) {
	for _, tc := range []struct {
		policy evaluator.CatchUpPolicy
		want   []time.Time
	}{
		{evaluator.CatchUpAll, times(at(1), at(2), at(3))},
		{evaluator.CatchUpOne, times(at(1), at(3))},
		{evaluator.CatchUpSkip, times(at(3))},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			w := newWorld(t)
			w.create("s", seedConfig(evaluator.OverlapAllowAll, tc.policy))
			w.setClock(at(3)) // down from 00:00 to 00:03
			w.restart()
			assert.Empty(t, w.engine.Runs(), "recovery itself decides nothing")
			assert.Equal(t, at(1), w.timers.Armed()[0].At, "armed at the past next tick")
			require.NoError(t, w.runUntil(at(3)))
			assert.Equal(t, tc.want, w.started("s"))
			armed := w.timers.Armed()
			require.Len(t, armed, 1)
			assert.Equal(t, at(4), armed[0].At)
			w.checkReplay()
		})
	}
}

// E10
func TestBufferedTickDoesNotStartAfterScheduleBecomesInactive(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2)))
	require.Equal(t, at(2), w.get("s").Buffered)
	require.NoError(t, w.ev.Pause(w.ctx, w.req("s")))
	w.closeRun("s", at(1))
	d := w.get("s")
	assert.True(t, d.Buffered.IsZero())
	assert.Equal(t, int64(1), d.Counters.Dropped)
	assert.Equal(t, times(at(1)), w.started("s"))
	w.checkReplay()
}

// E11
func TestRecoveryReconstructsStateAndRearmsOnlyActiveSchedules(t *testing.T) {
	w := newWorld(t)
	w.create("a", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	w.create("p", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w.ev.Pause(w.ctx, w.req("p")))
	w.create("d", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w.ev.Delete(w.ctx, w.req("d")))
	w.setClock(T0.Add(30 * time.Second))
	w.restart()
	armed := w.timers.Armed()
	require.Len(t, armed, 1)
	assert.Equal(t, "a", armed[0].ScheduleID)
	list, err := w.ev.List(w.ctx, 1)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "a", list[0].ID)
	assert.True(t, list[1].Paused)
}

package evaluator_test

// One test per seed defect (docs/invariants.md, The seed defects): each replays the sequence that breaks
// aion's evaluator and asserts that ours behaves correctly.

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

// Defect 1: the seed's recovery clears the running execution, so skip starts a
// second concurrent run after a restart.
func TestDefect1RecoveryKeepsTheRunningSet(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(1)))
	w.restart()
	require.NoError(t, w.runUntil(at(2)))
	assert.Equal(t, times(at(1)), w.started("s"), "the 00:02 tick must be skipped: 00:01 still runs")
	assert.Len(t, w.get("s").Running, 1)
}

// Defect 2: the seed gives each start a fresh random id; a crash between start
// and record starts the tick twice.
func TestDefect2CrashBetweenStartAndRecordStartsOnce(t *testing.T) {
	for _, policy := range []evaluator.CatchUpPolicy{evaluator.CatchUpAll, evaluator.CatchUpOne, evaluator.CatchUpSkip} {
		t.Run(policy.String(), func(t *testing.T) {
			w := newWorld(t)
			w.create("s", seedConfig(evaluator.OverlapAllowAll, policy))
			w.failOnce("log.append", fakes.Before) // the Triggered record is lost: a crash
			require.Error(t, w.runUntil(at(1)))
			w.heal()
			w.restart()
			assert.Equal(t, times(at(1)), w.started("s"))
			d := w.get("s")
			require.Len(t, d.Running, 1, "recovery adopts the started tick")
			assert.Equal(t, at(2), d.Upcoming[0])
			require.NoError(t, w.runUntil(at(2)))
			assert.Equal(t, times(at(1), at(2)), w.started("s"))
			w.checkReplay()
		})
	}
}

// Defect 2, without a crash: the record fails after the start; the redelivery
// finds the workflow id already started and adopts it.
func TestDefect2RecordFailureThenRedeliveryAdopts(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	w.failOnce("log.append", fakes.After) // durable, but reported as failed
	require.Error(t, w.runUntil(at(1)))
	w.heal()
	require.NoError(t, w.runUntil(at(1)))
	assert.Equal(t, times(at(1)), w.started("s"))
	assert.Equal(t, int64(1), w.get("s").Counters.Started)
	w.checkReplay()

	w.failOnce("log.append", fakes.Before) // not durable: the redelivery records it
	require.Error(t, w.runUntil(at(2)))
	w.heal()
	require.NoError(t, w.runUntil(at(2)))
	assert.Equal(t, times(at(1), at(2)), w.started("s"))
	assert.Equal(t, int64(2), w.get("s").Counters.Started)
	w.checkReplay()
}

// Defect 3: buffered ticks live only in the seed's memory and are lost, or
// start early and overlap, after a crash.
func TestDefect3BufferedTickSurvivesACrash(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2)))
	w.restart()
	assert.Equal(t, at(2), w.get("s").Buffered)
	assert.Equal(t, times(at(1)), w.started("s"), "the buffered tick waits for 00:01 to close")
	w.setClock(at(2).Add(20 * time.Second))
	w.closeRun("s", at(1))
	assert.Equal(t, times(at(1), at(2)), w.started("s"), "the buffered tick starts with its own nominal time")
	assert.True(t, w.get("s").Buffered.IsZero())
	w.checkReplay()
}

// Defect 4: the seed records neither skips nor buffers, so replay re-fires them;
// catch-up one re-fires on every restart.
func TestDefect4ReplayDoesNotRefire(t *testing.T) {
	w := newWorld(t)
	w.create("skip", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpAll))
	require.NoError(t, w.runUntil(at(2).Add(30*time.Second)))
	w.restart()
	require.NoError(t, w.runUntil(at(2).Add(40*time.Second)))
	assert.Equal(t, times(at(1)), w.started("skip"), "the skipped 00:02 tick is not re-fired")

	w2 := newWorld(t)
	w2.create("one", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpOne))
	w2.setClock(at(10).Add(30 * time.Second))
	w2.restart()
	require.NoError(t, w2.runUntil(at(10).Add(30*time.Second)))
	want := times(at(1))
	assert.Equal(t, want, w2.started("one"))
	for i := 0; i < 3; i++ {
		w2.restart()
		require.NoError(t, w2.runUntil(at(10).Add(40*time.Second)))
	}
	assert.Equal(t, want, w2.started("one"), "restarts before the next tick start nothing")
	assert.Equal(t, int64(1), w2.get("one").Counters.MissedRanges)
	w2.checkReplay()
}

// Defect 5: the seed never checks fire_at; duplicate or stale deliveries start again.
func TestDefect5DuplicateAndStaleDeliveriesStartNothing(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	require.NoError(t, w.runUntil(at(1)))
	for _, late := range []time.Time{at(1), T0, at(1).Add(time.Second)} {
		out, err := w.ev.TimerFired(w.ctx, "s", late)
		require.NoError(t, err)
		assert.Equal(t, evaluator.Stale, out)
	}
	assert.Equal(t, times(at(1)), w.started("s"))
	assert.Equal(t, []evaluator.Timer{{ID: evaluator.TimerID("s"), ScheduleID: "s", At: at(2)}}, w.timers.Armed(),
		"a stale delivery leaves the timer at the next tick")
	out, err := w.ev.TimerFired(w.ctx, "s", at(2))
	require.NoError(t, err)
	assert.Equal(t, evaluator.Early, out, "a delivery before its time decides nothing")
	assert.Equal(t, times(at(1)), w.started("s"))
}

// Defect 7: the seed leaves timers armed after pause and delete.
func TestDefect7PauseAndDeleteDisarm(t *testing.T) {
	w := newWorld(t)
	w.create("p", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	w.create("d", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.Len(t, w.timers.Armed(), 2)
	require.NoError(t, w.ev.Pause(w.ctx, w.req("p")))
	require.NoError(t, w.ev.Delete(w.ctx, w.req("d")))
	assert.Empty(t, w.timers.Armed())
	require.NoError(t, w.runUntil(at(5)))
	assert.Empty(t, w.engine.Runs())
	w.setClock(at(5).Add(30 * time.Second))
	require.NoError(t, w.ev.Resume(w.ctx, w.req("p")))
	armed := w.timers.Armed()
	require.Len(t, armed, 1)
	assert.Equal(t, at(6).Add(30*time.Second), armed[0].At, "resume re-anchors the interval")
}

// Defect 8: a failed start leaves the seed's schedule un-armed; after a cancel
// nothing replaces the cancelled run.
func TestDefect8FailedStartIsRetried(t *testing.T) {
	t.Run("tick", func(t *testing.T) {
		w := newWorld(t)
		w.create("s", seedConfig(evaluator.OverlapCancelPrevious, evaluator.CatchUpOne))
		require.NoError(t, w.runUntil(at(1)))
		w.failOnce("engine.start", fakes.Before)
		require.Error(t, w.runUntil(at(2)))
		w.heal()
		require.Len(t, w.timers.Due(at(2)), 1, "the undelivered timer stays armed for redelivery")
		require.NoError(t, w.runUntil(at(2).Add(time.Second)))
		assert.Equal(t, times(at(1), at(2)), w.started("s"), "the cancelled run is replaced")
		assert.Equal(t, 1, w.engine.Cancels(), "the recorded cancel is not sent twice")
		w.checkReplay()
	})
	t.Run("owed catch-up start", func(t *testing.T) {
		w := newWorld(t)
		w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
		w.setClock(at(3))
		w.restart()
		w.failOnce("engine.start", fakes.Before)
		require.Error(t, w.runUntil(at(3)))
		w.heal()
		armed := w.timers.Armed()
		require.Len(t, armed, 1)
		assert.Equal(t, at(3).Add(5*time.Second), armed[0].At, "a retry timer at now + retry delay")
		require.NoError(t, w.runUntil(at(3).Add(5*time.Second)))
		assert.Equal(t, times(at(1), at(2), at(3)), w.started("s"))
		assert.Equal(t, at(4), w.timers.Armed()[0].At, "then back at the next tick")
		w.checkReplay()
	})
	t.Run("buffered start after closure", func(t *testing.T) {
		w := newWorld(t)
		w.create("s", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne))
		require.NoError(t, w.runUntil(at(2)))
		w.failOnce("engine.start", fakes.Before)
		x, _ := w.engine.Close(evaluator.WorkflowID("s", at(1)))
		require.Error(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusCompleted))
		w.heal()
		require.NoError(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusCompleted), "the redelivered notice retries the buffered start")
		assert.Equal(t, times(at(1), at(2)), w.started("s"))
		w.checkReplay()
	})
}

// Defect 9: the seed validates config after recording it, so one bad cron makes
// every later recovery fail.
func TestDefect9InvalidConfigIsRejectedBeforeRecording(t *testing.T) {
	w := newWorld(t)
	w.create("good", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	before := w.log.Len()
	bad := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	bad.Trigger = evaluator.TriggerSpec{Cron: "0 0 30 2 *"}
	err := w.ev.Create(w.ctx, w.req("bad"), bad)
	require.ErrorIs(t, err, evaluator.ErrNeverFires)
	var ce *evaluator.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "trigger", ce.Field)
	require.ErrorIs(t, w.ev.Update(w.ctx, w.req("good"), bad), evaluator.ErrNeverFires)
	assert.Equal(t, before, w.log.Len(), "nothing recorded")
	w.restart()
	_, err = w.ev.Get(w.ctx, "bad", 1)
	assert.ErrorIs(t, err, evaluator.ErrNotFound)
	w.create("bad", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)) // the id was never taken
}

// Defect 10: the seed's completion does not say which run finished, so an older
// run's closure clears the newer one and cancel_previous later starts without
// cancelling the run still going.
func TestDefect10ClosureNamesTheExecution(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapCancelPrevious, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2)))
	w.closeRun("s", at(1)) // the cancelled run closes
	running := w.get("s").Running
	require.Len(t, running, 1)
	assert.Equal(t, at(2), running[0].Nominal)
	require.NoError(t, w.runUntil(at(3)))
	runs := w.engine.Runs()
	require.Len(t, runs, 3)
	assert.True(t, runs[1].CancelRequested, "00:02 is cancelled before 00:03 starts")
	// A second notice for the same run, and one for a run never started, change nothing.
	x := runs[0].Execution
	require.NoError(t, w.ev.ExecutionClosed(context.Background(), "s", x, evaluator.StatusCompleted))
	require.NoError(t, w.ev.ExecutionClosed(context.Background(), "s", evaluator.Execution{WorkflowID: "nope", RunID: "x"}, evaluator.StatusCompleted))
	assert.Len(t, w.get("s").Running, 2)
	w.checkReplay()
}

// An indefinite start error: the start took effect, the run even closed (its
// notice was dropped: the execution was unknown), then the redelivery finds the
// workflow id started. The evaluator adopts it and asks whether it closed, so a
// skip schedule is not blocked by a run that is long gone.
func TestIndefiniteStartThenClosedBeforeRedelivery(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	w.failOnce("engine.start", fakes.After)
	require.Error(t, w.runUntil(at(1)))
	w.heal()
	x, ok := w.engine.Close(evaluator.WorkflowID("s", at(1)))
	require.True(t, ok)
	require.NoError(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusCompleted), "a notice for an unknown execution is a no-op")
	w.setClock(at(1).Add(10 * time.Second))
	_, err := w.ev.TimerFired(w.ctx, "s", at(1)) // the redelivery
	require.NoError(t, err)
	d := w.get("s")
	assert.Equal(t, int64(1), d.Counters.Started)
	assert.Empty(t, d.Running, "the adopted execution is known to be closed")
	require.NoError(t, w.runUntil(at(2)))
	assert.Equal(t, times(at(1), at(2)), w.started("s"))
	w.checkReplay()
}

// A retry timer is never armed in the past: when recovery cannot make an owed
// start and the next tick is already due, the retry still waits RetryDelay.
func TestRetryTimerWaitsEvenWhenTheNextTickIsDue(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	w.setClock(at(3))
	w.restart()
	w.failAlways("engine.start")
	require.Error(t, w.runUntil(at(3))) // decided: owes 00:01-00:03, none started
	w.setClock(at(10))                  // down until 00:10: the next tick, 00:04, is past
	ev, err := evaluator.New(evaluator.Options{Clock: w.clock, Timers: w.timers, Engine: w.engine, Log: w.log, RetryDelay: 5 * time.Second})
	require.NoError(t, err)
	w.ev = ev
	require.ErrorIs(t, ev.Recover(w.ctx), errInjected)
	armed := w.timers.Armed()
	require.Len(t, armed, 1)
	assert.Equal(t, at(10).Add(5*time.Second), armed[0].At)
	w.heal()
	require.NoError(t, w.runUntil(at(10).Add(5*time.Second)))
	assert.Equal(t, times(at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(9), at(10)), w.started("s"),
		"the owed starts first, then the 00:04-00:10 catch-up")
	w.checkReplay()
}

// Defect 6 (the seed walks every missed tick even for skip and one, and
// materialises them all for all) is a cost, not a behaviour: TestCatchUpBudget
// counts the trigger's Next calls for a 10-year outage, and
// BenchmarkCatchUp10Years times the whole delivery.

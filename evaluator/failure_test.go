package evaluator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

func pauseOnFailure(o evaluator.OverlapPolicy) evaluator.Config {
	c := seedConfig(o, evaluator.CatchUpOne)
	c.PauseOnFailure = true
	return c
}

// failRun fails the execution of a tick in the engine and notifies the
// evaluator with the notice's status.
func (w *world) failRun(id string, nominal time.Time) error {
	w.t.Helper()
	x, ok := w.engine.Fail(evaluator.WorkflowID(id, nominal))
	require.True(w.t, ok, "no open execution for %s at %s", id, nominal)
	return w.ev.ExecutionClosed(w.ctx, id, x, evaluator.StatusFailed)
}

func TestPauseOnFailurePausesAndDropsTheBuffer(t *testing.T) {
	w := newWorld(t)
	w.create("s", pauseOnFailure(evaluator.OverlapBufferOne))
	require.NoError(t, w.runUntil(at(2)))
	require.Equal(t, at(2), w.get("s").Buffered)
	require.NoError(t, w.failRun("s", at(1)))
	d := w.get("s")
	assert.True(t, d.Paused)
	assert.Zero(t, d.Buffered, "the buffered tick is dropped, not started")
	assert.Empty(t, d.Running)
	assert.Equal(t, int64(1), d.Counters.Dropped)
	assert.Empty(t, w.timers.Armed(), "a paused schedule has no timer")
	last := w.log.Events()[w.log.Len()-1]
	assert.Equal(t, evaluator.Paused, last.Type)
	assert.Equal(t, evaluator.CauseFailure, last.Cause)
	assert.Equal(t, evaluator.WorkflowID("s", at(1)), last.Execution.WorkflowID)
	require.NoError(t, w.runUntil(at(5)))
	assert.Equal(t, times(at(1)), w.started("s"))
	require.NoError(t, w.ev.Resume(w.ctx, w.req("s")))
	assert.False(t, w.get("s").Paused)
	w.checkReplay()
}

// Only a failure (or a time-out) pauses, and only with pause_on_failure.
func TestPauseOnFailureIgnoresOtherEnds(t *testing.T) {
	for _, status := range []evaluator.Status{0, evaluator.StatusCompleted, evaluator.StatusCancelled, evaluator.StatusTerminated} {
		w := newWorld(t)
		w.create("s", pauseOnFailure(evaluator.OverlapSkip))
		require.NoError(t, w.runUntil(at(1)))
		x, _ := w.engine.Close(evaluator.WorkflowID("s", at(1)))
		require.NoError(t, w.ev.ExecutionClosed(w.ctx, "s", x, status))
		assert.False(t, w.get("s").Paused, status.String())
	}
	w := newWorld(t)
	w.create("s", pauseOnFailure(evaluator.OverlapSkip))
	require.NoError(t, w.runUntil(at(1)))
	x, _ := w.engine.Fail(evaluator.WorkflowID("s", at(1)))
	require.NoError(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusTimedOut))
	assert.True(t, w.get("s").Paused, "a time-out is a failure")
	w2 := newWorld(t)
	w2.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w2.runUntil(at(1)))
	require.NoError(t, w2.failRun("s", at(1)))
	assert.False(t, w2.get("s").Paused, "without pause_on_failure a failure changes nothing")
}

// The failure of an execution whose notice a crash lost is read from the
// engine by recovery, and pauses just the same.
func TestPauseOnFailureFoundByRecovery(t *testing.T) {
	w := newWorld(t)
	w.create("s", pauseOnFailure(evaluator.OverlapSkip))
	require.NoError(t, w.runUntil(at(1)))
	w.engine.Fail(evaluator.WorkflowID("s", at(1))) // its notice is never delivered
	w.restart()
	d := w.get("s")
	assert.True(t, d.Paused)
	assert.Empty(t, d.Running)
	assert.Empty(t, w.timers.Armed())
	w.checkReplay()
}

// A failure pause whose append reported an error (yet took effect): the
// redelivered notice finds nothing to record, and still disarms the timer.
func TestPauseOnFailureAmbiguousAppendDisarms(t *testing.T) {
	w := newWorld(t)
	w.create("s", pauseOnFailure(evaluator.OverlapSkip))
	require.NoError(t, w.runUntil(at(1)))
	x, _ := w.engine.Fail(evaluator.WorkflowID("s", at(1)))
	w.failOnce("log.append", fakes.After)
	require.Error(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusFailed))
	w.heal()
	require.NotEmpty(t, w.timers.Armed())
	require.NoError(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusFailed))
	assert.True(t, w.get("s").Paused)
	assert.Empty(t, w.timers.Armed())
	w.checkReplay()
}

func TestPausedCauseIsChecked(t *testing.T) {
	events := []evaluator.Event{
		{Seq: 1, Type: evaluator.Created, ScheduleID: "s", At: T0, Config: ptr(seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)), Next: at(1)},
		{Seq: 2, Type: evaluator.Paused, ScheduleID: "s", At: at(1), Cause: "boredom"},
	}
	_, err := evaluator.Project(nil, events)
	require.ErrorIs(t, err, evaluator.ErrCorruptLog)
	assert.Contains(t, err.Error(), `unknown cause "boredom"`)
}

func TestStatusText(t *testing.T) {
	for _, s := range evaluator.Statuses() {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back evaluator.Status
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	var s evaluator.Status
	assert.ErrorIs(t, s.UnmarshalText([]byte("exploded")), evaluator.ErrInvalidRequest)
}

package evaluator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

// closedByTerminate lists the nominal times of the ExecutionClosed events the
// log records with cause terminate.
func closedByTerminate(t *testing.T, w *world) []time.Time {
	t.Helper()
	var out []time.Time
	for _, e := range w.log.Events() {
		if e.Type == evaluator.ExecutionClosed && e.Cause == evaluator.CauseTerminate {
			out = append(out, e.Nominal)
		}
	}
	return out
}

func TestTerminatePreviousTerminatesThenStarts(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapTerminatePrevious, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(3)))
	assert.Equal(t, times(at(1), at(2), at(3)), w.started("s"))
	runs := w.engine.Runs()
	assert.True(t, runs[0].Terminated && runs[0].Closed)
	assert.True(t, runs[1].Terminated && runs[1].Closed)
	assert.False(t, runs[2].Closed, "the newest runs on")
	assert.Zero(t, w.engine.Cancels(), "terminate_previous never cancels")
	assert.Equal(t, 2, w.engine.Terminates())
	assert.Equal(t, times(at(1), at(2)), closedByTerminate(t, w))
	var types []evaluator.EventType
	for _, e := range w.log.Events()[1:] {
		types = append(types, e.Type)
	}
	assert.Equal(t, []evaluator.EventType{evaluator.Triggered, evaluator.ExecutionClosed, evaluator.Triggered,
		evaluator.ExecutionClosed, evaluator.Triggered}, types, "each terminate is recorded before the start that follows it")
	d := w.get("s")
	require.Len(t, d.Running, 1)
	assert.Equal(t, at(3), d.Running[0].Nominal)
	w.checkReplay()
}

// A terminate that failed, or took effect but reported an error, leaves the
// run in the running set and the tick undecided; the redelivery closes it and
// starts the tick.
func TestTerminatePreviousFailedTerminateIsRetried(t *testing.T) {
	for _, phase := range []fakes.Phase{fakes.Before, fakes.After} {
		t.Run(phase.String(), func(t *testing.T) {
			w := newWorld(t)
			w.create("s", seedConfig(evaluator.OverlapTerminatePrevious, evaluator.CatchUpOne))
			require.NoError(t, w.runUntil(at(1)))
			w.failOnce("engine.terminate", phase)
			require.Error(t, w.runUntil(at(2)))
			w.heal()
			assert.Equal(t, times(at(1)), w.started("s"), "no start before the terminate succeeded")
			assert.Len(t, w.get("s").Running, 1)
			require.NoError(t, w.runUntil(at(2).Add(time.Second)))
			assert.Equal(t, times(at(1), at(2)), w.started("s"))
			closes := 0
			for _, e := range w.log.Events() {
				if e.Type == evaluator.ExecutionClosed {
					assert.Equal(t, at(1), e.Nominal)
					closes++
				}
			}
			// Before: the retry terminates it. After: it had closed, and the
			// redelivery's refresh (the failed delivery left it unsure)
			// records the closure before deciding.
			assert.Equal(t, 1, closes, "the terminated run is recorded closed once")
			assert.Len(t, w.get("s").Running, 1)
			w.checkReplay()
		})
	}
}

// A crash after the terminate took effect and before it was recorded:
// recovery asks the engine, finds the run closed, terminated, and records it
// as the terminate it was (the start it was made for is still to come); the
// redelivered tick then starts with nothing to terminate.
func TestTerminatePreviousCrashBeforeRecord(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapTerminatePrevious, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(1)))
	w.failOnce("engine.terminate", fakes.After)
	require.Error(t, w.runUntil(at(2)))
	w.heal()
	w.restart()
	assert.Empty(t, w.get("s").Running, "recovery found the terminated run closed")
	st, _ := w.ev.State("s")
	assert.True(t, st.StartPending, "the start the terminate was made for is pending")
	require.NoError(t, w.runUntil(at(2).Add(time.Second)))
	assert.Equal(t, times(at(1), at(2)), w.started("s"))
	assert.Equal(t, times(at(1)), closedByTerminate(t, w), "recovery recorded the terminate")
	st, _ = w.ev.State("s")
	assert.False(t, st.StartPending, "and the start cleared it")
	assert.Equal(t, 1, w.engine.Terminates())
	w.checkReplay()
}

// A run asked to cancel under an earlier cancel_previous config is terminated
// too once the schedule is updated to terminate_previous: a cancel may take
// long, and the new run must not overlap it.
func TestTerminatePreviousTerminatesACancelledRun(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapCancelPrevious, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2)))
	require.True(t, w.engine.Runs()[0].CancelRequested)
	c := seedConfig(evaluator.OverlapTerminatePrevious, evaluator.CatchUpOne)
	require.NoError(t, w.ev.Update(w.ctx, w.req("s"), c))
	require.NoError(t, w.runUntil(at(3)))
	runs := w.engine.Runs()
	require.Len(t, runs, 3)
	assert.True(t, runs[0].Terminated, "the run asked to cancel is terminated")
	assert.True(t, runs[1].Terminated)
	assert.Len(t, w.get("s").Running, 1)
	w.checkReplay()
}

func TestExecutionClosedCauseIsChecked(t *testing.T) {
	x := evaluator.Execution{WorkflowID: "s@1", RunID: "r"}
	events := []evaluator.Event{
		{Seq: 1, Type: evaluator.Created, ScheduleID: "s", At: T0, Config: ptr(seedConfig(evaluator.OverlapTerminatePrevious, evaluator.CatchUpOne)), Next: at(1)},
		{Seq: 2, Type: evaluator.Triggered, ScheduleID: "s", At: at(1), Nominal: at(1), Cause: evaluator.CauseTick, Next: at(2), Execution: x},
		{Seq: 3, Type: evaluator.ExecutionClosed, ScheduleID: "s", At: at(2), Nominal: at(1), Execution: x, Cause: "exploded"},
	}
	_, err := evaluator.Project(nil, events)
	require.ErrorIs(t, err, evaluator.ErrCorruptLog)
	assert.Contains(t, err.Error(), `unknown cause "exploded"`)
	events[2].Cause = evaluator.CauseTerminate
	states, err := evaluator.Project(nil, events)
	require.NoError(t, err)
	assert.Empty(t, states[0].Running)
}

package evaluator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

func (w *world) trigger(id string, overlap evaluator.OverlapPolicy) error {
	return w.ev.TriggerNow(w.ctx, w.req(id), overlap)
}

func TestTriggerNowStartsAtOnce(t *testing.T) {
	w := newWorld(t)
	c := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	c.RemainingRuns = 1
	w.create("s", c)
	w.setClock(T0.Add(30 * time.Second))
	require.NoError(t, w.trigger("s", 0))
	runs := w.engine.Runs()
	require.Len(t, runs, 1)
	assert.Equal(t, evaluator.ManualWorkflowID("s", T0.Add(30*time.Second)), runs[0].Request.WorkflowID)
	assert.Equal(t, evaluator.OriginTrigger, runs[0].Request.Origin)
	d := w.get("s")
	require.Len(t, d.Running, 1)
	assert.Equal(t, at(1), d.Upcoming[0], "the trigger's grid is untouched")
	assert.Equal(t, int64(1), d.Counters.Started)
	st, _ := w.ev.State("s")
	assert.Zero(t, st.RunsUsed, "a manual start does not use remaining_runs")
	w.checkReplay()
}

func TestTriggerNowFollowsTheOverlapPolicy(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(1)))
	require.NoError(t, w.trigger("s", 0))
	assert.Equal(t, times(at(1)), w.started("s"), "skip: the running 1m skips the trigger")
	assert.Equal(t, int64(1), w.get("s").Counters.Skipped)
	require.NoError(t, w.trigger("s", evaluator.OverlapAllowAll))
	assert.Len(t, w.get("s").Running, 2, "an allow_all override starts beside it")
	require.NoError(t, w.trigger("s", evaluator.OverlapTerminatePrevious))
	runs := w.engine.Runs()
	require.Len(t, runs, 3)
	assert.True(t, runs[0].Terminated && runs[1].Terminated, "terminate_previous terminates both")
	assert.Len(t, w.get("s").Running, 1)
	w.checkReplay()
}

// Under buffer_one a trigger that finds a run waits in the one place: the
// next tick is skipped, and the closure starts the trigger.
func TestTriggerNowWaitsUnderBufferOne(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(1)))
	w.setClock(at(1).Add(10 * time.Second))
	require.NoError(t, w.trigger("s", 0))
	assert.Equal(t, times(at(1)), w.started("s"))
	require.NoError(t, w.runUntil(at(2)))
	d := w.get("s")
	assert.Zero(t, d.Buffered, "the waiting trigger holds buffer_one's place: 2m is skipped")
	assert.Equal(t, int64(1), d.Counters.Skipped)
	require.Len(t, d.Manual, 1, "the description shows the manual start waiting")
	assert.Equal(t, evaluator.ManualStart{Nominal: at(1).Add(10 * time.Second), Overlap: evaluator.OverlapBufferOne, Wait: true}, d.Manual[0])
	w.closeRun("s", at(1))
	assert.Equal(t, times(at(1), at(1).Add(10*time.Second)), w.started("s"), "the closure starts the waiting trigger")
	assert.Empty(t, w.get("s").Manual)
	w.checkReplay()
	w.restart()
	w.checkReplay()
}

func TestTwoTriggersAtOneInstantAreTwoStarts(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpOne))
	require.NoError(t, w.trigger("s", 0))
	require.NoError(t, w.trigger("s", 0))
	assert.Equal(t, times(T0, T0.Add(time.Nanosecond)), w.started("s"))
	w.checkReplay()
}

// The decision is recorded before the start: a start that fails is retried
// by the repeated request (or the retry timer) and made once.
func TestTriggerNowFailedStartIsRetried(t *testing.T) {
	for _, phase := range []fakes.Phase{fakes.Before, fakes.After} {
		t.Run(phase.String(), func(t *testing.T) {
			w := newWorld(t)
			w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
			w.failOnce("engine.start", phase)
			r := w.req("s")
			require.Error(t, w.ev.TriggerNow(w.ctx, r, 0))
			w.heal()
			w.setClock(T0.Add(5 * time.Second))
			require.NoError(t, w.ev.TriggerNow(w.ctx, r, 0), "the repeated request")
			assert.Equal(t, times(T0), w.started("s"), "one start, named by the recorded instant")
			assert.Len(t, w.get("s").Running, 1)
			w.checkReplay()
		})
	}
}

// A crash after the start and before its record: recovery adopts it by its
// workflow id.
func TestTriggerNowStartAdoptedAfterACrash(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	w.failOnce("engine.start", fakes.After)
	require.Error(t, w.trigger("s", 0))
	w.heal()
	w.restart()
	d := w.get("s")
	require.Len(t, d.Running, 1)
	assert.Equal(t, T0, d.Running[0].Nominal)
	assert.Len(t, w.engine.Runs(), 1)
	w.checkReplay()
}

func TestTriggerNowRefusals(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	before := w.log.Len()
	require.ErrorIs(t, w.trigger("s", evaluator.OverlapPolicy(99)), evaluator.ErrInvalidRequest)
	require.ErrorIs(t, w.trigger("nope", 0), evaluator.ErrNotFound)
	require.NoError(t, w.ev.Pause(w.ctx, w.req("s")))
	before = w.log.Len()
	err := w.trigger("s", 0)
	require.ErrorIs(t, err, evaluator.ErrPaused)
	require.ErrorIs(t, err, evaluator.ErrInvalidRequest)
	assert.Equal(t, `invalid request: schedule is paused: "s" starts nothing until resumed`, err.Error())
	assert.Equal(t, before, w.log.Len(), "a refused trigger records nothing")
	require.NoError(t, w.ev.Resume(w.ctx, w.req("s")))
	r := w.req("s")
	require.NoError(t, w.ev.TriggerNow(w.ctx, r, 0))
	require.ErrorIs(t, w.ev.Pause(w.ctx, r), evaluator.ErrRequestReused)
	assert.Empty(t, w.engine.Runs()[1:], "one start only")
}

func TestDeleteDropsAWaitingTrigger(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(1)))
	require.NoError(t, w.trigger("s", 0))
	st, _ := w.ev.State("s")
	require.Len(t, st.Manual, 1)
	assert.True(t, st.Manual[0].Wait)
	require.NoError(t, w.ev.Delete(w.ctx, w.req("s")))
	st, _ = w.ev.State("s")
	assert.Empty(t, st.Manual)
	assert.Equal(t, int64(1), st.Counters.Dropped)
	w.checkReplay()
}

// A trigger_requested event that does not fit is a corrupt log.
func TestTriggerRequestedIsChecked(t *testing.T) {
	created := evaluator.Event{Seq: 1, Type: evaluator.Created, ScheduleID: "s", At: T0,
		Config: ptr(seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)), Next: at(1)}
	req := func(seq uint64, n time.Time, o evaluator.OverlapPolicy, d evaluator.Disposition) evaluator.Event {
		return evaluator.Event{Seq: seq, Type: evaluator.TriggerRequested, ScheduleID: "s", At: n, Nominal: n, Overlap: o, Disposition: d}
	}
	for _, tc := range []struct {
		name   string
		events []evaluator.Event
		want   string
	}{
		{"a miss", []evaluator.Event{created, req(2, T0, evaluator.OverlapSkip, evaluator.Miss)}, "disposition miss"},
		{"no policy", []evaluator.Event{created, req(2, T0, 0, evaluator.Start)}, "overlap policy unset"},
		{"not after the previous", []evaluator.Event{created, req(2, T0, evaluator.OverlapSkip, evaluator.Skip), req(3, T0, evaluator.OverlapSkip, evaluator.Skip)}, "is not after the previous one"},
		{"a start never asked", []evaluator.Event{created, {Seq: 2, Type: evaluator.Triggered, ScheduleID: "s", At: T0, Nominal: T0, Cause: evaluator.CauseTrigger,
			Execution: evaluator.Execution{WorkflowID: "w", RunID: "r"}}}, "no manual start at"},
	} {
		_, err := evaluator.Project(nil, tc.events)
		require.ErrorIs(t, err, evaluator.ErrCorruptLog, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
}

package evaluator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

// buffer_all queues every tick that comes while an execution runs and
// starts them oldest first, one at a time, as the running set empties.
func TestBufferAllStartsTheQueueInOrderOneAtATime(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpAll))
	require.NoError(t, w.runUntil(at(4)))
	assert.Equal(t, times(at(1)), w.started("s"), "00:01 runs; 00:02-00:04 wait")
	d := w.get("s")
	require.Len(t, d.Queued, 3)
	assert.Equal(t, int64(3), d.Counters.Buffered)
	w.closeRun("s", at(1))
	assert.Equal(t, times(at(1), at(2)), w.started("s"), "only the oldest starts")
	w.closeRun("s", at(2))
	w.closeRun("s", at(3))
	assert.Equal(t, times(at(1), at(2), at(3), at(4)), w.started("s"))
	assert.Empty(t, w.get("s").Queued)
	w.checkReplay()
}

// Past buffer_limit a tick is skipped as an overflow, and counted.
func TestBufferAllBoundOverflows(t *testing.T) {
	w := newWorld(t)
	c := seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpAll)
	c.BufferLimit = 2
	w.create("s", c)
	require.NoError(t, w.runUntil(at(5)))
	d := w.get("s")
	assert.Equal(t, int64(2), d.Counters.Buffered)
	assert.Equal(t, int64(2), d.Counters.Overflowed, "00:04 and 00:05 found the queue full")
	assert.Equal(t, int64(0), d.Counters.Skipped)
	w.closeRun("s", at(1))
	w.closeRun("s", at(2))
	w.closeRun("s", at(3))
	assert.Equal(t, times(at(1), at(2), at(3)), w.started("s"))
	w.checkReplay()
}

// A catch-up under buffer_all decides its whole queue in one event: O(1)
// events whatever the outage, and the queue still bounded.
func TestBufferAllCatchUpQueuesUpToTheBound(t *testing.T) {
	w := newWorld(t)
	c := seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpAll)
	c.BufferLimit = 10
	w.create("s", c)
	w.setClock(at(60 * 24)) // a day down: 1,440 ticks due
	w.restart()
	before := w.log.Len()
	require.NoError(t, w.runUntil(at(60*24)))
	assert.LessOrEqual(t, w.log.Len()-before, 4, "a decision and a start, not a day of events")
	d := w.get("s")
	assert.Equal(t, int64(10), d.Counters.Buffered)
	assert.Equal(t, int64(1440-11), d.Counters.Overflowed)
	assert.Equal(t, times(at(1)), w.started("s"))
	for i := 1; i <= 10; i++ {
		w.closeRun("s", at(i))
	}
	assert.Len(t, w.started("s"), 11, "the oldest ten waited and ran in order")
	assert.Equal(t, at(11), w.started("s")[10])
	w.checkReplay()
}

// A pause drops the queue (recorded, counted); the queue never survives
// into the resumed schedule.
func TestBufferAllPauseDropsTheQueue(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpAll))
	require.NoError(t, w.runUntil(at(3)))
	require.NoError(t, w.ev.Pause(w.ctx, w.req("s")))
	d := w.get("s")
	assert.Empty(t, d.Queued)
	assert.Equal(t, int64(2), d.Counters.Dropped)
	require.NoError(t, w.ev.Resume(w.ctx, w.req("s")))
	w.closeRun("s", at(1))
	assert.Equal(t, times(at(1)), w.started("s"), "nothing queued is left to start")
	w.checkReplay()
}

// A crash between the start of the oldest queued tick and its record: the
// restart adopts the start (by its workflow id) instead of starting it again
// or starting the next one beside it.
func TestBufferAllCrashAfterAQueuedStartAdoptsIt(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpAll))
	require.NoError(t, w.runUntil(at(3)))
	w.engine.Hook = func(c fakes.Call, p fakes.Phase) error {
		if c.Name == "engine.start" && p == fakes.After {
			return errInjected // 00:02 starts, then the process dies
		}
		return nil
	}
	x, ok := w.engine.Close(evaluator.WorkflowID("s", at(1)))
	require.True(t, ok)
	require.Error(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusCompleted))
	w.heal()
	w.restart()
	assert.Equal(t, times(at(1), at(2)), w.started("s"))
	d := w.get("s")
	require.Len(t, d.Running, 1)
	assert.Equal(t, at(2), d.Running[0].Nominal, "adopted")
	require.Len(t, d.Queued, 1, "00:03 still waits")
	w.closeRun("s", at(2))
	assert.Equal(t, times(at(1), at(2), at(3)), w.started("s"))
	w.checkReplay()
}

// A queued range the trigger has no tick in (a log written by hand, or by a
// broken writer) is a corrupt log when the queue's head is due to start,
// never a start of some other tick.
func TestBufferAllQueueWithoutATickIsCorrupt(t *testing.T) {
	w := newWorld(t)
	c := seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpAll)
	off := at(1).Add(30 * time.Second) // not a tick of a 1m interval from T0
	require.NoError(t, w.log.Append(w.ctx, []evaluator.Event{
		{Seq: 1, Type: evaluator.Created, ScheduleID: "q", At: T0, Config: &c, Next: at(1)},
		{Seq: 2, Type: evaluator.Buffered, ScheduleID: "q", At: off, Nominal: off, Next: at(2)},
	}))
	err := w.ev.Recover(w.ctx)
	require.ErrorIs(t, err, evaluator.ErrCorruptLog)
	assert.Contains(t, err.Error(), `schedule "q" has 1 ticks queued in [2026-06-07T00:01:30Z, 2026-06-07T00:01:30.000000001Z) but its trigger has none`)
	assert.Empty(t, w.started("q"))
}

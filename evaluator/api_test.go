package evaluator_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

func TestBadRequestsChangeNothing(t *testing.T) {
	w := newWorld(t)
	good := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	w.create("s", good)
	before := w.log.Len()
	mod := func(f func(*evaluator.Config)) evaluator.Config { c := good; f(&c); return c }
	for _, tc := range []struct {
		name  string
		err   error
		field string
		call  func() error
	}{
		{"empty id", evaluator.ErrInvalidRequest, "", func() error {
			return w.ev.Create(w.ctx, evaluator.Request{RequestID: "r", ScheduleID: ""}, good)
		}},
		{"bad id", evaluator.ErrInvalidRequest, "", func() error {
			return w.ev.Create(w.ctx, evaluator.Request{RequestID: "r", ScheduleID: "a b@c"}, good)
		}},
		{"empty request id", evaluator.ErrInvalidRequest, "", func() error {
			return w.ev.Pause(w.ctx, evaluator.Request{ScheduleID: "s"})
		}},
		{"exists", evaluator.ErrScheduleExists, "", func() error { return w.ev.Create(w.ctx, w.req("s"), good) }},
		{"empty workflow type", evaluator.ErrInvalidConfig, "workflow_type", func() error {
			return w.ev.Create(w.ctx, w.req("n"), mod(func(c *evaluator.Config) { c.WorkflowType = "" }))
		}},
		{"unset overlap", evaluator.ErrInvalidConfig, "overlap", func() error {
			return w.ev.Create(w.ctx, w.req("n"), mod(func(c *evaluator.Config) { c.Overlap = 0 }))
		}},
		{"unknown catch-up", evaluator.ErrInvalidConfig, "catch_up", func() error {
			return w.ev.Create(w.ctx, w.req("n"), mod(func(c *evaluator.Config) { c.CatchUp = 9 }))
		}},
		{"zero window", evaluator.ErrInvalidConfig, "catch_up_window", func() error {
			return w.ev.Create(w.ctx, w.req("n"), mod(func(c *evaluator.Config) { c.CatchUpWindow = ptr(evaluator.Duration(0)) }))
		}},
		{"negative window", evaluator.ErrInvalidConfig, "catch_up_window", func() error {
			return w.ev.Update(w.ctx, w.req("s"), mod(func(c *evaluator.Config) { c.CatchUpWindow = ptr(evaluator.Duration(-time.Second)) }))
		}},
		{"input not JSON", evaluator.ErrInvalidConfig, "input", func() error {
			return w.ev.Create(w.ctx, w.req("n"), mod(func(c *evaluator.Config) { c.Input = []byte("{") }))
		}},
		{"zero interval", evaluator.ErrInvalidTrigger, "trigger", func() error {
			return w.ev.Create(w.ctx, w.req("n"), mod(func(c *evaluator.Config) { c.Trigger.Interval = 0 }))
		}},
		{"local zone", evaluator.ErrUnknownZone, "trigger", func() error {
			return w.ev.Update(w.ctx, w.req("s"), mod(func(c *evaluator.Config) { c.Trigger = cronSpec("CRON_TZ=Local * * * * *") }))
		}},
		{"not found", evaluator.ErrNotFound, "", func() error { return w.ev.Pause(w.ctx, w.req("missing")) }},
		{"update not found", evaluator.ErrNotFound, "", func() error { return w.ev.Update(w.ctx, w.req("missing"), good) }},
	} {
		err := tc.call()
		require.ErrorIs(t, err, tc.err, tc.name)
		if tc.field != "" {
			var ce *evaluator.ConfigError
			require.ErrorAs(t, err, &ce, tc.name)
			assert.Equal(t, tc.field, ce.Field, tc.name)
		}
		assert.Regexp(t, `^[a-z]`, err.Error(), "messages are lowercase")
	}
	assert.Equal(t, before, w.log.Len(), "bad input records nothing")
	_, err := w.ev.Get(w.ctx, "n", 1)
	assert.ErrorIs(t, err, evaluator.ErrNotFound)
}

func TestNothingBeforeRecover(t *testing.T) {
	ev, err := evaluator.New(evaluator.Options{Clock: clockwork.NewFakeClockAt(T0), Timers: &fakes.Timers{}, Engine: &fakes.Engine{}, Log: &fakes.Log{}})
	require.NoError(t, err)
	assert.ErrorIs(t, ev.Create(context.Background(), evaluator.Request{RequestID: "r", ScheduleID: "s"}, seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)), evaluator.ErrNotRecovered)
	_, err = ev.List(context.Background(), 1)
	assert.ErrorIs(t, err, evaluator.ErrNotRecovered)
	_, err = evaluator.New(evaluator.Options{Clock: clockwork.NewFakeClockAt(T0)})
	assert.ErrorIs(t, err, evaluator.ErrInvalidRequest)
}

func TestRepeatedRequestIDRecordsNothing(t *testing.T) {
	w := newWorld(t)
	c := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	create := evaluator.Request{RequestID: "create-1", ScheduleID: "s"}
	require.NoError(t, w.ev.Create(w.ctx, create, c))
	n := w.log.Len()
	require.NoError(t, w.ev.Create(w.ctx, create, c), "a retried create succeeds")
	w.restart()
	require.NoError(t, w.ev.Create(w.ctx, create, c), "also after a crash")
	assert.Equal(t, n, w.log.Len())

	pause := evaluator.Request{RequestID: "pause-1", ScheduleID: "s"}
	require.NoError(t, w.ev.Pause(w.ctx, pause))
	n = w.log.Len()
	require.NoError(t, w.ev.Pause(w.ctx, pause))
	require.NoError(t, w.ev.Pause(w.ctx, w.req("s")), "pausing a paused schedule succeeds")
	assert.Equal(t, n, w.log.Len())
	assert.ErrorIs(t, w.ev.Resume(w.ctx, pause), evaluator.ErrRequestReused)

	// A request whose timer effect failed is completed by its retry.
	resume := evaluator.Request{RequestID: "resume-1", ScheduleID: "s"}
	w.failOnce("timers.arm", fakes.Before)
	require.ErrorIs(t, w.ev.Resume(w.ctx, resume), errInjected)
	w.heal()
	assert.Empty(t, w.timers.Armed())
	require.NoError(t, w.ev.Resume(w.ctx, resume))
	assert.Len(t, w.timers.Armed(), 1)
	n = w.log.Len()
	require.NoError(t, w.ev.Resume(w.ctx, w.req("s")), "resuming an active schedule succeeds")
	assert.Equal(t, n, w.log.Len())
}

func TestUpdateKeepsRunningAndPausedAndDropsBuffered(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(2).Add(30*time.Second)))
	require.NoError(t, w.ev.Pause(w.ctx, w.req("s")))
	c := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	c.Trigger = cronSpec("*/10 * * * *")
	require.NoError(t, w.ev.Update(w.ctx, w.req("s"), c))
	d := w.get("s")
	assert.True(t, d.Paused, "update keeps a paused schedule paused")
	assert.Len(t, d.Running, 1, "running executions are kept")
	assert.Empty(t, w.timers.Armed())
	require.NoError(t, w.ev.Resume(w.ctx, w.req("s")))
	assert.Equal(t, []time.Time{at(10), at(20), at(30)}, w.get("s").Upcoming)
	require.NoError(t, w.runUntil(at(10)))
	assert.Equal(t, times(at(1)), w.started("s"), "skip: 00:01 still runs at 00:10")
	w.checkReplay()
}

func TestDeleteIsTerminal(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(1)))
	require.NoError(t, w.ev.Delete(w.ctx, w.req("s")))
	assert.Empty(t, w.timers.Armed())
	assert.Len(t, w.engine.Open(), 1, "running executions are left running")
	out, err := w.ev.TimerFired(w.ctx, "s", at(2))
	require.NoError(t, err)
	assert.Equal(t, evaluator.Ignored, out, "a stale timer of a deleted schedule is acknowledged")
	x, _ := w.engine.Close(evaluator.WorkflowID("s", at(1)))
	require.NoError(t, w.ev.ExecutionClosed(w.ctx, "s", x, evaluator.StatusCompleted), "so is a closure notice")
	for _, err := range []error{w.ev.Pause(w.ctx, w.req("s")), w.ev.Resume(w.ctx, w.req("s")),
		w.ev.Update(w.ctx, w.req("s"), seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)), w.ev.Delete(w.ctx, w.req("s"))} {
		assert.ErrorIs(t, err, evaluator.ErrNotFound)
	}
	w.restart()
	assert.ErrorIs(t, w.ev.Create(w.ctx, w.req("s"), seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)), evaluator.ErrScheduleExists)
	list, err := w.ev.List(w.ctx, 1)
	require.NoError(t, err)
	assert.Empty(t, list)
	out, err = w.ev.TimerFired(w.ctx, "never-existed", at(3))
	require.NoError(t, err)
	assert.Equal(t, evaluator.Ignored, out)
}

// A crash part-way through a catch-up resumes the recorded decision instead of
// deciding again, even when the restart comes much later.
func TestCrashMidCatchUpResumesTheDecision(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll))
	w.setClock(at(5))
	w.restart()
	starts := 0
	w.engine.Hook = func(c fakes.Call, p fakes.Phase) error {
		call := c.Name
		if call == "engine.start" && p == fakes.After {
			if starts++; starts == 3 {
				return errInjected // the third start happens, then the process dies
			}
		}
		return nil
	}
	require.Error(t, w.runUntil(at(5)))
	w.heal()
	w.setClock(at(20).Add(30 * time.Second)) // down for 15 minutes
	w.restart()
	assert.Equal(t, times(at(1), at(2), at(3), at(4), at(5)), w.started("s"), "recovery completes the owed starts")
	d := w.get("s")
	assert.Empty(t, d.Owed)
	assert.Equal(t, int64(5), d.Counters.Started)
	require.NoError(t, w.runUntil(at(20).Add(30*time.Second)))
	assert.Len(t, w.started("s"), 5+15, "then the 00:06-00:20 outage is caught up by its own delivery")
	w.checkReplay()
}

// Ticks are anchored: a late delivery does not shift later ticks.
func TestIntervalDoesNotDrift(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpOne))
	for i := 1; i <= 5; i++ {
		w.setClock(at(i).Add(17 * time.Second)) // every delivery 17 s late
		_, err := w.ev.TimerFired(w.ctx, "s", at(i))
		require.NoError(t, err)
	}
	assert.Equal(t, times(at(1), at(2), at(3), at(4), at(5)), w.started("s"))
	assert.Equal(t, at(6), w.get("s").Upcoming[0])
}

// With skip, a 60 s interval and 60 s runs, every tick starts: at one instant
// closures come before timer deliveries (docs/semantics.md, Order at one instant).
func TestClosureBeforeTickAtTheSameInstant(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	for i := 1; i <= 4; i++ {
		w.setClock(at(i))
		if i > 1 {
			w.closeRun("s", at(i-1))
		}
		require.NoError(t, w.runUntil(at(i)))
	}
	assert.Equal(t, times(at(1), at(2), at(3), at(4)), w.started("s"))
}

func TestCatchUpWindow(t *testing.T) {
	w := newWorld(t)
	c := seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll)
	c.CatchUpWindow = ptr(evaluator.Duration(150 * time.Second))
	w.create("s", c)
	w.setClock(at(10).Add(10 * time.Second))
	w.restart()
	require.NoError(t, w.runUntil(at(10).Add(10*time.Second)))
	assert.Equal(t, times(at(8), at(9), at(10)), w.started("s"), "ticks older than now-150s are missed")
	assert.Equal(t, int64(1), w.get("s").Counters.MissedRanges)
}

// One schedule's failure does not stop the others, and a second Recover converges.
func TestRecoveryIsolatesFailures(t *testing.T) {
	w := newWorld(t)
	w.create("a", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne))
	w.create("b", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(1)))
	calls := 0
	w.engine.Hook = func(c fakes.Call, p fakes.Phase) error {
		call := c.Name
		if call == "engine.describe" && p == fakes.Before {
			if calls++; calls == 1 {
				return errInjected // a's first question to the engine fails
			}
		}
		return nil
	}
	ev, err := evaluator.New(evaluator.Options{Clock: w.clock, Timers: w.timers, Engine: w.engine, Log: w.log})
	require.NoError(t, err)
	w.ev = ev
	err = ev.Recover(w.ctx)
	require.ErrorIs(t, err, errInjected)
	var se *evaluator.SeamError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "a", se.ScheduleID)
	assert.Equal(t, "engine.describe", se.Seam)
	assert.Len(t, w.timers.Armed(), 2, "b recovered despite a")
	w.heal()
	require.NoError(t, ev.Recover(w.ctx))
	w.checkReplay()
}

// Mutations of one schedule are serialised and different schedules proceed in
// parallel; run with -race.
func TestConcurrentUse(t *testing.T) {
	w := newWorld(t)
	const n = 8
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprintf("s%d", i)
			c := seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpAll)
			assert.NoError(t, w.ev.Create(w.ctx, evaluator.Request{RequestID: "c", ScheduleID: id}, c))
			for j := 0; j < 20; j++ {
				_, err := w.ev.TimerFired(w.ctx, id, T0) // stale: re-arms
				assert.NoError(t, err)
				_, err = w.ev.Get(w.ctx, id, 2)
				assert.NoError(t, err)
				assert.NoError(t, w.ev.Pause(w.ctx, evaluator.Request{RequestID: fmt.Sprintf("p%d", j), ScheduleID: id}))
				assert.NoError(t, w.ev.Resume(w.ctx, evaluator.Request{RequestID: fmt.Sprintf("r%d", j), ScheduleID: id}))
				_, err = w.ev.List(w.ctx, 1)
				assert.NoError(t, err)
			}
		}(i)
	}
	wg.Wait()
	assert.Len(t, w.timers.Armed(), n)
	w.checkReplay()
}

// A failed log read leaves the evaluator unrecovered (operations refuse), and a
// later Recover succeeds.
func TestRecoverLogReadFails(t *testing.T) {
	w := newWorld(t)
	w.create("s", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	w.failOnce("log.read", fakes.Before)
	err := w.ev.Recover(w.ctx)
	var se *evaluator.SeamError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "log.read", se.Seam)
	_, err = w.ev.Get(w.ctx, "s", 1)
	assert.ErrorIs(t, err, evaluator.ErrNotRecovered)
	w.heal()
	require.NoError(t, w.ev.Recover(w.ctx))
	_, err = w.ev.Get(w.ctx, "s", 1)
	assert.NoError(t, err)
}

// A schedule whose log does not project keeps its id and reports the
// corruption; the others work; compaction refuses rather than drop its events.
func TestBrokenScheduleIsIsolated(t *testing.T) {
	w := newWorld(t)
	w.create("good", seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne))
	bad := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	bad.Trigger = cronSpec("0 0 30 2 *") // written by someone who did not validate
	require.NoError(t, w.log.Append(w.ctx, []evaluator.Event{{Seq: 1, Type: evaluator.Created, ScheduleID: "bad", At: T0, Config: &bad, Next: at(1)}}))
	require.ErrorIs(t, w.ev.Recover(w.ctx), evaluator.ErrCorruptLog)
	_, err := w.ev.Get(w.ctx, "good", 1)
	require.NoError(t, err)
	assert.Len(t, w.timers.Armed(), 1, "the good schedule is armed")
	assert.ErrorIs(t, w.ev.Pause(w.ctx, w.req("bad")), evaluator.ErrCorruptLog)
	assert.ErrorIs(t, w.ev.Create(w.ctx, w.req("bad"), seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)), evaluator.ErrCorruptLog,
		"the id stays taken")
	assert.ErrorIs(t, w.ev.Compact(w.ctx), evaluator.ErrCorruptLog)
}

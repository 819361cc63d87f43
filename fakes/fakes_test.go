package fakes_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

var t0 = time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)

func TestTimersUpsertDueAndAck(t *testing.T) {
	ctx := context.Background()
	s := &fakes.Timers{}
	require.NoError(t, s.Arm(ctx, evaluator.Timer{ID: "b", ScheduleID: "b", At: t0.Add(time.Minute)}))
	require.NoError(t, s.Arm(ctx, evaluator.Timer{ID: "a", ScheduleID: "a", At: t0.Add(time.Minute)}))
	require.NoError(t, s.Arm(ctx, evaluator.Timer{ID: "c", ScheduleID: "c", At: t0}))
	due := s.Due(t0.Add(time.Minute))
	require.Len(t, due, 3)
	assert.Equal(t, []string{"a", "b", "c"}, []string{due[0].ID, due[1].ID, due[2].ID}, "by schedule id, then time")
	require.NoError(t, s.Arm(ctx, evaluator.Timer{ID: "a", ScheduleID: "a", At: t0.Add(2 * time.Minute)}))
	s.Ack(due[0]) // "a" was re-armed: the ack of the old time keeps it
	_, ok := s.Get("a")
	assert.True(t, ok)
	s.Ack(due[2])
	_, ok = s.Get("c")
	assert.False(t, ok)
	require.NoError(t, s.Disarm(ctx, "b"))
	require.NoError(t, s.Disarm(ctx, "b"), "disarming an absent timer succeeds")
	assert.Len(t, s.Armed(), 1)
}

func TestEngineDedupsForever(t *testing.T) {
	ctx := context.Background()
	g := &fakes.Engine{}
	req := evaluator.StartRequest{WorkflowID: "s@t", ScheduleID: "s", Nominal: t0}
	first, err := g.Start(ctx, req)
	require.NoError(t, err)
	assert.False(t, first.AlreadyStarted)
	x, ok := g.Close("s@t")
	require.True(t, ok)
	again, err := g.Start(ctx, req)
	require.NoError(t, err)
	assert.True(t, again.AlreadyStarted, "also after the first closed")
	assert.Equal(t, first.Execution, again.Execution)
	require.NoError(t, g.Cancel(ctx, x), "cancel of a closed execution succeeds")
	info, err := g.Describe(ctx, "s@t")
	require.NoError(t, err)
	assert.Equal(t, evaluator.WorkflowInfo{Found: true, Execution: x, Closed: true, Status: evaluator.StatusCompleted}, info)
	info, err = g.Describe(ctx, "nope")
	require.NoError(t, err)
	assert.False(t, info.Found)
	_, ok = g.Close("s@t")
	assert.False(t, ok, "closing twice")
}

func TestHookFailsBeforeOrAfter(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	l := &fakes.Log{}
	l.Hook = func(c fakes.Call, p fakes.Phase) error {
		call := c.Name
		if call == "log.append" && p == fakes.After {
			return boom
		}
		return nil
	}
	e := []evaluator.Event{{Seq: 1, Type: evaluator.Paused, ScheduleID: "s"}}
	require.ErrorIs(t, l.Append(ctx, e), boom)
	assert.Equal(t, 1, l.Len(), "after: the append is durable but reports failure")
	l.Hook = func(fakes.Call, fakes.Phase) error { return boom }
	require.ErrorIs(t, l.Append(ctx, e), boom)
	assert.Equal(t, 1, l.Len(), "before: nothing happened")
}

func TestLogSnapshot(t *testing.T) {
	ctx := context.Background()
	l := &fakes.Log{}
	require.NoError(t, l.Append(ctx, []evaluator.Event{{Seq: 1, ScheduleID: "a"}}))
	snap := &evaluator.Snapshot{}
	require.NoError(t, l.WriteSnapshot(ctx, snap))
	require.NoError(t, l.Append(ctx, []evaluator.Event{{Seq: 2, ScheduleID: "a"}}))
	got, rest, err := l.Read(ctx)
	require.NoError(t, err)
	assert.Same(t, snap, got)
	require.Len(t, rest, 1)
	assert.Equal(t, uint64(2), rest[0].Seq)
	assert.Len(t, l.Events(), 2)
}

func TestTimersRedeliver(t *testing.T) {
	ctx := context.Background()
	s := &fakes.Timers{}
	tm := evaluator.Timer{ID: "a", ScheduleID: "a", At: t0}
	require.NoError(t, s.Arm(ctx, tm))
	s.Redeliver(tm, t0.Add(10*time.Second)) // the handler failed
	assert.Empty(t, s.Due(t0.Add(5*time.Second)))
	next, ok := s.NextDelivery()
	require.True(t, ok)
	assert.Equal(t, t0.Add(10*time.Second), next)
	assert.Equal(t, []evaluator.Timer{tm}, s.Due(t0.Add(10*time.Second)), "delivered again, same time")
	require.NoError(t, s.Arm(ctx, evaluator.Timer{ID: "a", ScheduleID: "a", At: t0.Add(time.Minute)}))
	s.Redeliver(tm, t0.Add(time.Hour)) // stale: the timer was re-armed
	next, _ = s.NextDelivery()
	assert.Equal(t, t0.Add(time.Minute), next)
}

func TestFencing(t *testing.T) {
	ctx := context.Background()
	g := &fakes.Gate{}
	timers, engine, log := &fakes.Timers{}, &fakes.Engine{}, &fakes.Log{}
	tv, ev, lv := timers.For(g), engine.For(g), log.For(g)
	require.NoError(t, tv.Arm(ctx, evaluator.Timer{ID: "a", ScheduleID: "a", At: t0}))
	g.Close()
	assert.ErrorIs(t, tv.Arm(ctx, evaluator.Timer{ID: "b", ScheduleID: "b", At: t0}), fakes.ErrFenced)
	assert.ErrorIs(t, tv.Disarm(ctx, "a"), fakes.ErrFenced)
	_, err := ev.Start(ctx, evaluator.StartRequest{WorkflowID: "w"})
	assert.ErrorIs(t, err, fakes.ErrFenced)
	assert.ErrorIs(t, ev.Cancel(ctx, evaluator.Execution{WorkflowID: "w"}), fakes.ErrFenced)
	_, err = ev.Describe(ctx, "w")
	assert.ErrorIs(t, err, fakes.ErrFenced)
	assert.ErrorIs(t, lv.Append(ctx, []evaluator.Event{{Seq: 1}}), fakes.ErrFenced)
	_, _, err = lv.Read(ctx)
	assert.ErrorIs(t, err, fakes.ErrFenced)
	assert.ErrorIs(t, lv.WriteSnapshot(ctx, &evaluator.Snapshot{}), fakes.ErrFenced)
	assert.Len(t, timers.Armed(), 1, "nothing the fenced process tried took effect")
	assert.Empty(t, engine.Runs())
	assert.Zero(t, log.Len())
	// A new incarnation's gate is open.
	require.NoError(t, timers.For(&fakes.Gate{}).Disarm(ctx, "a"))
}

func TestEngineRunsCancelsAndNotices(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(t0)
	g := &fakes.Engine{Clock: clock, CancelDelay: 5 * time.Second,
		Duration: func(r evaluator.StartRequest) time.Duration {
			if r.ScheduleID == "forever" {
				return 0
			}
			return time.Minute
		}}
	a, err := g.Start(ctx, evaluator.StartRequest{WorkflowID: "a@1", ScheduleID: "a", Nominal: t0})
	require.NoError(t, err)
	f, err := g.Start(ctx, evaluator.StartRequest{WorkflowID: "forever@1", ScheduleID: "forever", Nominal: t0})
	require.NoError(t, err)
	next, ok := g.NextClose()
	require.True(t, ok)
	assert.Equal(t, t0.Add(time.Minute), next)
	clock.Advance(10 * time.Second)
	require.NoError(t, g.Cancel(ctx, f.Execution))
	require.NoError(t, g.Cancel(ctx, f.Execution), "idempotent")
	next, _ = g.NextClose()
	assert.Equal(t, t0.Add(15*time.Second), next, "closes CancelDelay after the cancel")
	closed := g.CloseDue(t0.Add(time.Minute))
	require.Len(t, closed, 2)
	assert.Equal(t, "forever@1", closed[0].Execution.WorkflowID)
	assert.Equal(t, t0.Add(15*time.Second), closed[0].ClosedAt)
	assert.Equal(t, a.Execution, closed[1].Execution)
	notices := g.Notices()
	require.Len(t, notices, 2)
	g.AckNotice(notices[0])
	assert.Equal(t, []fakes.Notice{{ScheduleID: "a", Execution: a.Execution, Status: evaluator.StatusCompleted}}, g.Notices(), "unacknowledged notices stay")
	_, ok = g.NextClose()
	assert.False(t, ok)
}

func TestRearmAtTheSameTimeKeepsALateDelivery(t *testing.T) {
	ctx := context.Background()
	s := &fakes.Timers{}
	tm := evaluator.Timer{ID: "a", ScheduleID: "a", At: t0}
	require.NoError(t, s.Arm(ctx, tm))
	s.Redeliver(tm, t0.Add(time.Minute))
	require.NoError(t, s.Arm(ctx, tm), "a recovering evaluator re-arms the same timer")
	assert.Empty(t, s.Due(t0.Add(30*time.Second)), "still late")
	require.NoError(t, s.Arm(ctx, evaluator.Timer{ID: "a", ScheduleID: "a", At: t0.Add(10 * time.Second)}))
	assert.Len(t, s.Due(t0.Add(10*time.Second)), 1, "a new time is a new delivery")
}

func TestEngineFailAndExtend(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(t0)
	g := &fakes.Engine{Clock: clock, Duration: func(evaluator.StartRequest) time.Duration { return time.Minute }, CancelDelay: 5 * time.Second}
	for _, id := range []string{"s@1", "s@2"} {
		_, err := g.Start(ctx, evaluator.StartRequest{ScheduleID: "s", WorkflowID: id})
		require.NoError(t, err)
	}
	_, ok := g.Fail("s@1")
	require.True(t, ok)
	_, ok = g.Fail("s@1")
	assert.False(t, ok, "a closed execution cannot fail again")
	assert.False(t, g.Extend("s@1", t0.Add(time.Hour)), "a closed execution cannot be extended")
	assert.False(t, g.Extend("s@2", t0), "the new close must be in the future")
	require.True(t, g.Extend("s@2", t0.Add(time.Hour)))
	next, ok := g.NextClose()
	require.True(t, ok)
	assert.Equal(t, t0.Add(time.Hour), next, "the old closing time is stale")
	clock.Advance(time.Minute)
	assert.Empty(t, g.CloseDue(clock.Now()))
	require.NoError(t, g.Cancel(ctx, evaluator.Execution{WorkflowID: "s@2", RunID: "run-2"}))
	require.True(t, g.Extend("s@2", time.Time{}), "a slow cancelled run still closes after the cancel delay")
	clock.Advance(5 * time.Second)
	closed := g.CloseDue(clock.Now())
	require.Len(t, closed, 1)
	assert.True(t, closed[0].CancelRequested)
	assert.Equal(t, t0.Add(time.Minute), closed[0].CancelledAt)
	runs := g.Runs()
	assert.True(t, runs[0].Failed)
	assert.False(t, runs[1].Failed)
	assert.Len(t, g.Notices(), 2)
}

// A run's notice and description say how it ended.
func TestEngineSaysHowARunEnded(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC))
	g := &fakes.Engine{Clock: clock, Duration: func(evaluator.StartRequest) time.Duration { return time.Minute },
		Fails: func(r evaluator.StartRequest) bool { return r.ScheduleID == "f" }}
	ctx := context.Background()
	start := func(id string) evaluator.Execution {
		res, err := g.Start(ctx, evaluator.StartRequest{WorkflowID: id + "@1", ScheduleID: id})
		require.NoError(t, err)
		return res.Execution
	}
	ok, f, c, term, hand := start("ok"), start("f"), start("c"), start("t"), start("h")
	require.NoError(t, g.Cancel(ctx, c))
	require.NoError(t, g.Terminate(ctx, term))
	g.Fail(hand.WorkflowID)
	clock.Advance(time.Minute)
	g.CloseDue(clock.Now())
	want := map[evaluator.Execution]evaluator.Status{ok: evaluator.StatusCompleted, f: evaluator.StatusFailed,
		c: evaluator.StatusCancelled, term: evaluator.StatusTerminated, hand: evaluator.StatusFailed}
	for _, n := range g.Notices() {
		assert.Equal(t, want[n.Execution], n.Status, n.Execution.WorkflowID)
		info, err := g.Describe(ctx, n.Execution.WorkflowID)
		require.NoError(t, err)
		assert.Equal(t, want[n.Execution], info.Status, n.Execution.WorkflowID)
	}
	assert.Len(t, g.Notices(), 5)
}

package fakes_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
	assert.Equal(t, []string{"c", "a", "b"}, []string{due[0].ID, due[1].ID, due[2].ID}, "by time, then schedule id")
	require.NoError(t, s.Arm(ctx, evaluator.Timer{ID: "a", ScheduleID: "a", At: t0.Add(2 * time.Minute)}))
	s.Ack(due[1]) // "a" was re-armed: the ack of the old time keeps it
	_, ok := s.Get("a")
	assert.True(t, ok)
	s.Ack(due[0])
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
	assert.Equal(t, evaluator.WorkflowInfo{Found: true, Execution: x, Closed: true}, info)
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
	l.Hook = func(call string, p fakes.Phase) error {
		if call == "log.append" && p == fakes.After {
			return boom
		}
		return nil
	}
	e := []evaluator.Event{{Seq: 1, Type: evaluator.Paused, ScheduleID: "s"}}
	require.ErrorIs(t, l.Append(ctx, e), boom)
	assert.Equal(t, 1, l.Len(), "after: the append is durable but reports failure")
	l.Hook = func(string, fakes.Phase) error { return boom }
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

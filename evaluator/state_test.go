package evaluator_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func ptr[T any](v T) *T { return &v }

// The seed's projection test, in our event family: every field is projected.
func TestProjectEveryField(t *testing.T) {
	c60 := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	c120 := c60
	c120.Trigger.Interval = evaluator.Duration(2 * time.Minute)
	x := evaluator.Execution{WorkflowID: "w", RunID: "r"}
	events := []evaluator.Event{
		{Seq: 1, Type: evaluator.Created, ScheduleID: "s", RequestID: "a", At: at(0), Config: &c60, Next: at(1)},
		{Seq: 2, Type: evaluator.Updated, ScheduleID: "s", RequestID: "b", At: at(1), Config: &c120, Next: at(3)},
		{Seq: 3, Type: evaluator.Paused, ScheduleID: "s", RequestID: "c", At: at(1)},
		{Seq: 4, Type: evaluator.Resumed, ScheduleID: "s", RequestID: "d", At: at(1), Next: at(3)},
		{Seq: 5, Type: evaluator.Triggered, ScheduleID: "s", At: at(3), Nominal: at(3), Next: at(5), Cause: evaluator.CauseTick, Execution: x},
		{Seq: 6, Type: evaluator.Skipped, ScheduleID: "s", At: at(5), Nominal: at(5), Next: at(7)},
		{Seq: 7, Type: evaluator.Deleted, ScheduleID: "s", RequestID: "e", At: at(6)},
	}
	states, err := evaluator.Project(nil, events)
	require.NoError(t, err)
	require.Len(t, states, 1)
	st := states[0]
	assert.Equal(t, evaluator.Duration(2*time.Minute), st.Config.Trigger.Interval)
	assert.False(t, st.Paused)
	assert.True(t, st.Deleted)
	assert.Equal(t, at(3), st.LastTriggered)
	assert.Equal(t, []evaluator.Running{{Execution: x, Nominal: at(3)}}, st.Running)
	assert.Equal(t, at(7), st.Next)
	assert.Equal(t, at(1), st.Reference)
	assert.Equal(t, evaluator.Counters{Started: 1, Skipped: 1}, st.Counters)
	assert.Equal(t, "e", st.LastRequestID)
	assert.Equal(t, uint64(7), st.Version)

	// Idempotent under duplicated events, anywhere.
	dup := append([]evaluator.Event{}, events[:3]...)
	dup = append(dup, events[1], events[2])
	dup = append(dup, events[3:]...)
	dup = append(dup, events...)
	again, err := evaluator.Project(nil, dup)
	require.NoError(t, err)
	assert.Equal(t, states, again)
}

func TestProjectRejectsCorruptLogsPerSchedule(t *testing.T) {
	c := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	bad := c
	bad.Trigger = cronSpec("0 0 30 2 *")
	events := []evaluator.Event{
		{Seq: 1, Type: evaluator.Created, ScheduleID: "ok", At: at(0), Config: &c, Next: at(1)},
		{Seq: 1, Type: evaluator.Created, ScheduleID: "gap", At: at(0), Config: &c, Next: at(1)},
		{Seq: 3, Type: evaluator.Paused, ScheduleID: "gap", At: at(0)},
		{Seq: 1, Type: evaluator.Paused, ScheduleID: "orphan", At: at(0)},
		{Seq: 1, Type: evaluator.Created, ScheduleID: "badcron", At: at(0), Config: &bad, Next: at(1)},
		{Seq: 1, Type: evaluator.Created, ScheduleID: "unowed", At: at(0), Config: &c, Next: at(1)},
		{Seq: 2, Type: evaluator.Triggered, ScheduleID: "unowed", At: at(1), Nominal: at(1), Cause: evaluator.CauseCatchUp,
			Execution: evaluator.Execution{WorkflowID: "w", RunID: "r"}},
	}
	states, err := evaluator.Project(nil, events)
	require.ErrorIs(t, err, evaluator.ErrCorruptLog)
	require.Len(t, states, 1, "the healthy schedule still projects")
	assert.Equal(t, "ok", states[0].ID)
	for _, id := range []string{"gap", "orphan", "badcron", "unowed"} {
		assert.Contains(t, err.Error(), `"`+id+`"`)
	}
}

// A snapshot followed by the events after it projects like the whole log.
func TestSnapshotThenEventsEqualsFullLog(t *testing.T) {
	w := newWorld(t)
	w.create("a", seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpAll))
	w.create("b", seedConfig(evaluator.OverlapCancelPrevious, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(3)))
	require.NoError(t, w.ev.Compact(w.ctx))
	require.NoError(t, w.runUntil(at(6)))
	w.closeRun("a", at(1))
	full, err := evaluator.Project(nil, w.log.Events())
	require.NoError(t, err)
	snap, rest, err := w.log.Read(w.ctx)
	require.NoError(t, err)
	require.NotNil(t, snap)
	assert.Less(t, len(rest), len(w.log.Events()))
	fromSnap, err := evaluator.Project(snap, rest)
	require.NoError(t, err)
	assert.Equal(t, full, fromSnap)
	w.restart()
	w.checkReplay()
	assert.Equal(t, times(at(1), at(2)), w.started("a"), "00:02, the first buffered tick, is released by 00:01's close")
}

// The log format is durable: its JSON encoding is pinned by a golden file.
// Regenerate with: go test ./evaluator -run TestEventJSONGolden -update
func TestEventJSONGolden(t *testing.T) {
	w := newWorld(t)
	c := seedConfig(evaluator.OverlapCancelPrevious, evaluator.CatchUpAll)
	c.CatchUpWindow = ptr(evaluator.Duration(90 * time.Second))
	w.create("golden", c)
	b := seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne)
	b.Trigger = evaluator.TriggerSpec{Cron: "*/2 * * * *", Timezone: "Europe/Paris"}
	w.create("buffered", b)
	q := seedConfig(evaluator.OverlapBufferAll, evaluator.CatchUpAll)
	q.BufferLimit = 2
	w.create("queue", q)
	require.NoError(t, w.runUntil(at(2)))
	w.setClock(at(5).Add(10 * time.Second))
	w.restart()
	require.NoError(t, w.runUntil(at(6)))
	require.NoError(t, w.runUntil(at(8)))
	w.closeRun("buffered", at(2))          // releases the buffered 00:04
	require.NoError(t, w.runUntil(at(10))) // buffers 00:10 behind 00:04
	require.NoError(t, w.ev.Update(w.ctx, w.req("buffered"), b))
	require.NoError(t, w.ev.Pause(w.ctx, w.req("golden")))
	require.NoError(t, w.ev.Resume(w.ctx, w.req("golden")))
	require.NoError(t, w.ev.Delete(w.ctx, w.req("golden")))
	w.closeRun("queue", at(1))                             // starts the oldest queued tick
	require.NoError(t, w.ev.Delete(w.ctx, w.req("queue"))) // drops the rest of the queue
	w.create("term", seedConfig(evaluator.OverlapTerminatePrevious, evaluator.CatchUpOne))
	require.NoError(t, w.runUntil(at(12)))                                                // 00:12 terminates 00:11
	require.NoError(t, w.ev.TriggerNow(w.ctx, w.req("term"), evaluator.OverlapBufferOne)) // waits for 00:12
	require.NoError(t, w.ev.TriggerNow(w.ctx, w.req("term"), 0))                          // terminates 00:12, starts
	f := seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpOne)
	f.PauseOnFailure = true
	w.create("fails", f)
	require.NoError(t, w.runUntil(at(14)))         // 00:13 runs, 00:14 buffered
	require.NoError(t, w.failRun("fails", at(13))) // drops 00:14, pauses

	var got []byte
	for _, e := range w.log.Events() {
		line, err := json.Marshal(e)
		require.NoError(t, err)
		got = append(append(got, line...), '\n')
	}
	path := filepath.Join("testdata", "events.golden.jsonl")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), string(got))

	// Decoding gives back the same events, and they project to the live state.
	var decoded []evaluator.Event
	for _, line := range splitLines(want) {
		var e evaluator.Event
		require.NoError(t, json.Unmarshal(line, &e))
		decoded = append(decoded, e)
	}
	states, err := evaluator.Project(nil, decoded)
	require.NoError(t, err)
	for _, st := range states {
		live, _ := w.ev.State(st.ID)
		assert.Equal(t, live, st)
	}
	types := map[evaluator.EventType]bool{}
	for _, e := range decoded {
		types[e.Type] = true
	}
	assert.Len(t, types, 13, "the golden log shows every event type")
	assert.True(t, slices.ContainsFunc(decoded, func(e evaluator.Event) bool {
		return e.Type == evaluator.ExecutionClosed && e.Cause == evaluator.CauseTerminate
	}), "and a terminate")
	assert.True(t, slices.ContainsFunc(decoded, func(e evaluator.Event) bool {
		return e.Type == evaluator.Paused && e.Cause == evaluator.CauseFailure
	}), "and a pause on failure")
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		out = append(out, b[:i])
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

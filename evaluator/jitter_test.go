package evaluator_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

// fnv1a is FNV-1a 64 written out from its definition, so the test does not
// check JitterOf against the library call it makes.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// JitterOf is the documented function: FNV-1a of the workflow id modulo
// min(jitter, gap to the next nominal time), the whole jitter for a last tick.
func TestJitterOfIsTheDocumentedFunction(t *testing.T) {
	for i := range 500 {
		nominal := T0.Add(time.Duration(i) * 7 * time.Second)
		next := nominal.Add(time.Minute)
		for _, jitter := range []time.Duration{1500 * time.Microsecond, 30 * time.Second, time.Hour} {
			ms := uint64(min(jitter, time.Minute) / time.Millisecond)
			want := time.Duration(fnv1a(evaluator.WorkflowID("s", nominal))%ms) * time.Millisecond
			got := evaluator.JitterOf("s", nominal, next, jitter)
			require.Equal(t, want, got, "tick %s jitter %s", nominal, jitter)
			require.True(t, got >= 0 && got < min(jitter, time.Minute))
		}
		last := evaluator.JitterOf("s", nominal, time.Time{}, time.Hour)
		require.Equal(t, time.Duration(fnv1a(evaluator.WorkflowID("s", nominal))%uint64(time.Hour/time.Millisecond))*time.Millisecond, last,
			"a last tick takes the whole jitter")
		require.Zero(t, evaluator.JitterOf("s", nominal, next, time.Millisecond), "a bound of a millisecond has no room")
	}
	assert.Zero(t, evaluator.JitterOf("s", T, T.Add(time.Minute), 0))
	assert.NotEqual(t, evaluator.JitterOf("s", T, T.Add(time.Hour), time.Hour), evaluator.JitterOf("t", T, T.Add(time.Hour), time.Hour),
		"the schedule id spreads schedules that share their times")
}

func jitterConfig(o evaluator.OverlapPolicy, jitter time.Duration) evaluator.Config {
	c := seedConfig(o, evaluator.CatchUpAll)
	c.Jitter = evaluator.Duration(jitter)
	return c
}

func due(id string, nominal time.Time, jitter time.Duration) time.Time {
	return nominal.Add(evaluator.JitterOf(id, nominal, nominal.Add(time.Minute), jitter))
}

// startTimes returns when each start of id was made, in start order.
func (w *world) startTimes(id string) []time.Time {
	var out []time.Time
	for _, r := range w.engine.Runs() {
		if r.Request.ScheduleID == id {
			out = append(out, r.StartedAt)
		}
	}
	return out
}

// Each tick starts at its jittered time, under its nominal workflow id; the
// timer is armed there and the description says when.
func TestJitterDelaysEachTickAndKeepsItsNominalTime(t *testing.T) {
	w := newWorld(t)
	w.create("s", jitterConfig(evaluator.OverlapAllowAll, 45*time.Second))
	d := w.get("s")
	assert.Equal(t, due("s", at(1), 45*time.Second), d.NextAt)
	require.NoError(t, w.runUntil(at(5)))
	assert.Equal(t, times(at(1), at(2), at(3), at(4)), w.started("s"))
	var want []time.Time
	for m := 1; m <= 4; m++ {
		want = append(want, due("s", at(m), 45*time.Second))
	}
	assert.Equal(t, want, w.startTimes("s"))
	assert.NotEqual(t, w.started("s"), w.startTimes("s"), "some tick has a delay (else the test shows nothing)")
	w.checkReplay()
}

// Overlap is decided at the jittered time: a run that closes between a
// tick's nominal and its jittered time no longer overlaps it under skip.
func TestJitterDecidesOverlapAtTheJitteredTime(t *testing.T) {
	const jitter = 50 * time.Second
	// A tick with a delay of at least 10 s, so a close 5 s after its
	// nominal time falls before its jittered time.
	m := 2
	for ; due("s", at(m), jitter).Sub(at(m)) < 10*time.Second; m++ {
	}
	w := newWorld(t)
	w.create("s", jitterConfig(evaluator.OverlapSkip, jitter))
	require.NoError(t, w.runUntil(at(m-1).Add(time.Minute-time.Second)))
	w.closeRun("s", w.started("s")[len(w.started("s"))-1])
	require.NoError(t, w.runUntil(at(m).Add(5*time.Second)))
	require.NotContains(t, w.started("s"), at(m), "not yet: its jittered time is to come")
	require.NoError(t, w.runUntil(at(m).Add(time.Minute-time.Nanosecond)))
	assert.Contains(t, w.started("s"), at(m))
}

// An update, pause or delete between a tick's nominal and its jittered time
// drops that tick, recorded and counted: it never starts, and it is not lost
// unrecorded.
func TestJitterOperationInFlightDropsTheTick(t *testing.T) {
	const jitter = 50 * time.Second
	m := 1
	for ; due("s", at(m), jitter).Sub(at(m)) < 10*time.Second; m++ {
	}
	for _, op := range []string{"update", "pause", "delete"} {
		t.Run(op, func(t *testing.T) {
			w := newWorld(t)
			w.create("s", jitterConfig(evaluator.OverlapAllowAll, jitter))
			require.NoError(t, w.runUntil(at(m).Add(5*time.Second)))
			require.NotContains(t, w.started("s"), at(m))
			before := w.get("s").Counters.Dropped
			switch op {
			case "update":
				require.NoError(t, w.ev.Update(w.ctx, w.req("s"), jitterConfig(evaluator.OverlapAllowAll, jitter)))
			case "pause":
				require.NoError(t, w.ev.Pause(w.ctx, w.req("s")))
				require.NoError(t, w.ev.Resume(w.ctx, w.req("s")))
			case "delete":
				require.NoError(t, w.ev.Delete(w.ctx, w.req("s")))
			}
			var dropped []evaluator.Event
			for _, e := range w.log.Events() {
				if e.Type == evaluator.Dropped {
					dropped = append(dropped, e)
				}
			}
			require.Len(t, dropped, 1)
			assert.Equal(t, at(m), dropped[0].Nominal)
			assert.Equal(t, op, dropped[0].Cause)
			if op != "delete" {
				assert.Equal(t, before+1, w.get("s").Counters.Dropped)
			}
			require.NoError(t, w.runUntil(at(m+3)))
			assert.NotContains(t, w.started("s"), at(m), "dropped: never started")
			w.checkReplay()
		})
	}
}

// A crash between a tick's nominal and its jittered time changes nothing:
// the delay is a function of the tick, not of the process.
func TestJitterSurvivesARestart(t *testing.T) {
	const jitter = 50 * time.Second
	w := newWorld(t)
	w.create("s", jitterConfig(evaluator.OverlapAllowAll, jitter))
	require.NoError(t, w.runUntil(at(1).Add(time.Nanosecond)))
	w.restart()
	require.NoError(t, w.runUntil(at(3)))
	assert.Equal(t, times(due("s", at(1), jitter), due("s", at(2), jitter)), w.startTimes("s"))
	w.checkReplay()
}

// After an outage the late-tick rule reads jittered times: the tick whose
// jittered time is the restart is on time, the earlier ones late.
func TestJitterCatchUpReadsJitteredTimes(t *testing.T) {
	const jitter = 50 * time.Second
	w := newWorld(t)
	c := jitterConfig(evaluator.OverlapAllowAll, jitter)
	c.CatchUp = evaluator.CatchUpSkip
	w.create("s", c)
	up := due("s", at(10), jitter)
	w.setClock(up)
	w.restart()
	require.NoError(t, w.runUntil(up))
	assert.Equal(t, times(at(10)), w.started("s"), "00:01-00:09 are late and skipped; 00:10 is due at the restart: on time")
	assert.Equal(t, int64(1), w.get("s").Counters.MissedRanges)
	w.checkReplay()
}

func TestJitterMustNotBeNegative(t *testing.T) {
	c := jitterConfig(evaluator.OverlapAllowAll, -time.Second)
	var ce *evaluator.ConfigError
	require.True(t, errors.As(c.Validate(), &ce))
	assert.Equal(t, "jitter", ce.Field)
	assert.ErrorIs(t, c.Validate(), evaluator.ErrInvalidConfig)
}

// The last tick before end_at takes the whole jitter, even one longer than
// the period: it is still decided, at its jittered time (found by the
// property suite: the last tick was never started).
func TestJitterLastTickBeforeEndAtTakesTheWholeJitter(t *testing.T) {
	const jitter = 90 * time.Second
	w := newWorld(t)
	c := jitterConfig(evaluator.OverlapAllowAll, jitter)
	c.EndAt = at(3).Add(30 * time.Second)
	w.create("s", c)
	require.NoError(t, w.runUntil(at(10)))
	assert.Equal(t, times(at(1), at(2), at(3)), w.started("s"))
	last := at(3).Add(evaluator.JitterOf("s", at(3), time.Time{}, jitter))
	assert.Equal(t, last, w.startTimes("s")[2])
	assert.True(t, w.get("s").Finished)
	w.checkReplay()
}

package ticks

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

// The checkers' delay and the evaluator's are two implementations of one
// documented function: they agree on every tick, gap and bound.
func TestJitterAgreesWithTheEvaluator(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	base := time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)
	for i := range 5000 {
		id := fmt.Sprintf("s%d", r.IntN(50))
		nominal := base.Add(time.Duration(r.Int64N(int64(400 * 24 * time.Hour))))
		next := nominal.Add(time.Duration(r.Int64N(int64(2*time.Hour)) + 1))
		if i%10 == 0 {
			next = time.Time{}
		}
		jitter := time.Duration(r.Int64N(int64(3 * time.Hour)))
		require.Equal(t, evaluator.JitterOf(id, nominal, next, jitter), Jitter(id, nominal, next, jitter), "%s %s %s %s", id, nominal, next, jitter)
	}
}

// FirstDue finds the one tick due at or after u, also when the jitter is
// longer than the gaps (the walk) and at a tick's exact due time.
func TestFirstDue(t *testing.T) {
	trig, err := Parse(evaluator.TriggerSpec{Cron: "*/5 * * * * *"})
	require.NoError(t, err)
	base := time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)
	for _, max := range []time.Duration{3 * time.Second, time.Minute} {
		j := Jittered{Grid: trig.Grid(base), ScheduleID: "s", Max: max}
		for tick := base.Add(5 * time.Second); tick.Before(base.Add(2 * time.Minute)); tick = tick.Add(5 * time.Second) {
			d := j.Due(tick)
			require.True(t, !d.Before(tick) && d.Before(tick.Add(5*time.Second)), "due %s of %s within its gap", d, tick)
			require.Equal(t, tick, j.FirstDue(d), "at its due time")
			require.Equal(t, tick.Add(5*time.Second), j.FirstDue(d.Add(time.Nanosecond)), "just after it: the next tick")
		}
	}
}

// A backwards grid reaches before its reference on the same lattice, and
// agrees with the evaluator's.
func TestBackwardsGrid(t *testing.T) {
	ref := time.Date(2026, 6, 7, 0, 10, 0, 0, time.UTC)
	trig, err := Parse(evaluator.TriggerSpec{Interval: evaluator.Duration(7 * time.Minute)})
	require.NoError(t, err)
	etrig, err := evaluator.ParseTrigger(evaluator.TriggerSpec{Interval: evaluator.Duration(7 * time.Minute)})
	require.NoError(t, err)
	g, eg := trig.Grid(ref).Backwards(), etrig.Grid(ref).Backwards()
	for after := ref.Add(-time.Hour); after.Before(ref.Add(time.Hour)); after = after.Add(17 * time.Second) {
		n := g.Next(after)
		require.True(t, n.After(after) && n.Sub(after) <= 7*time.Minute, "%s after %s", n, after)
		require.Zero(t, ref.Sub(n)%(7*time.Minute), "on the lattice")
		require.Equal(t, eg.Next(after), n, "after %s", after)
	}
	require.Equal(t, ref.Add(7*time.Minute), g.Next(ref), "the reference itself is a tick, the next is one period on")
	require.Equal(t, ref, g.Next(ref.Add(-time.Nanosecond)))
}

package evaluator_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

func TestOverlap(t *testing.T) {
	S, B, C, A := evaluator.OverlapSkip, evaluator.OverlapBufferOne, evaluator.OverlapCancelPrevious, evaluator.OverlapAllowAll
	T := evaluator.OverlapTerminatePrevious
	for _, tc := range []struct {
		p                 evaluator.OverlapPolicy
		running, buffered bool
		want              evaluator.Disposition
	}{
		{S, false, false, evaluator.Start}, {B, false, false, evaluator.Start},
		{C, false, false, evaluator.Start}, {A, false, false, evaluator.Start},
		{S, true, false, evaluator.Skip},
		{B, true, false, evaluator.Buffer}, {B, true, true, evaluator.Skip},
		{C, true, false, evaluator.Start}, {A, true, false, evaluator.Start},
		{T, false, false, evaluator.Start}, {T, true, false, evaluator.Start},
	} {
		assert.Equal(t, tc.want, evaluator.Overlap(tc.p, tc.running, tc.buffered), "%+v", tc)
	}
}

// The seed's catch-up table: 60 s interval, first 00:01, now 00:03. The seed
// fires [00:01,00:02,00:03] / [00:01] / [] with next 00:04; ours treats 00:03 as
// on time (docs/semantics.md), so one and skip also start it.
func TestPlanSeedCatchUp(t *testing.T) {
	g := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}).Grid(T0)
	rng := func(d evaluator.Disposition, from, until time.Time, n int64) evaluator.TickRange {
		return evaluator.TickRange{Disposition: d, From: from, Until: until, Count: n}
	}
	for _, tc := range []struct {
		policy evaluator.CatchUpPolicy
		want   []evaluator.TickRange
	}{
		{evaluator.CatchUpAll, []evaluator.TickRange{rng(evaluator.Start, at(1), at(4), 3)}},
		{evaluator.CatchUpOne, []evaluator.TickRange{rng(evaluator.Start, at(1), at(2), 1), rng(evaluator.Miss, at(2), at(3), 0), rng(evaluator.Start, at(3), at(4), 1)}},
		{evaluator.CatchUpSkip, []evaluator.TickRange{rng(evaluator.Miss, at(1), at(3), 0), rng(evaluator.Start, at(3), at(4), 1)}},
	} {
		p := evaluator.PlanDelivery(g, evaluator.PlanInput{Next: at(1), Now: at(3), Overlap: evaluator.OverlapAllowAll, CatchUp: tc.policy})
		assert.Equal(t, tc.want, p.Ranges, tc.policy.String())
		assert.Equal(t, at(4), p.Next)
		assert.True(t, p.Late)
	}
}

func TestPlanLoneLateTickIsOnTime(t *testing.T) {
	g := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}).Grid(T0)
	p := evaluator.PlanDelivery(g, evaluator.PlanInput{Next: at(1), Now: at(1).Add(50 * time.Second),
		Overlap: evaluator.OverlapSkip, CatchUp: evaluator.CatchUpSkip})
	assert.False(t, p.Late)
	assert.Equal(t, []evaluator.TickRange{{Disposition: evaluator.Start, From: at(1), Until: at(2), Count: 1}}, p.Ranges)
	p = evaluator.PlanDelivery(g, evaluator.PlanInput{Next: at(1), Now: at(1).Add(50 * time.Second),
		Overlap: evaluator.OverlapSkip, CatchUp: evaluator.CatchUpSkip, Window: 30 * time.Second})
	assert.Equal(t, evaluator.Miss, p.Ranges[0].Disposition, "the window applies to a lone tick too")
}

// countingSeq counts calls to prove the O(1) catch-up budget.
type countingSeq struct {
	evaluator.Grid
	next, count int
}

func (c *countingSeq) Next(after time.Time) time.Time { c.next++; return c.Grid.Next(after) }
func (c *countingSeq) CountIn(from, until time.Time) int64 {
	c.count++
	return c.Grid.CountIn(from, until)
}

// Catch-up one and skip cost O(1) in the outage: a 10-year outage on a 1 s
// interval and on "* * * * * *" takes a handful of Next calls, not 3·10⁸.
func TestCatchUpBudget(t *testing.T) {
	for _, spec := range []evaluator.TriggerSpec{{Interval: evaluator.Duration(time.Second)}, cronSpec("* * * * * *")} {
		for _, policy := range []evaluator.CatchUpPolicy{evaluator.CatchUpOne, evaluator.CatchUpSkip} {
			for _, window := range []time.Duration{0, time.Hour} {
				seq := &countingSeq{Grid: mustTrigger(t, spec).Grid(T0)}
				now := T0.AddDate(10, 0, 0).Add(500 * time.Millisecond)
				p := evaluator.PlanDelivery(seq, evaluator.PlanInput{Next: T0.Add(time.Second), Now: now,
					Overlap: evaluator.OverlapSkip, CatchUp: policy, Window: window})
				assert.LessOrEqual(t, seq.next, 5, "%v %s window %s", spec, policy, window)
				assert.Zero(t, seq.count)
				assert.Equal(t, now.Add(500*time.Millisecond), p.Next)
			}
		}
	}
}

// bruteForce is the obviously-correct planner: it walks every due tick.
func bruteForce(g evaluator.Grid, in evaluator.PlanInput) ([]evaluator.Disposition, time.Time) {
	var ticks []time.Time
	for t := in.Next; !t.IsZero() && !t.After(in.Now); t = g.Next(t) {
		ticks = append(ticks, t)
	}
	running, buffered := in.Running, in.Buffered
	overlap := func() evaluator.Disposition {
		d := evaluator.Overlap(in.Overlap, running, buffered)
		running = running || d == evaluator.Start
		buffered = buffered || d == evaluator.Buffer
		return d
	}
	var out []evaluator.Disposition
	oneTaken := false
	for _, t := range ticks {
		late := len(ticks) > 1 && t.Before(in.Now)
		switch {
		case in.Window > 0 && t.Before(in.Now.Add(-in.Window)):
			out = append(out, evaluator.Miss)
		case !late || in.CatchUp == evaluator.CatchUpAll:
			out = append(out, overlap())
		case in.CatchUp == evaluator.CatchUpOne && !oneTaken:
			oneTaken = true
			out = append(out, overlap())
		default:
			out = append(out, evaluator.Miss)
		}
	}
	return out, g.Next(in.Now)
}

// expand turns ranges back into one disposition per tick.
func expand(g evaluator.Grid, rs []evaluator.TickRange) ([]evaluator.Disposition, error) {
	var out []evaluator.Disposition
	for i, r := range rs {
		n := int64(0)
		for t := g.Next(r.From.Add(-time.Nanosecond)); !t.IsZero() && t.Before(r.Until); t = g.Next(t) {
			out = append(out, r.Disposition)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("range %d is empty", i)
		}
		if r.Disposition == evaluator.Start && r.Count != n {
			return nil, fmt.Errorf("range %d counts %d starts, holds %d", i, r.Count, n)
		}
		if i > 0 && !rs[i-1].Until.Equal(r.From) {
			return nil, fmt.Errorf("ranges %d and %d are not contiguous", i-1, i)
		}
	}
	return out, nil
}

func TestPlanMatchesBruteForce(t *testing.T) {
	specs := []evaluator.TriggerSpec{
		{Interval: evaluator.Duration(time.Minute)}, {Interval: evaluator.Duration(7 * time.Second)},
		cronSpec("*/5 * * * *"), cronSpec("*/20 * * * * *"), cronSpec("CRON_TZ=America/New_York 0 * * * *"),
	}
	grids := make([]evaluator.Grid, len(specs))
	for i, s := range specs {
		grids[i] = mustTrigger(t, s).Grid(T0)
	}
	params := gopter.DefaultTestParametersWithSeed(20261126)
	params.MinSuccessfulTests = 5000
	props := gopter.NewProperties(params)
	props.Property("PlanDelivery equals the tick-by-tick rule", prop.ForAll(
		func(spec, firstK, outage, overlap, catchUp, window, state int) string {
			g := grids[spec]
			first := T0
			for i := 0; i <= firstK; i++ {
				first = g.Next(first)
			}
			in := evaluator.PlanInput{Next: first, Now: first.Add(time.Duration(outage) * time.Second),
				Overlap: evaluator.OverlapPolicy(overlap), CatchUp: evaluator.CatchUpPolicy(catchUp),
				Window: time.Duration(window) * 5 * time.Second, Running: state > 0, Buffered: state > 1}
			want, wantNext := bruteForce(g, in)
			p := evaluator.PlanDelivery(g, in)
			got, err := expand(g, p.Ranges)
			switch {
			case err != nil:
				return err.Error()
			case !p.Next.Equal(wantNext):
				return fmt.Sprintf("next %s, want %s", p.Next, wantNext)
			case fmt.Sprint(got) != fmt.Sprint(want):
				return fmt.Sprintf("%+v: got %v, want %v", in, got, want)
			case p.Late != (len(want) > 1):
				return fmt.Sprintf("late %v with %d due", p.Late, len(want))
			}
			return ""
		},
		gen.IntRange(0, len(grids)-1), gen.IntRange(0, 3), gen.IntRange(0, 1500),
		gen.IntRange(1, 4), gen.IntRange(1, 3), gen.IntRange(0, 60), gen.IntRange(0, 2),
	))
	require.True(t, props.Run(gopter.NewFormatedReporter(true, 120, testWriter{t})))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func TestEnumText(t *testing.T) {
	for _, p := range evaluator.OverlapPolicies() {
		b, err := p.MarshalText()
		require.NoError(t, err)
		var back evaluator.OverlapPolicy
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, p, back)
	}
	var c evaluator.CatchUpPolicy
	require.NoError(t, c.UnmarshalText([]byte("one")))
	assert.Equal(t, evaluator.CatchUpOne, c)
	err := c.UnmarshalText([]byte("some"))
	require.ErrorIs(t, err, evaluator.ErrInvalidConfig)
	assert.EqualError(t, err, `invalid config: unknown catch-up policy "some" (want all, one, skip)`)
	_, err = evaluator.OverlapPolicy(0).MarshalText()
	assert.ErrorIs(t, err, evaluator.ErrInvalidConfig)
	assert.Equal(t, "unset", evaluator.OverlapPolicy(0).String())
	assert.Equal(t, "overlap policy(7)", evaluator.OverlapPolicy(7).String())
	var e evaluator.EventType
	assert.ErrorIs(t, e.UnmarshalText([]byte("exploded")), evaluator.ErrCorruptLog)
	assert.Equal(t, "decided", evaluator.Decided.String())
}

// TestEveryPolicyHasABehaviour walks the policy tables: a policy added to a
// table without a case in Overlap or PlanDelivery (whose default would
// silently treat it as skip) fails here.
func TestEveryPolicyHasABehaviour(t *testing.T) {
	busy := map[evaluator.OverlapPolicy]evaluator.Disposition{evaluator.OverlapSkip: evaluator.Skip,
		evaluator.OverlapBufferOne: evaluator.Buffer, evaluator.OverlapCancelPrevious: evaluator.Start, evaluator.OverlapAllowAll: evaluator.Start,
		evaluator.OverlapBufferAll: evaluator.Buffer, evaluator.OverlapTerminatePrevious: evaluator.Start}
	for _, p := range evaluator.OverlapPolicies() {
		want, ok := busy[p]
		require.True(t, ok, "overlap policy %s: no expected behaviour here, and likely no case in evaluator.Overlap", p)
		assert.Equal(t, want, evaluator.Overlap(p, true, false), p.String())
	}
	// Ticks 00:01 and 00:02 late, 00:03 on time: how many start in all.
	lateStarts := map[evaluator.CatchUpPolicy]int64{evaluator.CatchUpAll: 3, evaluator.CatchUpOne: 2, evaluator.CatchUpSkip: 1}
	g := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}).Grid(T0)
	for _, c := range evaluator.CatchUpPolicies() {
		want, ok := lateStarts[c]
		require.True(t, ok, "catch-up policy %s: no expected behaviour here, and likely no case in evaluator.PlanDelivery", c)
		p := evaluator.PlanDelivery(g, evaluator.PlanInput{Next: at(1), Now: at(3), Overlap: evaluator.OverlapAllowAll, CatchUp: c})
		var started int64
		for _, r := range p.Ranges {
			if r.Disposition == evaluator.Start {
				started += r.Count
			}
		}
		assert.Equal(t, want, started, c.String())
	}
}

package evaluator_test

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

func mustTrigger(t testing.TB, spec evaluator.TriggerSpec) *evaluator.Trigger {
	t.Helper()
	trig, err := evaluator.ParseTrigger(spec)
	require.NoError(t, err)
	return trig
}

func cronSpec(expr string) evaluator.TriggerSpec { return evaluator.TriggerSpec{Cron: expr} }

func TestParseTriggerAccepts(t *testing.T) {
	for _, expr := range []string{
		"0 0 * * *", "*/5 * * * *", "30 */5 * * * *", "@hourly", "@daily", "@weekly", "@monthly",
		"@yearly", "@annually", "@midnight", "CRON_TZ=America/New_York 30 2 * * *", "TZ=Europe/Paris 0 9 * * MON-FRI",
		"0 0 29 2 *", "  0 0 * * *  ",
	} {
		_, err := evaluator.ParseTrigger(cronSpec(expr))
		assert.NoError(t, err, expr)
	}
}

func TestParseTriggerRejects(t *testing.T) {
	for _, tc := range []struct {
		spec evaluator.TriggerSpec
		want error
	}{
		{cronSpec("invalid"), evaluator.ErrInvalidTrigger},
		{cronSpec(""), evaluator.ErrInvalidTrigger},
		{cronSpec("   "), evaluator.ErrInvalidTrigger},
		{cronSpec("* * *"), evaluator.ErrInvalidTrigger},
		{cronSpec("61 * * * *"), evaluator.ErrInvalidTrigger},
		{cronSpec("*/0 * * * *"), evaluator.ErrInvalidTrigger},
		{cronSpec("0 0 30 2 *"), evaluator.ErrNeverFires},
		{cronSpec("0 0 31 4 *"), evaluator.ErrNeverFires},
		{cronSpec("TZ=0"), evaluator.ErrInvalidTrigger}, // robfig panics on this one
		{cronSpec("CRON_TZ="), evaluator.ErrInvalidTrigger},
		{cronSpec("TZ=Mars/Olympus 0 0 * * *"), evaluator.ErrUnknownZone},
		{cronSpec("TZ=Local 0 0 * * *"), evaluator.ErrUnknownZone},
		{evaluator.TriggerSpec{Cron: "0 0 * * *", Timezone: "Local"}, evaluator.ErrUnknownZone},
		{evaluator.TriggerSpec{Cron: "TZ=UTC 0 0 * * *", Timezone: "UTC"}, evaluator.ErrInvalidTrigger},
		{evaluator.TriggerSpec{}, evaluator.ErrInvalidTrigger},
		{evaluator.TriggerSpec{Interval: 0}, evaluator.ErrInvalidTrigger},
		{evaluator.TriggerSpec{Interval: -1}, evaluator.ErrInvalidTrigger},
		{evaluator.TriggerSpec{Interval: evaluator.Duration(time.Second), Cron: "@daily"}, evaluator.ErrInvalidTrigger},
		{evaluator.TriggerSpec{Interval: evaluator.Duration(time.Second), Timezone: "UTC"}, evaluator.ErrInvalidTrigger},
		{cronSpec("@every 0s"), evaluator.ErrInvalidTrigger},
		{cronSpec("@every -5s"), evaluator.ErrInvalidTrigger},
		{cronSpec("@every soon"), evaluator.ErrInvalidTrigger},
		{cronSpec("TZ=UTC @every 5s"), evaluator.ErrInvalidTrigger},
		{cronSpec("@fortnightly"), evaluator.ErrInvalidTrigger},
	} {
		_, err := evaluator.ParseTrigger(tc.spec)
		require.ErrorIs(t, err, tc.want, "%+v", tc.spec)
		var te *evaluator.TriggerError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, tc.spec, te.Spec)
	}
}

func TestTriggerNext(t *testing.T) {
	day := mustTrigger(t, cronSpec("0 0 * * *"))
	assert.Equal(t, time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC), day.Grid(time.Time{}).Next(T0))

	five := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(5 * time.Minute)})
	noon := time.Date(2026, 6, 7, 12, 0, 0, 0, time.UTC)
	g := five.Grid(noon)
	assert.Equal(t, noon.Add(5*time.Minute), g.Next(noon))
	assert.Equal(t, noon.Add(10*time.Minute), g.Next(noon.Add(5*time.Minute)), "strictly after")
	assert.Equal(t, noon.Add(5*time.Minute), g.Next(noon.Add(-time.Hour)), "no tick before the first")
	assert.Equal(t, noon.Add(15*time.Minute), g.Next(noon.Add(12*time.Minute+time.Nanosecond)), "anchored, no drift")

	secs := mustTrigger(t, cronSpec("30 * * * * *"))
	assert.Equal(t, T0.Add(30*time.Second), secs.Grid(time.Time{}).Next(T0))
}

func TestEveryIsAnInterval(t *testing.T) {
	trig := mustTrigger(t, cronSpec("@every 90s"))
	require.True(t, trig.IsInterval())
	assert.Equal(t, 90*time.Second, trig.Period())
	ref := T0.Add(123 * time.Millisecond) // robfig's @every would truncate to the second
	assert.Equal(t, ref.Add(90*time.Second), trig.Grid(ref).Next(ref))

	sub := mustTrigger(t, cronSpec("@every 250ms"))
	assert.Equal(t, T0.Add(250*time.Millisecond), sub.Grid(T0).Next(T0), "robfig would round up to 1s")
}

func TestSuccessiveTicksStrictlyIncrease(t *testing.T) {
	for _, spec := range []evaluator.TriggerSpec{
		cronSpec("*/7 * * * * *"), cronSpec("CRON_TZ=America/New_York 30 1 * * *"),
		{Interval: evaluator.Duration(time.Nanosecond)}, {Interval: evaluator.Duration(37 * time.Hour)},
	} {
		g := mustTrigger(t, spec).Grid(T0)
		prev := T0
		for i := 0; i < 500; i++ {
			next := g.Next(prev)
			require.True(t, next.After(prev), "%v: %s then %s", spec, prev, next)
			prev = next
		}
	}
}

func TestCronWithoutZoneIsUTC(t *testing.T) {
	trig := mustTrigger(t, cronSpec("0 9 * * *"))
	assert.Equal(t, time.UTC, trig.Zone())
	paris := time.FixedZone("x", 2*3600)
	next := trig.Grid(time.Time{}).Next(time.Date(2026, 6, 7, 10, 0, 0, 0, paris)) // 08:00 UTC
	assert.Equal(t, time.Date(2026, 6, 7, 9, 0, 0, 0, time.UTC), next)
	assert.Equal(t, time.UTC, next.Location())
}

// DST follows robfig/cron (its TestNextWithTz): a wall-clock time inside the
// spring-forward gap does not fire that day; inside the repeated fall-back
// hour, a time fires for each occurrence.
func TestDaylightSavingTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	parse := func(s string) time.Time {
		v, err := time.Parse("2006-01-02T15:04:05-0700", s)
		require.NoError(t, err)
		return v
	}
	for _, tc := range []struct{ from, spec, want string }{
		// Spring forward 2012-03-11: 02:00 EST becomes 03:00 EDT.
		{"2012-03-11T00:00:00-0500", "TZ=America/New_York 0 30 2 11 Mar ?", "2013-03-11T02:30:00-0400"},
		{"2012-03-11T00:00:00-0500", "TZ=America/New_York 0 0 * * * ?", "2012-03-11T01:00:00-0500"},
		{"2012-03-11T01:00:00-0500", "TZ=America/New_York 0 0 * * * ?", "2012-03-11T03:00:00-0400"},
		{"2012-03-11T00:00:00-0500", "TZ=America/New_York 0 30 2 * * ?", "2012-03-12T02:30:00-0400"},
		// Fall back 2012-11-04: 02:00 EDT becomes 01:00 EST; 01:xx happens twice.
		{"2012-11-04T00:00:00-0400", "TZ=America/New_York 0 30 2 04 Nov ?", "2012-11-04T02:30:00-0500"},
		{"2012-11-04T01:45:00-0400", "TZ=America/New_York 0 30 1 04 Nov ?", "2012-11-04T01:30:00-0500"},
		{"2012-11-04T00:00:00-0400", "TZ=America/New_York 0 0 * * * ?", "2012-11-04T01:00:00-0400"},
		{"2012-11-04T01:00:00-0400", "TZ=America/New_York 0 0 * * * ?", "2012-11-04T01:00:00-0500"},
		{"2012-11-04T01:00:00-0500", "TZ=America/New_York 0 0 * * * ?", "2012-11-04T02:00:00-0500"},
	} {
		trig := mustTrigger(t, cronSpec(tc.spec))
		got := trig.Grid(time.Time{}).Next(parse(tc.from).UTC())
		want := parse(tc.want)
		assert.True(t, got.Equal(want), "%s after %s: got %s, want %s", tc.spec, tc.from, got.In(ny), want)
		assert.Equal(t, time.UTC, got.Location())
	}
	// The same through the timezone field instead of the prefix.
	trig := mustTrigger(t, evaluator.TriggerSpec{Cron: "30 2 * * *", Timezone: "America/New_York"})
	got := trig.Grid(time.Time{}).Next(parse("2012-03-11T00:00:00-0500"))
	assert.True(t, got.Equal(parse("2012-03-12T02:30:00-0400")), "spring-forward day skipped, got %s", got)
}

// Where robfig follows the rule (UTC, New York), our calendar gives its
// answers; calendar_test.go compares the two everywhere.
func TestCronAgreesWithRobfig(t *testing.T) {
	for _, expr := range []string{"*/5 * * * *", "0 0 * * *", "CRON_TZ=America/New_York 30 2 * * *", "15 10 * * 1-5"} {
		ours := mustTrigger(t, cronSpec(expr)).Grid(time.Time{})
		theirs, err := cron.ParseStandard(expr)
		require.NoError(t, err)
		at := T0
		for i := 0; i < 200; i++ {
			a, b := ours.Next(at), theirs.Next(at.In(time.UTC))
			require.True(t, a.Equal(b), "%s after %s: %s vs %s", expr, at, a, b)
			at = a
		}
	}
}

func TestGridCountIn(t *testing.T) {
	iv := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}).Grid(T0)
	cr := mustTrigger(t, cronSpec("* * * * *")).Grid(T0)
	for _, g := range []evaluator.Grid{iv, cr} {
		assert.Equal(t, int64(3), g.CountIn(at(1), at(4)))
		assert.Equal(t, int64(3), g.CountIn(at(1).Add(-time.Second), at(3).Add(time.Second)))
		assert.Equal(t, int64(0), g.CountIn(at(1).Add(time.Second), at(2)))
		assert.Equal(t, int64(0), g.CountIn(at(4), at(1)))
	}
}

func FuzzParseTrigger(f *testing.F) {
	for _, s := range []string{"0 0 * * *", "TZ=0", "CRON_TZ=America/New_York 30 2 * * *", "@every 90s",
		"@every -1s", "*/0 * * * *", "0 0 30 2 *", "TZ= ", "@", "1-0 * * * *", "* * * * * * *", "0-59/61 * * * *"} {
		f.Add(s, "", int64(0))
	}
	f.Add("", "", int64(time.Minute))
	f.Add("0 0 * * *", "America/New_York", int64(0))
	f.Fuzz(func(t *testing.T, expr, zone string, interval int64) {
		spec := evaluator.TriggerSpec{Cron: expr, Timezone: zone, Interval: evaluator.Duration(interval)}
		trig, err := evaluator.ParseTrigger(spec)
		if err != nil {
			return
		}
		g := trig.Grid(T0)
		if n := g.Next(T0); !n.IsZero() && !n.After(T0) {
			t.Fatalf("%+v: Next(%s) = %s is not after", spec, T0, n)
		}
	})
}

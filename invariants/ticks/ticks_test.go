package ticks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

var robfig = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// regular zones change their clocks by one hour, on the hour, not at
// midnight (or never); robfig/cron agrees with the wall-clock rule there.
var regular = []string{"UTC", "America/New_York", "Europe/Berlin", "Europe/London", "Australia/Sydney", "America/Los_Angeles", "Asia/Kolkata", "Europe/Dublin", "Pacific/Auckland", "America/St_Johns"}

// irregular zones change their clocks at midnight (Havana, Tehran, Cairo,
// Santiago, Beirut, Asunción), by 30 minutes (Lord Howe) or at 02:45
// (Chatham): robfig/cron v3.0.1 departs from the rule there (see
// TestRobfigDepartsFromTheRule).
var irregular = []string{"America/Havana", "Asia/Tehran", "Africa/Cairo", "America/Santiago", "Asia/Beirut", "America/Asuncion", "Australia/Lord_Howe", "Pacific/Chatham"}

func randomItem(r *rand.Rand, lo, hi int) string {
	v := func() int { return lo + r.IntN(hi-lo+1) }
	switch r.IntN(7) {
	case 0:
		return "*"
	case 1:
		return fmt.Sprintf("*/%d", 1+r.IntN(hi-lo+1))
	case 2:
		a, b := v(), v()
		return fmt.Sprintf("%d-%d", min(a, b), max(a, b))
	case 3:
		a, b := v(), v()
		return fmt.Sprintf("%d-%d/%d", min(a, b), max(a, b), 1+r.IntN(4))
	case 4:
		return fmt.Sprintf("%d/%d", v(), 1+r.IntN(10))
	default:
		return fmt.Sprint(v())
	}
}

func randomField(r *rand.Rand, lo, hi int) string {
	items := []string{randomItem(r, lo, hi)}
	for r.IntN(3) == 0 {
		items = append(items, randomItem(r, lo, hi))
	}
	return strings.Join(items, ",")
}

// randomCron draws an expression weighted towards the hours DST changes touch.
func randomCron(r *rand.Rand) string {
	hour := randomField(r, 0, 23)
	if r.IntN(2) == 0 {
		hour = randomField(r, 0, 3)
	}
	f := []string{randomField(r, 0, 59), hour, "*", "*", "*"}
	if r.IntN(3) == 0 {
		f[2] = randomField(r, 1, 31)
	}
	if r.IntN(4) == 0 {
		f[3] = randomField(r, 1, 12)
	}
	if r.IntN(3) == 0 {
		f[4] = randomField(r, 0, 6)
	}
	if r.IntN(3) == 0 {
		f = append([]string{randomField(r, 0, 59)}, f...)
	}
	return strings.Join(f, " ")
}

// transitions lists the instants around which zone's offset changes in [from, until).
func transitions(zone *time.Location, from, until time.Time) []time.Time {
	var out []time.Time
	_, prev := from.In(zone).Zone()
	for t := from; t.Before(until); t = t.Add(time.Hour) {
		if _, off := t.In(zone).Zone(); off != prev {
			out = append(out, t)
			prev = off
		}
	}
	return out
}

// randomFrom draws an instant in 2020–2029, three times in four within
// four hours before one of zone's clock changes.
func randomFrom(r *rand.Rand, loc *time.Location) time.Time {
	year := 2020 + r.IntN(10)
	ts := transitions(loc, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(ts) > 0 && r.IntN(4) > 0 {
		return ts[r.IntN(len(ts))].Add(-time.Duration(r.IntN(4*3600)) * time.Second)
	}
	return time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(2)*r.IntN(1e9), time.UTC)
}

// TestAgreesWithRobfig walks random expressions in regular zones through
// several ticks from instants placed around their clock changes, and
// compares every tick with robfig/cron's Next.
func TestAgreesWithRobfig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	compared := 0
	for i := 0; i < n; i++ {
		expr := randomCron(r)
		zone := regular[i%len(regular)]
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		sched, rerr := robfig.Parse(expr)
		ours, oerr := Parse(evaluator.TriggerSpec{Cron: expr, Timezone: zone})
		if rerr != nil {
			assert.Error(t, oerr, "robfig refuses %q (%v)", expr, rerr)
			continue
		}
		if oerr != nil && strings.Contains(oerr.Error(), "never fires") {
			continue
		}
		require.NoError(t, oerr, expr)
		sched.(*cron.SpecSchedule).Location = loc
		from := randomFrom(r, loc)
		theirs := func(t time.Time) time.Time { return sched.Next(t).UTC() }
		compared += sameTicks(t, theirs, ours.Next, from, fmt.Sprintf("%q in %s", expr, zone))
	}
	t.Logf("%d ticks compared", compared)
	assert.Greater(t, compared, n)
}

// sameTicks walks 30 ticks of a and b from `from` and asserts they are the
// same; it returns how many it compared.
func sameTicks(t *testing.T, a, b func(time.Time) time.Time, from time.Time, what string) int {
	x, y := from, from
	for k := 0; k < 30; k++ {
		x, y = a(x), b(y)
		if !assert.Equal(t, x, y, "%s, tick %d after %s", what, k+1, from) || x.IsZero() {
			return k + 1
		}
	}
	return 30
}

// bruteNext is the rule itself, for 5-field expressions: the first whole
// minute after `after` whose wall clock in the zone matches, found by trying
// every minute (every offset of these years is a whole number of minutes).
func bruteNext(t *Trigger, after time.Time, within time.Duration) time.Time {
	for at := after.Truncate(time.Minute).Add(time.Minute); at.Before(after.Add(within)); at = at.Add(time.Minute) {
		w := at.In(t.zone)
		if t.has(4, int(w.Month())) && t.dayMatches(w.Day(), w.Weekday()) && t.has(2, w.Hour()) && t.has(1, w.Minute()) {
			return at.UTC()
		}
	}
	return time.Time{}
}

// TestFollowsTheRule checks Next against the rule, minute by minute, in
// every zone, irregular ones included, around clock changes.
func TestFollowsTheRule(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 1500
	if testing.Short() {
		n = 150
	}
	zones := append(slices.Clone(regular), irregular...)
	compared := 0
	for i := 0; i < n; i++ {
		expr := randomCron(r)
		if len(strings.Fields(expr)) != 5 {
			continue
		}
		zone := zones[i%len(zones)]
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		ours, err := Parse(evaluator.TriggerSpec{Cron: expr, Timezone: zone})
		if err != nil {
			continue
		}
		from := randomFrom(r, loc)
		got := ours.Next(from)
		if got.IsZero() || got.Sub(from) > 9*24*time.Hour {
			continue // too far for the brute force
		}
		want := bruteNext(ours, from, 9*24*time.Hour)
		assert.Equal(t, want, got, "%q in %s after %s", expr, zone, from)
		compared++
	}
	assert.Greater(t, compared, n/4)
}

// TestRobfigDepartsFromTheRule pins what the differential test found:
// robfig/cron v3.0.1's Next fires on the wrong weekday where clocks change
// at midnight and skips ticks where they change by 30 minutes or off the
// hour. Each case is checked by hand against the wall clock in the comment.
// The checkers and the reference evaluator (since it stopped using robfig's
// Next) follow the rule; docs/findings.md, robfig-1 to robfig-4.
func TestRobfigDepartsFromTheRule(t *testing.T) {
	for _, c := range []struct {
		expr, zone      string
		after           time.Time
		robfig, theRule string // local times
	}{
		// Saturdays at 05:18; 2027-09-04 was one. Clocks went from 24:00 to
		// 01:00 on Sunday 5th: robfig fires on that Sunday.
		{"18 5 * * 6", "America/Santiago", time.Date(2027, 9, 4, 9, 18, 0, 0, time.UTC), "2027-09-05T05:18:00-03:00", "2027-09-11T05:18:00-03:00"},
		// 06:00 daily; clocks went from 02:00 to 02:30 on 2025-10-05. robfig
		// keeps stepping hours from the half hour and misses the 5th.
		{"0 6 * * *", "Australia/Lord_Howe", time.Date(2025, 10, 4, 12, 2, 0, 0, time.UTC), "2025-10-06T06:00:00+11:00", "2025-10-05T06:00:00+11:00"},
		// 03:13, 03:18, ... 03:58 and every five hours after; clocks went
		// from 02:45 to 03:45 on 2027-09-26, so 03:48 existed. robfig skips to 08:13.
		{"13/5 3/5 * * *", "Pacific/Chatham", time.Date(2027, 9, 25, 13, 20, 57, 0, time.UTC), "2027-09-26T08:13:00+13:45", "2027-09-26T03:48:00+13:45"},
	} {
		loc, err := time.LoadLocation(c.zone)
		require.NoError(t, err)
		sched, err := robfig.Parse(c.expr)
		require.NoError(t, err)
		sched.(*cron.SpecSchedule).Location = loc
		ours, err := Parse(evaluator.TriggerSpec{Cron: c.expr, Timezone: c.zone})
		require.NoError(t, err)
		assert.Equal(t, c.robfig, sched.Next(c.after).In(loc).Format(time.RFC3339), "robfig, %q in %s", c.expr, c.zone)
		assert.Equal(t, c.theRule, ours.Next(c.after).In(loc).Format(time.RFC3339), "ours, %q in %s", c.expr, c.zone)
		assert.Equal(t, c.theRule, bruteNext(ours, c.after, 30*24*time.Hour).In(loc).Format(time.RFC3339), "the rule, %q in %s", c.expr, c.zone)
	}
}

// TestAcceptsWhatTheEvaluatorAccepts: random strings of cron tokens are
// accepted, refused as never firing, or refused as invalid alike by Parse and
// by the evaluator (robfig's grammar and its leniencies: "*-5" is "*",
// empty list items are ignored, "+5" is 5).
func TestAcceptsWhatTheEvaluatorAccepts(t *testing.T) {
	tokens := []string{"*", "?", "0", "5", "7", "12", "31", "32", "60", "-", "/", ",", "jan", "MON", "sun", "+3", "*/", "-1", " ", " ", " ", " "}
	prefixes := []string{"", "", "", "@daily", "@every 90s", "CRON_TZ=Europe/Berlin ", "TZ=Nowhere/City ", "@weekly", "@reboot", "TZ=UTC"}
	r := rand.New(rand.NewPCG(5, 6))
	n, accepted := 20000, 0
	if testing.Short() {
		n = 2000
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		b.WriteString(prefixes[r.IntN(len(prefixes))])
		if b.Len() == 0 || b.String()[b.Len()-1] == ' ' {
			for k := 4 + r.IntN(16); k > 0; k-- {
				b.WriteString(tokens[r.IntN(len(tokens))])
			}
		}
		spec := evaluator.TriggerSpec{Cron: b.String()}
		_, theirs := evaluator.ParseTrigger(spec)
		_, ours := Parse(spec)
		if theirs == nil {
			accepted++
		}
		if !assert.Equal(t, theirs == nil, ours == nil, "%q: evaluator %v, ours %v", spec.Cron, theirs, ours) {
			continue
		}
		if theirs != nil {
			assert.Equal(t, errors.Is(theirs, evaluator.ErrNeverFires), errors.Is(ours, ErrNeverFire), "%q: evaluator %v, ours %v", spec.Cron, theirs, ours)
			assert.Equal(t, errors.Is(theirs, evaluator.ErrUnknownZone), errors.Is(ours, ErrZone), "%q: evaluator %v, ours %v", spec.Cron, theirs, ours)
		}
	}
	t.Logf("%d of %d accepted", accepted, n)
	assert.Greater(t, accepted, n/50)
}

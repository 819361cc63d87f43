package ticks

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

// TestEvaluatorFollowsTheRule: the reference evaluator computes cron ticks
// with a calendar of its own (evaluator/calendar.go, which jumps over
// constant-offset segments), the checkers with this package (which walks
// units and checks offsets at both ends). Two independent implementations of
// one rule must give the same ticks everywhere: regular and irregular zones,
// and zones that skipped a day (Apia, 2011), changed at 00:01 (St John's,
// until 2011), by two hours (Troll) or by half an hour for good (Caracas,
// Pyongyang), from instants around their clock changes.
func TestEvaluatorFollowsTheRule(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 4000
	if testing.Short() {
		n = 400
	}
	zones := append(append(slices.Clone(regular), irregular...), "Pacific/Apia", "Antarctica/Troll", "America/Caracas", "Asia/Pyongyang")
	compared := 0
	for i := 0; i < n; i++ {
		expr := randomCron(r)
		zone := zones[i%len(zones)]
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		oracle, oerr := Parse(evaluator.TriggerSpec{Cron: expr, Timezone: zone})
		trig, eerr := evaluator.ParseTrigger(evaluator.TriggerSpec{Cron: expr, Timezone: zone})
		if oerr != nil || eerr != nil {
			assert.Equal(t, oerr != nil, eerr != nil, "%q: one refuses (%v), the other not (%v)", expr, oerr, eerr)
			continue
		}
		var from time.Time
		switch zone {
		case "Pacific/Apia":
			from = time.Date(2011, 12, 25+r.IntN(5), r.IntN(24), 0, 0, 0, time.UTC)
		case "America/St_Johns":
			from = time.Date(2000+r.IntN(11), time.Month(3+7*r.IntN(2)), 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(40*24)) * time.Hour)
		case "America/Caracas", "Asia/Pyongyang":
			from = time.Date(2007+r.IntN(12), 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(365*24)) * time.Hour)
		default:
			from = randomFrom(r, loc)
		}
		compared += sameTicks(t, oracle.Next, trig.Grid(time.Time{}).Next, from, fmt.Sprintf("%q in %s", expr, zone))
	}
	t.Logf("%d ticks compared", compared)
	assert.Greater(t, compared, 10*n)
}

// The irregular zones of TestRobfigDepartsFromTheRule are where the evaluator
// used to inherit robfig's answers; it now gives the rule's.
func TestEvaluatorIsNotRobfig(t *testing.T) {
	for _, c := range []struct{ expr, zone, after, want string }{
		{"18 5 * * 6", "America/Santiago", "2027-09-04T09:18:00Z", "2027-09-11T05:18:00-03:00"},
		{"0 6 * * *", "Australia/Lord_Howe", "2025-10-04T12:02:00Z", "2025-10-05T06:00:00+11:00"},
		{"0 0 * * *", "America/St_Johns", "2000-10-29T02:31:00Z", "2000-10-29T00:00:00-03:30"},
		{"18 5 * * 6", "Pacific/Apia", "2011-12-28T12:00:00Z", "2011-12-31T05:18:00+14:00"},
	} {
		trig, err := evaluator.ParseTrigger(evaluator.TriggerSpec{Cron: c.expr, Timezone: c.zone})
		require.NoError(t, err)
		after, err := time.Parse(time.RFC3339, c.after)
		require.NoError(t, err)
		got := trig.Grid(time.Time{}).Next(after).In(trig.Zone()).Format(time.RFC3339)
		assert.Equal(t, c.want, got, "%q in %s", c.expr, c.zone)
		assert.False(t, strings.HasPrefix(got, "0001"))
	}
}

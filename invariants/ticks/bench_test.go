package ticks

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/schedsim/schedsim/evaluator"
)

// BenchmarkNext measures one tick of ours and, as the anchor, of robfig's
// Next for the same expression, within 2026 (past the zone database's last
// listed change, 2037, Go computes offsets from a rule at every call, which
// would dominate).
func BenchmarkNext(b *testing.B) {
	for _, c := range []struct{ name, expr, zone string }{
		{"every5min", "*/5 * * * *", ""}, {"daily", "0 0 * * *", ""}, {"NewYork", "30 2 * * *", "America/New_York"},
	} {
		ours, err := Parse(evaluator.TriggerSpec{Cron: c.expr, Timezone: c.zone})
		if err != nil {
			b.Fatal(err)
		}
		theirs, _ := robfig.Parse(c.expr)
		if c.zone != "" {
			loc, _ := time.LoadLocation(c.zone)
			theirs.(*cron.SpecSchedule).Location = loc
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		b.Run(c.name+"/ours", func(b *testing.B) {
			t := start
			for b.Loop() {
				if t = ours.Next(t); t.Year() > 2026 {
					t = start
				}
			}
		})
		b.Run(c.name+"/robfig", func(b *testing.B) {
			t := start
			for b.Loop() {
				if t = theirs.Next(t); t.Year() > 2026 {
					t = start
				}
			}
		})
	}
}

package invariants_test

import (
	"testing"
	"time"

	"github.com/schedsim/schedsim/internal/fleet"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/sim"
)

// The checkers must be linear in the history: these run every check of one
// run (invariants.Run) on the benchmark fleet, with a crash every 6 hours.
// The world is built once, outside the timing. Run with -benchtime=1x.
func BenchmarkCheck1000x1h(b *testing.B)  { benchCheck(b, 1000, time.Hour) }
func BenchmarkCheck10000x1h(b *testing.B) { benchCheck(b, 10000, time.Hour) }
func BenchmarkCheck10000x1d(b *testing.B) { benchCheck(b, 10000, 24*time.Hour) }
func BenchmarkCheck10x7d(b *testing.B)    { benchCheck(b, 10, 7*24*time.Hour) }
func BenchmarkCheck10x30d(b *testing.B)   { benchCheck(b, 10, 30*24*time.Hour) }
func BenchmarkCheckTenYears(b *testing.B) { benchOutage(b) }

func benchCheck(b *testing.B, n int, horizon time.Duration) {
	ops, durations := fleet.New(n)
	var crashes []sim.Fault
	for t := 6*time.Hour + 10*time.Second; t < horizon; t += 6 * time.Hour {
		crashes = append(crashes, sim.Fault{Kind: sim.Crash, At: sim.DefaultStart.Add(t), Downtime: 5 * time.Minute})
	}
	cfg := sim.Config{Ops: ops, Duration: durations, CancelDelay: 30 * time.Second, Plan: sim.Plan{Faults: crashes}}
	runChecks(b, cfg, sim.DefaultStart.Add(horizon))
}

// benchOutage is one schedule down for ten years (a 1-minute interval,
// catch-up one): the checkers must cost what the run did, not the outage.
func benchOutage(b *testing.B) {
	ops, durations := fleet.New(3)
	cfg := sim.Config{Ops: ops, Duration: durations, Plan: sim.Plan{Faults: []sim.Fault{
		{Kind: sim.Crash, At: sim.DefaultStart.Add(30 * time.Second), Downtime: 10 * 365 * 24 * time.Hour}}}}
	runChecks(b, cfg, sim.DefaultStart.Add(10*365*24*time.Hour+time.Hour))
}

func runChecks(b *testing.B, cfg sim.Config, until time.Time) {
	w, err := sim.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := w.Run(until); err != nil {
		b.Fatal(err)
	}
	runs := len(w.Engine().Runs())
	b.ReportAllocs()
	b.ResetTimer()
	var rep invariants.Report
	for i := 0; i < b.N; i++ {
		rep = invariants.Run(w, cfg)
	}
	b.StopTimer()
	if len(rep.Violations) > 0 {
		b.Fatalf("the reference violates %s", rep.Violations[0])
	}
	b.ReportMetric(float64(runs), "executions")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(max(runs, 1))*1e6, "µs/execution")
}

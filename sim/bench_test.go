package sim_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/internal/fleet"
	"github.com/schedsim/schedsim/sim"
)

// BenchmarkWorld30Days is issue 3's workload: 1,000 schedules, 30 simulated
// days, a crash with 5 minutes of downtime every 6 simulated hours, hourly
// compaction so that recovery reads a snapshot. Run with -benchtime=1x.
func BenchmarkWorld30Days(b *testing.B) { benchWorld(b, 1000, 30*24*time.Hour) }

// BenchmarkWorld1Day is the same fleet over one day, for quicker comparisons.
func BenchmarkWorld1Day(b *testing.B) { benchWorld(b, 1000, 24*time.Hour) }

// BenchmarkWorldHorizon: 100 schedules over 1, 30 and 365 days with the same
// crash every 6 hours: the cost of a tick must not grow with the horizon.
func BenchmarkWorldHorizon(b *testing.B) {
	for _, days := range []int{1, 30, 365} {
		b.Run(fmt.Sprintf("100x%dd", days), func(b *testing.B) { benchWorld(b, 100, time.Duration(days)*24*time.Hour) })
	}
}

// BenchmarkWorldScale: 1 to 10,000 schedules over one day. peak-RSS-MB is the
// process's peak, so run one size per process (-bench 'Scale/10000') to read it.
func BenchmarkWorldScale(b *testing.B) {
	for _, n := range []int{1, 100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			benchWorld(b, n, 24*time.Hour)
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
			}
		})
	}
}

func benchWorld(b *testing.B, n int, horizon time.Duration) {
	ops, durations := fleet.New(n)
	var crashes []sim.Fault
	for t := 6 * time.Hour; t < horizon; t += 6 * time.Hour {
		crashes = append(crashes, sim.Fault{Kind: sim.Crash, At: sim.DefaultStart.Add(t), Downtime: 5 * time.Minute})
	}
	b.ReportAllocs()
	var st sim.Stats
	for i := 0; i < b.N; i++ {
		w, err := sim.New(sim.Config{Ops: ops, Duration: durations, CancelDelay: 30 * time.Second,
			CompactEvery: time.Hour, Lean: true, Plan: sim.Plan{Faults: crashes}})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Run(sim.DefaultStart.Add(horizon)); err != nil {
			b.Fatal(err)
		}
		st = w.Stats()
	}
	elapsed := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(st.Decided)/elapsed, "ticks/s")
	b.ReportMetric(horizon.Seconds()/elapsed, "sim-s/s")
	b.ReportMetric(float64(st.Decided), "ticks")
	b.ReportMetric(float64(st.Crashes), "crashes")
	b.ReportMetric(elapsed*1e9/float64(st.Decided), "ns/tick")
}

// BenchmarkRecover1000 measures one recovery of 1,000 schedules from a
// snapshot taken after a simulated day: project, adopt, refresh the running
// sets, arm 1,000 timers.
func BenchmarkRecover1000(b *testing.B) {
	ops, durations := fleet.New(1000)
	w, err := sim.New(sim.Config{Ops: ops, Duration: durations, CompactEvery: time.Hour, Lean: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Run(sim.DefaultStart.Add(24*time.Hour + 30*time.Minute)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev, err := evaluator.New(evaluator.Options{Clock: w.Clock(), Timers: w.Timers(), Engine: w.Engine(), Log: w.Log()})
		if err != nil {
			b.Fatal(err)
		}
		if err := ev.Recover(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// afterFuncTimers is the timer store people write for tests today: each timer
// is a clockwork AfterFunc whose callback runs the delivery on its own goroutine.
type afterFuncTimers struct {
	clock    *clockwork.FakeClock
	deliver  func(evaluator.Timer)
	mu       sync.Mutex
	timers   map[string]clockwork.Timer
	inFlight atomic.Int64 // armed-and-fired callbacks not finished yet
}

func (s *afterFuncTimers) Arm(_ context.Context, t evaluator.Timer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.timers[t.ID]; ok {
		old.Stop()
	}
	s.timers[t.ID] = s.clock.AfterFunc(t.At.Sub(s.clock.Now()), func() {
		s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		s.deliver(t)
	})
	return nil
}

func (s *afterFuncTimers) Disarm(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.timers[id]; ok {
		old.Stop()
		delete(s.timers, id)
	}
	return nil
}

// BenchmarkGoroutineStyle drives the one-day fleet the way schedulers are
// tested today: timers are clockwork AfterFunc callbacks on goroutines, time
// moves in one-second Advance steps, and each step waits for the callbacks.
// There is no crash (a goroutine cannot be stopped at a seam call) and the
// order of deliveries within a step is the Go scheduler's.
func BenchmarkGoroutineStyle(b *testing.B) {
	ops, durations := fleet.New(1000)
	horizon := 24 * time.Hour
	var decided int64
	for i := 0; i < b.N; i++ {
		clock := clockwork.NewFakeClockAt(sim.DefaultStart)
		engine := &fakes.Engine{Clock: clock, Duration: durations, CancelDelay: 30 * time.Second, Retain: 24 * time.Hour}
		log := &fakes.Log{Truncate: true}
		var ev *evaluator.Evaluator
		decided = 0
		timers := &afterFuncTimers{clock: clock, timers: map[string]clockwork.Timer{}}
		timers.deliver = func(t evaluator.Timer) {
			if out, err := ev.TimerFired(context.Background(), t.ScheduleID, t.At); err == nil && out == evaluator.Decided {
				atomic.AddInt64(&decided, 1)
			}
		}
		var err error
		ev, err = evaluator.New(evaluator.Options{Clock: clock, Timers: timers, Engine: engine, Log: log})
		if err != nil || ev.Recover(context.Background()) != nil {
			b.Fatal(err)
		}
		for _, op := range ops {
			if err := ev.Create(context.Background(), evaluator.Request{RequestID: "c", ScheduleID: op.ScheduleID}, op.Config); err != nil {
				b.Fatal(err)
			}
		}
		for clock.Now().Before(sim.DefaultStart.Add(horizon)) {
			clock.Advance(time.Second)
			// Wait for the callbacks this step fired (the usual sleep-free idiom:
			// yield until nothing is in flight).
			for k := 0; k < 3; k++ {
				for timers.inFlight.Load() > 0 {
					runtime.Gosched()
				}
				runtime.Gosched()
			}
			for _, r := range engine.CloseDue(clock.Now()) {
				_ = ev.ExecutionClosed(context.Background(), r.Request.ScheduleID, r.Execution, evaluator.StatusCompleted)
			}
			for _, n := range engine.Notices() {
				engine.AckNotice(n)
			}
		}
	}
	elapsed := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(decided)/elapsed, "ticks/s")
	b.ReportMetric(horizon.Seconds()/elapsed, "sim-s/s")
	b.ReportMetric(float64(decided), "ticks")
}

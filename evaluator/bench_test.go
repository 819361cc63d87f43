package evaluator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/robfig/cron/v3"

	"github.com/schedsim/schedsim/evaluator"
)

var benchCrons = []string{"*/5 * * * *", "0 0 * * *", "CRON_TZ=America/New_York 30 2 * * *"}

// benchSeams are the leanest seams that really record: the log appends to a
// slice, the engine and the timer store upsert map entries.
type benchSeams struct {
	events []evaluator.Event
	runs   map[string]evaluator.Execution
	timers map[string]evaluator.Timer
	last   evaluator.Execution // the latest start
}

func (s *benchSeams) Append(_ context.Context, e []evaluator.Event) error {
	s.events = append(s.events, e...)
	return nil
}
func (s *benchSeams) Read(context.Context) (*evaluator.Snapshot, []evaluator.Event, error) {
	return nil, s.events, nil
}
func (s *benchSeams) WriteSnapshot(context.Context, *evaluator.Snapshot) error { return nil }
func (s *benchSeams) Arm(_ context.Context, t evaluator.Timer) error {
	s.timers[t.ID] = t
	return nil
}
func (s *benchSeams) Disarm(_ context.Context, id string) error {
	delete(s.timers, id)
	return nil
}
func (s *benchSeams) Start(_ context.Context, r evaluator.StartRequest) (evaluator.StartResult, error) {
	if x, ok := s.runs[r.WorkflowID]; ok {
		return evaluator.StartResult{Execution: x, AlreadyStarted: true}, nil
	}
	x := evaluator.Execution{WorkflowID: r.WorkflowID, RunID: "r"}
	s.runs[r.WorkflowID] = x
	s.last = x
	return evaluator.StartResult{Execution: x}, nil
}
func (s *benchSeams) Cancel(context.Context, evaluator.Execution) error    { return nil }
func (s *benchSeams) Terminate(context.Context, evaluator.Execution) error { return nil }
func (s *benchSeams) Describe(_ context.Context, id string) (evaluator.WorkflowInfo, error) {
	x, ok := s.runs[id]
	return evaluator.WorkflowInfo{Found: ok, Execution: x}, nil
}

// BenchmarkTick measures the steady state of one schedule: a timer delivery
// that plans, starts an execution, records and re-arms, then the closure
// notice of that execution (allow_all). Every 1,024 ticks the clock goes back
// to T0 (so that cron ticks stay in the same years, as in BenchmarkNext)
// with a new evaluator over the same seams, emptied in place: the timer keeps
// running, and that amortised restart (a few ns a tick) is included.
func BenchmarkTick(b *testing.B) {
	specs := []evaluator.TriggerSpec{{Interval: evaluator.Duration(time.Minute)}}
	for _, c := range benchCrons {
		specs = append(specs, cronSpec(c))
	}
	timerID := evaluator.TimerID("s")
	ctx := context.Background()
	for _, spec := range specs {
		b.Run(spec.String(), func(b *testing.B) {
			const batch = 1024
			seams := &benchSeams{runs: map[string]evaluator.Execution{}, timers: map[string]evaluator.Timer{},
				events: make([]evaluator.Event, 0, 2*batch+8)}
			c := seedConfig(evaluator.OverlapAllowAll, evaluator.CatchUpOne)
			c.Trigger = spec
			var (
				ev    *evaluator.Evaluator
				clock *clockwork.FakeClock
			)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%batch == 0 {
					seams.events = seams.events[:0]
					clear(seams.runs)
					clear(seams.timers)
					clock = clockwork.NewFakeClockAt(T0)
					var err error
					ev, err = evaluator.New(evaluator.Options{Clock: clock, Timers: seams, Engine: seams, Log: seams})
					if err != nil || ev.Recover(ctx) != nil {
						b.Fatal(err)
					}
					if err := ev.Create(ctx, evaluator.Request{RequestID: "c", ScheduleID: "s"}, c); err != nil {
						b.Fatal(err)
					}
				}
				next := seams.timers[timerID].At
				clock.Advance(next.Sub(clock.Now()))
				if _, err := ev.TimerFired(ctx, "s", next); err != nil {
					b.Fatal(err)
				}
				if err := ev.ExecutionClosed(ctx, "s", seams.last, evaluator.StatusCompleted); err != nil {
					b.Fatal(err)
				}
			}
			if st, _ := ev.State("s"); len(st.Running) != 0 || st.Version < 3 {
				b.Fatalf("not steady: %d running, version %d", len(st.Running), st.Version)
			}
		})
	}
}

// BenchmarkNext is one cron tick of ours (the calendar) and, as the anchor
// in the same run, of robfig's Schedule.Next, the yardstick for BenchmarkTick.
func BenchmarkNext(b *testing.B) {
	for _, c := range benchCrons {
		s, err := cron.ParseStandard(c)
		if err != nil {
			b.Fatal(err)
		}
		g := mustTrigger(b, cronSpec(c)).Grid(T0)
		for _, impl := range []struct {
			name string
			next func(time.Time) time.Time
		}{{"robfig", s.Next}, {"ours", g.Next}} {
			b.Run(c+"/"+impl.name, func(b *testing.B) {
				t := T0
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if i%4096 == 0 { // as BenchmarkTick: stay within the same years
						t = T0
					}
					t = impl.next(t)
				}
			})
		}
	}
}

// benchLog is a synthetic log of n events over k schedules (60 s intervals):
// each schedule is created, then ticks alternate triggered / closed / skipped.
func benchLog(n, k int) []evaluator.Event {
	c := seedConfig(evaluator.OverlapSkip, evaluator.CatchUpOne)
	events := make([]evaluator.Event, 0, n)
	seq := make([]uint64, k)
	next := make([]time.Time, k)
	for i := 0; i < k; i++ {
		seq[i] = 1
		next[i] = at(1)
		events = append(events, evaluator.Event{Seq: 1, Type: evaluator.Created, ScheduleID: fmt.Sprintf("s%05d", i), At: T0, Config: &c, Next: at(1)})
	}
	for j := 0; len(events) < n; j++ {
		for i := 0; i < k && len(events) < n; i++ {
			id := fmt.Sprintf("s%05d", i)
			seq[i]++
			e := evaluator.Event{Seq: seq[i], ScheduleID: id, At: next[i]}
			x := evaluator.Execution{WorkflowID: evaluator.WorkflowID(id, next[i].Add(-time.Minute)), RunID: "r"}
			switch j % 3 {
			case 0:
				x.WorkflowID = evaluator.WorkflowID(id, next[i])
				e.Type, e.Nominal, e.Cause, e.Execution = evaluator.Triggered, next[i], evaluator.CauseTick, x
				next[i] = next[i].Add(time.Minute)
				e.Next = next[i]
			case 1:
				e.Type, e.Nominal = evaluator.Skipped, next[i]
				next[i] = next[i].Add(time.Minute)
				e.Next = next[i]
			case 2:
				x.WorkflowID = evaluator.WorkflowID(id, next[i].Add(-2*time.Minute))
				e.Type, e.Execution = evaluator.ExecutionClosed, x
			}
			events = append(events, e)
		}
	}
	return events
}

// BenchmarkProject projects 1,000,000 in-memory events over 10,000 schedules.
func BenchmarkProject(b *testing.B) {
	events := benchLog(1_000_000, 10_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		states, err := evaluator.Project(nil, events)
		if err != nil || len(states) != 10_000 {
			b.Fatal(err, len(states))
		}
	}
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeLog decodes the same log from JSON lines (the durable format).
func BenchmarkDecodeLog(b *testing.B) {
	events := benchLog(1_000_000, 10_000)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			b.Fatal(err)
		}
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dec := json.NewDecoder(bytes.NewReader(data))
		n := 0
		for dec.More() {
			var e evaluator.Event
			if err := dec.Decode(&e); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != len(events) {
			b.Fatal(n)
		}
	}
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkProjectSnapshot recovers the state of 10,000 schedules from a snapshot.
func BenchmarkProjectSnapshot(b *testing.B) {
	states, err := evaluator.Project(nil, benchLog(1_000_000, 10_000))
	if err != nil {
		b.Fatal(err)
	}
	snap := &evaluator.Snapshot{States: states}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, err := evaluator.Project(snap, nil); err != nil || len(out) != len(states) {
			b.Fatal(err)
		}
	}
}

// BenchmarkCatchUp10Years is one delivery after a 10-year outage, through the
// whole handler: plan, record, start the on-time tick, arm.
func BenchmarkCatchUp10Years(b *testing.B) {
	for _, spec := range []evaluator.TriggerSpec{{Interval: evaluator.Duration(time.Second)}, cronSpec("* * * * * *")} {
		for _, policy := range []evaluator.CatchUpPolicy{evaluator.CatchUpOne, evaluator.CatchUpSkip} {
			b.Run(spec.String()+"/"+policy.String(), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					w := newWorld(b)
					c := seedConfig(evaluator.OverlapSkip, policy)
					c.Trigger = spec
					w.create("s", c)
					w.setClock(T0.AddDate(10, 0, 0))
					b.StartTimer()
					if _, err := w.ev.TimerFired(w.ctx, "s", T0.Add(time.Second)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

package protocol_test

import (
	"testing"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/sim"
)

// benchWorld: 10 schedules on a 1 min interval for 6 simulated hours
// (3,600 ticks), through factory.
func benchWorld(b *testing.B, factory sim.Factory) {
	var ops []sim.Op
	for i := range 10 {
		ops = append(ops, sim.Op{At: sim.DefaultStart, Kind: sim.OpCreate, ScheduleID: string(rune('a' + i)), Config: evaluator.Config{
			Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}, Overlap: evaluator.OverlapAllowAll,
			CatchUp: evaluator.CatchUpAll, WorkflowType: "w"}})
	}
	ticks := 0
	for b.Loop() {
		w, err := sim.New(sim.Config{Factory: factory, Ops: ops, Duration: sim.Fixed(20 * time.Second)})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Run(sim.DefaultStart.Add(6 * time.Hour)); err != nil {
			b.Fatal(err)
		}
		ticks += w.Stats().Decided
		w.Close()
	}
	b.ReportMetric(float64(ticks)/b.Elapsed().Seconds(), "ticks/s")
}

func BenchmarkTicksInProcess(b *testing.B) { benchWorld(b, nil) }

func BenchmarkTicksThroughAdapter(b *testing.B) {
	benchWorld(b, protocol.Factory(protocol.Options{Command: adapter}))
}

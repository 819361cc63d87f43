package protocol_test

import (
	"bufio"
	"os"
	"os/exec"
	"syscall"
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

// BenchmarkPipeRoundTrip is the floor under the protocol's cost: one line to
// cat and back through blocking pipes like the harness's, no JSON, no world.
// A handled tick is six round trips (delivery, start, append, arm; closure
// notice, append), so 1/(6·this) bounds the ticks/s of a program that, like
// cat, sleeps in read(2) between messages.
func BenchmarkPipeRoundTrip(b *testing.B) {
	cmd := exec.Command("cat")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	var fds [2]int // blocking, as the harness's pipes
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	r, w := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w.Close()
	defer func() { in.Close(); _ = cmd.Wait(); r.Close() }()
	out := bufio.NewReader(r)
	line := []byte(`{"id":12,"type":"call","seam":"timers.arm","timer":{"id":"schedule:a","schedule_id":"a","at":"2026-06-07T00:01:00Z"}}` + "\n")
	for b.Loop() {
		if _, err := in.Write(line); err != nil {
			b.Fatal(err)
		}
		if _, err := out.ReadSlice('\n'); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/roundtrip")
}

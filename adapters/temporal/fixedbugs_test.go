package temporal

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/server/service/worker/scheduler"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
)

// A start as a fixed-bug case pins it: the tick's nominal time and when it
// started, as offsets from t0.
type start struct{ nominal, at time.Duration }

func (s start) String() string { return fmt.Sprintf("%v@%v", s.nominal, s.at) }

func starts(o Observation) []start {
	var out []start
	for _, x := range o.Executions {
		out = append(out, start{x.Nominal.Sub(t0), x.StartedAt.Sub(t0)})
	}
	return out
}

// A fixed bug of Temporal's scheduler, as a case: what the version the
// adapter drives must do, and a mutant of the adapter that reintroduces what
// the bug looked like from outside. The case passes on v1.32.1 (the exact
// starts, and the temporal-v1 checks), and fails under its mutant — so the
// case can catch the bug if it came back.
type fixedBug struct {
	name, ref string
	config    evaluator.Config
	ops       func(t *testing.T) []Op
	runFor    time.Duration
	span      time.Duration
	want      func(t *testing.T) []start
	mutant    mutant
}

func TestFixedBugs(t *testing.T) {
	m := time.Minute
	for _, c := range fixedBugs(m) {
		t.Run(c.name, func(t *testing.T) {
			s, err := Translate(c.config)
			require.NoError(t, err)
			in := Input{Schedule: s, RunFor: c.runFor, Start: t0, End: t0.Add(c.span)}
			if c.ops != nil {
				in.Ops = c.ops(t)
			}
			obs, err := Run(in)
			require.NoError(t, err)
			want := c.want(t)
			assert.Equal(t, want, starts(obs), "Temporal %s (%s)", "v1.32.1", c.ref)
			rep := invariants.Judge(profile.TemporalV1(), obs.History("s", c.config, t0, t0.Add(c.span)))
			assert.Empty(t, rep.Violations)

			in.mutant = c.mutant
			mut, err := Run(in)
			require.NoError(t, err)
			assert.NotEqual(t, want, starts(mut), "the mutant %s must change what starts", c.mutant)
			t.Logf("mutant %s: %v (want %v)", c.mutant, starts(mut), want)
		})
	}
}

func fixedBugs(m time.Duration) []fixedBug {
	bufferOne := config(evaluator.OverlapBufferOne, m)
	tenMinutes := config(evaluator.OverlapBufferOne, 10*m)
	jittered := config(evaluator.OverlapSkip, 5*m)
	jittered.Jitter = evaluator.Duration(m)
	ending := config(evaluator.OverlapSkip, m)
	ending.EndAt = at(3*m + 30*time.Second)
	return []fixedBug{
		{
			name: "buffer_one keeps one start waiting", ref: "#11530/#11555, a second buffered start in the V2 scheduler",
			config: bufferOne, runFor: 2*m + 20*time.Second, span: 7*m + 50*time.Second, mutant: bufferOneBuffersTwo,
			// 2m waits for 1m's close at 3m20s, 3m is dropped (the buffer
			// holds one), and so on.
			want: func(*testing.T) []start {
				return []start{{m, m}, {2 * m, 3*m + 20*time.Second}, {4 * m, 5*m + 40*time.Second}}
			},
		},
		{
			name: "trigger immediately waits under buffer_one", ref: "sdk-typescript #1594 (a client sent ALLOW_ALL)",
			config: tenMinutes, runFor: 5 * m, span: 25 * m, mutant: triggerIgnoresBufferOne,
			ops: func(*testing.T) []Op {
				return []Op{{At: at(11 * m), Patch: &schedulepb.SchedulePatch{TriggerImmediately: &schedulepb.TriggerImmediatelyRequest{ScheduledTime: timestamppb.New(at(11 * m))}}}}
			},
			want: func(*testing.T) []start { return []start{{10 * m, 10 * m}, {11 * m, 15 * m}, {20 * m, 20 * m}} },
		},
		{
			name: "an update between a tick's nominal and jittered times keeps it", ref: "#4866, fixed by #5381",
			config: jittered, runFor: 10 * time.Second, span: 12 * m, mutant: updateLosesTickInFlight,
			ops: func(t *testing.T) []Op {
				d := dueOf(t, jittered, 5*m)
				require.Positive(t, d-5*m, "the 5m tick must be jittered for this case")
				return []Op{{At: at(5*m + (d-5*m)/2), Update: updateTo(t, jittered)}}
			},
			want: func(t *testing.T) []start {
				return []start{{5 * m, dueOf(t, jittered, 5*m)}, {10 * m, dueOf(t, jittered, 10*m)}}
			},
		},
		{
			name: "the last occurrence before an end time is not jittered", ref: "#3059 (v1.17.1): a negative bound gave up to 50 days",
			config: ending, runFor: 10 * time.Second, span: 10 * m, mutant: jitterUnbounded,
			want: func(*testing.T) []start { return []start{{m, m}, {2 * m, 2 * m}, {3 * m, 3 * m}} },
		},
	}
}

// dueOf is when Temporal starts the tick at t0+nominal of c: its jittered
// time by Temporal's own CompiledSpec.
func dueOf(t *testing.T, c evaluator.Config, nominal time.Duration) time.Duration {
	t.Helper()
	s, err := Translate(c)
	require.NoError(t, err)
	cs, err := scheduler.NewSpecBuilder(func() int { return 0 }, func() int { return 0 }).NewCompiledSpec(s.Spec)
	require.NoError(t, err)
	next, err := cs.GetNextTime(jitterSeed, at(nominal-time.Second))
	require.NoError(t, err)
	require.Equal(t, at(nominal), next.Nominal)
	return next.Next.Sub(t0)
}

package temporal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	schedulepb "go.temporal.io/api/schedule/v1"
	schedulespb "go.temporal.io/server/api/schedule/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/schedsim/schedsim/evaluator"
)

// temporal-4 (docs/findings.md): an update that makes a tick due at its
// own instant — here it revives a schedule past its end time at 3m, a tick
// of the new spec — has that tick buffered twice: once when the update is
// handled, again at the next wakeup (the re-processing after the update
// does not advance LastProcessedTime, and the update keeps ticks due at its
// instant). The second start of 3m is refused by REJECT_DUPLICATE; under
// skip it takes the place of 4m, which is skipped as overlapping it.
//
// This pins Temporal's behaviour in v1.32.1: if it fails, Temporal changed —
// re-triage temporal-4 (and take it off the findings if fixed).
func TestTemporal4UpdateAtATickInstantBuffersItTwice(t *testing.T) {
	m := time.Minute
	for _, c := range []struct {
		o    evaluator.OverlapPolicy
		want []time.Duration
	}{
		{evaluator.OverlapSkip, []time.Duration{m, 2 * m, 3 * m, 5 * m}}, // 4m lost
		{evaluator.OverlapBufferOne, []time.Duration{m, 2 * m, 3 * m, 4 * m, 5 * m}},
		{evaluator.OverlapAllowAll, []time.Duration{m, 2 * m, 3 * m, 4 * m, 5 * m}},
	} {
		t.Run(c.o.String(), func(t *testing.T) {
			obs := revived(t, c.o, 3*m)
			assert.Equal(t, c.want, nominals(obs))
			assert.Equal(t, []Refusal{{WorkflowID: "wf-2026-06-07T00:03:00Z", At: at(4 * m)}}, obs.Refused,
				"3m asked for again at the next wakeup")
		})
	}
	// The same update a moment later: 3m is handled once, nothing is lost.
	obs := revived(t, evaluator.OverlapSkip, 3*m+time.Second)
	assert.Equal(t, []time.Duration{m, 2 * m, 4 * m, 5 * m}, nominals(obs))
	assert.Empty(t, obs.Refused)
}

// revived runs a schedule every minute, finished at 2m30s (its end time),
// revived at t0+when by an update without one, for six minutes.
func revived(t *testing.T, o evaluator.OverlapPolicy, when time.Duration) Observation {
	t.Helper()
	old := config(o, time.Minute)
	old.EndAt = at(150 * time.Second)
	s, err := Translate(old)
	require.NoError(t, err)
	obs, err := Run(Input{Schedule: s, RunFor: 10 * time.Second, Start: t0, End: at(6 * time.Minute),
		Ops: []Op{{At: at(when), Update: updateTo(t, config(o, time.Minute))}}})
	require.NoError(t, err)
	return obs
}

// updateTo is the update signal that replaces a schedule by c.
func updateTo(t *testing.T, c evaluator.Config) *schedulespb.FullUpdateRequest {
	t.Helper()
	u, err := Translate(c)
	require.NoError(t, err)
	u.Action = actionOf()
	return &schedulespb.FullUpdateRequest{Schedule: u}
}

// temporal-5 (docs/findings.md): V1 keeps one pending patch and one pending
// update: the signals that reach the schedule workflow in one workflow task
// (here both asked while its worker was down, 2m20s–2m40s) overwrite each
// other, so only the last patch is applied — a pause followed by a trigger
// loses the pause (3m, 4m and 5m run), a trigger followed by a pause loses
// the trigger — and a patch is applied before an update of the same task,
// whose state then undoes a pause asked after it.
//
// This pins Temporal's behaviour in v1.32.1: if it fails, re-triage
// temporal-5.
func TestTemporal5SignalsOfOneTaskOverwriteEachOther(t *testing.T) {
	m := time.Minute
	s, err := Translate(config(evaluator.OverlapSkip, m))
	require.NoError(t, err)
	pause := &schedulepb.SchedulePatch{Pause: "p"}
	trigger := &schedulepb.SchedulePatch{TriggerImmediately: &schedulepb.TriggerImmediatelyRequest{ScheduledTime: timestamppb.New(at(150 * time.Second))}}
	update := updateTo(t, config(evaluator.OverlapSkip, m))
	down := []Crash{{At: at(140 * time.Second), Downtime: 20 * time.Second}}
	for _, c := range []struct {
		name string
		ops  []Op
		want []start
	}{
		{"pause then trigger: the pause is lost", []Op{{At: at(145 * time.Second), Patch: pause}, {At: at(150 * time.Second), Patch: trigger}},
			[]start{{m, m}, {2 * m, 2 * m}, {150 * time.Second, 160 * time.Second}, {3 * m, 3 * m}, {4 * m, 4 * m}, {5 * m, 5 * m}}},
		{"trigger then pause: the trigger is lost", []Op{{At: at(145 * time.Second), Patch: trigger}, {At: at(150 * time.Second), Patch: pause}},
			[]start{{m, m}, {2 * m, 2 * m}}},
		{"update then pause: the update undoes the pause", []Op{{At: at(145 * time.Second), Update: update}, {At: at(150 * time.Second), Patch: pause}},
			[]start{{m, m}, {2 * m, 2 * m}, {3 * m, 3 * m}, {4 * m, 4 * m}, {5 * m, 5 * m}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			obs, err := Run(Input{Schedule: s, RunFor: 10 * time.Second, Start: t0, End: at(6 * m), Ops: c.ops, Crashes: down})
			require.NoError(t, err)
			assert.Equal(t, c.want, starts(obs))
		})
	}
	// Asked while the worker runs, each reaches the workflow in a task of
	// its own: the pause holds and the trigger runs.
	obs, err := Run(Input{Schedule: s, RunFor: 10 * time.Second, Start: t0, End: at(6 * m),
		Ops: []Op{{At: at(145 * time.Second), Patch: pause}, {At: at(150 * time.Second), Patch: trigger}}})
	require.NoError(t, err)
	assert.Equal(t, []start{{m, m}, {2 * m, 2 * m}, {150 * time.Second, 150 * time.Second}}, starts(obs))
}

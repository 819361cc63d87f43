package temporal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	schedulespb "go.temporal.io/server/api/schedule/v1"

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
			old := config(c.o, m)
			old.EndAt = at(2*m + 30*time.Second) // finished at 2m30s; the update at 3m revives it
			s, err := Translate(old)
			require.NoError(t, err)
			u, err := Translate(config(c.o, m))
			require.NoError(t, err)
			u.Action = actionOf()
			obs, err := Run(Input{Schedule: s, RunFor: 10 * time.Second, Start: t0, End: at(6 * m),
				Ops: []Op{{At: at(3 * m), Update: &schedulespb.FullUpdateRequest{Schedule: u}}}})
			require.NoError(t, err)
			assert.Equal(t, c.want, nominals(obs))
			assert.Equal(t, []Refusal{{WorkflowID: "wf-2026-06-07T00:03:00Z", At: at(4 * m)}}, obs.Refused,
				"3m asked for again at the next wakeup")
		})
	}
	// The same update a moment later: 3m is handled once, nothing is lost.
	old := config(evaluator.OverlapSkip, m)
	old.EndAt = at(2*m + 30*time.Second)
	s, err := Translate(old)
	require.NoError(t, err)
	u, err := Translate(config(evaluator.OverlapSkip, m))
	require.NoError(t, err)
	u.Action = actionOf()
	obs, err := Run(Input{Schedule: s, RunFor: 10 * time.Second, Start: t0, End: at(6 * m),
		Ops: []Op{{At: at(3*m + time.Second), Update: &schedulespb.FullUpdateRequest{Schedule: u}}}})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{m, 2 * m, 4 * m, 5 * m}, nominals(obs))
	assert.Empty(t, obs.Refused)
}

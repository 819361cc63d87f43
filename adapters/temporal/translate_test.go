package temporal

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/schedsim/schedsim/evaluator"
)

// What Temporal's schedules cannot express is refused with ErrUnsupported,
// naming what (a scenario that asks it is reported not applicable).
func TestTranslateRefusesWhatTemporalCannotExpress(t *testing.T) {
	one := config(evaluator.OverlapSkip, time.Minute)
	one.CatchUp = evaluator.CatchUpOne
	limited := config(evaluator.OverlapBufferAll, time.Minute)
	limited.BufferLimit = 10
	for want, c := range map[string]evaluator.Config{
		"catch-up one":  one,
		"buffer_limit":  limited,
		"interval 1.5s": config(evaluator.OverlapSkip, 1500*time.Millisecond),
	} {
		_, err := Translate(c)
		require.Error(t, err, want)
		assert.True(t, errors.Is(err, ErrUnsupported), "%s: %v", want, err)
		assert.Contains(t, err.Error(), want)
	}
	s, err := Translate(config(evaluator.OverlapCancelPrevious, 90*time.Second))
	require.NoError(t, err)
	assert.Equal(t, 90*time.Second, s.Spec.Interval[0].Interval.AsDuration())
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER, s.Policies.OverlapPolicy)
}

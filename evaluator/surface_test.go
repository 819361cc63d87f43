package evaluator_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

// The small exported pieces other packages and programs lean on: ids,
// enumerations and their text forms, a trigger's description of itself.
func TestSurface(t *testing.T) {
	assert.NoError(t, evaluator.ValidateScheduleID("billing.daily:eu-1"))
	for _, bad := range []string{"", "-lead", "has space", strings.Repeat("x", 201)} {
		assert.ErrorIs(t, evaluator.ValidateScheduleID(bad), evaluator.ErrInvalidRequest, "%q", bad)
	}

	for _, o := range []evaluator.Outcome{evaluator.Ignored, evaluator.Stale, evaluator.Early, evaluator.Decided} {
		text, err := o.MarshalText()
		require.NoError(t, err)
		var back evaluator.Outcome
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, o, back)
	}
	var o evaluator.Outcome
	assert.ErrorIs(t, o.UnmarshalText([]byte("maybe")), evaluator.ErrInvalidRequest)

	assert.Contains(t, evaluator.EventTypes(), evaluator.CatchUpDecided)
	for _, d := range []evaluator.Disposition{evaluator.Start, evaluator.Skip, evaluator.Buffer, evaluator.Miss} {
		assert.Contains(t, evaluator.Dispositions(), d)
	}

	zoned := evaluator.TriggerSpec{Cron: "30 2 * * *", Timezone: "America/New_York"}
	assert.Equal(t, "America/New_York 30 2 * * *", zoned.String())
	assert.Equal(t, "every 1m30s", evaluator.TriggerSpec{Interval: evaluator.Duration(90 * time.Second)}.String())
	trig := mustTrigger(t, zoned)
	assert.Equal(t, zoned, trig.Spec())
	iv := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)})
	assert.Equal(t, time.UTC, iv.Zone(), "an interval has no zone of its own")

	err := &evaluator.SeamError{Seam: "log.read", Err: errors.New("disk on fire")}
	assert.Equal(t, "log.read: disk on fire", err.Error())
	assert.ErrorContains(t, &evaluator.SeamError{Seam: "engine.start", ScheduleID: "s", Err: errors.New("x")}, `schedule "s": engine.start: x`)
}

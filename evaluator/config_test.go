package evaluator_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
)

// Ported from aion-core's round-trip tests: both trigger kinds, every policy
// and a whole config survive JSON.
func TestConfigJSONRoundTrip(t *testing.T) {
	for _, trig := range []evaluator.TriggerSpec{
		{Interval: evaluator.Duration(90 * time.Second)},
		{Cron: "30 2 * * *", Timezone: "America/New_York"},
	} {
		for _, o := range []evaluator.OverlapPolicy{evaluator.OverlapSkip, evaluator.OverlapBufferOne, evaluator.OverlapCancelPrevious, evaluator.OverlapAllowAll} {
			for _, c := range []evaluator.CatchUpPolicy{evaluator.CatchUpAll, evaluator.CatchUpOne, evaluator.CatchUpSkip} {
				in := seedConfig(o, c)
				in.Trigger = trig
				in.CatchUpWindow = ptr(evaluator.Duration(time.Hour))
				in.Input = json.RawMessage(`{"source":"schedule"}`)
				b, err := json.Marshal(in)
				require.NoError(t, err)
				var out evaluator.Config
				require.NoError(t, json.Unmarshal(b, &out))
				assert.Equal(t, in, out)
				require.NoError(t, out.Validate())
			}
		}
	}
	b, err := json.Marshal(seedConfig(evaluator.OverlapBufferOne, evaluator.CatchUpSkip))
	require.NoError(t, err)
	assert.JSONEq(t, `{"trigger":{"interval":"1m0s"},"overlap":"buffer_one","catch_up":"skip","workflow_type":"checkout",
		"input":{"source": "schedule"},"search_attributes":{"aion.namespace":"schedule-tenant"}}`, string(b))
}

// aion defaults a config without policies to skip/one; ours rejects it, naming
// the field: a conformance tool should not guess what the author meant.
func TestConfigWithoutPoliciesIsRejected(t *testing.T) {
	var c evaluator.Config
	require.NoError(t, json.Unmarshal([]byte(`{"trigger":{"cron":"@hourly"},"workflow_type":"w"}`), &c))
	var ce *evaluator.ConfigError
	require.ErrorAs(t, c.Validate(), &ce)
	assert.Equal(t, "overlap", ce.Field)
	assert.Error(t, json.Unmarshal([]byte(`{"overlap":"sometimes"}`), &c))
	assert.Error(t, json.Unmarshal([]byte(`{"trigger":{"interval":"soon"}}`), &c))
}

// Ported from aion's trigger tests for out-of-range intervals: the largest
// interval is accepted, and a grid that runs past the representable range
// has no next tick rather than a wrong one.
func TestIntervalRange(t *testing.T) {
	huge := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(math.MaxInt64)})
	g := huge.Grid(T0)
	assert.Equal(t, T0.Add(math.MaxInt64), g.Next(T0))
	assert.True(t, g.Next(T0.Add(math.MaxInt64)).IsZero())
	hourly := mustTrigger(t, evaluator.TriggerSpec{Interval: evaluator.Duration(time.Hour)}).Grid(T0)
	assert.True(t, hourly.Next(T0.AddDate(400, 0, 0)).IsZero(), "beyond 292 years of arithmetic")
	assert.Equal(t, T0.AddDate(200, 0, 0).Add(time.Hour), hourly.Next(T0.AddDate(200, 0, 0)))
}

// TestBufferAllIsRefused: buffer_all has a name (for other implementations'
// profiles) but the reference evaluator does not implement it, so Create
// refuses it as an invalid overlap policy rather than running it as another.
func TestBufferAllIsRefused(t *testing.T) {
	c := evaluator.Config{Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}, Overlap: evaluator.OverlapBufferAll,
		CatchUp: evaluator.CatchUpSkip, WorkflowType: "w"}
	err := c.Validate()
	var ce *evaluator.ConfigError
	if !errors.As(err, &ce) || ce.Field != "overlap" || !errors.Is(err, evaluator.ErrInvalidConfig) {
		t.Fatalf("want an overlap ConfigError, got %v", err)
	}
	if slices.Contains(evaluator.OverlapPolicies(), evaluator.OverlapBufferAll) || !slices.Contains(evaluator.NamedOverlapPolicies(), evaluator.OverlapBufferAll) {
		t.Fatal("buffer_all must be named but not listed as implemented")
	}
}

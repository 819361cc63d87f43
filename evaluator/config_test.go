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

// TestBufferLimit: buffer_all's bound defaults to 1,000; it must be
// positive, and only buffer_all takes one.
func TestBufferLimit(t *testing.T) {
	c := evaluator.Config{Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}, Overlap: evaluator.OverlapBufferAll,
		CatchUp: evaluator.CatchUpSkip, WorkflowType: "w"}
	if err := c.Validate(); err != nil || c.Limit() != 1000 || !slices.Contains(evaluator.OverlapPolicies(), evaluator.OverlapBufferAll) {
		t.Fatalf("buffer_all: %v, limit %d", err, c.Limit())
	}
	c.BufferLimit = 3
	if err := c.Validate(); err != nil || c.Limit() != 3 {
		t.Fatalf("buffer_limit 3: %v, limit %d", err, c.Limit())
	}
	for _, bad := range []struct {
		limit   int
		overlap evaluator.OverlapPolicy
		msg     string
	}{
		{-1, evaluator.OverlapBufferAll, "config.buffer_limit: invalid config: must be positive, got -1"},
		{5, evaluator.OverlapBufferOne, "config.buffer_limit: invalid config: applies only to overlap buffer_all, not buffer_one"},
	} {
		c.BufferLimit, c.Overlap = bad.limit, bad.overlap
		err := c.Validate()
		var ce *evaluator.ConfigError
		if !errors.As(err, &ce) || ce.Field != "buffer_limit" || !errors.Is(err, evaluator.ErrInvalidConfig) {
			t.Fatalf("limit %d with %s: want a buffer_limit ConfigError, got %v", bad.limit, bad.overlap, err)
		}
		if err.Error() != bad.msg {
			t.Errorf("got %q, want %q", err.Error(), bad.msg)
		}
	}
}

package timeline_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/timeline"
)

// TestSchemaDescribesEveryTimeline keeps docs/timeline.schema.json in step
// with the JSON: the timeline of every library scenario, against the
// reference and against a mutant that breaks invariants, validates (the
// schema forbids fields it does not name), and a wrong field does not.
func TestSchemaDescribesEveryTimeline(t *testing.T) {
	raw, err := os.ReadFile("../docs/timeline.schema.json")
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("timeline.schema.json", doc))
	schema, err := c.Compile("timeline.schema.json")
	require.NoError(t, err)
	validate := func(tl *timeline.Timeline) error {
		var b bytes.Buffer
		require.NoError(t, timeline.WriteJSON(&b, tl))
		v, err := jsonschema.UnmarshalJSON(&b)
		require.NoError(t, err)
		return schema.Validate(v)
	}
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	m, _ := mutants.ByName("recovery-clears-running")
	failing := 0
	for _, s := range all {
		for _, opts := range []scenarios.Options{{}, {Factory: m.Factory(0)}} {
			res, err := scenarios.Run(s, opts)
			require.NoError(t, err)
			if !res.Passed() {
				failing++
			}
			assert.NoError(t, validate(timeline.Build(res, "x")), s.File)
		}
	}
	assert.Positive(t, failing, "some runs fail, so violations and failures were validated too")
	res, err := scenarios.Run(all[0], scenarios.Options{})
	require.NoError(t, err)
	tl := timeline.Build(res, "x")
	tl.Verdict = "maybe"
	err = validate(tl)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "verdict"), err.Error())
}

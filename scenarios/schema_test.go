package scenarios_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/schedsim/schedsim/scenarios"
)

// TestSchemaAcceptsTheLibrary keeps docs/scenario.schema.json in step with the
// format: every bundled scenario validates, and typical mistakes do not.
func TestSchemaAcceptsTheLibrary(t *testing.T) {
	raw, err := os.ReadFile("../docs/scenario.schema.json")
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("scenario.schema.json", doc))
	schema, err := c.Compile("scenario.schema.json")
	require.NoError(t, err)

	asJSON := func(src []byte) any {
		var v any
		require.NoError(t, yaml.Unmarshal(src, &v))
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
		require.NoError(t, err)
		return out
	}
	names, err := scenarios.Find(scenarios.Library(), ".")
	require.NoError(t, err)
	for _, name := range names {
		src, err := fs.ReadFile(scenarios.Library(), name)
		require.NoError(t, err)
		assert.NoError(t, schema.Validate(asJSON(src)), name)
	}
	for _, bad := range []string{
		strings.Replace(good, "until: 2m", "untill: 2m", 1),
		strings.Replace(good, "overlap: skip", "overlap: sometimes", 1),
		strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, pause: s, resume: s}\nexpect:", 1),
		strings.Replace(good, "runs_for: 10s", "runs_for: 10 seconds", 1),
	} {
		assert.Error(t, schema.Validate(asJSON([]byte(bad))), bad)
	}
}

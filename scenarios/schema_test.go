package scenarios_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
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

// TestSchemasFollowTheTables: every enum of both JSON schemas that names
// policies, seam calls, phases, dispositions, event types or step kinds
// equals the Go table it mirrors, so a policy or fault kind added to a
// table cannot be forgotten in a schema.
func TestSchemasFollowTheTables(t *testing.T) {
	strs := func(vs []string, extra ...string) []string { return append(slices.Clone(vs), extra...) }
	overlaps, catchUps := names(evaluator.NamedOverlapPolicies()), names(evaluator.CatchUpPolicies())
	events, dispositions := names(evaluator.EventTypes()), names(evaluator.Dispositions())
	for _, tc := range []struct {
		file   string
		tables map[string][]string // the key an enum sits under → its values
	}{
		{"../docs/scenario.schema.json", map[string][]string{"overlap": overlaps, "catch_up": catchUps, "call": fakes.Calls,
			"phase": {"before", "after"}, "is": scenarios.Dispositions}},
		// The protocol carries a zero policy as "unset" (a create without one
		// is refused by the program, not by the schema).
		{"../docs/protocol.schema.json", map[string][]string{"overlap": strs(overlaps, "unset"), "catch_up": strs(catchUps, "unset"),
			"type": events, "disposition": dispositions}},
	} {
		raw, err := os.ReadFile(tc.file)
		require.NoError(t, err)
		var doc any
		require.NoError(t, json.Unmarshal(raw, &doc))
		checked := map[string]int{}
		var walk func(key string, v any)
		walk = func(key string, v any) {
			switch v := v.(type) {
			case map[string]any:
				if e, ok := v["enum"].([]any); ok {
					if want, ok := tc.tables[key]; ok {
						var got []string
						for _, x := range e {
							got = append(got, fmt.Sprint(x))
						}
						assert.Equal(t, want, got, "%s: the enum of %q", tc.file, key)
						checked[key]++
					}
				}
				for k, x := range v {
					walk(k, x)
				}
			case []any:
				for _, x := range v {
					walk(key, x)
				}
			}
		}
		walk("", doc)
		for key := range tc.tables {
			assert.Positive(t, checked[key], "%s has no enum under %q", tc.file, key)
		}
		if tc.file == "../docs/scenario.schema.json" {
			step := doc.(map[string]any)["properties"].(map[string]any)["timeline"].(map[string]any)["items"].(map[string]any)["properties"].(map[string]any)
			var kinds []string
			for k := range step {
				if k != "at" && k != "after" {
					kinds = append(kinds, k)
				}
			}
			assert.ElementsMatch(t, scenarios.StepKinds, kinds, "the timeline step kinds of %s", tc.file)
		}
	}
}

func names[T fmt.Stringer](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}

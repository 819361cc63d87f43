// Package protocoltest helps tests of programs that speak the process
// protocol: record what a program and the harness said to each other, and
// check every line against the published JSON Schema
// (docs/protocol.schema.json), which is stricter than the harness's decoder:
// it refuses unknown fields and checks formats and enumerations.
package protocoltest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Record wraps command so that the traffic is appended to two files in dir:
// what the harness sent (in) and what the program wrote (out).
func Record(dir, command string) (wrapped, in, out string) {
	in, out = filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out.jsonl")
	return fmt.Sprintf("tee -a %s | %s | tee -a %s", in, command, out), in, out
}

// Validate checks every line of the files against the schema at schemaPath
// and returns how many lines it checked.
func Validate(t testing.TB, schemaPath string, files ...string) int {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("protocol.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("protocol.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(l))
			if err != nil {
				t.Errorf("%s:%d: not JSON: %v", filepath.Base(f), i+1, err)
				continue
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("%s:%d: %v\n%s", filepath.Base(f), i+1, err, l)
			}
			lines++
		}
	}
	return lines
}

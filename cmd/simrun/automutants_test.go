package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/internal/mutate"
)

func TestAutoMutantsRefusesBadInput(t *testing.T) {
	code, _, errs := runArgs("mutants", "--auto", "--module", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "is not schedsim's module root")
	code, _, errs = runArgs("mutants", "--auto", "--table")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--auto takes no mutant names, --table or --list")
	code, _, errs = runArgs("mutants", "--auto", "--budget", "0")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--budget positive")
	code, _, errs = runArgs("mutants", "--auto", "--module", "../..", "--equivalent", "no/such/file")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "no/such/file")
}

func TestAutoMutantsHelpers(t *testing.T) {
	assert.Equal(t, "S1", firstViolation([]byte("simrun: x\nVIOLATION S1 at seed 7 (faults=...)\nVIOLATION C3 at seed 8\n")))
	assert.Equal(t, "", firstViolation([]byte("VALID: reference\n")))

	m := mutate.Mutation{File: "/tmp/x/module/evaluator/plan.go", Line: 91, Kind: "cond", What: "if a → true"}
	assert.Equal(t, "evaluator/plan.go:91: cond if a → true", key(m))
	file := filepath.Join(t.TempDir(), "equivalent.txt")
	require.NoError(t, os.WriteFile(file, []byte("# known\nevaluator/plan.go:91: cond if a → true  # why\n\n"), 0o644))
	eq, err := readEquivalent(file)
	require.NoError(t, err)
	assert.True(t, eq[key(m)])
	assert.Len(t, eq, 1)

	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, ".git"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(src, "evaluator"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, ".git", "HEAD"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(src, "evaluator", "a.go"), []byte("package evaluator\n"), 0o644))
	dst := filepath.Join(t.TempDir(), "copy")
	require.NoError(t, copyModule(src, dst))
	assert.FileExists(t, filepath.Join(dst, "evaluator", "a.go"))
	assert.NoDirExists(t, filepath.Join(dst, ".git"), "the copy leaves .git out")
}

// TestAutoReportScoresNothingAsAnError: when no mutant could be judged (all
// equivalent or not viable) the run says so and does not pass.
func TestAutoReportScoresNothingAsAnError(t *testing.T) {
	m := mutate.Mutation{File: "evaluator/x.go", Line: 1, Kind: "flip", What: "< → <="}
	var out strings.Builder
	code := autoReport([]autoResult{{m: m, status: "not viable"}, {m: m, status: "equivalent"}}, &out, false)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, out.String(), "nothing was scored")

	out.Reset()
	code = autoReport([]autoResult{{m: m, status: "killed", by: "S1"}, {m: m, status: "survived"}}, &out, false)
	assert.Equal(t, 1, code, "a survivor fails the run")
	assert.Contains(t, out.String(), "mutation score: 1/2 = 50.0%")
	assert.Contains(t, out.String(), "survived:\n  evaluator/x.go:1: flip < → <=")

	out.Reset()
	assert.Equal(t, 0, autoReport([]autoResult{{m: m, status: "killed", by: "S1"}}, &out, false))
}

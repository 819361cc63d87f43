package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedsim/schedsim/mutants"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckReferenceIsValid(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	code, out, errs := runArgs("check", "--seeds", "60", "--horizon", "24h", "--json", report)
	require.Equal(t, 0, code, out+errs)
	assert.Contains(t, out, "VALID: reference, 60 cases from seed 20261127")
	var rep checkReport
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.True(t, rep.Valid)
	assert.Equal(t, 60, rep.Cases)
	assert.Contains(t, errs, "simrun: checked 30/60 cases, 0 violations", "progress lines when stderr is no terminal")
}

func TestCheckFindsShrinksAndWritesAMutant(t *testing.T) {
	dir := t.TempDir()
	// Twelve hours, not a week: the shrinker then takes 0.5 s instead of 15.
	code, out, _ := runArgs("check", "--mutant", "cancel-previous-without-cancel", "--seeds", "200", "--horizon", "12h", "--out", dir, "--junit", filepath.Join(dir, "j.xml"))
	require.Equal(t, 1, code, out)
	assert.Contains(t, out, "VIOLATION S2 at seed")
	assert.Contains(t, out, " 1 violation, ", "singular")
	assert.Contains(t, out, "replay: simrun check --seed ")
	files, err := filepath.Glob(filepath.Join(dir, "S2-*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	// Its timeline is beside it, with the violation on it.
	page := strings.TrimSuffix(files[0], ".yaml") + ".html"
	assert.Contains(t, out, "timeline: "+page)
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(html), "S2 Cancel-previous")
	assert.Contains(t, string(html), `"verdict":"fail"`)
	// The scenario fails the same way against the mutant, and passes the reference.
	code, out, _ = runArgs("run", files[0], "--mutant", "cancel-previous-without-cancel")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "+S2 ")
	code, out, _ = runArgs("run", files[0])
	assert.Equal(t, 0, code, out)
	junit, err := os.ReadFile(filepath.Join(dir, "j.xml"))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `failures="1"`)
}

func TestCheckShardsMerge(t *testing.T) {
	dir := t.TempDir()
	var reports []string
	for _, s := range []string{"0/3", "1/3", "2/3"} {
		r := filepath.Join(dir, strings.ReplaceAll(s, "/", "-")+".json")
		code, out, _ := runArgs("check", "--seeds", "30", "--horizon", "6h", "--shard", s, "--json", r)
		require.Equal(t, 0, code, out)
		assert.Contains(t, out, "10 cases from seed 20261127 (shard "+s+")")
		reports = append(reports, r)
	}
	code, out, _ := runArgs(append([]string{"merge", "--junit", filepath.Join(dir, "all.xml")}, reports...)...)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "VALID: reference, 30 cases from seed 20261127 (3 shards)")

	// A file that is not a report is refused, naming it.
	junk := filepath.Join(dir, "junk.json")
	require.NoError(t, os.WriteFile(junk, []byte("not json"), 0o644))
	code, _, errs := runArgs("merge", junk)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "junk.json: not a simrun check report")

	// A nondeterministic shard makes the merged verdict exit 3.
	var rep checkReport
	b, err := os.ReadFile(reports[2])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	rep.Valid, rep.Nondeterministic = false, true
	rep.Failures = []checkFailure{{Invariant: "R3", Seed: 9, Command: "simrun check --seed 9 --seeds 1"}}
	b, err = json.Marshal(rep)
	require.NoError(t, err)
	bad := write(t, dir, "bad.json", string(b))
	code, out, _ = runArgs("merge", reports[0], reports[1], bad)
	assert.Equal(t, 3, code)
	assert.Contains(t, out, "VIOLATION R3 at seed 9")
}

func TestCheckUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--shard", "3/2"}, "--shard must be i/n with 0 <= i < n"},
		{[]string{"check", "--shard", "x"}, "--shard must be i/n"},
		{[]string{"check", "--faults", "many"}, `faults must be one of swarm, all, crashes, none, got "many"`},
		{[]string{"check", "--schedules", "11"}, "schedules must be between 1 and 10, got 11"},
		{[]string{"check", "--seeds", "0"}, "--seeds must be positive"},
		{[]string{"check", "--determinism", "2"}, "--determinism must be in [0, 1]"},
		{[]string{"check", "--mutant", "nope"}, `unknown mutant "nope"`},
		{[]string{"check", "--horizon", "9000h"}, "horizon must be at most a year"},
		{[]string{"check", "extra"}, `unexpected argument "extra"`},
		{[]string{"merge"}, "merge needs the JSON reports"},
		{[]string{"merge", "/no/such/report.json"}, "no such file"},
		{[]string{"mutants", "nope"}, `unknown mutant "nope"`},
		{[]string{"run", "--mutant", "nope"}, `unknown mutant "nope"`},
		{[]string{"check", "--impl", "no-such-program-xyz", "--seeds", "1"}, "no-such-program-xyz: not found"},
		{[]string{"run", "--impl", "no-such-program-xyz", "../../scenarios/library/skip-short-runs.yaml"}, "no-such-program-xyz: not found"},
		{[]string{"check", "--impl", "x", "--mutant", "timers-stay-armed"}, "give --impl or --mutant, not both"},
	} {
		code, _, errs := runArgs(tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, errs, tc.want, "%v", tc.args)
	}
}

func TestExpectFail(t *testing.T) {
	dir := t.TempDir()
	list := write(t, dir, "known.txt", "# known deviations\ndefect-01-recovery-clears-running\n")
	// Against the mutant that has seed defect 1, its regression scenario fails, as listed.
	lib := "../../scenarios/library/defects/defect-01-recovery-clears-running.yaml"
	code, out, _ := runArgs("run", "--mutant", "recovery-clears-running", "--expect-fail", list, lib)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "XFAIL defect-01-recovery-clears-running ")
	// The reference passes it: the entry is stale, and the run fails.
	code, out, _ = runArgs("run", "--expect-fail", list, lib)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "known.txt:2: defect-01-recovery-clears-running is listed as failing but did not fail")

	s2 := write(t, dir, "s2.txt", "S2\nM1 # the model sees the missing cancels too\n")
	code, out, _ = runArgs("check", "--mutant", "cancel-previous-without-cancel", "--seeds", "20", "--horizon", "1h", "--expect-fail", s2, "--faults", "none")
	assert.Equal(t, 0, code, out)
	code, out, _ = runArgs("check", "--seeds", "5", "--horizon", "1h", "--expect-fail", s2)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "STALE")

	bad := write(t, dir, "bad.txt", "S1 S2\n")
	code, _, errs := runArgs("check", "--expect-fail", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "bad.txt:1: one scenario name or invariant per line")
}

func TestMutantsList(t *testing.T) {
	code, out, _ := runArgs("mutants", "--list")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "recovery-clears-running          recovery forgets the running executions")
	assert.Contains(t, out, "(seed defect 1)")
	assert.Equal(t, len(mutants.All), strings.Count(out, "\n"))
}

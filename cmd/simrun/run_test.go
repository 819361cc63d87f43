package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const scenario = `name: tiny
description: two ticks of a 1m interval
start: 2026-06-07T00:00:00Z
until: 2m
schedules:
  - {id: s, trigger: {interval: 1m}, overlap: skip, catch_up: all, runs_for: 10s}
timeline:
  - at: 1m30s
    crash: {downtime: 0s}
expect:
  starts: ["1m at 1m", "2m at 2m"]
  invariants: hold
`

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunReplaysTheBundledLibrary(t *testing.T) {
	code, out, errs := runArgs()
	assert.Equal(t, 0, code, errs)
	assert.Regexp(t, `(?m)^\d+ passed, 0 failed$`, out)
	assert.Contains(t, out, "PASS  defect-01-recovery-clears-running")
}

func TestRunUpdateThenPass(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "tiny.yaml", scenario)
	code, out, _ := runArgs("run", p, "--update")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "rewrote 1 golden file\n")
	golden, err := os.ReadFile(filepath.Join(dir, "tiny.golden"))
	require.NoError(t, err)
	assert.Contains(t, string(golden), "crash     crash at 2026-06-07T00:01:30Z downtime=0s")
	yaml, _ := os.ReadFile(p)
	assert.Equal(t, scenario, string(yaml), "the scenario itself is never rewritten")

	code, out, _ = runArgs("run", dir)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "1 passed, 0 failed")

	// A changed golden fails, with a diff, until --update.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tiny.golden"), []byte(strings.Replace(string(golden), "restart", "rebirth", 1)), 0o644))
	code, out, _ = runArgs("run", dir)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "tiny.golden: the trace differs from the golden")
	assert.Contains(t, out, "-2026-06-07T00:00:00Z rebirth")
}

func TestRunFailureExitsOneWithDiffAndReports(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "ok.yaml", scenario)
	write(t, dir, "bad.yaml", strings.Replace(strings.Replace(scenario, "tiny", "wrong", 1), `"2m at 2m"`, `"2m at 2m5s"`, 1))
	jsonFile, junitFile := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	code, out, _ := runArgs("run", "--json", jsonFile, dir, "--junit", junitFile, "-v")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAIL  wrong")
	assert.Contains(t, out, "bad.yaml:11:3: at 2026-06-07T00:02:00Z: starts differ")
	assert.Contains(t, out, "+s 2026-06-07T00:02:00Z at 2026-06-07T00:02:00Z")
	assert.Contains(t, out, "1 passed, 1 failed")
	assert.Contains(t, out, "    2026-06-07T00:01:00Z start     s @2026-06-07T00:01:00Z", "-v prints traces")

	var rep struct {
		Passed, Failed int
		Scenarios      []report
	}
	b, err := os.ReadFile(jsonFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, 1, rep.Passed)
	assert.Equal(t, 1, rep.Failed)
	require.Len(t, rep.Scenarios, 2)
	assert.False(t, rep.Scenarios[0].Passed)
	assert.Contains(t, rep.Scenarios[0].Failures[0].Diff, "+s 2026-06-07T00:02:00Z")

	var suites junitSuites
	b, err = os.ReadFile(junitFile)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(b, &suites))
	require.Len(t, suites.Suites, 1)
	assert.Equal(t, 2, suites.Suites[0].Tests)
	assert.Equal(t, 1, suites.Suites[0].Failures)
	assert.NotNil(t, suites.Suites[0].Cases[0].Failure)
	assert.Nil(t, suites.Suites[0].Cases[1].Failure)
}

func TestRunMalformedFileExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "ok.yaml", scenario)
	p := write(t, dir, "broken.yaml", strings.Replace(scenario, "overlap: skip", "overlap: sometimes", 1))
	code, out, errs := runArgs("run", dir)
	assert.Equal(t, 2, code)
	assert.Empty(t, out, "a broken library never half-runs")
	assert.Contains(t, errs, "simrun: "+p+`:6:47: schedule s: overlap: unknown policy "sometimes"`)
}

func TestTracePrintsTheTimeline(t *testing.T) {
	p := write(t, t.TempDir(), "tiny.yaml", scenario)
	code, out, errs := runArgs("trace", p)
	require.Equal(t, 0, code, errs)
	for _, want := range []string{
		"scenario tiny (" + p + ")",
		"schedule s: every 1m0s, overlap skip, catch-up all, runs 10s",
		"2026-06-07T00:01:30Z >> line 8: crash downtime=0s",
		"2026-06-07T00:01:30Z restart",
		"PASS tiny",
	} {
		assert.Contains(t, out, want)
	}
	code, _, errs = runArgs("trace", filepath.Join(t.TempDir(), "missing.yaml"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "missing.yaml")
}

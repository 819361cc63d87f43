package scenarios_test

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/scenarios"
)

// TestLibrary replays the whole bundled library: every expectation and every
// golden trace.
func TestLibrary(t *testing.T) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(all), 40, "the library holds at least 40 scenarios")
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			assert.NotEmpty(t, s.Golden, "%s has no golden: run go run ./cmd/simrun run --update scenarios/library", s.File)
			assert.NotEmpty(t, strings.TrimSpace(s.Description), "every scenario says what it checks")
			assert.True(t, s.End != nil || hasExpect(s), "every scenario expects something")
			res, err := scenarios.Run(s, scenarios.Options{})
			require.NoError(t, err)
			for _, f := range res.Failures {
				t.Error(f)
			}
		})
	}
}

func hasExpect(s *scenarios.Scenario) bool {
	for _, st := range s.Steps {
		if st.Expect != nil {
			return true
		}
	}
	return false
}

// TestLibraryCoversEveryPolicyPair: the matrix holds a scenario per overlap x
// catch-up pair, and each seed defect has its regression scenario.
func TestLibraryCoversEveryPolicyPair(t *testing.T) {
	names, err := scenarios.Find(scenarios.Library(), ".")
	require.NoError(t, err)
	joined := strings.Join(names, "\n")
	for _, o := range []string{"skip", "buffer-one", "cancel-previous", "allow-all"} {
		for _, c := range []string{"all", "one", "skip"} {
			assert.Contains(t, joined, "matrix/"+o+"-"+c+".yaml")
		}
	}
	for _, d := range []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"} {
		assert.Contains(t, joined, "defects/defect-"+d+"-")
	}
}

const good = `name: wrong
description: a deliberately wrong expectation
start: 2026-06-07T00:00:00Z
until: 2m
schedules:
  - {id: s, trigger: {interval: 1m}, overlap: skip, catch_up: all, runs_for: 10s}
expect:
  starts: ["1m at 1m", "2m at 2m"]
`

func TestWrongExpectationFailsWithDiff(t *testing.T) {
	s, err := scenarios.Parse("wrong.yaml", []byte(strings.Replace(good, `"2m at 2m"`, `"2m at 2m30s"`, 1)))
	require.NoError(t, err)
	res, err := scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	require.False(t, res.Passed())
	require.Len(t, res.Failures, 1)
	f := res.Failures[0]
	assert.Equal(t, "wrong.yaml:8:3", f.Pos.String(), "the failure points at the expectation")
	assert.Contains(t, f.Diff, "-s 2026-06-07T00:02:00Z at 2026-06-07T00:02:30Z")
	assert.Contains(t, f.Diff, "+s 2026-06-07T00:02:00Z at 2026-06-07T00:02:00Z")

	s, err = scenarios.Parse("right.yaml", []byte(good))
	require.NoError(t, err)
	res, err = scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	assert.True(t, res.Passed(), "%v", res.Failures)
}

func TestGoldenMismatchFails(t *testing.T) {
	s, err := scenarios.Parse("g.yaml", []byte(good))
	require.NoError(t, err)
	res, err := scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	s.Golden = strings.Replace(res.Trace, "deliver", "delivered", 1)
	res2, err := scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	require.Len(t, res2.Failures, 1)
	assert.Equal(t, "g.golden", res2.Failures[0].Pos.File)
	assert.Contains(t, res2.Failures[0].Diff, "-2026-06-07T00:01:00Z delivered")
	assert.Equal(t, res.Trace, res2.Trace, "replays are deterministic")
}

func TestStepOutcomesAreChecked(t *testing.T) {
	for _, tc := range []struct{ step, want string }{
		{"  - at: 30s\n    pause: {schedule: s, want_error: nope}\n", `pause s: want an error containing "nope", got success`},
		{"  - at: 30s\n    update: {schedule: s, trigger: {cron: \"61 * * * *\"}}\n", "wrong.yaml:9:36: update s: trigger: invalid trigger"},
		{"  - at: 90s\n    complete: {nominal: 1m}\n", "complete s@2026-06-07T00:01:00Z: no open execution"},
		{"  - at: 30s\n    crash: {call: engine.cancel, phase: before, downtime: 0s}\n", "never fired"},
	} {
		src := strings.Replace(good, "expect:", "timeline:\n"+tc.step+"expect:", 1)
		s, err := scenarios.Parse("wrong.yaml", []byte(src))
		if err != nil {
			assert.Contains(t, err.Error(), tc.want, tc.step)
			continue
		}
		res, err := scenarios.Run(s, scenarios.Options{})
		require.NoError(t, err)
		var all []string
		for _, f := range res.Failures {
			all = append(all, f.String())
		}
		assert.Contains(t, strings.Join(all, "\n"), tc.want, tc.step)
	}
}

// TestRefusedStartCreateFails: a schedule whose create at the start is
// refused fails its scenario, even when the loader let it through (here the
// scenario is built by hand, as a generator would).
func TestRefusedStartCreateFails(t *testing.T) {
	s, err := scenarios.Parse("refused.yaml", []byte(good))
	require.NoError(t, err)
	s.Schedules[0].ID = "my job"
	res, err := scenarios.Run(s, scenarios.Options{})
	require.NoError(t, err)
	require.False(t, res.Passed(), "a refused create must not pass")
	var all []string
	for _, f := range res.Failures {
		all = append(all, f.String())
	}
	assert.Contains(t, strings.Join(all, "\n"), `refused.yaml:6:5: create my job failed: invalid request: schedule id "my job"`)
}

func TestParseErrorsArePositioned(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown field", strings.Replace(good, "until: 2m", "untill: 2m", 1), `bad.yaml:4:1: scenario: unknown field "untill"`},
		{"wrong type", strings.Replace(good, "schedules:\n  - {id: s, trigger: {interval: 1m}, overlap: skip, catch_up: all, runs_for: 10s}\n", "schedules: 3\n", 1), "bad.yaml:5:12: schedules must be a list, got \"3\""},
		{"bad duration", strings.Replace(good, "runs_for: 10s", "runs_for: 10 seconds", 1), `bad.yaml:6:78: runs_for: bad duration "10 seconds"`},
		{"bad time", strings.Replace(good, "start: 2026-06-07T00:00:00Z", "start: yesterday", 1), `bad.yaml:3:8: start: bad instant "yesterday"`},
		{"unknown schedule", strings.Replace(good, `"2m at 2m"`, `"t 2m at 2m"`, 1), `bad.yaml:8:24: starts "t 2m at 2m": unknown schedule "t"`},
		{"unknown policy", strings.Replace(good, "overlap: skip", "overlap: skipp", 1), `bad.yaml:6:47: schedule s: overlap: unknown policy "skipp"`},
		{"bad cron", strings.Replace(good, "{interval: 1m}", "{cron: \"61 * * * *\"}", 1), "bad.yaml:6:22: schedule s: trigger: invalid trigger"},
		{"steps out of order", strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, pause: s}\n  - {at: 30s, resume: s}\nexpect:", 1), "bad.yaml:9:5: step at 2026-06-07T00:00:30Z is before the previous step"},
		{"two actions", strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, pause: s, resume: s}\nexpect:", 1), "bad.yaml:8:5: step must do exactly one of"},
		{"step after until", strings.Replace(good, "expect:", "timeline:\n  - {at: 5m, pause: s}\nexpect:", 1), "bad.yaml:4:8: until 2026-06-07T00:02:00Z is before the last step"},
		{"syntax", "name: [unclosed\n", "bad.yaml:1:1: yaml: did not find expected"},
		{"empty", "", "bad.yaml: empty file"},
		{"two documents", good + "---\nname: x\n", "bad.yaml:9:1: one scenario per file"},
		{"not a mapping", "- 1\n", "bad.yaml:1:1: scenario must be a mapping"},
		{"crash without downtime", strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, crash: {}}\nexpect:", 1), "bad.yaml:8:21: crash: missing downtime"},
		{"duplicate key", strings.Replace(good, "until: 2m", "until: 2m\nuntil: 3m", 1), `bad.yaml:5:1: scenario: field "until" given twice`},
		{"execution before its tick", strings.Replace(good, "expect:", "timeline:\n  - {at: 30s, complete: {nominal: 1m}}\nexpect:", 1), "bad.yaml:8:5: complete: the execution of tick 2026-06-07T00:01:00Z cannot exist at 2026-06-07T00:00:30Z"},
		{"late tick after the run", strings.Replace(good, "expect:", "timeline:\n  - {late: {nominal: 5m, by: 1s}}\nexpect:", 1), "bad.yaml:8:5: late: tick 2026-06-07T00:05:00Z is outside the run"},
		{"id with a space", strings.Replace(good, "{id: s,", `{id: "my job",`, 1), `bad.yaml:6:10: schedule id "my job" must be 1-200 characters`},
		{"id with accents", strings.Replace(good, "{id: s,", `{id: "tâche-é",`, 1), `bad.yaml:6:10: schedule id "tâche-é" must be`},
		{"id of 201 characters", strings.Replace(good, "{id: s,", "{id: "+strings.Repeat("a", 201)+",", 1), `bad.yaml:6:10: schedule id "aaaa`},
		{"empty request id", strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, pause: {request_id: \"\"}}\nexpect:", 1), "bad.yaml:8:34: pause: request_id is empty"},
		{"unknown seam call", strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, crash: {call: engine.stop, phase: before, downtime: 0s}}\nexpect:", 1), `crash call: unknown value "engine.stop"`},
		{"backfill without a range", strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, backfill: {schedule: s, from: 0s}}\nexpect:", 1), "bad.yaml:8:24: backfill: missing to"},
		{"backfill as a name", strings.Replace(good, "expect:", "timeline:\n  - {at: 1m, backfill: s}\nexpect:", 1), "backfill: want a mapping with schedule, from and to"},
		{"negative jitter", strings.Replace(good, "runs_for: 10s", "runs_for: 10s, jitter: -5s", 1), `jitter: duration "-5s" out of range`},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte(tc.src))
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.ErrorIs(t, err, scenarios.ErrInvalid, tc.name)
		var e *scenarios.Error
		assert.True(t, errors.As(err, &e), tc.name)
	}
}

func TestParseReportsSeveralErrors(t *testing.T) {
	src := strings.Replace(strings.Replace(good, "overlap: skip", "overlap: nope", 1), "until: 2m", "until: soon", 1)
	_, err := scenarios.Parse("bad.yaml", []byte(src))
	require.Error(t, err)
	assert.Equal(t, 2, strings.Count(err.Error(), "\n")+1, err.Error())
}

func TestLoadAllRefusesABrokenDirectory(t *testing.T) {
	fsys := fstest.MapFS{"a.yaml": {Data: []byte(good)}, "b.yaml": {Data: []byte("name: b\n")}, "notes.txt": {Data: []byte("ignored")}}
	all, err := scenarios.LoadAll(fsys, ".")
	require.Error(t, err)
	assert.Nil(t, all, "nothing runs when a file is broken")
	assert.Contains(t, err.Error(), `b.yaml:1:1: scenario: missing field "start"`)
}

func FuzzLoadScenario(f *testing.F) {
	f.Add([]byte(good))
	_ = fs.WalkDir(scenarios.Library(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".yaml") {
			b, _ := fs.ReadFile(scenarios.Library(), p)
			f.Add(b)
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenarios.Parse("fuzz.yaml", data)
		if err != nil {
			var e *scenarios.Error
			if !errors.As(err, &e) {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if s.Until.Sub(s.Start) > 0 && len(s.Schedules) > 0 {
			_ = s.Config(nil) // building the world's config must not panic either
		}
		// What loads, formats to a file that loads to the same scenario.
		b, err := scenarios.Format(s)
		if err != nil {
			t.Fatalf("format: %v", err)
		}
		back, err := scenarios.Parse("fuzz.yaml", b)
		if err != nil {
			t.Fatalf("the formatted file does not load: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(s.Canonical(), back.Canonical()) {
			t.Fatalf("the formatted file loads to another scenario:\n%s", b)
		}
	})
}

// BenchmarkLibrary replays the whole bundled library once per iteration.
func BenchmarkLibrary(b *testing.B) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(b, err)
	b.ResetTimer()
	for b.Loop() {
		for _, s := range all {
			if _, err := scenarios.Run(s, scenarios.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkScenario replays the heaviest scenarios one by one.
func BenchmarkScenario(b *testing.B) {
	for _, name := range []string{"defects/defect-06-ten-year-outage-one.yaml", "outage/ten-years-skip.yaml",
		"outage/one-week-all.yaml", "faults/seeded-faults.yaml"} {
		s, err := scenarios.LoadFS(scenarios.Library(), name)
		require.NoError(b, err)
		b.Run(s.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := scenarios.Run(s, scenarios.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadLibrary parses and validates every library file.
func BenchmarkLoadLibrary(b *testing.B) {
	for b.Loop() {
		if _, err := scenarios.LoadAll(scenarios.Library(), "."); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLoadRefusesAnOversizeFile(t *testing.T) {
	big := strings.Repeat("# padding\n", (4<<20)/10+1)
	_, err := scenarios.LoadFS(fstest.MapFS{"big.yaml": {Data: []byte(good + big)}}, "big.yaml")
	require.Error(t, err)
	assert.ErrorIs(t, err, scenarios.ErrInvalid)
	assert.Contains(t, err.Error(), "big.yaml: file larger than 4194304 bytes")
}

func TestMissingNominalIsPositioned(t *testing.T) {
	src := strings.Replace(good, "expect:", "timeline:\n  - at: 1m\n    complete: {schedule: s}\nexpect:", 1)
	_, err := scenarios.Parse("bad.yaml", []byte(src))
	require.Error(t, err)
	assert.Equal(t, "bad.yaml:9:15: complete: missing nominal (the tick whose execution it is)", err.Error(),
		"one error, not a second one about the missing tick")
}

// TestTenYearOutageIsJudged: the model decides catch-up in O(1) like the
// evaluator, so `invariants: hold` judges a ten-year outage (it gave up past a
// million due ticks, and the catch-up-one-newest mutant passed).
func TestTenYearOutageIsJudged(t *testing.T) {
	for _, catchUp := range []string{"one", "skip", "all"} {
		src := `name: outage
description: ten years down, judged by the invariants alone
start: 2026-06-07T00:00:00Z
until: 87600h2m
schedules:
  - {id: s, trigger: {interval: 1m}, overlap: skip, catch_up: ` + catchUp + `, runs_for: 10s}
timeline:
  - at: 30s
    crash: {downtime: 87600h}
expect:
  invariants: hold
`
		s, err := scenarios.Parse("outage.yaml", []byte(src))
		require.NoError(t, err)
		res, err := scenarios.Run(s, scenarios.Options{})
		require.NoError(t, err)
		assert.True(t, res.Passed(), "%s: %v", catchUp, res.Failures)
		m, ok := mutants.ByName("catch-up-one-newest")
		require.True(t, ok)
		res, err = scenarios.Run(s, scenarios.Options{Factory: m.Factory(0)})
		require.NoError(t, err)
		if catchUp == "one" {
			require.False(t, res.Passed(), "the mutant starts the newest late tick, not the oldest")
			assert.Contains(t, res.Failures[0].Diff, "+C2 s @2026-06-07T00:01:00Z: starts differ")
		}
	}
}

// TestParseErrorsComeInAStableOrder: the same bad file gives the same
// message every time (a map once decided the order of the rates' errors).
func TestParseErrorsComeInAStableOrder(t *testing.T) {
	src := strings.Replace(good, "schedules:", "rates: {crash: 2, error: 3, late: 4, duplicate: 5, max_late: 1s}\nschedules:", 1)
	_, first := scenarios.Parse("bad.yaml", []byte(src))
	require.Error(t, first)
	require.Equal(t, 4, strings.Count(first.Error(), "\n")+1, first.Error())
	for i := 0; i < 30; i++ {
		_, err := scenarios.Parse("bad.yaml", []byte(src))
		require.Equal(t, first.Error(), err.Error())
	}
}

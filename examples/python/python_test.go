// Package python_test checks the example Python evaluator (evaluator.py)
// through the process protocol, as `simrun --impl` does: the scenario library,
// the property suite, and its cron and duration parsing against the Go
// reference (robfig/cron and time.ParseDuration) on inputs where DST and
// malformed text make a port most likely to differ.
package python_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/protocol/protocoltest"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

// python returns the interpreter's real path (a pyenv shim costs 0.1 s a
// start, and the harness starts the program for every incarnation). Without
// python3 the tests skip, unless SCHEDSIM_REQUIRE_PYTHON is set, as CI does.
func python(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		if os.Getenv("SCHEDSIM_REQUIRE_PYTHON") != "" {
			t.Fatalf("python3 is required (SCHEDSIM_REQUIRE_PYTHON is set): %v", err)
		}
		t.Skipf("python3 not found (%v); set SCHEDSIM_REQUIRE_PYTHON=1 to make this a failure", err)
	}
	return strings.TrimSpace(string(out))
}

// factory starts evaluator.py with -S: it needs only the standard library, and
// skipping site saves a sixth of an interpreter start (0.34 s on the CI machine),
// which the harness pays at every incarnation.
func factory(t *testing.T) protocol.Options {
	return protocol.Options{Command: python(t) + " -S evaluator.py"}
}

// long: SCHEDSIM_LONG=1 (CI) runs the whole library and 60 property cases;
// by default a third of the library and 20 cases, since every incarnation is
// an interpreter start.
var long = os.Getenv("SCHEDSIM_LONG") == "1"

func TestLibrary(t *testing.T) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	switch {
	case testing.Short():
		all = all[:6]
	case !long:
		all = everyThird(all)
	}
	f := protocol.Factory(factory(t))
	prof := declared(t, f)
	ran := 0
	for _, s := range all {
		if why := scenarios.Applies(s, prof); why != "" {
			t.Logf("not applicable (the program declares no support): %s: %s", s.Name, why)
			continue
		}
		ran++
		res, err := scenarios.Run(s, scenarios.Options{Factory: f})
		require.NoError(t, err, s.Name)
		for _, fail := range res.Failures {
			t.Errorf("%s: %s", s.Name, fail)
		}
	}
	// Two thirds: the library's scenarios of features the program does not
	// implement (buffer_all, terminate_previous, bounds, remaining_runs,
	// trigger_now, pause_on_failure) are a quarter of it and growing.
	require.GreaterOrEqual(t, ran*3, len(all)*2, "most of the library applies to the program (%d of %d)", ran, len(all))
}

// declared is the profile the program declares in its init reply: schedsim's,
// narrowed to what it implements.
func declared(t *testing.T, f sim.Factory) profile.Profile {
	t.Helper()
	w, err := sim.New(sim.Config{Factory: f})
	require.NoError(t, err)
	defer w.Close()
	p, ok := w.Process().(*protocol.Process)
	require.True(t, ok, "a protocol process")
	prof := p.Profile()
	require.Equal(t, profile.Default, prof.Name)
	return prof
}

// TestTrafficMatchesTheSchema records the program's traffic through scenarios
// with crashes and ambiguous errors, and checks every line against
// docs/protocol.schema.json.
func TestTrafficMatchesTheSchema(t *testing.T) {
	command, in, out := protocoltest.Record(t.TempDir(), factory(t).Command)
	f := protocol.Factory(protocol.Options{Command: command})
	for _, name := range []string{"faults/crash-in-recovery.yaml", "faults/ambiguous-appends.yaml", "lifecycle/request-ids.yaml"} {
		s, err := scenarios.LoadFS(scenarios.Library(), name)
		require.NoError(t, err)
		res, err := scenarios.Run(s, scenarios.Options{Factory: f})
		require.NoError(t, err)
		require.True(t, res.Passed(), "%v", res.Failures)
	}
	assert.Greater(t, protocoltest.Validate(t, "../../docs/protocol.schema.json", in, out), 100)
}

// everyThird keeps every third scenario, starting with the first.
func everyThird(all []*scenarios.Scenario) []*scenarios.Scenario {
	var out []*scenarios.Scenario
	for i := 0; i < len(all); i += 3 {
		out = append(out, all[i])
	}
	return out
}

func TestPropertySuite(t *testing.T) {
	cases := 20
	switch {
	case testing.Short():
		cases = 4
	case long:
		cases = 60
	}
	f := protocol.Factory(factory(t))
	prof := declared(t, f) // generate only what the program implements
	require.NoError(t, properties.Check(f, properties.Options{Cases: cases, Seed: 7, Profile: &prof}))
}

// query runs evaluator.py's functions on inputs, one JSON line each way.
const driver = `
import json, sys
sys.path.insert(0, ".")
import evaluator as e
for line in sys.stdin:
    q = json.loads(line)
    try:
        if q["kind"] == "duration":
            print(json.dumps({"ns": e.parse_duration(q.get("text", ""))}))
        else:
            trig = e.parse_trigger(q["spec"])
            g, t, out = trig.grid(0), e.parse_time(q["after"]), []
            for _ in range(q["n"]):
                t = g.next(t)
                if t is None:
                    break
                out.append(e.fmt_time(t))
            print(json.dumps({"ticks": out}))
    except (ValueError, e.Refusal) as err:
        print(json.dumps({"error": str(err)}))
`

type query struct {
	Kind  string                `json:"kind"`
	Text  string                `json:"text,omitempty"`
	Spec  evaluator.TriggerSpec `json:"spec"`
	After time.Time             `json:"after"`
	N     int                   `json:"n"`
}

type answer struct {
	NS    *int64   `json:"ns"`
	Ticks []string `json:"ticks"`
	Error string   `json:"error"`
}

func ask(t *testing.T, qs []query) []answer {
	t.Helper()
	var in strings.Builder
	for _, q := range qs {
		b, err := json.Marshal(q)
		require.NoError(t, err)
		in.Write(append(b, '\n'))
	}
	cmd := exec.Command(python(t), "-c", driver)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, len(qs))
	answers := make([]answer, len(qs))
	for i, l := range lines {
		require.NoError(t, json.Unmarshal([]byte(l), &answers[i]), l)
	}
	return answers
}

// TestCronAgreesWithGo compares the next 40 ticks of many crons with the Go
// evaluator's, in zones with DST changes (New York, Berlin; Lord Howe's half
// hour, Chatham's 02:45, the midnight changes of Sao Paulo and Santiago, St
// John's 00:01, where robfig/cron departs from the rule), from around such
// changes; three starts per expression and zone (one under -short).
func TestCronAgreesWithGo(t *testing.T) {
	exprs := []string{"* * * * *", "*/10 1-3 * * *", "30 1 * * *", "30 2 * * *", "0 0 * * *", "15 */2 * * *",
		"*/20 * * * * *", "0 30 2 * * *", "0 0 1 * *", "0 12 * * MON-FRI", "0 0 29 2 *", "59 23 31 * *",
		"0 0 * * 0", "0 0 13 * 5", "@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@every 90s",
		"5,35 0-4 1,15 JAN-MAR,OCT-DEC *", "*/7 */5 * * *", "0 0 ? * SUN"}
	zones := []string{"", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Sao_Paulo", "America/Santiago",
		"Pacific/Chatham", "America/St_Johns"}
	starts := []string{"2026-03-08T05:00:00Z", "2026-11-01T04:30:00Z", "2026-03-29T00:30:00Z", "2026-10-25T00:00:00Z",
		"2026-04-04T14:00:00Z", "2018-11-04T01:00:00Z", "2016-02-20T01:00:00Z", "2026-01-01T00:00:00.5Z",
		"2025-10-04T12:00:00Z", "2027-09-04T09:18:00Z", "2027-09-25T13:00:00Z", "2009-11-01T02:00:00Z"}
	rng := rand.New(rand.NewPCG(1, 2))
	perPair := 3
	if testing.Short() {
		perPair = 1
	}
	var qs []query
	for _, e := range exprs {
		for _, z := range zones {
			if z != "" && strings.HasPrefix(e, "@every") {
				continue
			}
			for range perPair {
				after, err := time.Parse(time.RFC3339Nano, starts[rng.IntN(len(starts))])
				require.NoError(t, err)
				qs = append(qs, query{Kind: "cron", Spec: evaluator.TriggerSpec{Cron: e, Timezone: z}, After: after, N: 40})
			}
		}
	}
	answers := ask(t, qs)
	for i, q := range qs {
		trig, err := evaluator.ParseTrigger(q.Spec)
		require.NoError(t, err, q.Spec)
		next := trig.Grid(time.Unix(0, 0)).Next
		var want []string
		for tk := next(q.After); !tk.IsZero() && len(want) < q.N; tk = next(tk) {
			want = append(want, tk.UTC().Format(time.RFC3339Nano))
		}
		assert.Empty(t, answers[i].Error, "%s", q.Spec)
		assert.Equal(t, want, answers[i].Ticks, "%s from %s", q.Spec, q.After)
	}
}

// TestBadInputIsRefusedAlike checks that the port rejects what Go rejects
// and accepts what Go accepts, triggers and durations both.
func TestBadInputIsRefusedAlike(t *testing.T) {
	specs := []evaluator.TriggerSpec{{Cron: "61 * * * *"}, {Cron: "0 0 30 2 *"}, {Cron: "* * * *"}, {Cron: "* * * * * * *"},
		{Cron: "*/0 * * * *"}, {Cron: "5-1 * * * *"}, {Cron: "1-2-3 * * * *"}, {Cron: "1/2/3 * * * *"}, {Cron: "-1 * * * *"},
		{Cron: "+5 * * * *"}, {Cron: "5_0 * * * *"}, {Cron: "@fortnightly"}, {Cron: "@every"}, {Cron: "@every -1s"},
		{Cron: "@every 1x"}, {Cron: "CRON_TZ=Mars/Olympus * * * * *"}, {Cron: "TZ=Europe/Berlin"},
		{Cron: "TZ=Europe/Berlin 0 3 * * *"}, {Cron: "* * * * *", Timezone: "Local"}, {Cron: "* * * * *", Timezone: "Nowhere/Else"},
		{Cron: "CRON_TZ=UTC * * * * *", Timezone: "UTC"}, {Cron: "jan * * * *"}, {Cron: "0 0 1 jan-mar *"}, {Cron: "0 0 * * sun-sat"},
		{Cron: "0 0 31 4 *"}, {Cron: "0 0 30 2,4 *"}, {Cron: "?"}, {Cron: ""}, {Cron: "  @daily  "}, {Cron: "@every 1h", Timezone: "UTC"},
		{Interval: evaluator.Duration(-time.Second)}, {Interval: evaluator.Duration(time.Minute), Cron: "* * * * *"},
		{Interval: evaluator.Duration(time.Minute), Timezone: "UTC"}}
	var qs []query
	after := time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)
	for _, s := range specs {
		qs = append(qs, query{Kind: "cron", Spec: s, After: after, N: 3})
	}
	durations := []string{"", "0", "-0", "+0", "1", "1s", "1.5h", "1h30m", ".5s", "5.s", ".s", "1µs", "1μs", "1us", "300ms",
		"-2m3.4s", "9223372036854775807ns", "9223372036854775808ns", "2562047h47m16.854775807s", "2562048h", "1d", "1e3s",
		"0.000000001s", "0.0000000001s", "1.00000000000000000001s", "3h3h", "h", "1 s", "+-1s"}
	for _, d := range durations {
		qs = append(qs, query{Kind: "duration", Text: d})
	}
	answers := ask(t, qs)
	for i, q := range qs {
		a := answers[i]
		if q.Kind == "duration" {
			want, err := time.ParseDuration(q.Text)
			if err != nil {
				assert.Equal(t, err.Error(), a.Error, "duration %q", q.Text)
				continue
			}
			if assert.NotNil(t, a.NS, "duration %q: %s", q.Text, a.Error) {
				assert.Equal(t, int64(want), *a.NS, "duration %q", q.Text)
			}
			continue
		}
		trig, err := evaluator.ParseTrigger(q.Spec)
		if err != nil {
			assert.NotEmpty(t, a.Error, "%+v: Go refuses it (%v), Python accepts it", q.Spec, err)
			continue
		}
		assert.Empty(t, a.Error, "%+v: Go accepts it, Python refuses it", q.Spec)
		var want []string
		g := trig.Grid(time.Unix(0, 0).UTC())
		for tk := g.Next(after); !tk.IsZero() && len(want) < q.N; tk = g.Next(tk) {
			want = append(want, tk.UTC().Format(time.RFC3339Nano))
		}
		assert.Equal(t, want, a.Ticks, fmt.Sprintf("%+v", q.Spec))
	}
}

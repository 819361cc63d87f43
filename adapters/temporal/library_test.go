package temporal

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/scenarios"
)

// The library's scenarios against Temporal's schedule workflow: every one
// gets a verdict — passed the universal checks, failed one (a known
// finding, listed here), or not applicable with the reason.
func TestLibrary(t *testing.T) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	known := knownFailing(t)
	counts := map[string]int{}
	for _, s := range all {
		v := RunScenario(s)
		t.Log(v)
		switch {
		case !v.Applicable:
			counts["n/a"]++
			require.NotEmpty(t, v.Why, s.Name)
		case len(v.Violations) > 0:
			counts["fail"]++
			want, ok := known["library:"+s.File]
			if !ok {
				t.Errorf("%s: %v (not a known finding: triage it into docs/findings.md and testdata/known-failing.txt)", s.File, v.Violations)
			} else if got := invariantsOf(v.Violations); got != want {
				t.Errorf("%s fails with %s, listed with %s", s.File, got, want)
			}
		default:
			counts["pass"]++
			if _, ok := known["library:"+s.File]; ok {
				t.Errorf("STALE %s passes: take it off testdata/known-failing.txt (Temporal may have changed)", s.File)
			}
		}
	}
	t.Logf("%d scenarios: %d pass, %d fail (known), %d not applicable", len(all), counts["pass"], counts["fail"], counts["n/a"])
	require.Positive(t, counts["pass"], "some scenario must be judged")
}

// knownFailing reads testdata/known-failing.txt: path → invariants.
func knownFailing(t *testing.T) map[string]string {
	raw, err := os.ReadFile("testdata/known-failing.txt")
	require.NoError(t, err)
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		require.GreaterOrEqual(t, len(f), 3, "known-failing.txt: %q: want path, invariants, finding", line)
		out[f[0]] = f[1]
	}
	return out
}

// invariantsOf lists the invariants violated, sorted, comma-separated.
func invariantsOf(vs []invariants.Violation) string {
	var ids []string
	for _, v := range vs {
		if !slices.Contains(ids, v.Invariant) {
			ids = append(ids, v.Invariant)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}

// SCHEDSIM_TEMPORAL_REPLAY=a.yaml,b.yaml runs scenario files (a generated
// case's, as a failure prints it) against Temporal and logs the verdict and
// every execution: how to look at one finding.
func TestReplay(t *testing.T) {
	files := os.Getenv("SCHEDSIM_TEMPORAL_REPLAY")
	if files == "" {
		t.Skip("SCHEDSIM_TEMPORAL_REPLAY=file.yaml[,...] replays scenario files against Temporal")
	}
	for _, f := range strings.Split(files, ",") {
		s, err := scenarios.LoadFile(f)
		require.NoError(t, err)
		v := RunScenario(s)
		t.Log(v)
		for _, r := range v.Runs {
			t.Logf("  %s %s started %s cancel %s closed %v %s failed %v terminated %v", r.Request.ScheduleID, r.Request.WorkflowID, r.StartedAt.Format(time.RFC3339Nano),
				r.CancelledAt.Format(time.RFC3339Nano), r.Closed, r.ClosedAt.Format(time.RFC3339Nano), r.Failed, r.Terminated)
		}
	}
}

package temporal

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
)

// Generated histories within the temporal-v1 profile, through Temporal's
// schedule workflow, judged by invariants.Judge under that profile. Every
// one gets a verdict; a violation fails the test with the history as a
// scenario to replay (SCHEDSIM_TEMPORAL_REPLAY). Every tenth is run twice
// and must give the same verdict (other instants are counted: see
// docs/findings.md, Limits). 1,000 cases by default (about 10 s), 100
// under -short, SCHEDSIM_TEMPORAL_CASES=N for N; SCHEDSIM_TEMPORAL_ONLY=3,17
// runs just those cases.
func TestGeneratedHistories(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	if v := os.Getenv("SCHEDSIM_TEMPORAL_CASES"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err, "SCHEDSIM_TEMPORAL_CASES")
	}
	prof := profile.TemporalV1()
	o := properties.Options{Profile: &prof, Faults: properties.ModeCrashes}
	counts := map[string]int{}
	known := knownFailing(t)
	only := map[int]bool{} // SCHEDSIM_TEMPORAL_ONLY=3,17: just these cases
	for _, f := range strings.Split(os.Getenv("SCHEDSIM_TEMPORAL_ONLY"), ",") {
		if f != "" {
			i, err := strconv.Atoi(f)
			require.NoError(t, err, "SCHEDSIM_TEMPORAL_ONLY")
			only[i] = true
		}
	}
	for i := range n {
		if len(only) > 0 && !only[i] {
			continue
		}
		h, err := properties.Generate(properties.DefaultSeed, i, o)
		require.NoError(t, err)
		s := h.Scenario(fmt.Sprintf("temporal-case-%d", i), "generated for Temporal")
		began := time.Now()
		verdict := RunScenario(s)
		if d := time.Since(began); d > time.Second {
			t.Logf("case %d took %v of wall time\n%s", i, d.Round(time.Millisecond), h.Format(s.Name, ""))
		}
		if i%10 == 0 && verdict.Applicable {
			again := RunScenario(s)
			switch {
			case len(again.Violations) != len(verdict.Violations):
				t.Errorf("case %d: a second run gave another verdict (%v, then %v)\n%s", i, verdict.Violations, again.Violations, h.Format(s.Name, ""))
			case !reflect.DeepEqual(verdict.Runs, again.Runs):
				// The SDK's test environment fires a timer by the wall
				// clock while a local activity runs (docs/findings.md).
				counts["run twice, other instants, same verdict"]++
				t.Logf("case %d: a second run started executions at other instants (same verdict)", i)
			default:
				counts["run twice, same starts"]++
			}
		}
		switch {
		case !verdict.Applicable:
			counts["n/a: "+verdict.Why]++
		case len(verdict.Violations) > 0:
			want, ok := known[fmt.Sprintf("generated:%d", i)]
			switch {
			case !ok:
				counts["fail"]++
				t.Errorf("case %d: %v (not a known finding: triage it into docs/findings.md and testdata/known-failing.txt)\n%s", i, verdict.Violations, h.Format(s.Name, ""))
			case invariantsOf(verdict.Violations) != want:
				counts["fail"]++
				t.Errorf("case %d fails with %s, listed with %s", i, invariantsOf(verdict.Violations), want)
			default:
				counts["fail (known)"]++
			}
		default:
			counts["pass"]++
			if _, ok := known[fmt.Sprintf("generated:%d", i)]; ok {
				t.Errorf("STALE generated:%d passes: take it off testdata/known-failing.txt", i)
			}
		}
	}
	t.Logf("%d histories: %v", n, counts)
	require.Positive(t, counts["pass"], "some history must be judged")
}

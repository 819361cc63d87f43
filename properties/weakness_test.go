package properties_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/properties"
)

// caughtBy explores the default budget against a mutant and returns, per
// killing case, the invariants it violated.
func caughtBy(t *testing.T, name string) [][]string {
	m, ok := mutants.ByName(name)
	require.True(t, ok, name)
	o := budget(name)
	ks := make([]int, o.Cases)
	for i := range ks {
		ks[i] = i
	}
	var out [][]string
	err := properties.Explore(context.Background(), m.Factory(0), o, o.Seed, ks, func(int64) bool { return false }, 2,
		func(r properties.CaseResult) bool {
			require.NoError(t, r.Err)
			seen := map[string]bool{}
			for _, v := range r.Violations {
				inv := v.Invariant
				if inv == "M1" && !r.M1Until.IsZero() {
					inv = "M1<fault" // judged only thanks to this extension of M1
				}
				seen[inv] = true
			}
			if len(seen) > 0 {
				out = append(out, slices.Sorted(maps.Keys(seen)))
			}
			return true
		})
	require.NoError(t, err)
	return out
}

// newChecks are what this project added for the blind spots of the
// generated suite: the log's accounting, liveness judged from the world, and
// M1 before the first seam fault.
var newChecks = []string{"A1", "A2", "L1", "L2", "L3", "M1<fault"}

// TestEachWeaknessHasAMutantTheNewCheckKills: for each class of blindness
// the generated suite had, a mutant that the new check kills within the
// default budget, and that older checks alone kill in fewer cases than the
// new ones do (the old suite, without boundary values, does not kill it at
// all: see TestBoundaryValuesAreNeeded and the note).
func TestEachWeaknessHasAMutantTheNewCheckKills(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("explores the whole default budget for several mutants (not with -short or -race)")
	}
	for _, c := range []struct{ mutant, by string }{
		{"redelivery-redecides", "A1"},          // the log's accounting
		{"buffered-start-waits-for-tick", "L1"}, // liveness from the world
		{"owed-start-waits-for-tick", "L2"},
	} {
		cases := caughtBy(t, c.mutant)
		byNew, oldOnly := 0, 0
		for _, invs := range cases {
			if slices.ContainsFunc(invs, func(inv string) bool { return slices.Contains(newChecks, inv) }) {
				byNew++
			} else {
				oldOnly++
			}
		}
		assert.True(t, slices.ContainsFunc(cases, func(invs []string) bool { return slices.Contains(invs, c.by) }), "%s: %s never fires", c.mutant, c.by)
		assert.Greater(t, byNew, oldOnly, "%s: killed by the new checks in %d cases, by older ones alone in %d", c.mutant, byNew, oldOnly)
		t.Logf("%s: killed in %d cases, %d of them by older checks alone", c.mutant, len(cases), oldOnly)
	}
}

// TestBoundaryValuesAreNeeded: a mutant wrong only at sub-millisecond
// instants is killed with boundary values and survives without them.
func TestBoundaryValuesAreNeeded(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("explores the whole default budget twice (not with -short or -race)")
	}
	assert.NotEmpty(t, caughtBy(t, "anchor-at-millisecond"))
	defer properties.WithoutBoundaryValues()()
	assert.Empty(t, caughtBy(t, "anchor-at-millisecond"), "caught without boundary values")
}

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

// caughtBy explores the default budget against a mutant and returns every
// invariant any case violated.
func caughtBy(t *testing.T, name string) []string {
	m, ok := mutants.ByName(name)
	require.True(t, ok, name)
	o := options()
	ks := make([]int, o.Cases)
	for i := range ks {
		ks[i] = i
	}
	seen := map[string]bool{}
	err := properties.Explore(context.Background(), m.Factory(0), o, o.Seed, ks, func(int64) bool { return false }, 2,
		func(r properties.CaseResult) bool {
			require.NoError(t, r.Err)
			for _, v := range r.Violations {
				seen[v.Invariant] = true
			}
			return true
		})
	require.NoError(t, err)
	return slices.Sorted(maps.Keys(seen))
}

// newChecks are the invariants added for the blind spots of the generated
// suite: the log's accounting and liveness judged from the world.
var newChecks = []string{"A1", "A2", "L1", "L2", "L3"}

// TestEachWeaknessHasAMutantOnlyItsCheckKills: for each class of blindness
// the generated suite had, a mutant that the new check (or the new
// generation) kills within the default budget and nothing older does: in no
// case does an invariant other than the new ones fire.
func TestEachWeaknessHasAMutantOnlyItsCheckKills(t *testing.T) {
	if testing.Short() {
		t.Skip("explores the whole default budget for several mutants")
	}
	for _, c := range []struct{ mutant, by string }{
		{"redelivery-redecides", "A1"},          // the log's accounting
		{"buffered-start-waits-for-tick", "L1"}, // liveness from the world
		{"owed-start-waits-for-tick", "L2"},
	} {
		got := caughtBy(t, c.mutant)
		assert.Contains(t, got, c.by, c.mutant)
		assert.Subset(t, newChecks, got, "%s is caught by older checks too", c.mutant)
	}
	// Boundary values: without them the mutant survives the budget.
	assert.NotEmpty(t, caughtBy(t, "anchor-at-millisecond"))
	defer properties.WithoutBoundaryValues()()
	assert.Empty(t, caughtBy(t, "anchor-at-millisecond"), "caught without boundary values")
}

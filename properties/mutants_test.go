package properties_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/properties"
)

// TestMutantsAreKilled: the default suite kills every mutant, with a
// counterexample of at most 10 timeline steps.
func TestMutantsAreKilled(t *testing.T) {
	for _, m := range mutants.All {
		err := properties.Check(m.Factory(0), budget(m.Name))
		var f *properties.Failure
		if !errors.As(err, &f) {
			t.Errorf("%s survived %d histories: %v", m.Name, budget(m.Name).Cases, err)
			continue
		}
		if !m.Nondeterministic { // shrinking a flaky failure may stop early
			assert.LessOrEqual(t, f.History.Size(), 10, "%s: the shrunk scenario is small", m.Name)
		}
		t.Logf("%-32s caught by %-3s at case %4d, shrunk to %d steps", m.Name, f.Invariant, f.Case, f.History.Size())
	}
}

func TestFailureReplaysAsAScenario(t *testing.T) {
	m, _ := mutants.ByName("timers-stay-armed")
	err := properties.Check(m.Factory(0), properties.Options{})
	var f *properties.Failure
	if !errors.As(err, &f) {
		t.Fatal("the mutant survived")
	}
	assert.Contains(t, err.Error(), "seed 20261127")
	assert.Contains(t, f.Scenario, "invariants: hold")
	// The scenario, replayed against the same mutant, shows the same invariant.
	assert.Contains(t, replay(t, f.Scenario, m.Factory(0)), f.Invariant+" ")
	// And the reference passes it.
	assert.Empty(t, replay(t, f.Scenario, nil))
}

func TestOptionsAreChecked(t *testing.T) {
	assert.ErrorIs(t, properties.Check(nil, properties.Options{MaxSchedules: 11}), properties.ErrInvalidOptions)
	assert.ErrorIs(t, properties.Check(nil, properties.Options{Cases: -1}), properties.ErrInvalidOptions)
}

func TestGenerationIsDeterministic(t *testing.T) {
	for i := 0; i < 20; i++ {
		a, err := properties.Generate(7, i, properties.Options{})
		assert.NoError(t, err)
		b, _ := properties.Generate(7, i, properties.Options{})
		assert.Equal(t, a.Format("x", "y"), b.Format("x", "y"))
	}
}

package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/mutants"
)

func TestExplain(t *testing.T) {
	code, out, _ := runArgs("explain", "S2")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "S2 Cancel-previous (safety)")
	assert.Contains(t, out, "(simrun explain S2)", "the example is a message as printed")
	code, out, _ = runArgs("explain")
	assert.Equal(t, 0, code)
	for _, e := range invariants.Catalogue {
		assert.Contains(t, out, e.ID)
	}
	code, _, errs := runArgs("explain", "S99")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `unknown invariant "S99"`)
	code, out, _ = runArgs("explain", "--markdown")
	assert.Equal(t, 0, code)
	assert.Equal(t, invariants.Markdown(), out)
}

// TestCatalogueNamesRealMutants: every mutant an entry cites exists.
func TestCatalogueNamesRealMutants(t *testing.T) {
	re := regexp.MustCompile(`mutants? ([a-z-]+(?:, [a-z-]+)*)`)
	word := regexp.MustCompile(`[a-z]+(?:-[a-z]+)+`)
	n := 0
	for _, e := range invariants.Catalogue {
		for _, m := range re.FindAllStringSubmatch(e.ShownBy, -1) {
			for _, name := range word.FindAllString(m[1], -1) {
				n++
				_, ok := mutants.ByName(name)
				assert.True(t, ok, "%s cites the mutant %s", e.ID, name)
			}
		}
	}
	assert.Greater(t, n, 15)
}

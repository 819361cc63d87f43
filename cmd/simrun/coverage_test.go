package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCoverage(t *testing.T) {
	code, out, _ := runArgs("coverage")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "| engine.cancel | error after | n/a | n/a | 1 | n/a | n/a |")
	assert.Contains(t, out, "4 reachable cells not covered (·):\n  crash before log.snapshot under no schedule")
	code, out, _ = runArgs("coverage", "--strict", "../../scenarios/library/seed")
	assert.Equal(t, 1, code, "the seed scenarios leave cells uncovered")
	assert.Contains(t, out, "by 12 scenarios")
	code, _, errs := runArgs("coverage", "no/such/dir")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "no/such/dir")
}

package scenarios_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/scenarios"
)

// TestLibraryCoversTheFaultMatrix: every reachable cell of the fault matrix
// (simrun coverage) is covered by a library scenario whose run fires a
// fault there, but log.snapshot's: scenarios cannot ask for compaction.
func TestLibraryCoversTheFaultMatrix(t *testing.T) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	cov := scenarios.Coverage{}
	for _, s := range all {
		res, err := scenarios.Run(s, scenarios.Options{})
		require.NoError(t, err)
		cov.Add(res)
	}
	_, missing := cov.Table()
	var names []string
	for _, c := range missing {
		names = append(names, c.String())
	}
	assert.Equal(t, []string{"crash before log.snapshot under no schedule", "crash after log.snapshot under no schedule",
		"error before log.snapshot under no schedule", "error after log.snapshot under no schedule"}, names)
	assert.Len(t, cov[scenarios.Cell{Call: "engine.cancel", Way: "error after", Overlap: "cancel_previous"}], 1)
}

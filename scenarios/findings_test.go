package scenarios_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/scenarios"
)

// TestFindingsReplay: each scenario in findings/ records a defect found in
// third-party code that the reference evaluator inherits (findings/README.md).
// Its expectations are the documented semantics, so it fails against the
// reference, with the invariants named here. When one passes, the defect was
// fixed: move the scenario into the library.
func TestFindingsReplay(t *testing.T) {
	want := map[string][]string{
		"robfig-santiago-wrong-weekday.yaml": {"S6 s @2027-09-05T08:18:00Z", "M1 s"},
		"robfig-lord-howe-skips-a-day.yaml":  {"M1 s @2025-10-04T19:00:00Z"},
	}
	files, err := filepath.Glob("findings/*.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(want))
	for _, file := range files {
		s, err := scenarios.LoadFile(file)
		require.NoError(t, err)
		res, err := scenarios.Run(s, scenarios.Options{})
		require.NoError(t, err)
		require.False(t, res.Passed(), "%s passes: the defect is gone", file)
		text := fmt.Sprint(res.Failures)
		for _, w := range want[filepath.Base(file)] {
			assert.Contains(t, text, w, file)
		}
	}
}

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

package scenarios_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/scenarios"
)

// TestFormatRoundTripsTheLibrary: Parse(Format(s)) is s for every bundled
// scenario, and formatting is stable (Format(Parse(Format(s))) = Format(s)).
func TestFormatRoundTripsTheLibrary(t *testing.T) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	for _, s := range all {
		b, err := scenarios.Format(s)
		require.NoError(t, err, s.File)
		back, err := scenarios.Parse(s.File, b)
		require.NoError(t, err, "%s formats to a file that does not load:\n%s", s.File, b)
		assert.Equal(t, s.Canonical(), back.Canonical(), "%s:\n%s", s.File, b)
		again, err := scenarios.Format(back)
		require.NoError(t, err)
		assert.Equal(t, string(b), string(again), s.File)
	}
}

package properties_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

// replay runs a scenario text and returns its failures, one per line.
func replay(t *testing.T, text string, factory sim.Factory) string {
	t.Helper()
	s, err := scenarios.Parse("replay.yaml", []byte(text))
	require.NoError(t, err)
	res, err := scenarios.Run(s, scenarios.Options{Factory: factory})
	require.NoError(t, err)
	var out []string
	for _, f := range res.Failures {
		out = append(out, f.String())
	}
	return strings.Join(out, "\n")
}

package scenarios_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/scenarios"
)

func TestLibrary(t *testing.T) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			res, err := scenarios.Run(s, scenarios.Options{})
			require.NoError(t, err)
			for _, f := range res.Failures {
				t.Error(f)
			}
		})
	}
}

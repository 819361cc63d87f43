package properties_test

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/sim"
)

var (
	seed  = flag.Int64("seed", properties.DefaultSeed, "the property suite's seed")
	cases = flag.Int("cases", properties.DefaultCases, "histories per run of the suite")
	long  = flag.Bool("long", false, "run 100 times more histories")
)

func options() properties.Options {
	o := properties.Options{Seed: *seed, Cases: *cases}
	if *long {
		o.Cases *= 100
	}
	return o
}

func TestReferencePasses(t *testing.T) {
	err := properties.Check(sim.Reference(0), options())
	require.NoError(t, err)
}

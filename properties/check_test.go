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
	size  = flag.Int("schedules", properties.DefaultMaxSchedules, "at most this many schedules per history (1 to 10)")
	steps = flag.Int("steps", properties.DefaultMaxSteps, "at most this many steps per history besides the creates")
)

func options() properties.Options {
	o := properties.Options{Seed: *seed, Cases: *cases, MaxSchedules: *size, MaxSteps: *steps}
	if *long {
		o.Cases *= 100
	}
	return o
}

func TestReferencePasses(t *testing.T) {
	err := properties.Check(sim.Reference(0), options())
	require.NoError(t, err)
}

// Command simadapter serves schedsim's reference evaluator (or one of its
// mutants) over the process protocol of docs/protocol.md, on stdin and
// stdout. It keeps nothing durable: every seam is a call to the harness.
// It is also the example of protocol.Serve: another Go evaluator needs a main
// like this one to be checked by simrun.
//
//	simrun run --impl 'go run ./cmd/simadapter' scenarios/library
//	simrun check --impl simadapter --seeds 200
package main

import (
	"flag"
	"fmt"
	"github.com/schedsim/schedsim/profile"
	"os"
	"runtime"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/sim"
)

func main() {
	fs := flag.NewFlagSet("simadapter", flag.ContinueOnError)
	mutant := fs.String("mutant", "", "serve this built-in mutant instead of the reference evaluator")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if _, ok := mutants.ByName(*mutant); *mutant != "" && !ok {
		fmt.Fprintf(os.Stderr, "simadapter: unknown mutant %q\n", *mutant)
		os.Exit(2)
	}
	// One request at a time: more Ps only add scheduler wake-ups, which
	// cost the harness's CPU (measured: 7.4k against 5.5k ticks/s).
	runtime.GOMAXPROCS(1)
	hello := protocol.Hello{Name: "schedsim-reference", Version: "1", Features: []string{"snapshots", protocol.FeatureBounds, protocol.FeatureLimitedRuns, protocol.FeatureTriggerNow, protocol.FeaturePauseOnFailure, protocol.FeatureJitter, protocol.FeatureBackfill}, Profile: &protocol.ProfileDecl{Name: profile.Default}}
	if err := protocol.Serve(os.Stdin, os.Stdout, hello, factory(*mutant)); err != nil {
		fmt.Fprintf(os.Stderr, "simadapter: %v\n", err)
		os.Exit(1)
	}
}

// factory makes the reference evaluator, or the mutant named on the command
// line or in the init options, with the init options' retry delay.
func factory(mutant string) protocol.ServeFactory {
	return func(s sim.Seams, o protocol.InitOptions) (sim.Process, error) {
		var retry time.Duration
		if o.RetryDelay != "" {
			d, err := time.ParseDuration(o.RetryDelay)
			if err != nil {
				return nil, fmt.Errorf("%w: retry_delay: %v", evaluator.ErrInvalidRequest, err)
			}
			retry = d
		}
		if o.Mutant == "" {
			o.Mutant = mutant
		}
		if o.Mutant == "" {
			return sim.Reference(retry)(s)
		}
		m, ok := mutants.ByName(o.Mutant)
		if !ok {
			return nil, fmt.Errorf("%w: unknown mutant %q", evaluator.ErrInvalidRequest, o.Mutant)
		}
		return m.Factory(retry)(s)
	}
}

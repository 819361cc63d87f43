package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/schedsim/schedsim/scenarios"
)

// coverageCmd prints the fault matrix of a set of scenarios: which seam
// calls they make fail, how, under which overlap policy.
func coverageCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("coverage", flag.ContinueOnError)
	strict := fset.Bool("strict", false, "exit 1 when a reachable cell is not covered")
	paths, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	all, err := sourceOf(paths).load()
	if err != nil {
		fmt.Fprintf(stderr, "simrun: coverage: %v\n", err)
		return exitUsage
	}
	cov := scenarios.Coverage{}
	for _, s := range all {
		res, err := scenarios.Run(s, scenarios.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "simrun: coverage: %s: %v\n", s.File, err)
			return exitUsage
		}
		cov.Add(res)
	}
	table, missing := cov.Table()
	fmt.Fprintf(stdout, "Faults fired at seam calls by %d scenarios (the reference evaluator's runs), by the overlap policy of the schedule the call concerned:\n\n%s\n", len(all), table)
	if len(missing) == 0 {
		fmt.Fprintln(stdout, "every reachable cell is covered (n/a: no scenario can reach it)")
		return 0
	}
	fmt.Fprintf(stdout, "%d reachable cells not covered (·):\n", len(missing))
	for _, c := range missing {
		fmt.Fprintf(stdout, "  %s\n", c)
	}
	if *strict {
		return 1
	}
	return 0
}

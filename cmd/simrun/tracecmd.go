package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schedsim/schedsim/scenarios"
)

// traceScenario replays one scenario and prints its timeline: the header,
// each scripted step (marked >>) among the records of what happened, then
// the verdict.
func traceScenario(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("trace", flag.ContinueOnError)
	mutant := fset.String("mutant", "", "replay against a built-in mutant instead of the reference")
	impl := fset.String("impl", "", "replay against an external program speaking docs/protocol.md, run with sh -c")
	htmlOut := fset.String("html", "", "write the run as a self-contained HTML timeline to this file instead of printing the trace")
	jsonOut := fset.String("json", "", "write the run's timeline as JSON (the data the page draws, docs/timeline.md) to this file instead of printing the trace")
	paths, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(paths) != 1 {
		return usageError(stderr, "trace needs exactly one scenario file, got %d", len(paths))
	}
	factory, code := implementation(*mutant, *impl, "trace", stderr)
	if code >= 0 {
		return code
	}
	s, err := scenarios.LoadFile(paths[0])
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "simrun: %s\n", line)
		}
		return 2
	}
	res, err := scenarios.Run(s, scenarios.Options{Factory: factory})
	if err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return 2
	}
	if *htmlOut != "" || *jsonOut != "" {
		return traceFiles(res, implName(*mutant, *impl), *htmlOut, *jsonOut, stdout, stderr)
	}
	fmt.Fprintf(stdout, "scenario %s (%s)\n", s.Name, s.File)
	if d := strings.TrimSpace(s.Description); d != "" {
		fmt.Fprintln(stdout, indent(d))
	}
	fmt.Fprintf(stdout, "from %s to %s\n", stamp(s.Start), stamp(s.Until))
	for _, sc := range s.Schedules {
		runs := "until cancelled"
		if sc.RunsFor > 0 {
			runs = sc.RunsFor.String()
		}
		fmt.Fprintf(stdout, "schedule %s: %s, overlap %s, catch-up %s, runs %s\n", sc.ID, sc.Config.Trigger, sc.Config.Overlap, sc.Config.CatchUp, runs)
	}
	fmt.Fprintln(stdout)
	failedAt := map[int]bool{}
	for _, f := range res.Failures {
		failedAt[f.Pos.Line] = true
	}
	steps := s.Steps
	flush := func(until time.Time, all bool) {
		// A step prints before what happens at its instant, except an
		// expectation: it is checked once the instant (a restart, say) is done.
		for len(steps) > 0 && (all || steps[0].At.Before(until) || steps[0].At.Equal(until) && steps[0].Expect == nil) {
			st := steps[0]
			steps = steps[1:]
			what := st.What()
			if st.Expect != nil {
				what = "expect: holds"
				if failedAt[st.Pos.Line] {
					what = "expect: FAILS"
				}
			}
			fmt.Fprintf(stdout, "%s >> line %d: %s\n", stamp(st.At), st.Pos.Line, what)
		}
	}
	for _, r := range res.Records {
		flush(r.At, false)
		fmt.Fprintln(stdout, r)
	}
	flush(time.Time{}, true)
	fmt.Fprintln(stdout)
	for _, f := range res.Failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	if !res.Passed() {
		fmt.Fprintf(stdout, "FAIL %s: %s\n", s.Name, plural(len(res.Failures), "failure"))
		return 1
	}
	fmt.Fprintf(stdout, "PASS %s\n", s.Name)
	return 0
}

// stamp is an instant as traces print it: UTC, ending in Z.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// traceFiles writes a replay's page and JSON instead of its trace, then the
// verdict.
func traceFiles(res *scenarios.Result, implementation, htmlOut, jsonOut string, stdout, stderr io.Writer) int {
	for _, out := range []struct {
		path   string
		asJSON bool
	}{{htmlOut, false}, {jsonOut, true}} {
		if out.path == "" {
			continue
		}
		if _, err := writeTimeline(out.path, res, implementation, out.asJSON); err != nil {
			fmt.Fprintf(stderr, "simrun: trace: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "wrote %s\n", out.path)
	}
	for _, f := range res.Failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	if !res.Passed() {
		fmt.Fprintf(stdout, "FAIL %s: %s\n", res.Scenario.Name, plural(len(res.Failures), "failure"))
		return 1
	}
	fmt.Fprintf(stdout, "PASS %s\n", res.Scenario.Name)
	return 0
}

// Command simrun replays schedsim's scenarios and runs its self-check.
//
// With no arguments it replays the bundled scenario library (embedded in the
// binary) and prints one line per scenario and a summary. See usage below, or
// run `simrun help`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: simrun [command] [flags] [args]

commands:
  run [PATH...]  replay scenario files or directories (default: the bundled
                 library) and check their expectations and golden traces
                 (the default command)
  trace FILE     replay one scenario and print its timeline: each step and
                 everything that happened, in order
  check          explore random histories (seeded swarm testing) against the
                 reference or a mutant; shrink a violation to a scenario in
                 --out (flags: simrun check -h)
  merge REPORT...
                 combine the --json reports of sharded checks into one
                 verdict (--json, --junit)
  properties     run the property suite against the reference evaluator
                 (-seed N, -cases N); a failure prints a shrunk scenario
  mutants [NAME...]
                 run the property suite against broken evaluators and show
                 what catches each (--list: just list them; --table: Markdown;
                 -seeds N: median and worst time to kill over N seeds)
  selfcheck      run the reference evaluator through a simulated outage for
                 every overlap x catch-up policy pair and check the safety
                 invariants
  help           print this help

run flags (before or after the paths):
  --update       rewrite the .golden trace of each scenario given by path
                 (the YAML files are never rewritten)
  --junit FILE   write a JUnit XML report
  --json FILE    write a JSON report
  -v             print each scenario's trace
  --mutant NAME  replay against a built-in mutant instead of the reference
  --impl CMD     replay against an external program (docs/protocol.md);
                 simrun check takes --impl too

selfcheck flags:
  -hours N       simulated hours, 1 to 168 (default 6)
  -v             print every start

exit status: 0 all pass (mutants: all killed), 1 a scenario, check or
property failed (or a mutant survived), 2 usage error or
invalid input (a scenario file that does not load: file:line:column: why)

scenario format: docs/scenarios.md
`

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runScenarios(args, stdout, stderr)
	case "trace":
		return traceScenario(args, stdout, stderr)
	case "selfcheck":
		return selfcheckCmd(args, stdout, stderr)
	case "properties":
		return propertiesCmd(args, stdout, stderr)
	case "mutants":
		return mutantsCmd(args, stdout, stderr)
	case "check":
		return checkCmd(args, stdout, stderr)
	case "merge":
		return mergeCmd(args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		return usageError(stderr, "unknown command %q", cmd)
	}
}

func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "simrun: %s\n\n%s", fmt.Sprintf(format, args...), usage)
	return 2
}

// parse parses flags anywhere among the arguments and returns the others.
// It returns a non-negative exit code when parsing ends the command.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, int) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				fmt.Fprintf(stdout, "\nflags of %s:\n", fs.Name())
				fs.SetOutput(stdout)
				fs.PrintDefaults()
				return nil, 0
			}
			return nil, usageError(stderr, "%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, -1
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), -1
		}
		rest, args = append(rest, args[0]), args[1:]
	}
}

// maxHours bounds the self-check: it keeps every record in memory.
const maxHours = 24 * 7

func selfcheckCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("selfcheck", flag.ContinueOnError)
	hours := fs.Int("hours", 6, "simulated hours")
	verbose := fs.Bool("v", false, "print every start")
	rest, code := parse(fs, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(rest) > 0 {
		return usageError(stderr, "selfcheck: unexpected argument %q", rest[0])
	}
	if *hours < 1 || *hours > maxHours {
		fmt.Fprintf(stderr, "simrun: -hours must be between 1 and %d, got %d\n", maxHours, *hours)
		return 2
	}
	return selfcheck(*hours, *verbose, stdout, stderr)
}

// Command simrun replays schedsim's scenarios and runs its self-check.
//
// With no arguments it replays the bundled scenario library (embedded in the
// binary) and prints one line per scenario and a summary. See usage below, or
// run `simrun help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one of simrun's commands: the table the dispatcher, the usage
// text and `help CMD` all read.
type command struct {
	name, args string
	summary    string // for the command list, wrapped by hand at 60 columns
	run        func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands []command

func init() { // here, not in the declaration: help refers to commands
	commands = []command{
		{"run", "[flags] [PATH...]", `replay scenario files or directories (default: the bundled
library) and check their expectations and golden traces
(the default command)`, runScenarios},
		{"trace", "[flags] FILE", `replay one scenario and print its timeline: each step and
everything that happened, in order; --html draws it as a
page (docs/timeline.md)`, traceScenario},
		{"check", "[flags]", `explore random histories (seeded swarm testing) against the
reference, a mutant or a program; shrink a violation to a
scenario in --out, with its HTML timeline beside it`, checkCmd},
		{"merge", "[flags] REPORT...", `combine the --json reports of the shards of one sharded
check into one verdict`, mergeCmd},
		{"profiles", "[--markdown] [NAME...]", `list the built-in profiles (the dialects of schedsim,
gocron v2 and robfig/cron's runner), or document them`, func(_ context.Context, args []string, stdout, stderr io.Writer) int {
			return showProfiles(args, stdout, stderr)
		}},
		{"explain", "[INVARIANT...]", `say what an invariant (S1, M1, ...) means and what breaks
it; with no argument, list them all`, explainCmd},
		{"properties", "[flags]", `run the property suite against the reference evaluator; a
failure prints a shrunk scenario`, propertiesCmd},
		{"mutants", "[flags] [NAME...]", `run the property suite against broken evaluators and show
what catches each`, mutantsCmd},
		{"coverage", "[flags] [PATH...]", `print the fault matrix of scenarios (default: the library):
which seam calls their runs make fail, how (crash or error,
before or after), under which overlap policy`, coverageCmd},
		{"selfcheck", "[flags]", `run the reference evaluator through a simulated outage for
every overlap x catch-up policy pair and check the
invariants`, selfcheckCmd},
		{"version", "", `print simrun's module version and VCS revision`, versionCmd},
		{"help", "[COMMAND]", `print this help, or a command's flags`, helpCmd},
	}
}

const exitStatus = `exit status:
  0    all pass (mutants: all killed)
  1    a scenario, check or property failed (or a mutant survived)
  2    usage error or invalid input (a scenario file that does not
       load: file:line:column: why)
  3    check: nondeterminism (the same seed gave two different traces)
  130  interrupted (SIGINT or SIGTERM): the partial summary is printed
       and the reports written, marked incomplete
`

func usage() string {
	var b strings.Builder
	b.WriteString("usage: simrun [command] [flags] [args]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-11s%s\n", c.name, strings.ReplaceAll(c.summary, "\n", "\n             "))
	}
	b.WriteString("\n'simrun help COMMAND' or 'simrun COMMAND -h' lists a command's flags.\n\n")
	b.WriteString(exitStatus)
	b.WriteString("\nscenario format: docs/scenarios.md; invariants: docs/invariants.md; profiles: docs/profiles.md;\nHTML timelines: docs/timeline.md\n")
	return b.String()
}

func find(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run is runContext without a signal to stop it: what the tests call.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, usage())
			return 0
		case "-version", "--version":
			return versionCmd(ctx, nil, stdout, stderr)
		}
	}
	name := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	c, ok := find(name)
	if !ok {
		return usageError(stderr, "unknown command %q", name)
	}
	return c.run(ctx, args, stdout, stderr)
}

// usageError prints one line, and where to read more.
func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "simrun: %s\nsimrun: 'simrun help' lists the commands, 'simrun help COMMAND' a command's flags\n", fmt.Sprintf(format, args...))
	return 2
}

func helpCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		fmt.Fprint(stdout, usage())
		return 0
	case 1:
		c, ok := find(args[0])
		if !ok {
			return usageError(stderr, "help: unknown command %q", args[0])
		}
		if c.name == "help" {
			fmt.Fprint(stdout, usage())
			return 0
		}
		return c.run(ctx, []string{"-h"}, stdout, stderr)
	default:
		return usageError(stderr, "help takes at most one command, got %d", len(args))
	}
}

// parse parses flags anywhere among the arguments and returns the others.
// It returns a non-negative exit code when parsing ends the command.
func parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, int) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(fs, stdout)
				return nil, 0
			}
			return nil, usageError(stderr, "%s: %v", fs.Name(), err)
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

// printHelp prints a command's synopsis, summary and flags.
func printHelp(fs *flag.FlagSet, stdout io.Writer) {
	c, _ := find(fs.Name())
	fmt.Fprintf(stdout, "usage: simrun %s %s\n\n%s\n", c.name, c.args, c.summary)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(stdout, "\nflags:\n")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	fmt.Fprintf(stdout, "\n%s", exitStatus)
}

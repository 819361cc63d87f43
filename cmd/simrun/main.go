// Command simrun drives schedsim's simulations. Until the scenario runner
// exists it has one job, the evaluator's self-check (also what it runs with no
// arguments): a deterministic simulated day for every overlap × catch-up
// policy pair, with a crash, checked against the safety invariants.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: simrun [command] [flags]

commands:
  selfcheck   run the reference evaluator through a simulated outage for every
              overlap x catch-up policy pair and check the safety invariants
              (default when no command is given)
  help        print this help

selfcheck flags:
  -hours N    simulated hours, 1 to 168 (default 6)
  -v          print every start

exit status: 0 all checks hold, 1 a check failed, 2 usage error
`

// maxHours bounds the self-check: it keeps every record in memory.
const maxHours = 24 * 7

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "selfcheck"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "selfcheck":
		fs := flag.NewFlagSet("selfcheck", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		hours := fs.Int("hours", 6, "simulated hours")
		verbose := fs.Bool("v", false, "print every start")
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				return 0
			}
			fmt.Fprintf(stderr, "simrun: %v\n\n%s", err, usage)
			return 2
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "simrun: unexpected argument %q\n\n%s", fs.Arg(0), usage)
			return 2
		}
		if *hours < 1 || *hours > maxHours {
			fmt.Fprintf(stderr, "simrun: -hours must be between 1 and %d, got %d\n", maxHours, *hours)
			return 2
		}
		return selfcheck(*hours, *verbose, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "simrun: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

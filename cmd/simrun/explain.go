package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/schedsim/schedsim/invariants"
)

// explainCmd prints an invariant's entry of the catalogue (docs/invariants.md
// is generated from the same table), or lists them all.
func explainCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("explain", flag.ContinueOnError)
	markdown := fset.Bool("markdown", false, "print docs/invariants.md, generated from the catalogue")
	ids, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	switch {
	case *markdown:
		if len(ids) > 0 {
			return usageError(stderr, "explain: --markdown takes no invariant")
		}
		fmt.Fprint(stdout, invariants.Markdown())
	case len(ids) == 0:
		for _, e := range invariants.Catalogue {
			fmt.Fprintf(stdout, "%-9s %s\n", e.ID, e.Name)
		}
		fmt.Fprintln(stdout, "\nsimrun explain ID says what one means and what breaks it")
	default:
		for i, id := range ids {
			e, ok := invariants.Lookup(id)
			if !ok {
				return usageError(stderr, "explain: unknown invariant %q (simrun explain lists them)", id)
			}
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprint(stdout, e.Text())
		}
	}
	return 0
}

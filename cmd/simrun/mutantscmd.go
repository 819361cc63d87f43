package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/sim"
)

// mutantsCmd runs the property suite against every mutant (or the ones
// named) and prints what caught each: the table in the README comes from
// `simrun mutants --table`.
func mutantsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("mutants", flag.ContinueOnError)
	table := fset.Bool("table", false, "print a Markdown table")
	listOnly := fset.Bool("list", false, "list the mutants and what each breaks, without running anything")
	seeds := fset.Int("seeds", 1, "runs per mutant, each with its own seed (for median and worst time to kill)")
	seed := fset.Int64("seed", properties.DefaultSeed, "the first seed")
	ncases := fset.Int("cases", properties.DefaultCases, "histories per run")
	horizon := fset.Duration("horizon", properties.DefaultHorizon, "simulated time per case")
	schedules := fset.Int("schedules", properties.DefaultMaxSchedules, "at most this many schedules per case")
	steps := fset.Int("steps", properties.DefaultMaxSteps, "at most this many operations and faults per case")
	faults := fset.String("faults", properties.ModeAll, "fault mode: swarm, all, crashes or none")
	auto := fset.Bool("auto", false, "plant mechanical mutations in a copy of evaluator/ and run simrun check against each: the mutation score")
	module := fset.String("module", ".", "with --auto: the module root to copy")
	sample := fset.Int("sample", 0, "with --auto: test about this many mutations, evenly spread (0: all)")
	budget := fset.Int("budget", 300, "with --auto: simrun check cases per mutation")
	equivalent := fset.String("equivalent", "", "with --auto: file of mutations known to be equivalent (listed, not scored)")
	names, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if *auto {
		if len(names) > 0 || *table || *listOnly {
			return usageError(stderr, "mutants: --auto takes no mutant names, --table or --list")
		}
		if *sample < 0 || *budget < 1 {
			return usageError(stderr, "mutants: --sample must be 0 or more and --budget positive")
		}
		return autoMutants(ctx, autoOptions{module: *module, sample: *sample, seeds: *budget, jobs: 2, equivalent: *equivalent}, stdout, stderr)
	}
	if *seeds < 1 || *seeds > 100 {
		return usageError(stderr, "mutants: -seeds must be between 1 and 100, got %d", *seeds)
	}
	if *ncases < 1 {
		return usageError(stderr, "mutants: -cases must be positive, got %d", *ncases)
	}
	if *listOnly {
		for _, m := range mutants.All {
			defect := ""
			if m.Defect > 0 {
				defect = fmt.Sprintf(" (seed defect %d)", m.Defect)
			}
			fmt.Fprintf(stdout, "%-32s %s%s\n", m.Name, m.Description, defect)
		}
		return 0
	}
	base := properties.Options{Cases: *ncases, Horizon: *horizon, MaxSchedules: *schedules, MaxSteps: *steps, Faults: *faults}
	if err := properties.Validate(base); err != nil {
		return usageError(stderr, "mutants: %v", err)
	}
	list := mutants.All
	if len(names) > 0 {
		list = nil
		for _, n := range names {
			m, ok := mutants.ByName(n)
			if !ok {
				var known []string
				for _, m := range mutants.All {
					known = append(known, m.Name)
				}
				return usageError(stderr, "mutants: unknown mutant %q (known: %s)", n, strings.Join(known, ", "))
			}
			list = append(list, m)
		}
	}
	if *table {
		fmt.Fprintln(stdout, "| mutant | seed defect | caught by | steps in the minimal scenario | histories to kill (median) | time to kill, median / worst |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
	}
	survivors := 0
	for _, m := range list {
		var times []time.Duration
		var cases []int
		var caught []string
		steps := 0
		for k := 0; k < *seeds; k++ {
			began := time.Now()
			o := base
			o.Seed = *seed + int64(k)*7919
			err := properties.Check(m.Factory(0), o)
			elapsed := time.Since(began)
			var f *properties.Failure
			if !errors.As(err, &f) {
				if err != nil {
					fmt.Fprintf(stderr, "simrun: %s: %v\n", m.Name, err)
					return 2
				}
				continue
			}
			times = append(times, elapsed)
			cases = append(cases, f.Case+1)
			if !slices.Contains(caught, f.Invariant) {
				caught = append(caught, f.Invariant)
			}
			if k == 0 {
				steps = f.History.Size()
			}
		}
		if len(times) < *seeds {
			survivors++
		}
		defect := "—"
		if m.Defect > 0 {
			defect = fmt.Sprint(m.Defect)
		}
		if len(times) == 0 {
			if *table {
				fmt.Fprintf(stdout, "| `%s` | %s | **survived** | | | |\n", m.Name, defect)
			} else {
				fmt.Fprintf(stdout, "SURVIVED %-32s %s\n", m.Name, m.Description)
			}
			continue
		}
		slices.Sort(times)
		slices.Sort(cases)
		median, worst := times[len(times)/2], times[len(times)-1]
		by := strings.Join(caught, ", ")
		if n := *seeds - len(times); n > 0 { // a partial kill is not a kill: say so
			survived := fmt.Sprintf("survived %d of %d seeds", n, *seeds)
			if *table {
				survived = "**" + survived + "**"
			}
			by += " (" + survived + ")"
		}
		if *table {
			fmt.Fprintf(stdout, "| `%s` | %s | %s | %d | %d | %s / %s |\n", m.Name, defect, by, steps,
				cases[len(cases)/2], median.Round(time.Millisecond), worst.Round(time.Millisecond))
		} else {
			verdict := "killed  "
			if len(times) < *seeds {
				verdict = "partial "
			}
			fmt.Fprintf(stdout, "%s %-32s by %-8s %2d steps, %4d histories, %s  (%s)\n", verdict, m.Name, by, steps,
				cases[len(cases)/2], median.Round(time.Millisecond), m.Description)
		}
	}
	if !*table {
		fmt.Fprintf(stdout, "%d killed in every seed, %d survived at least one\n", len(list)-survivors, survivors)
	}
	if survivors > 0 {
		return 1
	}
	return 0
}

// propertiesCmd runs the property suite against the reference evaluator.
func propertiesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("properties", flag.ContinueOnError)
	seed := fset.Int64("seed", properties.DefaultSeed, "seed")
	cases := fset.Int("cases", properties.DefaultCases, "histories")
	rest, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(rest) > 0 {
		return usageError(stderr, "properties: unexpected argument %q", rest[0])
	}
	if *cases < 1 {
		return usageError(stderr, "properties: -cases must be positive, got %d", *cases)
	}
	began := time.Now()
	if err := properties.Check(sim.Reference(0), properties.Options{Seed: *seed, Cases: *cases}); err != nil {
		fmt.Fprintln(stdout, err)
		return 1
	}
	fmt.Fprintf(stdout, "%d histories (seed %d) hold every invariant (%s)\n", *cases, *seed, time.Since(began).Round(time.Millisecond))
	return 0
}

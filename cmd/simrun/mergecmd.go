package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/schedsim/schedsim/properties"
)

// mergeCmd combines the JSON reports of the shards of one sharded check into
// one verdict. The reports must be exactly the shards 0/n .. n-1/n of the
// same check (same seeds, flags and evaluator), each once: a missing or
// repeated shard would make the merged verdict speak for cases never run.
func mergeCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("merge", flag.ContinueOnError)
	junit := fset.String("junit", "", "JUnit XML report file")
	jsonOut := fset.String("json", "", "merged JSON report file")
	paths, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(paths) == 0 {
		return usageError(stderr, "merge needs the JSON reports of simrun check")
	}
	files, err := openReports(*jsonOut, *junit)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: merge: %v\n", err)
		return exitUsage
	}
	defer files.close()
	reports := make([]checkReport, len(paths))
	for i, file := range paths {
		if reports[i], err = readCheckReport(file); err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
	}
	merged, err := merge(paths, reports)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: merge: %v\n", err)
		return exitUsage
	}
	for _, f := range merged.Failures {
		fmt.Fprintf(stdout, "VIOLATION %s at seed %d: %s\n", f.Invariant, f.Seed, f.Command)
	}
	return finish(merged, files, stdout, stderr)
}

func readCheckReport(file string) (checkReport, error) {
	var r checkReport
	b, err := os.ReadFile(file)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Kind != reportKind {
		if err == nil {
			err = fmt.Errorf("its kind is %q", r.Kind)
		}
		return r, fmt.Errorf("%s: not a simrun check report: %v", file, err)
	}
	if r.Shard == "" {
		return r, fmt.Errorf("%s: a merged report, not a shard's", file)
	}
	return r, nil
}

// merge checks that the reports are the shards of one check and adds them up.
func merge(paths []string, reports []checkReport) (checkReport, error) {
	first := reports[0]
	sh, err := properties.ParseShard(first.Shard)
	if err != nil {
		return checkReport{}, fmt.Errorf("%s: shard %q: %v", paths[0], first.Shard, err)
	}
	n := sh.N
	seen := make([]string, n) // shard i → its file
	same := func(r checkReport) string {
		return fmt.Sprintf("evaluator %q, --profile %s, --seed %d, --seeds %d, --faults %s, --horizon %s, --schedules %d, --steps %d, --determinism %v",
			r.Evaluator, r.Profile, r.FirstSeed, r.Seeds, r.Faults, r.Horizon, r.Schedules, r.Steps, r.Determinism)
	}
	merged := first
	merged.Shard, merged.Shards = "", n
	merged.Valid, merged.Nondeterministic, merged.Incomplete = true, false, false
	merged.Cases, merged.Rechecked, merged.Deliveries, merged.Seconds, merged.M1Partial = 0, 0, 0, 0, 0
	merged.Failures, merged.ExpectedFailures = []checkFailure{}, []checkFailure{}
	merged.NotApplicable = map[string]int{}
	for i, r := range reports {
		s, err := properties.ParseShard(r.Shard)
		switch {
		case err != nil:
			return checkReport{}, fmt.Errorf("%s: shard %q: %v", paths[i], r.Shard, err)
		case s.N != n:
			return checkReport{}, fmt.Errorf("%s is shard %s, %s is shard %s: not the same split", paths[i], r.Shard, paths[0], first.Shard)
		case seen[s.I] != "":
			return checkReport{}, fmt.Errorf("shard %s is given twice: %s and %s", r.Shard, seen[s.I], paths[i])
		case same(r) != same(first):
			return checkReport{}, fmt.Errorf("%s was checked with %s, %s with %s: not one check", paths[i], same(r), paths[0], same(first))
		}
		seen[s.I] = paths[i]
		merged.Valid = merged.Valid && r.Valid
		merged.Nondeterministic = merged.Nondeterministic || r.Nondeterministic
		merged.Incomplete = merged.Incomplete || r.Incomplete
		merged.Cases += r.Cases
		merged.Rechecked += r.Rechecked
		merged.Deliveries += r.Deliveries
		merged.M1Partial += r.M1Partial
		for inv, n := range r.NotApplicable {
			merged.NotApplicable[inv] += n
		}
		merged.Seconds += r.Seconds
		merged.Failures = append(merged.Failures, r.Failures...)
		merged.ExpectedFailures = append(merged.ExpectedFailures, r.ExpectedFailures...)
	}
	var missing []string
	for i, file := range seen {
		if file == "" {
			missing = append(missing, fmt.Sprintf("%d/%d", i, n))
		}
	}
	if len(missing) > 0 {
		return checkReport{}, fmt.Errorf("missing shard %s (the merged verdict would speak for cases never run)", strings.Join(missing, ", "))
	}
	slices.SortStableFunc(merged.Failures, func(a, b checkFailure) int { return cmp.Compare(a.Seed, b.Seed) })
	return merged, nil
}

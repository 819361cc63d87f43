package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/sim"
)

// reportKind marks a JSON report as simrun check's, for merge.
const reportKind = "simrun check"

// checkReport is what `simrun check --json` writes and `simrun merge` reads.
type checkReport struct {
	Kind             string         `json:"kind"`
	Valid            bool           `json:"valid"`
	Nondeterministic bool           `json:"nondeterministic"`
	Incomplete       bool           `json:"incomplete"`
	Evaluator        string         `json:"evaluator"`
	Profile          string         `json:"profile"` // the dialect judged and generated in
	FirstSeed        int64          `json:"first_seed"`
	Seeds            int            `json:"seeds"`
	Shard            string         `json:"shard"` // i/n; 0/1 unsharded; "" merged
	Shards           int            `json:"shards,omitempty"`
	Cases            int            `json:"cases"`
	Rechecked        int            `json:"determinism_rechecks"`
	Determinism      float64        `json:"determinism"`
	Faults           string         `json:"faults"`
	Horizon          string         `json:"horizon"`
	Schedules        int            `json:"schedules"`
	Steps            int            `json:"steps"`
	Deliveries       int            `json:"deliveries"`     // timers delivered in all cases: 0 means nothing was exercised
	NotApplicable    map[string]int `json:"not_applicable"` // invariant → cases it could not judge
	M1Partial        int            `json:"m1_partial"`     // cases M1 judged only before their first seam fault
	Seconds          float64        `json:"seconds"`
	ExpectedFailures []checkFailure `json:"expected_failures"`
	Failures         []checkFailure `json:"failures"`
}

type checkFailure struct {
	Invariant  string   `json:"invariant"`
	Seed       int64    `json:"seed"`
	Command    string   `json:"command"`
	File       string   `json:"file,omitempty"`
	Page       string   `json:"page,omitempty"` // the shrunk scenario's HTML timeline
	Steps      int      `json:"steps"`
	Mix        string   `json:"mix"` // the case's fault kinds and policies
	Violations []string `json:"violations"`
}

// exit codes of check and merge
const (
	exitValid         = 0
	exitViolation     = 1
	exitUsage         = 2
	exitNondeterminsm = 3
	exitInterrupted   = 130 // as a shell reports a process stopped by SIGINT
)

// minHorizon: shorter, a generated case has no trigger that fires (the
// shortest generated period is 20 s, and creates come at offsets).
const minHorizon = time.Minute

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	seeds := fset.Int("seeds", 1000, "number of cases (seeds)")
	seed := fset.Int64("seed", properties.DefaultSeed, "first seed; case k has seed first+k")
	horizon := fset.Duration("horizon", 7*24*time.Hour, "simulated time per case, 1m to 8784h")
	schedules := fset.Int("schedules", 10, "at most this many schedules per case (1 to 10)")
	steps := fset.Int("steps", 12, "at most this many operations and faults per case")
	faults := fset.String("faults", properties.ModeSwarm, "fault mode: "+strings.Join(properties.Modes, ", "))
	mutant := fset.String("mutant", "", "check a built-in mutant instead of the reference (simrun mutants --list)")
	impl := fset.String("impl", "", "check an external program speaking docs/protocol.md (run with sh -c)")
	out := fset.String("out", "simrun-failures", "directory for the shrunk scenarios")
	keepGoing := fset.Bool("keep-going", false, "go on after a violation")
	determinism := fset.Float64("determinism", 0.05, "share of the cases run twice and compared (R3)")
	shardFlag := fset.String("shard", "", "run the i-th of n disjoint slices of the seeds: i/n")
	junit := fset.String("junit", "", "JUnit XML report file")
	jsonOut := fset.String("json", "", "JSON report file")
	noShrink := fset.Bool("no-shrink", false, "write failing cases as generated")
	expectFailFile := fset.String("expect-fail", "", "file of invariants known to fail: their violations are shown as XFAIL, not failures (a listed one never seen fails the run)")
	profileName := profileFlag(fset)
	verbose := fset.Bool("v", false, "print every case: its seed, profile and verdict")
	jobs := fset.Int("jobs", runtime.GOMAXPROCS(0), "cases run in parallel (the results do not depend on it)")
	rest, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	sh, err := properties.ParseShard(*shardFlag)
	switch {
	case len(rest) > 0:
		return usageError(stderr, "check: unexpected argument %q", rest[0])
	case err != nil:
		return usageError(stderr, "check: --%v", strings.TrimPrefix(err.Error(), properties.ErrInvalidOptions.Error()+": "))
	case *seeds < 1:
		return usageError(stderr, "check: --seeds must be positive, got %d", *seeds)
	case *determinism < 0 || *determinism > 1:
		return usageError(stderr, "check: --determinism must be in [0, 1], got %v", *determinism)
	case *jobs < 1:
		return usageError(stderr, "check: --jobs must be positive, got %d", *jobs)
	case *steps < 1:
		return usageError(stderr, "check: --steps must be positive, got %d", *steps)
	case *schedules < 1:
		return usageError(stderr, "check: --schedules must be between 1 and 10, got %d", *schedules)
	case *horizon < minHorizon:
		return usageError(stderr, "check: --horizon must be at least %s (no generated trigger fires in less), got %s", minHorizon, *horizon)
	}
	o := properties.Options{Seed: *seed, Cases: 1, MaxSchedules: *schedules, MaxSteps: *steps, Horizon: *horizon,
		Faults: *faults, NoShrink: *noShrink}
	if err := properties.Validate(o); err != nil {
		return usageError(stderr, "check: %v", strings.TrimPrefix(err.Error(), properties.ErrInvalidOptions.Error()+": "))
	}
	xfail, err := loadExpectFail(*expectFailFile)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return exitUsage
	}
	factory, code := implementation(*mutant, *impl, "check", stderr)
	if code >= 0 {
		return code
	}
	name := "reference"
	switch {
	case *mutant != "":
		name, o.Evaluator = *mutant, "the mutant "+*mutant
	case *impl != "":
		name, o.Evaluator = *impl, "the program "+*impl
	default:
		factory = sim.Reference(0)
	}
	prof, code := chooseProfile(*profileName, *impl, "check", factory, stderr)
	if code >= 0 {
		return code
	}
	o.Profile = &prof
	files, err := openReports(*jsonOut, *junit)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: check: %v\n", err)
		return exitUsage
	}
	defer files.close()
	rep := checkReport{Kind: reportKind, Valid: true, Evaluator: name, Profile: prof.Name, FirstSeed: *seed, Seeds: *seeds, Shard: sh.String(),
		Determinism: *determinism, Faults: *faults, Horizon: horizon.String(), Schedules: *schedules, Steps: *steps,
		ExpectedFailures: []checkFailure{}, Failures: []checkFailure{}, NotApplicable: map[string]int{}}
	cases := sh.Cases(*seeds)
	progress := newProgress(stderr, len(cases))
	began := time.Now()
	var fatal error
	err = properties.Explore(ctx, factory, o, *seed, cases, properties.Recheck(*determinism), *jobs, func(r properties.CaseResult) bool {
		if r.Err != nil {
			fatal = r.Err
			return false
		}
		rep.Cases++
		rep.Deliveries += r.Stats.Deliveries
		for _, n := range r.NotApplicable {
			rep.NotApplicable[n.Invariant]++
		}
		if !r.M1Until.IsZero() {
			rep.M1Partial++
		}
		if r.Rechecked {
			rep.Rechecked++
		}
		progress.step(len(rep.Failures))
		vs := r.Violations
		if *verbose {
			progress.clear()
			verdict := "ok"
			if len(vs) > 0 {
				verdict = vs[0].Invariant
			}
			fmt.Fprintf(stdout, "seed %d: %s, %d schedules, %d steps: %s\n", r.Seed, r.History.Mix, len(r.History.Schedules), len(r.History.Steps), verdict)
		}
		if len(vs) == 0 {
			return true
		}
		command := replayCommand(r.Seed, o, *mutant, *impl, *horizon, *faults)
		if !slices.ContainsFunc(vs, func(v invariants.Violation) bool { return !xfail.expected(v.Invariant) }) {
			progress.clear()
			fmt.Fprintf(stdout, "XFAIL %s at seed %d (listed in %s)\n", strings.Join(uniqueInvariants(vs), ", "), r.Seed, xfail.file)
			rep.ExpectedFailures = append(rep.ExpectedFailures, checkFailure{Invariant: vs[0].Invariant, Seed: r.Seed, Command: command,
				Steps: r.History.Size(), Mix: r.History.Mix.String(), Violations: violationTexts(vs)})
			return true
		}
		rep.Valid = false
		if vs[0].Invariant == "R3" {
			rep.Nondeterministic = true
		}
		progress.clear()
		fmt.Fprintf(stdout, "VIOLATION %s at seed %d (%s)\n  replay: %s\n", vs[0].Invariant, r.Seed, r.History.Mix, command)
		co := o
		co.Seed = r.Seed
		f := properties.Minimize(factory, co, 0, r.History, vs, r.Rechecked)
		cf := checkFailure{Invariant: f.Invariant, Seed: r.Seed, Command: command, Steps: f.History.Size(),
			Mix: r.History.Mix.String(), Violations: f.Violations}
		cf.File = filepath.Join(*out, fmt.Sprintf("%s-%d.yaml", f.Invariant, r.Seed))
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fatal = err
			return false
		}
		if err := os.WriteFile(cf.File, []byte(f.Scenario), 0o644); err != nil {
			fatal = err
			return false
		}
		// The page is an aid: when it cannot be drawn the violation stands,
		// and the output says why there is no page.
		page, err := failurePage(cf.File, factory, o.Profile, implName(*mutant, *impl))
		if err != nil {
			page = "none (" + err.Error() + ")"
		} else {
			cf.Page = page
		}
		runCmd := "simrun run " + cf.File
		switch {
		case *mutant != "":
			runCmd += " --mutant " + *mutant
		case *impl != "":
			runCmd += fmt.Sprintf(" --impl %q", *impl)
		}
		runCmd += profileArg(o)
		fmt.Fprintf(stdout, "  shrunk to %d steps: %s (%s)\n  timeline: %s\n", cf.Steps, cf.File, runCmd, page)
		for _, v := range f.Violations {
			fmt.Fprintf(stdout, "  %s\n", strings.ReplaceAll(v, "\n", "\n  "))
		}
		if f.Invariant == "R2" || f.Invariant == "R3" {
			fmt.Fprintf(stdout, "  (%s compares several runs: the scenario replays the case, the command reproduces the verdict)\n", f.Invariant)
		}
		rep.Failures = append(rep.Failures, cf)
		return *keepGoing
	})
	progress.done()
	rep.Seconds = time.Since(began).Seconds()
	if fatal != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", fatal)
		rep.Valid, rep.Incomplete = false, true
		_ = files.write(rep, rep.junit()) // what ran, rather than an empty file
		return exitUsage
	}
	rep.Incomplete = err != nil
	if rep.Valid && !rep.Incomplete {
		for _, e := range xfail.entriesList() {
			xfail.ran(e) // every invariant is checked in every case
		}
		if stale := xfail.stale(); len(stale) > 0 {
			for _, s := range stale {
				fmt.Fprintln(stdout, "STALE "+s)
			}
			rep.Valid = false
		}
	}
	if rep.Valid && !rep.Incomplete && rep.Deliveries == 0 {
		fmt.Fprintf(stderr, "simrun: check: nothing was exercised: no timer fired in %s (a longer --horizon?)\n", plural(rep.Cases, "case"))
		rep.Valid = false
		_ = files.write(rep, rep.junit())
		return exitUsage
	}
	return finish(rep, files, stdout, stderr)
}

func uniqueInvariants(vs []invariants.Violation) []string {
	var out []string
	for _, v := range vs {
		if !slices.Contains(out, v.Invariant) {
			out = append(out, v.Invariant)
		}
	}
	return out
}

func violationTexts(vs []invariants.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Error())
	}
	return out
}

func replayCommand(seed int64, o properties.Options, mutant, impl string, horizon time.Duration, faults string) string {
	if impl != "" {
		impl = fmt.Sprintf(" --impl %q", impl)
	}
	cmd := fmt.Sprintf("simrun check --seed %d --seeds 1 --horizon %s --schedules %d --steps %d --faults %s --determinism 1",
		seed, horizon, o.MaxSchedules, max(o.MaxSteps, 0), faults)
	if mutant != "" {
		cmd += " --mutant " + mutant
	}
	return cmd + impl + profileArg(o)
}

// profileArg is the --profile flag a replay needs ("" for schedsim's).
func profileArg(o properties.Options) string {
	if o.Profile == nil || o.Profile.Name == profile.Default {
		return ""
	}
	return " --profile " + o.Profile.Name
}

// finish prints the verdict, writes the reports and picks the exit code.
func finish(rep checkReport, files *reportFiles, stdout, stderr io.Writer) int {
	verdict := "VALID"
	if !rep.Valid {
		verdict = "INVALID"
	}
	if rep.Incomplete {
		verdict += " (interrupted: incomplete)"
	}
	shard := ""
	switch {
	case rep.Shards > 0:
		shard = fmt.Sprintf(" (%d shards)", rep.Shards)
	case rep.Shard != "0/1":
		shard = " (shard " + rep.Shard + ")"
	}
	evaluator := rep.Evaluator
	if rep.Profile != "" && rep.Profile != profile.Default {
		evaluator += " (profile " + rep.Profile + ")"
	}
	fmt.Fprintf(stdout, "%s: %s, %s from seed %d%s, %d rechecked for determinism, %s",
		verdict, evaluator, plural(rep.Cases, "case"), rep.FirstSeed, shard, rep.Rechecked, plural(len(rep.Failures), "violation"))
	if n := len(rep.ExpectedFailures); n > 0 {
		fmt.Fprintf(stdout, ", %s", plural(n, "expected failure"))
	}
	fmt.Fprintf(stdout, ", %.1fs", rep.Seconds)
	if rep.Seconds > 0 {
		fmt.Fprintf(stdout, " (%.0f cases/min)", float64(rep.Cases)/rep.Seconds*60)
	}
	fmt.Fprintln(stdout)
	if line := notJudged(rep.NotApplicable, rep.Cases); line != "" {
		fmt.Fprintln(stdout, line)
	}
	if rep.Cases > 0 {
		fmt.Fprintln(stdout, m1Applied(rep))
	}
	if err := files.write(rep, rep.junit()); err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return exitUsage
	}
	switch {
	case rep.Incomplete:
		return exitInterrupted
	case rep.Nondeterministic:
		return exitNondeterminsm
	case !rep.Valid:
		return exitViolation
	}
	return exitValid
}

// junit is the report as one JUnit case per failure (and per expected
// failure, skipped), or one passing case.
func (rep checkReport) junit() junitRun {
	suite := junitRun{Name: "simrun check", Time: fmt.Sprintf("%.3f", rep.Seconds)}
	name := fmt.Sprintf("%s: %s from seed %d", rep.Evaluator, plural(rep.Cases, "case"), rep.FirstSeed)
	for _, f := range rep.Failures {
		suite.add(junitCase{Name: fmt.Sprintf("%s at seed %d", f.Invariant, f.Seed), Classname: name, Time: "0.000",
			Failure: &junitMessage{Message: fmt.Sprintf("%s at seed %d: %s", f.Invariant, f.Seed, f.Command),
				Body: f.File + "\n" + strings.Join(f.Violations, "\n") + "\n"}})
	}
	for _, f := range rep.ExpectedFailures {
		suite.add(junitCase{Name: fmt.Sprintf("%s at seed %d", f.Invariant, f.Seed), Classname: name, Time: "0.000",
			Skipped: &junitMessage{Message: "xfail", Body: strings.Join(f.Violations, "\n") + "\n"}})
	}
	switch {
	case rep.Incomplete:
		suite.add(junitCase{Name: "interrupted", Classname: name, Time: "0.000",
			Error: &junitMessage{Message: fmt.Sprintf("interrupted after %s: the report is incomplete", plural(rep.Cases, "case"))}})
	case rep.Deliveries == 0:
		suite.add(junitCase{Name: "exercised", Classname: name, Time: "0.000",
			Error: &junitMessage{Message: "nothing was exercised: no timer fired"}})
	case len(rep.Failures) == 0:
		suite.add(junitCase{Name: name, Classname: "simrun check", Time: suite.Time})
	}
	return suite
}

// m1Applied says how much of the run the reference model judged.
func m1Applied(rep checkReport) string {
	n := rep.Cases - rep.NotApplicable["M1"]
	line := fmt.Sprintf("M1 applied to %d of %s", n, plural(rep.Cases, "case"))
	if rep.M1Partial > 0 {
		line += fmt.Sprintf(" (%d only before their first seam fault)", rep.M1Partial)
	}
	return line
}

// notJudged says which invariants could not judge how many of the cases
// (simrun explain ID says where each applies).
func notJudged(counts map[string]int, cases int) string {
	var parts []string
	for _, e := range invariants.Catalogue {
		if n := counts[e.ID]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s in %d", e.ID, n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("not applicable (out of %s): %s", plural(cases, "case"), strings.Join(parts, ", "))
}

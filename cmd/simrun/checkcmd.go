package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/sim"
)

// checkReport is what `simrun check --json` writes and `simrun merge` reads.
type checkReport struct {
	Valid            bool           `json:"valid"`
	Nondeterministic bool           `json:"nondeterministic"`
	Evaluator        string         `json:"evaluator"`
	FirstSeed        int64          `json:"first_seed"`
	Seeds            int            `json:"seeds"`
	Shard            string         `json:"shard,omitempty"`
	Cases            int            `json:"cases"`
	Rechecked        int            `json:"determinism_rechecks"`
	Faults           string         `json:"faults"`
	Horizon          string         `json:"horizon"`
	Schedules        int            `json:"schedules"`
	Seconds          float64        `json:"seconds"`
	Failures         []checkFailure `json:"failures"`
}

type checkFailure struct {
	Invariant  string   `json:"invariant"`
	Seed       int64    `json:"seed"`
	Command    string   `json:"command"`
	File       string   `json:"file,omitempty"`
	Steps      int      `json:"steps"`
	Profile    string   `json:"profile"`
	Violations []string `json:"violations"`
}

// exit codes of check and merge
const (
	exitValid         = 0
	exitViolation     = 1
	exitUsage         = 2
	exitNondeterminsm = 3
)

type shard struct{ i, n int }

func parseShard(s string) (shard, error) {
	if s == "" {
		return shard{0, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return shard{}, fmt.Errorf("--shard must be i/n with 0 <= i < n, got %q", s)
	}
	return shard{i, n}, nil
}

func checkCmd(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	seeds := fset.Int("seeds", 1000, "number of cases (seeds)")
	seed := fset.Int64("seed", properties.DefaultSeed, "first seed; case k has seed first+k")
	horizon := fset.Duration("horizon", 7*24*time.Hour, "simulated time per case")
	schedules := fset.Int("schedules", 10, "at most this many schedules per case (1 to 10)")
	steps := fset.Int("steps", 12, "at most this many operations and faults per case")
	faults := fset.String("faults", properties.ModeSwarm, "fault mode: swarm, all, crashes or none")
	mutant := fset.String("mutant", "", "check a built-in mutant instead of the reference (see simrun mutants)")
	impl := fset.String("impl", "", "check an external program speaking docs/protocol.md (run with sh -c)")
	out := fset.String("out", "simrun-failures", "directory for the shrunk scenarios")
	keepGoing := fset.Bool("keep-going", false, "go on after a violation")
	determinism := fset.Float64("determinism", 0.05, "share of the cases run twice and compared (R3)")
	shardFlag := fset.String("shard", "", "run the i-th of n disjoint slices of the seeds: i/n")
	junit := fset.String("junit", "", "JUnit XML report file")
	jsonOut := fset.String("json", "", "JSON report file")
	noShrink := fset.Bool("no-shrink", false, "write failing cases as generated")
	expectFailFile := fset.String("expect-fail", "", "file of invariants known to fail: their violations are noted, not failures (a listed one never seen fails the run)")
	verbose := fset.Bool("v", false, "print every case: its seed, profile and verdict")
	jobs := fset.Int("jobs", runtime.GOMAXPROCS(0), "cases run in parallel (the results do not depend on it)")
	rest, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	sh, err := parseShard(*shardFlag)
	switch {
	case len(rest) > 0:
		return usageError(stderr, "check: unexpected argument %q", rest[0])
	case err != nil:
		return usageError(stderr, "check: %v", err)
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
	}
	o := properties.Options{Seed: *seed, Cases: 1, MaxSchedules: *schedules, MaxSteps: *steps, Horizon: *horizon,
		Faults: *faults, NoShrink: *noShrink}
	if err := properties.Validate(o); err != nil {
		return usageError(stderr, "check: %v", err)
	}
	xfail, err := loadExpectFail(*expectFailFile)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return exitUsage
	}
	factory, name := sim.Reference(0), "reference"
	if *mutant != "" {
		m, ok := mutants.ByName(*mutant)
		if !ok {
			return usageError(stderr, "check: unknown mutant %q (simrun mutants lists them)", *mutant)
		}
		factory, name = m.Factory(0), m.Name
		o.Evaluator = "the mutant " + m.Name
	}
	if *impl != "" {
		if *mutant != "" {
			return usageError(stderr, "check: give --impl or --mutant, not both")
		}
		factory, name = protocol.Factory(protocol.Options{Command: *impl}), *impl
		o.Evaluator = "the program " + *impl
		// A program that cannot even start and recover is a usage error, not a violation.
		w, err := sim.New(sim.Config{Factory: factory})
		if err != nil {
			fmt.Fprintf(stderr, "simrun: --impl %q: %v\n", *impl, err)
			return exitUsage
		}
		w.Close()
	}
	rep := checkReport{Valid: true, Evaluator: name, FirstSeed: *seed, Seeds: *seeds, Faults: *faults, Failures: []checkFailure{},
		Horizon: horizon.String(), Schedules: *schedules}
	if sh.n > 1 {
		rep.Shard = *shardFlag
	}
	var cases []int
	for k := sh.i; k < *seeds; k += sh.n {
		cases = append(cases, k)
	}
	progress := newProgress(stderr, len(cases))
	began := time.Now()
	results := runCases(factory, o, *seed, cases, *determinism, *jobs)
	defer results.stop()
	for _, k := range cases {
		caseSeed := *seed + int64(k)
		co := o
		co.Seed = caseSeed
		rerun := recheck(caseSeed, *determinism)
		r := results.next()
		h, vs, err := r.h, r.vs, r.err
		if err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
		rep.Cases++
		if rerun {
			rep.Rechecked++
		}
		progress.step(len(rep.Failures))
		if *verbose {
			progress.clear()
			verdict := "ok"
			if len(vs) > 0 {
				verdict = vs[0].Invariant
			}
			fmt.Fprintf(stdout, "seed %d: %s, %d schedules, %d steps: %s\n", caseSeed, h.Profile, len(h.Schedules), len(h.Steps), verdict)
		}
		if len(vs) == 0 {
			continue
		}
		if known := slices.IndexFunc(vs, func(v invariants.Violation) bool { return !xfail.expected(v.Invariant) }); known < 0 {
			continue // every violation is listed as known
		}
		rep.Valid = false
		if vs[0].Invariant == "R3" {
			rep.Nondeterministic = true
		}
		command := replayCommand(caseSeed, o, *mutant, *impl, *horizon, *faults)
		progress.clear()
		fmt.Fprintf(stdout, "VIOLATION %s at seed %d (%s)\n  replay: %s\n", vs[0].Invariant, caseSeed, h.Profile, command)
		f := properties.Minimize(factory, co, 0, h, vs, rerun)
		cf := checkFailure{Invariant: f.Invariant, Seed: caseSeed, Command: command, Steps: f.History.Size(),
			Profile: h.Profile.String(), Violations: f.Violations}
		cf.File = filepath.Join(*out, fmt.Sprintf("%s-%d.yaml", f.Invariant, caseSeed))
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
		if err := os.WriteFile(cf.File, []byte(f.Scenario), 0o644); err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
		runCmd := "simrun run " + cf.File
		if *mutant != "" {
			runCmd += " --mutant " + *mutant
		}
		fmt.Fprintf(stdout, "  shrunk to %d steps: %s (%s)\n", cf.Steps, cf.File, runCmd)
		for _, v := range f.Violations {
			fmt.Fprintf(stdout, "  %s\n", strings.ReplaceAll(v, "\n", "\n  "))
		}
		if f.Invariant == "R2" || f.Invariant == "R3" {
			fmt.Fprintf(stdout, "  (%s compares several runs: the scenario replays the case, the command reproduces the verdict)\n", f.Invariant)
		}
		rep.Failures = append(rep.Failures, cf)
		if !*keepGoing {
			break
		}
	}
	progress.done()
	rep.Seconds = time.Since(began).Seconds()
	if stale := xfail.stale(); len(stale) > 0 && rep.Valid {
		for _, s := range stale {
			fmt.Fprintln(stdout, "STALE "+s)
		}
		rep.Valid = false
	}
	return finish(rep, stdout, stderr, *jsonOut, *junit)
}

// caseResult is one case's history and violations.
type caseResult struct {
	h   properties.History
	vs  []invariants.Violation
	err error
}

// pool runs cases on jobs workers and hands the results back in case order,
// so the output does not depend on the number of workers.
type pool struct {
	results []chan caseResult
	i       int
	quit    chan struct{}
}

func runCases(factory sim.Factory, o properties.Options, first int64, cases []int, share float64, jobs int) *pool {
	p := &pool{results: make([]chan caseResult, len(cases)), quit: make(chan struct{})}
	for i := range p.results {
		p.results[i] = make(chan caseResult, 1)
	}
	work := make(chan int)
	go func() {
		defer close(work)
		for i := range cases {
			select {
			case work <- i:
			case <-p.quit:
				return
			}
		}
	}()
	for range jobs {
		go func() {
			for i := range work {
				co := o
				co.Seed = first + int64(cases[i])
				h, vs, err := properties.Case(factory, co, 0, recheck(co.Seed, share))
				p.results[i] <- caseResult{h, vs, err}
			}
		}()
	}
	return p
}

func (p *pool) next() caseResult {
	r := <-p.results[p.i]
	p.i++
	return r
}

// stop lets the workers finish the cases in hand and take no more.
func (p *pool) stop() { close(p.quit) }

// recheck picks, from the seed alone, the cases run twice for R3.
func recheck(seed int64, share float64) bool {
	return float64(uint64(seed)*0x9E3779B97F4A7C15%10000) < share*10000
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
	return cmd + impl
}

// finish prints the verdict, writes the reports and picks the exit code.
func finish(rep checkReport, stdout, stderr io.Writer, jsonOut, junit string) int {
	verdict := "VALID"
	if !rep.Valid {
		verdict = "INVALID"
	}
	shard := ""
	if rep.Shard != "" {
		shard = " (shard " + rep.Shard + ")"
	}
	fmt.Fprintf(stdout, "%s: %s, %d cases from seed %d%s, %d rechecked for determinism, %d violations, %.1fs",
		verdict, rep.Evaluator, rep.Cases, rep.FirstSeed, shard, rep.Rechecked, len(rep.Failures), rep.Seconds)
	if rep.Seconds > 0 {
		fmt.Fprintf(stdout, " (%.0f cases/min)", float64(rep.Cases)/rep.Seconds*60)
	}
	fmt.Fprintln(stdout)
	if jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
	}
	if junit != "" {
		if err := writeCheckJUnit(junit, rep); err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
	}
	switch {
	case rep.Nondeterministic:
		return exitNondeterminsm
	case !rep.Valid:
		return exitViolation
	}
	return exitValid
}

func writeCheckJUnit(file string, rep checkReport) error {
	var reports []report
	reports = append(reports, report{Name: fmt.Sprintf("%s: %d cases from seed %d", rep.Evaluator, rep.Cases, rep.FirstSeed),
		File: "simrun check", Passed: rep.Valid, Seconds: rep.Seconds})
	for _, f := range rep.Failures {
		reports[0].Failures = append(reports[0].Failures, failureReport{Pos: f.File, What: fmt.Sprintf("%s at seed %d: %s", f.Invariant, f.Seed, f.Command),
			Diff: strings.Join(f.Violations, "\n") + "\n"})
	}
	b, err := junitXML(reports)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}

// mergeCmd combines the JSON reports of several shards into one verdict.
func mergeCmd(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("merge", flag.ContinueOnError)
	junit := fset.String("junit", "", "JUnit XML report file")
	jsonOut := fset.String("json", "", "merged JSON report file")
	files, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(files) == 0 {
		return usageError(stderr, "merge needs the JSON reports of simrun check")
	}
	merged := checkReport{Valid: true, Failures: []checkFailure{}}
	var evaluators []string
	for i, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
		var r checkReport
		if err := json.Unmarshal(b, &r); err != nil {
			fmt.Fprintf(stderr, "simrun: %s: not a simrun check report: %v\n", file, err)
			return exitUsage
		}
		if i == 0 {
			merged.FirstSeed, merged.Seeds, merged.Faults, merged.Horizon, merged.Schedules = r.FirstSeed, r.Seeds, r.Faults, r.Horizon, r.Schedules
		}
		if !slices.Contains(evaluators, r.Evaluator) {
			evaluators = append(evaluators, r.Evaluator)
		}
		merged.Valid = merged.Valid && r.Valid
		merged.Nondeterministic = merged.Nondeterministic || r.Nondeterministic
		merged.Cases += r.Cases
		merged.Rechecked += r.Rechecked
		merged.Seconds += r.Seconds
		merged.Failures = append(merged.Failures, r.Failures...)
	}
	merged.Evaluator = strings.Join(evaluators, "+")
	merged.Shard = fmt.Sprintf("%d reports", len(files))
	for _, f := range merged.Failures {
		fmt.Fprintf(stdout, "VIOLATION %s at seed %d: %s\n", f.Invariant, f.Seed, f.Command)
	}
	return finish(merged, stdout, stderr, *jsonOut, *junit)
}

// progress is a bar on a terminal, and a line every tenth of the run otherwise.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	total int
	n     int
}

func newProgress(stderr io.Writer, total int) *progress {
	p := &progress{w: stderr, total: total}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("checking"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("cases"),
			progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
	}
	return p
}

func (p *progress) step(failures int) {
	p.n++
	if p.bar != nil {
		_ = p.bar.Add(1)
		return
	}
	if every := max(p.total/10, 1); p.n%every == 0 && p.n < p.total {
		fmt.Fprintf(p.w, "simrun: checked %d/%d cases, %d violations\n", p.n, p.total, failures)
	}
}

func (p *progress) clear() {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
}

func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

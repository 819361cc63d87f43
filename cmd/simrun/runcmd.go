package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
	"github.com/schedsim/schedsim/timeline"
)

// source is where scenarios come from: the embedded library or the paths given.
type source struct {
	fsys     fs.FS
	roots    []string
	embedded bool
}

func (s source) load() ([]*scenarios.Scenario, error) {
	return scenarios.LoadAll(s.fsys, s.roots...)
}

func sourceOf(paths []string) source {
	if len(paths) == 0 {
		return source{fsys: scenarios.Library(), roots: []string{"."}, embedded: true}
	}
	return source{fsys: scenarios.OS, roots: paths}
}

// report is one scenario's outcome, as the JSON report writes it.
type report struct {
	Name     string          `json:"name"`
	File     string          `json:"file"`
	Status   string          `json:"status"` // pass, fail, xfail (failed, and listed in --expect-fail) or n/a (the profile cannot run it)
	Passed   bool            `json:"passed"`
	Seconds  float64         `json:"seconds"`
	Failures []failureReport `json:"failures,omitempty"`
	Notes    []string        `json:"notes,omitempty"` // invariants that could not be judged, and why
}

type failureReport struct {
	Pos  string `json:"pos"`
	What string `json:"what"`
	Diff string `json:"diff,omitempty"`
}

// runSummary is what `simrun run --json` writes.
type runSummary struct {
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	XFail  int `json:"xfail"`
	// NotApplicable counts the scenarios the profile cannot run.
	NotApplicable int      `json:"not_applicable"`
	Profile       string   `json:"profile"`
	Stale         []string `json:"stale"`   // listed as failing, ran, passed: a failure of the run
	NotRun        []string `json:"not_run"` // listed as failing, not among the scenarios run
	Incomplete    bool     `json:"incomplete"`
	LoadErrors    []string `json:"load_errors"`
	Scenarios     []report `json:"scenarios"`
}

// Verdicts of a scenario.
const (
	statusPass  = "pass"
	statusFail  = "fail"
	statusXFail = "xfail"
	statusNA    = "n/a" // the scenario cannot run under the profile: neither passed nor failed
)

func runScenarios(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("run", flag.ContinueOnError)
	update := fset.Bool("update", false, "rewrite the .golden trace of each scenario given by path whose expectations hold (the YAML files are never rewritten)")
	junit := fset.String("junit", "", "JUnit XML report file")
	jsonOut := fset.String("json", "", "JSON report file")
	verbose := fset.Bool("v", false, "print each scenario's trace")
	mutant := fset.String("mutant", "", "replay against a built-in mutant instead of the reference (goldens are not compared)")
	impl := fset.String("impl", "", "replay against an external program speaking docs/protocol.md, run with sh -c (goldens are not compared)")
	expectFailFile := fset.String("expect-fail", "", "file of scenario names known to fail, one a line: shown as XFAIL; a listed one that passes fails the run")
	htmlDir := fset.String("html", "", "write each scenario's run as an HTML timeline into this directory, with an index.html")
	profileName := profileFlag(fset)
	paths, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	factory, code := implementation(*mutant, *impl, "run", stderr)
	if code >= 0 {
		return code
	}
	src := sourceOf(paths)
	switch {
	case *update && factory != nil:
		return usageError(stderr, "run: --update rewrites the reference's goldens: it cannot be combined with --mutant or --impl")
	case *update && src.embedded:
		return usageError(stderr, "run: --update rewrites files: give the scenario paths (for the bundled library: simrun run --update scenarios/library)")
	}
	prof, code := chooseProfile(*profileName, *impl, "run", factory, stderr)
	if code >= 0 {
		return code
	}
	var profOpt *profile.Profile
	if prof.Name != profile.Default || *profileName != "" {
		profOpt = &prof
	}
	xfail, err := loadExpectFail(*expectFailFile)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return exitUsage
	}
	files, err := openReports(*jsonOut, *junit)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: run: %v\n", err)
		return exitUsage
	}
	defer files.close()
	sum := runSummary{Stale: []string{}, NotRun: []string{}, LoadErrors: []string{}, Scenarios: []report{}, Profile: prof.Name}
	all, err := src.load()
	if err == nil && len(all) == 0 {
		err = fmt.Errorf("no scenario files (*.yaml) in %s", strings.Join(paths, " "))
	}
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "simrun: %s\n", line)
			sum.LoadErrors = append(sum.LoadErrors, line)
		}
		if err := files.write(sum, sum.junit()); err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
		}
		return exitUsage
	}
	var notRewritten []string
	var pages []timeline.Entry
	for _, s := range all {
		if ctx.Err() != nil {
			sum.Incomplete = true
			break
		}
		if *update {
			s.Golden = "" // not compared: rewritten below when the rest holds
		}
		if why := scenarios.Applies(s, prof); why != "" {
			sum.NotApplicable++
			sum.Scenarios = append(sum.Scenarios, report{Name: s.Name, File: s.File, Status: statusNA, Notes: []string{"not applicable under " + prof.Name + ": " + why}})
			fmt.Fprintf(stdout, "%-5s %-44s %s\n", "N/A", s.Name, s.File)
			fmt.Fprint(stdout, indent("not applicable under "+prof.Name+": "+why))
			pages = append(pages, timeline.Entry{Title: s.Name, Verdict: statusNA, File: s.File})
			continue
		}
		began := time.Now()
		res, err := scenarios.Run(s, scenarios.Options{Factory: factory, Profile: profOpt})
		if err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return exitUsage
		}
		rep := report{Name: s.Name, File: s.File, Status: statusPass, Passed: res.Passed(), Seconds: time.Since(began).Seconds()}
		xfail.ran(s.Name)
		switch {
		case !res.Passed() && xfail.expected(s.Name):
			rep.Status, sum.XFail = statusXFail, sum.XFail+1
		case !res.Passed():
			rep.Status, sum.Failed = statusFail, sum.Failed+1
		default:
			sum.Passed++
		}
		if *update {
			if res.Passed() {
				if err := os.WriteFile(scenarios.GoldenPath(s.File), []byte(res.Trace), 0o644); err != nil {
					fmt.Fprintf(stderr, "simrun: %v\n", err)
					return exitUsage
				}
			} else {
				notRewritten = append(notRewritten, s.File)
			}
		}
		fmt.Fprintf(stdout, "%-5s %-44s %s\n", strings.ToUpper(rep.Status), s.Name, s.File)
		for _, f := range res.Failures {
			rep.Failures = append(rep.Failures, failureReport{Pos: f.Pos.String(), What: f.What, Diff: f.Diff})
			fmt.Fprint(stdout, indent(f.String()))
		}
		for _, n := range res.Notes {
			rep.Notes = append(rep.Notes, n.String())
		}
		if line := notApplicable(res.Notes); line != "" {
			fmt.Fprint(stdout, indent(line))
		}
		if *verbose {
			fmt.Fprint(stdout, indent(res.Trace))
		}
		if *htmlDir != "" {
			e := timeline.Entry{Title: s.Name, Verdict: rep.Status, File: s.File, Page: timeline.PageName(s.File)}
			t, err := writeTimeline(filepath.Join(*htmlDir, e.Page), res, implName(*mutant, *impl), false)
			if err != nil {
				fmt.Fprintf(stderr, "simrun: run: %v\n", err)
				return exitUsage
			}
			e.Violations, e.Failures = len(t.Violations), len(t.Failures)
			pages = append(pages, e)
		}
		sum.Scenarios = append(sum.Scenarios, rep)
	}
	if !sum.Incomplete {
		sum.Stale, sum.NotRun = xfail.stale(), xfail.notRun()
	}
	for _, s := range sum.Stale {
		fmt.Fprintln(stdout, "STALE "+s)
	}
	for _, s := range sum.NotRun {
		fmt.Fprintln(stdout, "NOT RUN "+s)
	}
	fmt.Fprintln(stdout, sum.line(len(all)))
	if *htmlDir != "" {
		index := filepath.Join(*htmlDir, "index.html")
		if err := writeIndex(index, "simrun run: "+implName(*mutant, *impl), pages); err != nil {
			fmt.Fprintf(stderr, "simrun: run: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stdout, "timelines: %s\n", index)
	}
	if *update {
		fmt.Fprintf(stdout, "rewrote %s\n", plural(len(sum.Scenarios)-len(notRewritten), "golden file"))
		for _, f := range notRewritten {
			fmt.Fprintf(stdout, "not rewritten (its expectations fail): %s\n", scenarios.GoldenPath(f))
		}
	}
	if err := files.write(sum, sum.junit()); err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return exitUsage
	}
	switch {
	case sum.Incomplete:
		return exitInterrupted
	case sum.Failed > 0 || len(sum.Stale) > 0:
		return exitViolation
	}
	return exitValid
}

// implementation is the factory --mutant or --impl names (nil: the reference).
func implementation(mutant, impl, cmd string, stderr io.Writer) (sim.Factory, int) {
	switch {
	case mutant != "" && impl != "":
		return nil, usageError(stderr, "%s: give --impl or --mutant, not both", cmd)
	case mutant != "":
		m, ok := mutants.ByName(mutant)
		if !ok {
			return nil, usageError(stderr, "%s: unknown mutant %q (simrun mutants --list lists them)", cmd, mutant)
		}
		return m.Factory(0), -1
	case impl != "":
		return protocol.Factory(protocol.Options{Command: impl}), -1
	}
	return nil, -1
}

// line is the closing summary: every count, and what was left out.
func (sum runSummary) line(total int) string {
	out := fmt.Sprintf("%d passed, %d failed", sum.Passed, sum.Failed)
	if sum.XFail > 0 {
		out += fmt.Sprintf(", %d xfail", sum.XFail)
	}
	if sum.NotApplicable > 0 {
		out += fmt.Sprintf(", %d not applicable under %s", sum.NotApplicable, sum.Profile)
	}
	if n := len(sum.Stale); n > 0 {
		out += fmt.Sprintf(", %d stale", n)
	}
	if sum.Incomplete {
		out += fmt.Sprintf(" (interrupted: %d of %d scenarios ran)", len(sum.Scenarios), total)
	}
	return out
}

func (sum runSummary) junit() junitRun {
	suite := junitRun{Name: "simrun"}
	var total float64
	for _, e := range sum.LoadErrors {
		file, _, _ := strings.Cut(e, ":")
		suite.add(junitCase{Name: "load " + file, Classname: file, Time: "0.000", Error: &junitMessage{Message: e}})
	}
	for _, r := range sum.Scenarios {
		c := junitCase{Name: r.Name, Classname: r.File, Time: fmt.Sprintf("%.3f", r.Seconds)}
		total += r.Seconds
		switch r.Status {
		case statusFail:
			c.Failure = &junitMessage{Message: r.Failures[0].Pos + ": " + r.Failures[0].What, Body: failuresBody(r.Failures)}
		case statusXFail:
			c.Skipped = &junitMessage{Message: "xfail", Body: failuresBody(r.Failures)}
		case statusNA:
			c.Skipped = &junitMessage{Message: r.Notes[0]}
		}
		suite.add(c)
	}
	for _, s := range sum.Stale {
		suite.add(junitCase{Name: "expect-fail", Classname: "simrun", Time: "0.000", Failure: &junitMessage{Message: s}})
	}
	if sum.Incomplete {
		suite.add(junitCase{Name: "interrupted", Classname: "simrun", Time: "0.000",
			Error: &junitMessage{Message: fmt.Sprintf("interrupted after %d scenarios: the report is incomplete", len(sum.Scenarios))}})
	}
	suite.Time = fmt.Sprintf("%.3f", total)
	return suite
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ") + "\n"
}

// plural is "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// notApplicable is one line for a scenario's notes: the invariants its
// expectations could not judge, grouped by reason (the JSON report has each).
func notApplicable(notes []scenarios.Note) string {
	var whys []string
	by := map[string][]string{}
	for _, n := range notes {
		if !slices.Contains(whys, n.Why) {
			whys = append(whys, n.Why)
		}
		if !slices.Contains(by[n.Why], n.Invariant) {
			by[n.Why] = append(by[n.Why], n.Invariant)
		}
	}
	var parts []string
	for _, why := range whys {
		parts = append(parts, strings.Join(by[why], ", ")+" ("+why+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return "not applicable: " + strings.Join(parts, "; ")
}

package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/scenarios"
)

// source is where scenarios come from: the embedded library or the paths given.
type source struct {
	fsys     fs.FS
	roots    []string
	embedded bool
}

func (s source) load() ([]*scenarios.Scenario, error) {
	var out []*scenarios.Scenario
	var errs []error
	for _, root := range s.roots {
		all, err := scenarios.LoadAll(s.fsys, root)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, all...)
	}
	return out, errors.Join(errs...)
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
	Passed   bool            `json:"passed"`
	Seconds  float64         `json:"seconds"`
	Failures []failureReport `json:"failures,omitempty"`
}

type failureReport struct {
	Pos  string `json:"pos"`
	What string `json:"what"`
	Diff string `json:"diff,omitempty"`
}

func runScenarios(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("run", flag.ContinueOnError)
	update := fset.Bool("update", false, "rewrite the golden traces")
	junit := fset.String("junit", "", "JUnit XML report file")
	jsonOut := fset.String("json", "", "JSON report file")
	verbose := fset.Bool("v", false, "print each trace")
	mutant := fset.String("mutant", "", "replay against a built-in mutant (goldens are not compared)")
	impl := fset.String("impl", "", "replay against an external program speaking docs/protocol.md (run with sh -c)")
	expectFailFile := fset.String("expect-fail", "", "file of scenario names known to fail (a listed one that passes fails the run)")
	paths, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	var opts scenarios.Options
	if *mutant != "" {
		m, ok := mutants.ByName(*mutant)
		if !ok {
			return usageError(stderr, "run: unknown mutant %q (simrun mutants lists them)", *mutant)
		}
		opts.Factory = m.Factory(0)
	}
	if *impl != "" {
		if *mutant != "" {
			return usageError(stderr, "run: give --impl or --mutant, not both")
		}
		opts.Factory = protocol.Factory(protocol.Options{Command: *impl})
	}
	xfail, err := loadExpectFail(*expectFailFile)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return 2
	}
	src := sourceOf(paths)
	if *update && src.embedded {
		return usageError(stderr, "--update rewrites files: give the scenario paths (for the bundled library: simrun run --update scenarios/library)")
	}
	all, err := src.load()
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "simrun: %s\n", line)
		}
		return 2
	}
	if len(all) == 0 {
		fmt.Fprintf(stderr, "simrun: no scenario files (*.yaml) in %s\n", strings.Join(paths, " "))
		return 2
	}
	var reports []report
	failed := 0
	for _, s := range all {
		if *update {
			s.Golden = "" // not compared: rewritten below
		}
		began := time.Now()
		res, err := scenarios.Run(s, opts)
		if err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return 2
		}
		rep := report{Name: s.Name, File: s.File, Passed: res.Passed(), Seconds: time.Since(began).Seconds()}
		if *update {
			if err := os.WriteFile(scenarios.GoldenPath(s.File), []byte(res.Trace), 0o644); err != nil {
				fmt.Fprintf(stderr, "simrun: %v\n", err)
				return 2
			}
		}
		verdict := "PASS"
		switch {
		case !res.Passed() && xfail.expected(s.Name):
			verdict = "XFAIL" // listed as known to fail
			rep.Passed = true
		case !res.Passed():
			verdict, failed = "FAIL", failed+1
		}
		fmt.Fprintf(stdout, "%s  %-44s %s\n", verdict, s.Name, s.File)
		for _, f := range res.Failures {
			rep.Failures = append(rep.Failures, failureReport{Pos: f.Pos.String(), What: f.What, Diff: f.Diff})
			fmt.Fprintln(stdout, indent(f.String()))
		}
		if *verbose {
			fmt.Fprint(stdout, indent(res.Trace))
		}
		reports = append(reports, rep)
	}
	for _, s := range xfail.stale() {
		fmt.Fprintln(stdout, "STALE "+s)
		failed++
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", len(all)-failed, failed)
	if *update {
		fmt.Fprintf(stdout, "rewrote %d golden files\n", len(all))
	}
	if err := writeReports(*jsonOut, *junit, reports); err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return 2
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ") + "\n"
}

func writeReports(jsonFile, junitFile string, reports []report) error {
	if jsonFile != "" {
		passed := 0
		for _, r := range reports {
			if r.Passed {
				passed++
			}
		}
		b, err := json.MarshalIndent(struct {
			Passed    int      `json:"passed"`
			Failed    int      `json:"failed"`
			Scenarios []report `json:"scenarios"`
		}{passed, len(reports) - passed, reports}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonFile, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if junitFile != "" {
		b, err := junitXML(reports)
		if err != nil {
			return err
		}
		return os.WriteFile(junitFile, b, 0o644)
	}
	return nil
}

type junitSuites struct {
	XMLName xml.Name   `xml:"testsuites"`
	Suites  []junitRun `xml:"testsuite"`
}

type junitRun struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

func junitXML(reports []report) ([]byte, error) {
	suite := junitRun{Name: "simrun", Tests: len(reports)}
	var total float64
	for _, r := range reports {
		c := junitCase{Name: r.Name, Classname: r.File, Time: fmt.Sprintf("%.3f", r.Seconds)}
		total += r.Seconds
		if !r.Passed {
			suite.Failures++
			var body strings.Builder
			for _, f := range r.Failures {
				fmt.Fprintf(&body, "%s: %s\n%s", f.Pos, f.What, f.Diff)
			}
			c.Failure = &junitFailure{Message: r.Failures[0].Pos + ": " + r.Failures[0].What, Body: body.String()}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Time = fmt.Sprintf("%.3f", total)
	b, err := xml.MarshalIndent(junitSuites{Suites: []junitRun{suite}}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

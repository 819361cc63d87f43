package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"strings"
)

// reportFiles are the --json and --junit files of a command, created before
// anything runs: a path that cannot be written is a usage error at once, not
// after an hour of cases (when it would also hide the run's verdict).
type reportFiles struct {
	json, junit *os.File
}

func openReports(jsonPath, junitPath string) (*reportFiles, error) {
	r := &reportFiles{}
	for _, f := range []struct {
		path string
		dst  **os.File
	}{{jsonPath, &r.json}, {junitPath, &r.junit}} {
		if f.path == "" {
			continue
		}
		file, err := os.Create(f.path)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("cannot write the report: %w", err)
		}
		*f.dst = file
	}
	return r, nil
}

// write writes the JSON value and the JUnit suite to the files asked for.
func (r *reportFiles) write(jsonValue any, suite junitRun) error {
	var errs []error
	if r.json != nil {
		b, err := json.MarshalIndent(jsonValue, "", "  ")
		if err == nil {
			_, err = r.json.Write(append(b, '\n'))
		}
		errs = append(errs, err)
	}
	if r.junit != nil {
		b, err := xml.MarshalIndent(junitSuites{Suites: []junitRun{suite}}, "", "  ")
		if err == nil {
			_, err = r.junit.Write(append([]byte(xml.Header), append(b, '\n')...))
		}
		errs = append(errs, err)
	}
	return errors.Join(append(errs, r.close())...)
}

func (r *reportFiles) close() error {
	var errs []error
	for _, f := range []**os.File{&r.json, &r.junit} {
		if *f != nil {
			errs = append(errs, (*f).Close())
			*f = nil
		}
	}
	return errors.Join(errs...)
}

// JUnit XML, as CI tools read it: a failure is <failure>, a harness problem
// (a file that does not load, an interruption) is <error>, an expected
// failure is <skipped message="xfail">.
type junitSuites struct {
	XMLName xml.Name   `xml:"testsuites"`
	Suites  []junitRun `xml:"testsuite"`
}

type junitRun struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

// add appends a case and counts it.
func (s *junitRun) add(c junitCase) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// failuresBody is the text of a case's failures, one after another.
func failuresBody(fs []failureReport) string {
	var body strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&body, "%s: %s\n%s", f.Pos, f.What, f.Diff)
	}
	return body.String()
}

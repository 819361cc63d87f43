package scenarios

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Known is a known-failing list: the scenarios that replay findings in an
// implementation, each expected to fail with the invariants it names until
// the implementation is fixed. A listed scenario that passes is STALE (the
// finding may be fixed upstream: take it off the list); one that fails
// otherwise than listed is a new failure.
//
// The text form has one entry per line, fields separated by blanks: the
// scenario's path, its invariants (comma-separated), the finding's id in
// docs/findings.md, and for a finding that shows only in some runs (a race
// in the implementation) runs=N: replay N times; it is known while at least
// one run fails as listed. '#' starts a comment.
//
//	findings/gocron-1-next-run-in-the-past.yaml  C4  gocron-1
//	findings/gocron-2-wait-mode-extra-run.yaml   M1  gocron-2  runs=60
type Known struct {
	Entries []KnownEntry
}

// KnownEntry is one line of a known-failing list.
type KnownEntry struct {
	Path       string
	Invariants []string
	Finding    string
	Runs       int // replays (1 unless the finding is a race)
	Line       int
}

// ErrStale is wrapped by Judge's error for a listed scenario that passes.
var ErrStale = errors.New("STALE")

// ErrUnexpected is wrapped by Judge's error for a scenario that fails
// otherwise than its entry says (or fails unlisted).
var ErrUnexpected = errors.New("unexpected failure")

// ParseKnown reads a known-failing list; name is for its errors.
func ParseKnown(r io.Reader, name string) (Known, error) {
	var k Known
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case len(f) != 3 && len(f) != 4:
			return Known{}, fmt.Errorf("%s:%d: want a path, invariants, a finding id and perhaps runs=N, got %d fields", name, n, len(f))
		case k.entry(f[0]) != nil:
			return Known{}, fmt.Errorf("%s:%d: %s is listed twice", name, n, f[0])
		}
		e := KnownEntry{Path: f[0], Invariants: strings.Split(f[1], ","), Finding: f[2], Runs: 1, Line: n}
		if len(f) == 4 {
			v, ok := strings.CutPrefix(f[3], "runs=")
			runs, err := strconv.Atoi(v)
			if !ok || err != nil || runs < 1 {
				return Known{}, fmt.Errorf("%s:%d: want runs=N with N ≥ 1, got %q", name, n, f[3])
			}
			e.Runs = runs
		}
		k.Entries = append(k.Entries, e)
	}
	return k, sc.Err()
}

func (k Known) entry(path string) *KnownEntry {
	for i := range k.Entries {
		if k.Entries[i].Path == path {
			return &k.Entries[i]
		}
	}
	return nil
}

// Runs is how many times to replay a scenario for Judge (1 when unlisted).
func (k Known) Runs(path string) int {
	if e := k.entry(path); e != nil {
		return e.Runs
	}
	return 1
}

// Judge says whether a scenario's replays (Runs of them) are as the list
// expects: nil when an unlisted scenario passes every time, or a listed one
// fails only with its invariants, at least once.
func (k Known) Judge(path string, results ...*Result) error {
	e := k.entry(path)
	failed := 0
	for _, res := range results {
		if res.Passed() {
			continue
		}
		failed++
		if e == nil {
			return fmt.Errorf("%w: %s: %s", ErrUnexpected, path, res.Failures[0])
		}
		for _, f := range res.Failures {
			if !onlyInvariants(f, e.Invariants) {
				return fmt.Errorf("%w: %s (known for %s with %s only): %s", ErrUnexpected, path, e.Finding, strings.Join(e.Invariants, ","), f)
			}
		}
	}
	if e != nil && failed == 0 {
		return fmt.Errorf("%w: %s passes now (%d runs): finding %s may be fixed upstream; take it off the known-failing list (line %d)",
			ErrStale, path, len(results), e.Finding, e.Line)
	}
	return nil
}

// onlyInvariants reports whether a failure is an invariants expectation
// whose every violation is of one of invs.
func onlyInvariants(f Failure, invs []string) bool {
	if !strings.HasSuffix(f.What, "invariants differ") {
		return false
	}
	for _, l := range strings.Split(f.Diff, "\n") {
		v, ok := strings.CutPrefix(l, "+")
		if !ok || strings.HasPrefix(v, "++") {
			continue
		}
		id, _, _ := strings.Cut(v, " ")
		if !slices.Contains(invs, id) {
			return false
		}
	}
	return true
}

// Paths lists the scenarios the list names.
func (k Known) Paths() []string {
	var out []string
	for _, e := range k.Entries {
		out = append(out, e.Path)
	}
	return out
}

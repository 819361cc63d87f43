package scenarios

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Known is a known-failing list: the scenarios that replay findings in an
// implementation, each expected to fail with the invariants it names until
// the implementation is fixed. A listed scenario that passes is STALE (the
// finding may be fixed upstream: take it off the list); one that fails
// otherwise than listed is a new failure.
//
// The text form has one entry per line, fields separated by blanks: the
// scenario's path, its invariants (comma-separated) and the finding's id in
// docs/findings.md. '#' starts a comment.
//
//	findings/gocron-1-next-run-in-the-past.yaml  C4  gocron-1
type Known struct {
	Entries []KnownEntry
}

// KnownEntry is one line of a known-failing list.
type KnownEntry struct {
	Path       string
	Invariants []string
	Finding    string
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
		case len(f) != 3:
			return Known{}, fmt.Errorf("%s:%d: want a path, invariants and a finding id, got %d fields", name, n, len(f))
		case k.entry(f[0]) != nil:
			return Known{}, fmt.Errorf("%s:%d: %s is listed twice", name, n, f[0])
		}
		k.Entries = append(k.Entries, KnownEntry{Path: f[0], Invariants: strings.Split(f[1], ","), Finding: f[2], Line: n})
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

// Judge says whether a scenario's result is as the list expects: nil for a
// pass of an unlisted scenario, or a listed one failing only with its
// invariants.
func (k Known) Judge(path string, res *Result) error {
	e := k.entry(path)
	switch {
	case e == nil && res.Passed():
		return nil
	case e == nil:
		return fmt.Errorf("%w: %s: %s", ErrUnexpected, path, res.Failures[0])
	case res.Passed():
		return fmt.Errorf("%w: %s passes now: finding %s may be fixed upstream; take it off the known-failing list (line %d)", ErrStale, path, e.Finding, e.Line)
	}
	for _, f := range res.Failures {
		if !onlyInvariants(f, e.Invariants) {
			return fmt.Errorf("%w: %s (known for %s with %s only): %s", ErrUnexpected, path, e.Finding, strings.Join(e.Invariants, ","), f)
		}
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

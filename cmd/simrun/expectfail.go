package main

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
)

// expectFail is a known-failing list: scenario names (simrun run) or
// invariant ids (simrun check), one per line, # for comments. An
// implementation that knowingly deviates lists what it fails; an entry that
// then passes is stale and fails the run, so the list cannot rot.
type expectFail struct {
	file    string
	entries map[string]int  // entry → line
	seen    map[string]bool // failed, as listed
	run     map[string]bool // among what ran
}

func loadExpectFail(file string) (*expectFail, error) {
	if file == "" {
		return &expectFail{entries: map[string]int{}, seen: map[string]bool{}, run: map[string]bool{}}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x := &expectFail{file: file, entries: map[string]int{}, seen: map[string]bool{}, run: map[string]bool{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		entry, _, _ := strings.Cut(sc.Text(), "#")
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if strings.ContainsAny(entry, " \t") {
			return nil, fmt.Errorf("%s:%d: one scenario name or invariant per line, got %q", file, n, entry)
		}
		if prev, ok := x.entries[entry]; ok {
			return nil, fmt.Errorf("%s:%d: %q is already listed at line %d", file, n, entry, prev)
		}
		x.entries[entry] = n
	}
	return x, sc.Err()
}

// expected reports whether name is listed, and notes that it failed.
func (x *expectFail) expected(name string) bool {
	if _, ok := x.entries[name]; ok {
		x.seen[name] = true
		return true
	}
	return false
}

// ran notes that name was among what ran (a scenario; for check, every
// invariant is checked in every case).
func (x *expectFail) ran(name string) { x.run[name] = true }

// stale lists the entries that ran and never failed, as file:line messages.
func (x *expectFail) stale() []string {
	return x.list(func(e string) bool { return x.run[e] && !x.seen[e] }, "is listed as failing but did not fail (remove it)")
}

// notRun lists the entries that were not among what ran: a list may name
// scenarios of other paths.
func (x *expectFail) notRun() []string {
	return x.list(func(e string) bool { return !x.run[e] }, "is listed as failing but was not run")
}

func (x *expectFail) list(keep func(string) bool, what string) []string {
	out := []string{}
	for e, n := range x.entries {
		if keep(e) {
			out = append(out, fmt.Sprintf("%s:%d: %s %s", x.file, n, e, what))
		}
	}
	slices.Sort(out)
	return out
}

// entriesList is every entry, sorted.
func (x *expectFail) entriesList() []string {
	return slices.Sorted(maps.Keys(x.entries))
}

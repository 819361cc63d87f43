package main

import (
	"bufio"
	"fmt"
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
	entries map[string]int // entry → line
	seen    map[string]bool
}

func loadExpectFail(file string) (*expectFail, error) {
	if file == "" {
		return &expectFail{entries: map[string]int{}, seen: map[string]bool{}}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x := &expectFail{file: file, entries: map[string]int{}, seen: map[string]bool{}}
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

// stale lists the entries that never failed, as file:line messages.
func (x *expectFail) stale() []string {
	var out []string
	for e, n := range x.entries {
		if !x.seen[e] {
			out = append(out, fmt.Sprintf("%s:%d: %s is listed as failing but did not fail (remove it)", x.file, n, e))
		}
	}
	slices.Sort(out)
	return out
}

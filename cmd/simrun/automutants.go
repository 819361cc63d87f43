package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/internal/mutate"
)

// autoOptions configure `simrun mutants --auto`.
type autoOptions struct {
	module     string // the module copied and mutated
	sample     int    // test every k-th mutation so that about this many run (0: all)
	seeds      int    // simrun check cases per mutant
	jobs       int
	equivalent string // file of mutations known to be equivalent
}

// autoResult is the outcome of one mutation.
type autoResult struct {
	m      mutate.Mutation
	status string // killed, timed out, survived, not viable, equivalent, error
	by     string // the first invariant that caught it
}

// autoMutants plants mechanical mutations in a copy of the module's
// evaluator/ (never in the tree itself), builds simrun from each, runs the
// generated suite (`simrun check`, not the scenario library) with a budget
// of cases, and reports the kill rate and the survivors.
func autoMutants(ctx context.Context, o autoOptions, stdout, stderr io.Writer) int {
	mod, err := os.ReadFile(filepath.Join(o.module, "go.mod"))
	if err != nil || !strings.Contains(string(mod), "module github.com/schedsim/schedsim\n") {
		return usageError(stderr, "mutants --auto: %s is not schedsim's module root (run it there, or give --module)", o.module)
	}
	equivalent, err := readEquivalent(o.equivalent)
	if err != nil {
		return usageError(stderr, "mutants --auto: %v", err)
	}
	work, err := os.MkdirTemp("", "schedsim-mutants-")
	if err != nil {
		fmt.Fprintf(stderr, "simrun: mutants --auto: %v\n", err)
		return exitUsage
	}
	defer os.RemoveAll(work)
	tree := filepath.Join(work, "module")
	if err := copyModule(o.module, tree); err != nil {
		fmt.Fprintf(stderr, "simrun: mutants --auto: copying the module: %v\n", err)
		return exitUsage
	}
	all, sources, err := findMutations(tree)
	if err != nil {
		fmt.Fprintf(stderr, "simrun: mutants --auto: %v\n", err)
		return exitUsage
	}
	picked := all
	if o.sample > 0 && o.sample < len(all) {
		picked = nil
		step := float64(len(all)) / float64(o.sample)
		for i := 0; i < o.sample; i++ {
			picked = append(picked, all[int(float64(i)*step)])
		}
	}
	bin := filepath.Join(work, "simrun")
	check := func(ctx context.Context) (int, string, error) {
		cmd := exec.CommandContext(ctx, bin, "check", "--seeds", fmt.Sprint(o.seeds), "--jobs", fmt.Sprint(o.jobs),
			"--no-shrink", "--determinism", "0", "--out", filepath.Join(work, "failures"))
		out, err := cmd.Output()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), firstViolation(out), nil
		}
		return 0, "", err
	}
	build := func() error {
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/simrun")
		cmd.Dir = tree
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, firstLine(string(out)))
		}
		return nil
	}
	// The baseline: the unmutated copy must pass, and its time sets the budget.
	if err := build(); err != nil {
		fmt.Fprintf(stderr, "simrun: mutants --auto: the unmutated module does not build: %v\n", err)
		return exitUsage
	}
	began := time.Now()
	if code, by, err := check(ctx); err != nil || code != 0 {
		fmt.Fprintf(stderr, "simrun: mutants --auto: the unmutated evaluator does not pass the check (exit %d, %s %v): nothing to compare with\n", code, by, err)
		return exitUsage
	}
	budget := max(10*time.Since(began), 30*time.Second)
	fmt.Fprintf(stdout, "%d mutations in evaluator/, %d tested; each against `simrun check --seeds %d` (%s budget)\n",
		len(all), len(picked), o.seeds, budget.Round(time.Second))
	var results []autoResult
	for i, m := range picked {
		if ctx.Err() != nil {
			break
		}
		r := autoResult{m: m}
		switch {
		case equivalent[key(m)]:
			r.status = "equivalent"
		default:
			r.status, r.by = runMutant(ctx, m, sources[m.File], build, check, budget)
		}
		fmt.Fprintf(stderr, "simrun: [%d/%d] %s: %s %s\n", i+1, len(picked), key(m), r.status, r.by)
		results = append(results, r)
	}
	return autoReport(results, stdout, ctx.Err() != nil)
}

// runMutant plants m, builds and checks, and puts the file back.
func runMutant(ctx context.Context, m mutate.Mutation, src []byte, build func() error, check func(context.Context) (int, string, error), budget time.Duration) (string, string) {
	out, err := mutate.Apply(src, m)
	if err != nil {
		return "error", err.Error()
	}
	if err := os.WriteFile(m.File, out, 0o644); err != nil {
		return "error", err.Error()
	}
	defer os.WriteFile(m.File, src, 0o644)
	if err := build(); err != nil {
		return "not viable", ""
	}
	cctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	code, by, err := check(cctx)
	switch {
	case cctx.Err() == context.DeadlineExceeded:
		return "timed out", ""
	case err != nil:
		return "error", err.Error()
	case code == 0:
		return "survived", ""
	case code == 1:
		return "killed", by
	}
	return "killed", fmt.Sprintf("exit %d", code) // nondeterminism (3) is a kill too
}

func autoReport(results []autoResult, stdout io.Writer, interrupted bool) int {
	count := map[string]int{}
	by := map[string]int{}
	for _, r := range results {
		count[r.status]++
		if r.status == "killed" && r.by != "" {
			by[r.by]++
		}
	}
	killed := count["killed"] + count["timed out"]
	judged := killed + count["survived"]
	fmt.Fprintf(stdout, "\n%d tested: %d killed (%d timed out), %d survived, %d equivalent (listed), %d not viable (do not build), %d errors\n",
		len(results), killed, count["timed out"], count["survived"], count["equivalent"], count["not viable"], count["error"])
	if judged > 0 {
		fmt.Fprintf(stdout, "mutation score: %d/%d = %.1f%% of the non-equivalent mutants that build\n", killed, judged, 100*float64(killed)/float64(judged))
	} else if !interrupted {
		// No score is not a perfect score: every mutant was equivalent, did
		// not build, or failed to run.
		fmt.Fprintln(stdout, "no mutant was judged: nothing was scored")
		return exitUsage
	}
	var invs []string
	for inv := range by {
		invs = append(invs, inv)
	}
	slices.Sort(invs)
	var parts []string
	for _, inv := range invs {
		parts = append(parts, fmt.Sprintf("%s %d", inv, by[inv]))
	}
	if len(parts) > 0 {
		fmt.Fprintf(stdout, "first caught by: %s\n", strings.Join(parts, ", "))
	}
	for _, status := range []string{"survived", "equivalent", "error"} {
		first := true
		for _, r := range results {
			if r.status != status {
				continue
			}
			if first {
				fmt.Fprintf(stdout, "\n%s:\n", status)
				first = false
			}
			fmt.Fprintf(stdout, "  %s %s\n", key(r.m), r.by)
		}
	}
	if interrupted {
		fmt.Fprintln(stdout, "\ninterrupted: the figures cover the mutants tested so far")
		return exitInterrupted
	}
	if count["survived"] > 0 || count["error"] > 0 {
		return 1
	}
	return 0
}

// findMutations lists the mutations of the copy's evaluator sources, in
// file and position order, with each file's source.
func findMutations(tree string) ([]mutate.Mutation, map[string][]byte, error) {
	files, err := filepath.Glob(filepath.Join(tree, "evaluator", "*.go"))
	if err != nil {
		return nil, nil, err
	}
	sources := map[string][]byte{}
	var all []mutate.Mutation
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		ms, err := mutate.Find(f, src)
		if err != nil {
			return nil, nil, err
		}
		sources[f] = src
		all = append(all, ms...)
	}
	return all, sources, nil
}

// copyModule copies the module's files (not .git, not build output) to dst.
func copyModule(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "simrun-failures" || d.Name() == "adapters" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// key names a mutation in an equivalent-mutants file: evaluator/FILE:LINE:
// KIND WHAT, as the report prints it but with the path relative to the module.
func key(m mutate.Mutation) string {
	file := filepath.Base(m.File)
	return fmt.Sprintf("evaluator/%s:%d: %s %s", file, m.Line, m.Kind, m.What)
}

// readEquivalent reads a file of mutation keys (one a line, # comments).
func readEquivalent(file string) (map[string]bool, error) {
	out := map[string]bool{}
	if file == "" {
		return out, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			out[line] = true
		}
	}
	return out, sc.Err()
}

// firstViolation is the invariant of the first VIOLATION line of a check.
func firstViolation(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "VIOLATION "); ok {
			return strings.Fields(rest)[0]
		}
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

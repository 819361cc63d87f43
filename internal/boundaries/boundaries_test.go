package boundaries

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEvaluatorImports: the evaluator is a library other programs embed; it
// depends on no test, YAML or harness package, directly or not.
func TestEvaluatorImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/schedsim/schedsim/evaluator").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/robfig/cron/v3", "go list answered")
	for _, dep := range deps {
		for _, banned := range []string{"testing", "go.yaml.in/yaml", "gopkg.in/yaml", "github.com/leanovate/gopter", "github.com/stretchr/testify",
			"github.com/schedsim/schedsim/sim", "github.com/schedsim/schedsim/fakes", "github.com/schedsim/schedsim/invariants"} {
			assert.False(t, dep == banned || strings.HasPrefix(dep, banned+"/"), "the evaluator depends on %s", dep)
		}
	}
}

// TestNoWallClockOrGlobalRandom: in evaluator/, fakes/ and sim/ time comes
// from the clock seam and randomness from a seeded source. A call to the
// wall clock, a real sleep or timer, or math/rand's global functions is an
// error here (tests may use them).
func TestNoWallClockOrGlobalRandom(t *testing.T) {
	banned := map[string][]string{
		"time": {"Now", "Sleep", "Since", "Until", "After", "AfterFunc", "NewTimer", "NewTicker", "Tick"},
		"rand": {"Int", "Intn", "Int63", "Int64", "Int64N", "IntN", "Float64", "Perm", "Shuffle", "Uint64", "Int31n", "N"},
	}
	fset := token.NewFileSet()
	checked := 0
	for _, dir := range []string{"evaluator", "fakes", "sim"} {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		require.NoError(t, err)
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			require.NoError(t, err)
			checked++
			local := map[string]string{} // import name → path
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				name := filepath.Base(path)
				if imp.Name != nil {
					name = imp.Name.Name
				}
				local[name] = path
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				path := local[pkg.Name]
				if path != "time" && !strings.HasPrefix(path, "math/rand") {
					return true
				}
				for _, fn := range banned[pathBase(path)] {
					if sel.Sel.Name == fn {
						t.Errorf("%s: %s.%s: use the clock seam or a seeded source", fset.Position(sel.Pos()), pkg.Name, fn)
					}
				}
				return true
			})
		}
	}
	assert.Greater(t, checked, 20, "the check read the packages' files")
}

// pathBase is the package name an import path is used by ("rand" for
// math/rand/v2).
func pathBase(path string) string {
	if strings.HasSuffix(path, "/v2") {
		path = strings.TrimSuffix(path, "/v2")
	}
	return filepath.Base(path)
}

// TestNoBuildOutputIsTracked: the repository holds sources, not binaries
// or run output (a 5.6 MB simrun binary and a failure file were committed
// once).
func TestNoBuildOutputIsTracked(t *testing.T) {
	out, err := exec.Command("git", "-C", "../..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): nothing to check", err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	require.Greater(t, len(files), 50, "git listed the repository")
	for _, f := range files {
		assert.NotContains(t, f, "simrun-failures/", "run output is tracked: %s", f)
		b, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			continue // deleted in the work tree
		}
		assert.False(t, len(b) >= 4 && string(b[:4]) == "\x7fELF", "a binary is tracked: %s", f)
		assert.Less(t, len(b), 1<<20, "a file over 1 MB is tracked: %s", f)
	}
}

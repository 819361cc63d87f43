package boundaries

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allowedEvaluatorFuncs are the evaluator functions and methods the
// checkers may call: names and formatting, never semantics.
var allowedEvaluatorFuncs = []string{"String", "Error", "MarshalText"}

// TestCheckersCallNoEvaluatorFunction: the invariants (and their tick
// calculator) use the evaluator's types and constants only. A checker that
// computes ticks, validates configs or projects logs with the evaluator's
// own code would share its defects and could not see them.
func TestCheckersCallNoEvaluatorFunction(t *testing.T) {
	for _, dir := range []string{"invariants", "invariants/ticks"} {
		assert.Empty(t, evaluatorCalls(t, dir), dir)
	}
	// The check can fail: the property suite's generator calls ParseTrigger.
	assert.Contains(t, strings.Join(evaluatorCalls(t, "properties"), "\n"), "ParseTrigger")
}

// evaluatorCalls lists the calls of dir's non-test files into evaluator
// functions or methods other than the allowed ones, with their positions.
func evaluatorCalls(t *testing.T, dir string) []string {
	const evaluatorPath = "github.com/schedsim/schedsim/evaluator"
	pkgPath := "github.com/schedsim/schedsim/" + dir
	exports := exportData(t, pkgPath)
	fset := token.NewFileSet()
	var files []*ast.File
	names, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
	require.NoError(t, err)
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		files = append(files, f)
	}
	require.NotEmpty(t, files, dir)
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, os.ErrNotExist
		}
		return os.Open(file)
	})
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	_, err = (&types.Config{Importer: imp}).Check(pkgPath, fset, files, info)
	require.NoError(t, err, dir)
	var out []string
	for id, obj := range info.Uses {
		fn, ok := obj.(*types.Func)
		if ok && fn.Pkg() != nil && fn.Pkg().Path() == evaluatorPath && !slices.Contains(allowedEvaluatorFuncs, fn.Name()) {
			out = append(out, fset.Position(id.Pos()).String()+": "+fn.FullName())
		}
	}
	slices.Sort(out)
	return out
}

// exportData maps every dependency of pkg to its compiled export data.
func exportData(t *testing.T, pkg string) map[string]string {
	out, err := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Export", pkg).Output()
	require.NoError(t, err)
	m := map[string]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct{ ImportPath, Export string }
		require.NoError(t, dec.Decode(&p))
		m[p.ImportPath] = p.Export
	}
	return m
}

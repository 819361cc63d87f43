package mutate

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `package p

import "time"

func f(a, b time.Time, n int, log func()) error {
	if a.Before(b) && n < 3 {
		log()
		log()
	}
	if err := g(); err != nil {
		return err
	}
	return nil
}

func g() error { return nil }
`

func TestFindAndApply(t *testing.T) {
	ms, err := Find("p.go", []byte(sample))
	require.NoError(t, err)
	var got []string
	for _, m := range ms {
		got = append(got, m.String())
	}
	assert.Equal(t, []string{
		"p.go:6: cond if a.Before(b) && n < 3 → true",
		"p.go:6: cond if a.Before(b) && n < 3 → false",
		"p.go:6: flip a.Before(b) → !b.After(a)",
		"p.go:6: flip < → <=",
		"p.go:7: drop drop log(…)",
		"p.go:7: swap swap with the next call",
		"p.go:8: drop drop log(…)",
		"p.go:10: cond if err != nil → true",
		"p.go:10: cond if err != nil → false",
		"p.go:10: drop skip g(…) (nil error)",
		"p.go:10: flip != → ==",
	}, got)
	for _, m := range ms {
		out, err := Apply([]byte(sample), m)
		require.NoError(t, err, m.String())
		assert.NotEqual(t, sample, string(out), m.String())
		_, err = parser.ParseFile(token.NewFileSet(), "p.go", out, 0)
		assert.NoError(t, err, "%s:\n%s", m, out)
	}
	out, _ := Apply([]byte(sample), ms[2])
	assert.Contains(t, string(out), "!b.After(a)")
	out, _ = Apply([]byte(sample), ms[9])
	assert.Contains(t, string(out), "err := error(nil); err != nil")
}

// TestEvaluatorMutationsBuild: every mutation of the evaluator's files
// parses (whether it type-checks is the runner's business: a mutant that
// does not build is reported apart, never as killed).
func TestEvaluatorMutationsParse(t *testing.T) {
	files, err := filepath.Glob("../../evaluator/*.go")
	require.NoError(t, err)
	total := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		ms, err := Find(file, src)
		require.NoError(t, err)
		for _, m := range ms {
			out, err := Apply(src, m)
			require.NoError(t, err, m.String())
			_, err = parser.ParseFile(token.NewFileSet(), file, out, 0)
			require.NoError(t, err, m.String())
		}
		total += len(ms)
	}
	assert.Greater(t, total, 200)
	t.Logf("%d mutations", total)
}

package timeline_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
	"github.com/schedsim/schedsim/timeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCases are library scenarios whose JSON and SVG are pinned: a crash
// with downtime, a ten-year outage, a DST gap, and a mutant's S1 violation.
var goldenCases = []struct {
	name, file, mutant string
}{
	{"crash-downtime", "faults/crash-after-start-with-downtime.yaml", ""},
	{"ten-year-outage", "defects/defect-06-ten-year-outage-one.yaml", ""},
	{"dst-gap", "dst/berlin-spring-gap.yaml", ""},
	{"mutant-s1", "defects/defect-01-recovery-clears-running.yaml", "recovery-clears-running"},
}

// replay runs a library scenario against the reference or a mutant.
func replay(t testing.TB, file, mutant string) (*scenarios.Result, string) {
	t.Helper()
	all, err := scenarios.LoadAll(scenarios.Library(), file)
	if err != nil || len(all) != 1 {
		t.Fatalf("loading %s: %v (%d scenarios)", file, err, len(all))
	}
	return run(t, all[0], mutant)
}

// run replays s against the reference or a mutant.
func run(t testing.TB, s *scenarios.Scenario, mutant string) (*scenarios.Result, string) {
	t.Helper()
	var factory sim.Factory
	impl := "the reference evaluator"
	if mutant != "" {
		m, ok := mutants.ByName(mutant)
		if !ok {
			t.Fatalf("no mutant %s", mutant)
		}
		factory, impl = m.Factory(0), "the mutant "+mutant
	}
	res, err := scenarios.Run(s, scenarios.Options{Factory: factory})
	if err != nil {
		t.Fatal(err)
	}
	return res, impl
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			res, impl := replay(t, c.file, c.mutant)
			tl := timeline.Build(res, impl)
			var js, svg bytes.Buffer
			if err := timeline.WriteJSON(&js, tl); err != nil {
				t.Fatal(err)
			}
			if err := timeline.WriteSVG(&svg, tl); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", c.name+".json"), js.Bytes())
			golden(t, filepath.Join("testdata", c.name+".svg"), svg.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./timeline -run TestGolden -update writes it)", err)
	}
	if !bytes.Equal(want, got) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			if i >= len(wl) || i >= len(gl) || wl[i] != gl[i] {
				w, g := "(end)", "(end)"
				if i < len(wl) {
					w = wl[i]
				}
				if i < len(gl) {
					g = gl[i]
				}
				t.Fatalf("%s differs at line %d (rerun with -update if intended):\nwant %s\ngot  %s", path, i+1, w, g)
			}
		}
	}
}

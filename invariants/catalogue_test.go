package invariants_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/invariants"
)

// TestInvariantsDocIsTheCatalogue: docs/invariants.md is generated from the
// catalogue and must not drift from it.
func TestInvariantsDocIsTheCatalogue(t *testing.T) {
	b, err := os.ReadFile("../docs/invariants.md")
	require.NoError(t, err)
	assert.Equal(t, invariants.Markdown(), string(b), "regenerate: go run ./cmd/simrun explain --markdown > docs/invariants.md")
}

// TestEveryReportedInvariantIsCatalogued scans the packages that report
// violations for the ids they use: each must have an entry, so that every
// message can name one.
func TestEveryReportedInvariantIsCatalogued(t *testing.T) {
	re := regexp.MustCompile(`(?:Invariant: |violation\()"([A-Za-z0-9]+)"`)
	found := 0
	for _, glob := range []string{"*.go", "../properties/*.go", "../cmd/simrun/*.go"} {
		files, err := filepath.Glob(glob)
		require.NoError(t, err)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				found++
				_, ok := invariants.Lookup(m[1])
				assert.True(t, ok, "%s reports %s, which docs/invariants.md does not explain", f, m[1])
			}
		}
	}
	assert.Greater(t, found, 20, "the scan finds the checkers' ids")
}

// TestCatalogueNamesRealScenarios: every scenario an entry cites exists.
func TestCatalogueNamesRealScenarios(t *testing.T) {
	re := regexp.MustCompile(`[a-z]+/[a-z0-9-]+`)
	for _, e := range invariants.Catalogue {
		for _, p := range re.FindAllString(e.ShownBy, -1) {
			_, err := os.Stat(filepath.Join("../scenarios/library", p+".yaml"))
			assert.NoError(t, err, "%s cites %s", e.ID, p)
		}
	}
}

func TestViolationsNameTheirEntry(t *testing.T) {
	v := invariants.Violation{Invariant: "S2", ScheduleID: "s", Detail: "started while s@x ran without a cancel"}
	assert.Equal(t, "S2 s: started while s@x ran without a cancel (simrun explain S2)", v.String())
	e, ok := invariants.Lookup("s2")
	require.True(t, ok)
	assert.Contains(t, e.Text(), "More: docs/invariants.md#s2")
}

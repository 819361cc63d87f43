package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/profile"
)

func TestProfilesDocIsGenerated(t *testing.T) {
	code, out, _ := runArgs("profiles", "--markdown")
	require.Equal(t, 0, code)
	b, err := os.ReadFile("../../docs/profiles.md")
	require.NoError(t, err)
	assert.Equal(t, string(b), out, "regenerate: go run ./cmd/simrun profiles --markdown > docs/profiles.md")
	for _, want := range []string{"## <a id=\"gocron-v2\"></a>gocron-v2", "LimitModeWait", "operation-second", "Sources:"} {
		assert.Contains(t, out, want)
	}
}

func TestProfilesCommand(t *testing.T) {
	code, out, _ := runArgs("profiles")
	require.Equal(t, 0, code)
	assert.Equal(t, len(profile.Names()), strings.Count(out, "\n"), out)
	code, _, errOut := runArgs("profiles", "quartz")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown profile "quartz" (want schedsim, gocron-v2, robfig-cron-v3, temporal-v1)`)
}

// TestRunUnderAProfile: under another dialect a scenario the profile cannot
// run is N/A (with its reason), counted apart, never passed.
func TestRunUnderAProfile(t *testing.T) {
	code, out, _ := runArgs("run", "--profile", "robfig-cron-v3", "../../scenarios/library/seed/e04-buffer-one-queues-at-most-one.yaml",
		"../../scenarios/library/lifecycle/pause-resume-no-catch-up.yaml")
	assert.Contains(t, out, "N/A   seed-e04-buffer-one-queues-at-most-one")
	assert.Contains(t, out, "not applicable under robfig-cron-v3: schedule s: robfig-cron-v3 offers no overlap policy buffer_one")
	assert.Contains(t, out, "1 not applicable under robfig-cron-v3")
	assert.NotContains(t, out, "2 passed")
	assert.Contains(t, []int{0, 1}, code)
	code, _, errOut := runArgs("run", "--profile", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--profile: unknown profile "nope"`)
}

// TestDeclaredAndFlaggedProfilesMustAgree: a program declares its dialect;
// --profile cannot judge it in another.
func TestDeclaredAndFlaggedProfilesMustAgree(t *testing.T) {
	adapter := filepath.Join(t.TempDir(), "simadapter")
	if out, err := exec.Command("go", "build", "-o", adapter, "../simadapter").CombinedOutput(); err != nil {
		t.Fatalf("build simadapter: %v\n%s", err, out)
	}
	code, _, errOut := runArgs("check", "--seeds", "1", "--impl", adapter, "--profile", "gocron-v2")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--profile gocron-v2, but the program declares schedsim in its init reply")
	code, out, _ := runArgs("check", "--seeds", "2", "--impl", adapter)
	assert.Equal(t, 0, code, out)
}

package properties_test

import (
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

var (
	seed  = flag.Int64("seed", properties.DefaultSeed, "the property suite's seed")
	cases = flag.Int("cases", properties.DefaultCases, "histories per run of the suite")
	long  = flag.Bool("long", false, "run 100 times more histories")
	size  = flag.Int("schedules", properties.DefaultMaxSchedules, "at most this many schedules per history (1 to 10)")
	steps = flag.Int("steps", properties.DefaultMaxSteps, "at most this many steps per history besides the creates")
)

func options() properties.Options {
	o := properties.Options{Seed: *seed, Cases: *cases, MaxSchedules: *size, MaxSteps: *steps}
	if *long {
		o.Cases *= 100
	}
	return o
}

// budget is the options a mutant is hunted with: the default, but for the
// two liveness mutants the default budget measurably does not reach. Each
// needs a seam error at exactly the start of a buffered or owed tick and a
// next tick beyond the liveness bound; since buffer_all, bounds,
// terminate_previous and trigger_now joined the generator, those draws are
// rarer, and where the first kill falls moves with every new draw: with
// trigger_now alone in, `simrun mutants NAME -seeds 1 -cases N` first
// killed them at cases 2,996 and 2,713; with pause_on_failure too, this
// test's seed kills them at cases 180 and 237, yet buffered-start-waits-
// for-tick survives two seeds of five at 1,000 (README's table). Four
// times the budget covers the worst measured; with jitter and backfill in
// the draws, this seed's L1 kill of buffered-start-waits-for-tick needs
// eight. backfill-lost-at-recovery needs a crash at a seam call in the
// middle of a backfill's starts: 1,933 histories at the median of 3 seeds
// (this seed kills it at case 3,908).
func budget(name string) properties.Options {
	o := options()
	switch name {
	case "owed-start-waits-for-tick":
		o.Cases *= 4
	case "buffered-start-waits-for-tick":
		o.Cases *= 8
	case "backfill-lost-at-recovery":
		// It needs a crash at a seam call in the middle of a backfill's starts.
		o.Cases *= 5
	}
	return o
}

func TestReferencePasses(t *testing.T) {
	err := properties.Check(sim.Reference(0), options())
	require.NoError(t, err)
}

// TestEveryFaultKindIsGenerated: each fault kind of the table (and every
// policy) turns up in generated histories, so a kind added to the table
// without a generator fails here instead of never being tried.
func TestEveryFaultKindIsGenerated(t *testing.T) {
	seen := map[string]bool{}
	o := properties.Options{Faults: properties.ModeAll, MaxSteps: 12, MaxSchedules: 4}
	for i := 0; i < 300; i++ {
		h, err := properties.Generate(properties.DefaultSeed, i, o)
		require.NoError(t, err)
		for _, st := range h.Steps {
			kind := st.Kind
			if kind == properties.StepCrash && st.Call != "" {
				kind = properties.FaultCrashAtCall
			}
			seen[kind] = true
		}
		for _, s := range h.Schedules {
			seen[s.Overlap.String()], seen[s.CatchUp.String()] = true, true
		}
	}
	want := slices.Clone(properties.FaultKinds)
	for _, p := range properties.Overlaps {
		want = append(want, p.String())
	}
	for _, p := range properties.CatchUps {
		want = append(want, p.String())
	}
	for _, k := range want {
		assert.True(t, seen[k], "no generated history has %s", k)
	}
}

// TestGeneratedHistoriesRoundTrip: a generated history built as a scenario
// formats to a file that parses back to the same scenario, so the file a
// failure prints replays exactly what was checked.
func TestGeneratedHistoriesRoundTrip(t *testing.T) {
	for _, mode := range properties.Modes {
		o := properties.Options{Faults: mode, MaxSteps: 12, MaxSchedules: 6}
		for i := 0; i < 150; i++ {
			h, err := properties.Generate(properties.DefaultSeed, i, o)
			require.NoError(t, err)
			s := h.Scenario("generated", "a generated history")
			b, err := scenarios.Format(s)
			require.NoError(t, err)
			back, err := scenarios.Parse("generated.yaml", b)
			require.NoError(t, err, "%s case %d does not load:\n%s", mode, i, b)
			require.Equal(t, s.Canonical(), back.Canonical(), "%s case %d:\n%s", mode, i, b)
		}
	}
}

// R2 compares a history with the one without its zero-downtime crashes,
// unless one shares its instant with a crash that has downtime: removing it
// removes the recovery that ran between them (found at seed 4535).
func TestR2LeavesCrashesSharingAnInstant(t *testing.T) {
	h := properties.History{Steps: []properties.Step{{At: time.Hour, Kind: properties.StepCrash}, {At: 2 * time.Hour, Kind: properties.StepCrash, Duration: time.Second}}}
	plain, ok, _ := properties.WithoutTransparentCrashes(h)
	require.True(t, ok)
	assert.Len(t, plain.Steps, 1)
	h.Steps[1].At = time.Hour
	_, ok, why := properties.WithoutTransparentCrashes(h)
	assert.False(t, ok, "R2 does not judge it")
	assert.Equal(t, "a zero-downtime crash shares its instant with a crash that has downtime", why, "and says why")
}

// A zero-downtime crash at a seam call is judged by R2; a seam error beside
// it makes R2 say it cannot judge.
func TestR2JudgesCrashesAtSeamCalls(t *testing.T) {
	h := properties.History{Steps: []properties.Step{{At: time.Hour, Kind: properties.StepCrash, Call: "engine.start", Phase: "after"}}}
	plain, ok, _ := properties.WithoutTransparentCrashes(h)
	require.True(t, ok)
	assert.Empty(t, plain.Steps)
	h.Steps = append(h.Steps, properties.Step{At: 2 * time.Hour, Kind: properties.StepError, Call: "log.append", Phase: "before"})
	_, ok, why := properties.WithoutTransparentCrashes(h)
	assert.False(t, ok)
	assert.Contains(t, why, "seam errors")
}

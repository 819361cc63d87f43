package gocron

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

func TestDebugTrace(t *testing.T) {
	ss, err := scenarios.LoadAll(scenarios.Library(), "seed")
	if err != nil {
		t.Fatal(err)
	}
	prof := profile.GocronV2()
	for _, s := range ss {
		if s.Name != "seed-lifecycle-fires-skips-recovers" {
			continue
		}
		synctest.Test(t, func(t *testing.T) {
			cfg := s.Config(Factory())
			w, _ := sim.New(cfg)
			defer w.Close()
			w.Run(s.Start.Add(150 * time.Second))
			t.Log(w.Process().List(t.Context(), 1))
			t.Log(w.Timers().Armed(), w.Clock().Now())
			t.Log(invariants.RunIn(prof, w, cfg))
			t.Log(w.Timers().Armed(), w.Clock().Now())
			w.Run(s.Start.Add(4 * time.Minute))
			t.Log(w.Timers().Armed(), w.Clock().Now())
			t.Log(invariants.RunIn(prof, w, cfg).Violations)

		})
	}
}

package gocron

import (
	"os"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip("EXPLORE not set")
	}
	seed, _ := strconv.ParseInt(os.Getenv("EXPLORE"), 10, 64)
	prof := profile.GocronV2()
	err := properties.Check(Factory(), properties.Options{Seed: seed, Cases: 1000, Profile: &prof, Horizon: 3 * time.Hour, MaxSteps: 40, MaxSchedules: 5, Faults: properties.ModeSwarm,
		Isolate: func(f func()) { synctest.Test(t, func(*testing.T) { f() }) }, Known: isKnown})
	if err != nil {
		t.Fatal(err)
	}
}

package inproc_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/inproc"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

// toyProfile is the toy's dialect: gocron's (no durability, re-registration,
// start-instant identity), with skip and allow_all only.
func toyProfile(t *testing.T) profile.Profile {
	p, err := profile.GocronV2().Narrow([]string{"skip", "allow_all"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "toy"
	return p
}

func isolate(t *testing.T) func(func()) {
	return func(f func()) { synctest.Test(t, func(*testing.T) { f() }) }
}

// TestToyPassesTheSuite: a correct goroutine scheduler, driven through
// inproc, passes the property suite in its profile, twice per case (R3: the
// bubble makes it deterministic).
func TestToyPassesTheSuite(t *testing.T) {
	prof := toyProfile(t)
	cases := 200
	if testing.Short() {
		cases = 40
	}
	if err := properties.Check(inproc.Factory(prof, newToy(false)), properties.Options{Cases: cases, Profile: &prof, Isolate: isolate(t)}); err != nil {
		t.Fatal(err)
	}
}

// TestBrokenToyIsCaught: the same scheduler ignoring skip is caught, and the
// shrunk case names an overlap.
func TestBrokenToyIsCaught(t *testing.T) {
	prof := toyProfile(t)
	err := properties.Check(inproc.Factory(prof, newToy(true)), properties.Options{Cases: 200, Profile: &prof, Isolate: isolate(t)})
	f, ok := err.(*properties.Failure)
	if !ok {
		t.Fatalf("want a failure, got %v", err)
	}
	if f.Invariant != "S1" && f.Invariant != "M1" {
		t.Errorf("want S1 or M1 for a skip that starts anyway, got %s", f.Invariant)
	}
}

// TestToyLibrary: the library scenarios the toy can run pass, judged by the
// invariants in its dialect, and enough of them apply to mean something.
func TestToyLibrary(t *testing.T) {
	prof := toyProfile(t)
	ss, err := scenarios.LoadAll(scenarios.Library(), ".")
	if err != nil {
		t.Fatal(err)
	}
	// The toy ticks by robfig's Next, so it has robfig's DST defects.
	known, err := scenarios.ParseKnown(strings.NewReader(`
library:dst/lord-howe-half-hour-change.yaml  M1     robfig-1
library:dst/santiago-midnight-change.yaml    S6,M1  robfig-2
`), "toy")
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, s := range ss {
		if scenarios.Applies(s, prof) != "" {
			continue
		}
		ran++
		synctest.Test(t, func(t *testing.T) {
			res, err := scenarios.Run(s, scenarios.Options{Factory: inproc.Factory(prof, newToy(false)), Profile: &prof})
			if err != nil {
				t.Fatal(err)
			}
			if err := known.Judge("library:"+s.File, res); err != nil {
				t.Error(err)
			}
		})
	}
	if ran < 30 {
		t.Errorf("only %d library scenarios apply to the toy", ran)
	}
}

// TestWorldBeforeTheBubbleIsRefused: a world that starts before the bubble's
// clock (2000-01-01) cannot be followed, and says so.
func TestWorldBeforeTheBubbleIsRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		prof := toyProfile(t)
		seams := sim.Seams{Clock: clockwork.NewFakeClockAt(time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC))}
		_, err := inproc.Factory(prof, newToy(false))(seams)
		if !errors.Is(err, sim.ErrFatal) || !strings.Contains(err.Error(), "past the world's") {
			t.Fatalf("want a fatal error naming the clocks, got %v", err)
		}
	})
}

// sleepy is an adapter whose Add waits on a timer on the world's goroutine:
// the bubble's clock moves on its own, past the world's.
type sleepy struct{ *toy }

func (s sleepy) Add(id string, c evaluator.Config, job func()) error {
	<-time.After(time.Hour)
	return s.toy.Add(id, c, job)
}

// TestClockRunningAheadIsFatal: when the bubble's clock gets ahead of the
// world's, what the scheduler does happens at instants the world never had;
// the run ends with a fatal error instead of a verdict.
func TestClockRunningAheadIsFatal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		prof := toyProfile(t)
		f := inproc.Factory(prof, func() (inproc.Scheduler, error) { return sleepy{&toy{jobs: map[string]*toyJob{}}}, nil })
		create := sim.Op{At: sim.DefaultStart, Kind: sim.OpCreate, ScheduleID: "s", RequestID: "c", Config: evaluator.Config{
			Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}, Overlap: evaluator.OverlapSkip, CatchUp: evaluator.CatchUpSkip, WorkflowType: "w"}}
		w, err := sim.New(sim.Config{Factory: f, Ops: []sim.Op{create}})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		err = w.Run(sim.DefaultStart.Add(10 * time.Minute))
		if !errors.Is(err, sim.ErrFatal) || !strings.Contains(err.Error(), "ran ahead of the world's") {
			t.Fatalf("want a fatal error, got %v", err)
		}
	})
}

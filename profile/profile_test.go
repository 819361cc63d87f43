package profile_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/profile"
)

func TestLookup(t *testing.T) {
	for _, name := range profile.Names() {
		p, err := profile.Lookup(name)
		if err != nil || p.Name != name {
			t.Errorf("Lookup(%q) = %q, %v", name, p.Name, err)
		}
	}
	if profile.Names()[0] != profile.Default {
		t.Errorf("the default comes first: %v", profile.Names())
	}
	if _, err := profile.Lookup("quartz"); !errors.Is(err, profile.ErrUnknown) {
		t.Errorf("want ErrUnknown, got %v", err)
	}
}

// TestSchedsimIsTheEvaluator: the default profile is the reference's
// dialect, whole: every policy it implements, every fault kind, nothing
// inapplicable.
func TestSchedsimIsTheEvaluator(t *testing.T) {
	p := profile.Schedsim()
	if !slices.Equal(p.OverlapPolicies(), evaluator.OverlapPolicies()) || !slices.Equal(p.CatchUpPolicies(), evaluator.CatchUpPolicies()) {
		t.Errorf("policies %v %v", p.OverlapPolicies(), p.CatchUpPolicies())
	}
	if len(p.Inapplicable) > 0 || p.Durability != profile.DurabilityLog || p.Reregisters || !p.Window {
		t.Errorf("%+v", p)
	}
}

// TestEveryProfileIsDocumented: a profile without its sources or a field
// left empty cannot be judged by its readers.
func TestEveryProfileIsDocumented(t *testing.T) {
	for _, p := range profile.Builtin() {
		for field, v := range map[string]string{"scheduler": p.Scheduler, "version": p.Version, "cron": p.Cron, "dst": p.DST,
			"catch-up rule": p.CatchUpRule, "cancel": p.Cancel, "buffer": p.Buffer, "pause": p.Pause, "same instant": p.SameInstant, "observes": p.Observes} {
			if v == "" {
				t.Errorf("%s: %s is empty", p.Name, field)
			}
		}
		if len(p.Sources) == 0 || len(p.Overlaps) == 0 || len(p.CatchUps) == 0 || len(p.Faults) == 0 {
			t.Errorf("%s: sources, policies or faults missing", p.Name)
		}
		for _, x := range p.Inapplicable {
			if x.Why == "" {
				t.Errorf("%s: %s inapplicable without a reason", p.Name, x.Invariant)
			}
		}
	}
}

func TestNarrow(t *testing.T) {
	p, err := profile.GocronV2().Narrow([]string{"skip", "skip"}, nil, []string{"crash"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.OverlapPolicies(), []evaluator.OverlapPolicy{evaluator.OverlapSkip}) || !slices.Equal(p.Faults, []string{"crash"}) ||
		len(p.CatchUps) != 3 {
		t.Errorf("got %v %v %v", p.OverlapPolicies(), p.Faults, p.CatchUps)
	}
	for _, bad := range [][3][]string{{{"buffer_one"}, nil, nil}, {nil, {"sometimes"}, nil}, {nil, nil, {"error"}}} {
		if _, err := profile.GocronV2().Narrow(bad[0], bad[1], bad[2]); !errors.Is(err, profile.ErrNarrow) {
			t.Errorf("%v: want ErrNarrow, got %v", bad, err)
		}
	}
}

func TestSupports(t *testing.T) {
	every := func(d time.Duration, o evaluator.OverlapPolicy) evaluator.Config {
		return evaluator.Config{Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(d)}, Overlap: o, CatchUp: evaluator.CatchUpSkip, WorkflowType: "w"}
	}
	window := every(time.Minute, evaluator.OverlapSkip)
	w := evaluator.Duration(time.Hour)
	window.CatchUpWindow = &w
	for _, c := range []struct {
		p    profile.Profile
		c    evaluator.Config
		want bool
	}{
		{profile.Schedsim(), every(1500*time.Millisecond, evaluator.OverlapBufferOne), true},
		{profile.Schedsim(), every(time.Minute, evaluator.OverlapBufferAll), true},
		{profile.RobfigCronV3(), every(time.Minute, evaluator.OverlapBufferAll), false},
		{profile.GocronV2(), every(time.Minute, evaluator.OverlapBufferAll), true},
		{profile.GocronV2(), every(time.Minute, evaluator.OverlapCancelPrevious), false},
		{profile.GocronV2(), window, false},
		{profile.RobfigCronV3(), every(1500*time.Millisecond, evaluator.OverlapSkip), false},
		{profile.RobfigCronV3(), every(90*time.Second, evaluator.OverlapSkip), true},
	} {
		if why := c.p.Supports(c.c); (why == "") != c.want {
			t.Errorf("%s supports %v %s: %q", c.p.Name, time.Duration(c.c.Trigger.Interval), c.c.Overlap, why)
		}
	}
}

// A profile names the policies an implementation offers in its own words,
// and says which invariants cannot judge it.
func Example() {
	p, _ := profile.Lookup("robfig-cron-v3")
	for _, o := range p.Overlaps {
		fmt.Printf("%s = %s\n", o.Ours, o.Theirs)
	}
	fmt.Println(p.IntervalAnchor, p.Durability)
	fmt.Println("R1:", p.InapplicableWhy("R1"))
	// Output:
	// skip = cron.WithChain(cron.SkipIfStillRunning(logger))
	// allow_all = no wrapper (the default)
	// operation-second none
	// R1: no durability: a fresh incarnation registers the jobs again and re-anchors every grid
}

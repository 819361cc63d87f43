package sim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

var t0 = sim.DefaultStart

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

func interval(d time.Duration, o evaluator.OverlapPolicy, c evaluator.CatchUpPolicy) evaluator.Config {
	return evaluator.Config{Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(d)}, Overlap: o, CatchUp: c, WorkflowType: "w"}
}

// dayConfig is the reference history: four schedules, one per overlap
// policy, periods of minutes, runs longer than the period, a pause and resume,
// and a late timer that triggers catch-up; plus a six-field cron with a
// catch-up window that is created late and deleted, and an update.
func dayConfig() sim.Config {
	create := func(id string, c evaluator.Config) sim.Op {
		return sim.Op{At: t0, Kind: sim.OpCreate, ScheduleID: id, Config: c}
	}
	runs := map[string]time.Duration{"skip": minutes(25), "buffer": minutes(30), "cancel": minutes(40), "all": minutes(20), "window": 200 * time.Second}
	// Every 3 minutes at second 0 (6 fields), buffer_one, catch-up all within 4 minutes.
	window := evaluator.Config{Trigger: evaluator.TriggerSpec{Cron: "0 */3 * * * *"}, Overlap: evaluator.OverlapBufferOne,
		CatchUp: evaluator.CatchUpAll, CatchUpWindow: ptr(evaluator.Duration(4 * time.Minute)), WorkflowType: "w"}
	cancelOne := evaluator.Config{Trigger: evaluator.TriggerSpec{Cron: "*/17 * * * *"}, Overlap: evaluator.OverlapCancelPrevious,
		CatchUp: evaluator.CatchUpOne, WorkflowType: "w"}
	return sim.Config{
		Seed:        1,
		Duration:    func(r evaluator.StartRequest) time.Duration { return runs[r.ScheduleID] },
		CancelDelay: 30 * time.Second,
		Ops: []sim.Op{
			create("skip", interval(minutes(11), evaluator.OverlapSkip, evaluator.CatchUpOne)),
			create("buffer", interval(minutes(13), evaluator.OverlapBufferOne, evaluator.CatchUpAll)),
			create("cancel", evaluator.Config{Trigger: evaluator.TriggerSpec{Cron: "*/17 * * * *"}, Overlap: evaluator.OverlapCancelPrevious,
				CatchUp: evaluator.CatchUpAll, WorkflowType: "w"}),
			create("all", interval(minutes(7), evaluator.OverlapAllowAll, evaluator.CatchUpSkip)),
			{At: t0.Add(5 * time.Hour), Kind: sim.OpPause, ScheduleID: "buffer"},
			{At: t0.Add(7*time.Hour + 30*time.Second), Kind: sim.OpResume, ScheduleID: "buffer"},
			{At: t0.Add(time.Hour), Kind: sim.OpCreate, ScheduleID: "window", Config: window},
			{At: t0.Add(15*time.Hour + 5*time.Minute), Kind: sim.OpUpdate, ScheduleID: "cancel", Config: cancelOne},
			{At: t0.Add(20 * time.Hour), Kind: sim.OpDelete, ScheduleID: "window"},
		},
		Plan: sim.Plan{Faults: []sim.Fault{
			// The 10:02 tick of "all" is delivered 25 minutes late: 3 more are due then.
			{Kind: sim.Late, Schedule: "all", Nominal: t0.Add(10*time.Hour + 2*time.Minute), Late: minutes(25)},
		}},
	}
}

func started(w *sim.World) []string {
	var out []string
	for _, r := range w.Engine().Runs() {
		out = append(out, r.Execution.WorkflowID)
	}
	return out
}

func runDay(t testing.TB, cfg sim.Config) *sim.World {
	t.Helper()
	w, err := sim.New(cfg)
	require.NoError(t, err)
	require.NoError(t, w.Run(t0.Add(24*time.Hour)))
	return w
}

func TestDayRun(t *testing.T) {
	w := runDay(t, dayConfig())
	runs := started(w)
	count := map[string]int{}
	for _, r := range w.Engine().Runs() {
		count[r.Request.ScheduleID]++
	}
	assert.Equal(t, 24*4, count["cancel"], "cancel_previous starts every tick (minutes 0, 17, 34, 51)")
	assert.Less(t, count["skip"], 24*60/11, "skip skips while 25-minute runs go on")
	assert.Equal(t, 24*60/7-4, count["all"], "the late delivery's catch-up (skip) starts none of the 4 late ticks")
	assert.NotEmpty(t, runs)
	trace := w.Trace()
	for _, want := range []string{"fault     all @2026-06-07T10:02:00Z late", "append    all catch_up_decided",
		"op        buffer pause", "op        buffer resume", "op        cancel update", "op        window delete"} {
		assert.True(t, strings.Contains(trace, want), "the trace shows %q", want)
	}
	assert.Equal(t, 0, w.Stats().Crashes)
}

func TestSameSeedSameTrace(t *testing.T) {
	cfg := dayConfig()
	cfg.Plan.Rates = sim.Rates{Crash: 0.002, Error: 0.01, Late: 0.02, Duplicate: 0.02, MaxDowntime: minutes(30), MaxLate: minutes(20)}
	a, b := runDay(t, cfg), runDay(t, cfg)
	require.Positive(t, a.Stats().Crashes, "the seeded plan crashes the process")
	assert.Equal(t, a.Trace(), b.Trace())
	var ja, jb bytes.Buffer
	require.NoError(t, sim.WriteJSONLines(&ja, a.Records()))
	require.NoError(t, sim.WriteJSONLines(&jb, b.Records()))
	assert.Equal(t, ja.String(), jb.String())
	cfg.Seed = 2
	c := runDay(t, cfg)
	assert.NotEqual(t, a.Trace(), c.Trace(), "another seed, another history")
}

// The acceptance test: a crash with zero downtime at every seam call
// of the day, before or after it takes effect, one per run, yields exactly the
// executions of the crash-free run. Every call with SCHEDSIM_LONG=1 (CI);
// every fifth by default.
func TestCrashAtEverySeamCallOfADay(t *testing.T) {
	base := runDay(t, dayConfig())
	want := started(base)
	total := base.SeamCalls()
	t.Logf("%d executions, %d seam calls, %d crash points", len(want), total, 2*total)
	require.Greater(t, total, 500)
	step := sweepStep(5, 17)
	for _, phase := range []fakes.Phase{fakes.Before, fakes.After} {
		t.Run(phase.String(), func(t *testing.T) {
			t.Parallel() // the worlds share nothing
			for k := 1; k <= total; k += step {
				cfg := dayConfig()
				cfg.Plan.Faults = append(cfg.Plan.Faults, sim.Fault{Kind: sim.Crash, Nth: k, Phase: phase})
				w := runDay(t, cfg)
				require.Equal(t, 1, w.Stats().Crashes, "crash %d %s", k, phase)
				if got := started(w); !slices.Equal(want, got) {
					t.Fatalf("crash at seam call %d %s: executions differ\n%s", k, phase, firstDiff(want, got))
				}
			}
		})
	}
}

// sweepStep is the stride of a crash sweep over seam calls: every call with
// SCHEDSIM_LONG=1 (CI runs it once), every normal-th by default, every
// short-th under -short or -race.
func sweepStep(normal, short int) int {
	switch {
	case os.Getenv("SCHEDSIM_LONG") == "1":
		return 1
	case testing.Short() || raceEnabled:
		return short
	}
	return normal
}

func firstDiff(want, got []string) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("at %d: want %s, got %s", i, want[i], got[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(want), len(got))
}

// A crashed incarnation is fenced: whatever it still tries fails and changes nothing.
func TestZombieIsFenced(t *testing.T) {
	cfg := dayConfig()
	cfg.Plan.Faults = []sim.Fault{{Kind: sim.Crash, Call: "engine.start", Nth: 3, Phase: fakes.After, Downtime: minutes(5)}}
	w, err := sim.New(cfg)
	require.NoError(t, err)
	zombie := w.Process()
	require.NoError(t, w.Run(t0.Add(time.Hour)))
	require.Equal(t, 1, w.Stats().Crashes)
	before := w.Log().Len()
	err = zombie.Create(context.Background(), evaluator.Request{RequestID: "z", ScheduleID: "zombie"}, interval(time.Minute, evaluator.OverlapSkip, evaluator.CatchUpOne))
	require.Error(t, err)
	assert.True(t, errors.Is(err, fakes.ErrFenced), "got %v", err)
	assert.Equal(t, before, w.Log().Len())
	_, ok := w.Timers().Get(evaluator.TimerID("zombie"))
	assert.False(t, ok)
}

// A crash with downtime: operations scripted inside the downtime wait for the
// restart, the closures that happened meanwhile are delivered after it, and
// an operation interrupted by the crash is retried with its request id.
func TestDowntime(t *testing.T) {
	cfg := dayConfig()
	cfg.Ops = append(cfg.Ops, sim.Op{At: t0.Add(2*time.Hour + minutes(3)), Kind: sim.OpPause, ScheduleID: "skip", RequestID: "pause-skip"})
	cfg.Plan.Faults = []sim.Fault{{Kind: sim.Crash, Call: "log.append", Phase: fakes.Before, Schedule: "all",
		Nth: 0, Nominal: time.Time{}, Downtime: minutes(20)}}
	w := runDay(t, cfg)
	require.Equal(t, 1, w.Stats().Crashes)
	var pauseAt time.Time
	for _, r := range w.Records() {
		if r.Kind == sim.KindOp && r.ScheduleID == "skip" && r.Err == "" {
			pauseAt = r.At
		}
	}
	assert.False(t, pauseAt.IsZero())
	d, err := w.Process().Get(context.Background(), "skip", 1)
	require.NoError(t, err)
	assert.True(t, d.Paused)
}

func TestInvalidConfigs(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  sim.Config
		want error
	}{
		{"unknown call", sim.Config{Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, Call: "engine.explode", Phase: fakes.Before}}}}, sim.ErrInvalidPlan},
		{"no phase", sim.Config{Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, Call: "engine.start"}}}}, sim.ErrInvalidPlan},
		{"no call", sim.Config{Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Error, Phase: fakes.Before}}}}, sim.ErrInvalidPlan},
		{"late without tick", sim.Config{Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Late, Late: time.Minute}}}}, sim.ErrInvalidPlan},
		{"jump without size", sim.Config{Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Jump, At: t0}}}}, sim.ErrInvalidPlan},
		{"rate of one", sim.Config{Plan: sim.Plan{Rates: sim.Rates{Crash: 1}}}, sim.ErrInvalidPlan},
		{"unknown kind", sim.Config{Plan: sim.Plan{Faults: []sim.Fault{{Kind: 99}}}}, sim.ErrInvalidPlan},
		{"op before start", sim.Config{Ops: []sim.Op{{At: t0.Add(-time.Second), Kind: sim.OpPause, ScheduleID: "s"}}}, sim.ErrInvalidConfig},
		{"op kind", sim.Config{Ops: []sim.Op{{At: t0, Kind: "explode", ScheduleID: "s"}}}, sim.ErrInvalidConfig},
		{"negative delay", sim.Config{RetryDelay: -1}, sim.ErrInvalidConfig},
	} {
		_, err := sim.New(tc.cfg)
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
}

// A forward clock jump while up: ticks inside the jump are due at once, and
// the delivery after it is a catch-up.
func TestClockJump(t *testing.T) {
	cfg := dayConfig()
	cfg.Plan.Faults = []sim.Fault{{Kind: sim.Jump, At: t0.Add(3 * time.Hour), Jump: time.Hour}}
	w := runDay(t, cfg)
	assert.Contains(t, w.Trace(), "jump      +1h0m0s")
	for _, r := range w.Records() {
		if r.At.After(t0.Add(3*time.Hour)) && r.At.Before(t0.Add(4*time.Hour)) {
			t.Fatalf("something happened inside the jump: %s", r)
		}
	}
}

// Seam errors, ambiguous appends and duplicate deliveries from the seed keep
// the reference evaluator's safety: no tick of a skip schedule overlaps.
func TestSeededErrorsKeepSkipSafe(t *testing.T) {
	cfg := dayConfig()
	cfg.Plan.Rates = sim.Rates{Error: 0.05, Duplicate: 0.05, Late: 0.05, MaxLate: minutes(30)}
	w := runDay(t, cfg)
	var open []fakes.Run
	for _, r := range w.Engine().Runs() {
		if r.Request.ScheduleID != "skip" {
			continue
		}
		for _, o := range open {
			require.False(t, o.ClosedAt.IsZero() || o.ClosedAt.After(r.StartedAt), "%s overlaps %s", r.Execution.WorkflowID, o.Execution.WorkflowID)
		}
		open = append(open, r)
	}
	assert.Greater(t, len(open), 10)
}

// A timed crash after a compaction: recovery reads the snapshot and the few
// events after it, not the history.
func TestTimedCrashRecoversFromSnapshot(t *testing.T) {
	cfg := dayConfig()
	cfg.CompactEvery = 6 * time.Hour
	cfg.Plan.Faults = append(cfg.Plan.Faults, sim.Fault{Kind: sim.Crash, At: t0.Add(13 * time.Hour), Downtime: minutes(5)})
	w := runDay(t, cfg)
	assert.Equal(t, 1, w.Stats().Crashes)
	assert.Equal(t, 4, w.Stats().Compactions)
	var reads []string
	for _, r := range w.Records() {
		if r.Kind == sim.KindRead {
			reads = append(reads, r.At.Format("15:04")+" "+r.Detail)
		}
	}
	require.Len(t, reads, 2)
	assert.Equal(t, "00:00 snapshot=false events=0", reads[0])
	assert.Regexp(t, `^13:05 snapshot=true events=\d{2,3}$`, reads[1], "only the events since 12:00")
	perSchedule := func(w *sim.World) map[string]int {
		m := map[string]int{}
		for _, r := range w.Engine().Runs() {
			m[r.Request.ScheduleID]++
		}
		return m
	}
	got, want := perSchedule(w), perSchedule(runDay(t, dayConfig()))
	assert.Equal(t, want["window"]-1, got["window"], "the 4-minute window misses the 13:00 tick")
	delete(got, "window")
	delete(want, "window")
	assert.Equal(t, want, got, "the other policies lose no start to a 5-minute outage")
}

// A crash with downtime at any seam call (both phases; downtimes shorter and
// longer than the periods): the safety invariants hold and the log replays to the live state.
func TestCrashWithDowntimeKeepsSafety(t *testing.T) {
	cfg := func() sim.Config {
		c := dayConfig()
		// Skip with catch-up skip and runs far longer than the period: a start
		// made just before a crash must be adopted, or the next one overlaps it.
		c.Ops = append(c.Ops, sim.Op{At: t0.Add(90 * time.Second), Kind: sim.OpCreate, ScheduleID: "lone",
			Config: interval(minutes(5), evaluator.OverlapSkip, evaluator.CatchUpSkip)})
		runs := c.Duration
		c.Duration = func(r evaluator.StartRequest) time.Duration {
			if r.ScheduleID == "lone" {
				return minutes(23)
			}
			return runs(r)
		}
		return c
	}
	end := t0.Add(8 * time.Hour)
	base, err := sim.New(cfg())
	require.NoError(t, err)
	require.NoError(t, base.Run(end))
	step := sweepStep(7, 29)
	for _, downtime := range []time.Duration{50 * time.Second, 4 * time.Minute, 12 * time.Minute} {
		t.Run(downtime.String(), func(t *testing.T) {
			t.Parallel()
			for k := 1; k <= base.SeamCalls(); k += step {
				for _, phase := range []fakes.Phase{fakes.Before, fakes.After} {
					c := cfg()
					c.Plan.Faults = append(c.Plan.Faults, sim.Fault{Kind: sim.Crash, Nth: k, Phase: phase, Downtime: downtime})
					w, err := sim.New(c)
					require.NoError(t, err)
					require.NoError(t, w.Run(end))
					require.Equal(t, 1, w.Stats().Crashes)
					if err := checkSafety(w); err != nil {
						t.Fatalf("crash at seam call %d %s, down %s: %v", k, phase, downtime, err)
					}
				}
			}
		})
	}
}

// checkSafety checks S1 for the skip and buffer_one schedules, S4 (one
// triggered event per tick), S7 (nominal times increase in start order) and
// R1 (the log projects to the live state).
func checkSafety(w *sim.World) error {
	seen := map[string]bool{}
	for _, e := range w.Log().Events() {
		if e.Type == evaluator.Triggered {
			key := evaluator.WorkflowID(e.ScheduleID, e.Nominal)
			if seen[key] {
				return fmt.Errorf("S4: %s triggered twice", key)
			}
			seen[key] = true
		}
	}
	last := map[string]fakes.Run{}
	var runs []fakes.Run
	for _, r := range w.Engine().Runs() {
		id := r.Request.ScheduleID
		if prev, ok := last[id]; ok && !r.Request.Nominal.After(prev.Request.Nominal) {
			return fmt.Errorf("S7: %s started after %s", r.Execution.WorkflowID, prev.Execution.WorkflowID)
		}
		last[id] = r
		if id == "skip" || id == "buffer" || id == "lone" {
			for _, o := range runs {
				if o.Request.ScheduleID == id && (!o.Closed || o.ClosedAt.After(r.StartedAt)) {
					return fmt.Errorf("S1: %s started at %s while %s ran", r.Execution.WorkflowID, r.StartedAt.Format(time.TimeOnly), o.Execution.WorkflowID)
				}
			}
		}
		runs = append(runs, r)
	}
	states, err := evaluator.Project(nil, w.Log().Events())
	if err != nil {
		return err
	}
	ev, ok := w.Process().(*evaluator.Evaluator)
	if !ok {
		return nil
	}
	for _, st := range states {
		live, _ := ev.State(st.ID)
		if !reflect.DeepEqual(live, st) {
			return fmt.Errorf("R1: the projection of %s differs from its live state", st.ID)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// A lean world forgets closed executions, but not before a start made just
// before a crash is retried after the plan's longest downtime: the retry must
// find it (deduplicated), so the lean world starts exactly what a full one does.
func TestLeanWorldStillDeduplicatesAfterALongDowntime(t *testing.T) {
	cfg := func(lean bool) sim.Config {
		// "long" runs for 4h30m from 1h: its closure during the downtime is
		// when the engine forgets what closed more than its retention ago.
		runs := func(r evaluator.StartRequest) time.Duration {
			if r.ScheduleID == "long" {
				return 4*time.Hour + 30*time.Minute
			}
			return time.Minute
		}
		return sim.Config{Lean: lean, Duration: runs,
			Ops: []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", Config: interval(time.Hour, evaluator.OverlapSkip, evaluator.CatchUpAll)},
				{At: t0, Kind: sim.OpCreate, ScheduleID: "long", Config: interval(time.Hour, evaluator.OverlapSkip, evaluator.CatchUpSkip)}},
			// Crash just after s's 2:00 start took effect (the third start),
			// before it was recorded; down for 5 hours. Recovery must find
			// that start (engine.describe), long after it closed at 2:01.
			Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, Call: "engine.start", Schedule: "s", Nth: 3, Phase: fakes.After, Downtime: 5 * time.Hour}}}}
	}
	// Half an hour after the restart at 7:00: every run the lean engine
	// still knows must have started when the full world's did (a retention
	// of one hour, without the downtime, starts s@02:00 again at 7:00).
	started := map[bool]map[string]time.Time{}
	for _, lean := range []bool{false, true} {
		w, err := sim.New(cfg(lean))
		require.NoError(t, err)
		require.NoError(t, w.Run(t0.Add(7*time.Hour+30*time.Minute)))
		require.Equal(t, 1, w.Stats().Crashes)
		started[lean] = map[string]time.Time{}
		for _, r := range w.Engine().Runs() {
			started[lean][r.Execution.WorkflowID] = r.StartedAt
		}
	}
	require.NotEmpty(t, started[true])
	for id, at := range started[true] {
		assert.Equal(t, started[false][id], at, "%s: the lean world started it again after the downtime", id)
	}
}

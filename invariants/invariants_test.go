package invariants_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/sim"
)

var t0 = sim.DefaultStart

func at(d time.Duration) time.Time { return t0.Add(d) }

func config(o evaluator.OverlapPolicy) evaluator.Config {
	return evaluator.Config{Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}, Overlap: o,
		CatchUp: evaluator.CatchUpAll, WorkflowType: "w"}
}

func op(kind sim.OpKind, when time.Duration, c evaluator.Config) sim.AppliedOp {
	return sim.AppliedOp{Op: sim.Op{Kind: kind, ScheduleID: "s", Config: c}, First: at(when), At: at(when)}
}

// run is an execution of s for the tick at nominal, started at start and
// closed at closed (never when zero).
func run(nominal, start, closed time.Duration) fakes.Run {
	r := fakes.Run{Request: evaluator.StartRequest{ScheduleID: "s", Nominal: at(nominal)}, StartedAt: at(start),
		Execution: evaluator.Execution{WorkflowID: evaluator.WorkflowID("s", at(nominal)), RunID: nominal.String()}}
	if closed > 0 {
		r.Closed, r.ClosedAt = true, at(closed)
	}
	return r
}

func names(vs []invariants.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Invariant)
	}
	return out
}

func TestSafetyCheckers(t *testing.T) {
	m := time.Minute
	created := op(sim.OpCreate, 0, config(evaluator.OverlapSkip))
	for _, tc := range []struct {
		name    string
		applied []sim.AppliedOp
		runs    []fakes.Run
		want    []string
	}{
		{"clean", []sim.AppliedOp{created}, []fakes.Run{run(m, m, m+10*time.Second), run(2*m, 2*m, 0)}, nil},
		{"S1 overlap under skip", []sim.AppliedOp{created}, []fakes.Run{run(m, m, 3*m), run(2*m, 2*m, 0)}, []string{"S1"}},
		{"closing at the start is no overlap", []sim.AppliedOp{created}, []fakes.Run{run(m, m, 2*m), run(2*m, 2*m, 0)}, nil},
		{"allow_all may overlap", []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll))}, []fakes.Run{run(m, m, 0), run(2*m, 2*m, 0)}, nil},
		{"S2 cancel_previous without a cancel", []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapCancelPrevious))}, []fakes.Run{run(m, m, 0), run(2*m, 2*m, 0)}, []string{"S2"}},
		{"S1 terminate_previous starting beside a running execution", []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapTerminatePrevious))}, []fakes.Run{run(m, m, 0), run(2*m, 2*m, 0)}, []string{"S1"}},
		{"terminate_previous after the terminate", []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapTerminatePrevious))}, []fakes.Run{run(m, m, 2*m), run(2*m, 2*m, 0)}, nil},
		{"S4 twice", []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll))}, []fakes.Run{run(m, m, 0), run(m, 2*m, 0)}, []string{"S4", "S7"}},
		{"S5 before creation", []sim.AppliedOp{op(sim.OpCreate, 2*m, config(evaluator.OverlapSkip))}, []fakes.Run{run(m, 3*m, 0)}, []string{"S5"}},
		{"S5 inside a pause", []sim.AppliedOp{created, op(sim.OpPause, 90*time.Second, evaluator.Config{}), op(sim.OpResume, 5*m, evaluator.Config{})},
			[]fakes.Run{run(3*m, 3*m, 0)}, []string{"S5"}}, // 3m is on the create grid
		{"S5 after deletion", []sim.AppliedOp{created, op(sim.OpDelete, 90*time.Second, evaluator.Config{})}, []fakes.Run{run(2*m, 2*m, 0)}, []string{"S5"}},
		{"S6 off the grid", []sim.AppliedOp{created}, []fakes.Run{run(90*time.Second, 2*m, 0)}, []string{"S6"}},
		{"S6 on the grid of the resume", []sim.AppliedOp{created, op(sim.OpPause, 90*time.Second, evaluator.Config{}), op(sim.OpResume, 150*time.Second, evaluator.Config{})},
			[]fakes.Run{run(210*time.Second, 210*time.Second, 0)}, nil},
		{"S7 out of order", []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll))}, []fakes.Run{run(2*m, 2*m, 0), run(m, 2*m, 0)}, []string{"S7"}},
	} {
		h := &invariants.History{Now: at(10 * m), Applied: tc.applied, Runs: tc.runs}
		assert.Equal(t, tc.want, names(invariants.All(h)), tc.name)
	}
}

func TestS2AcceptsACancelFirst(t *testing.T) {
	first := run(time.Minute, time.Minute, 0)
	first.CancelRequested, first.CancelledAt = true, at(2*time.Minute)
	h := &invariants.History{Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapCancelPrevious))},
		Runs: []fakes.Run{first, run(2*time.Minute, 2*time.Minute, 0)}}
	assert.Empty(t, invariants.S2(h))
}

func TestS1UsesThePolicyInForceAndDoubtsAnInterruptedUpdate(t *testing.T) {
	m := time.Minute
	update := op(sim.OpUpdate, 90*time.Second, config(evaluator.OverlapSkip))
	runs := []fakes.Run{run(m, m, 0), run(150*time.Second, 150*time.Second, 0)}
	h := &invariants.History{Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll)), update}, Runs: runs}
	assert.Equal(t, []string{"S1"}, names(invariants.S1(h)), "skip since 1m30s")
	update.At = at(3 * m) // retried after a crash: it took effect at some attempt in [1m30s, 3m]
	h = &invariants.History{Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapAllowAll)), update}, Runs: runs}
	assert.Empty(t, invariants.S1(h), "no verdict while the policy is uncertain")
}

func TestC3(t *testing.T) {
	m := time.Minute
	created := op(sim.OpCreate, 0, config(evaluator.OverlapSkip))
	timer := func(d time.Duration) evaluator.Timer {
		return evaluator.Timer{ID: evaluator.TimerID("s"), ScheduleID: "s", At: at(d)}
	}
	for _, tc := range []struct {
		name    string
		applied []sim.AppliedOp
		timers  []evaluator.Timer
		quiet   bool
		want    string
	}{
		{"armed at the next tick", []sim.AppliedOp{created}, []evaluator.Timer{timer(3 * m)}, true, ""},
		{"not armed", []sim.AppliedOp{created}, nil, true, "C3 s: active schedule has no timer armed"},
		{"armed too late", []sim.AppliedOp{created}, []evaluator.Timer{timer(4 * m)}, true, "not at the next tick"},
		{"armed in the past", []sim.AppliedOp{created}, []evaluator.Timer{timer(2 * m)}, true, "not at the next tick"},
		{"not quiet: unchecked", []sim.AppliedOp{created}, nil, false, ""},
		{"paused with a timer", []sim.AppliedOp{created, op(sim.OpPause, m, evaluator.Config{})}, []evaluator.Timer{timer(3 * m)}, true, "paused schedule has a timer"},
		{"deleted with a timer", []sim.AppliedOp{created, op(sim.OpDelete, m, evaluator.Config{})}, []evaluator.Timer{timer(3 * m)}, true, "deleted schedule has a timer"},
	} {
		h := &invariants.History{Now: at(150 * time.Second), Applied: tc.applied, Timers: tc.timers, Quiet: map[string]bool{"s": tc.quiet}}
		vs := invariants.C3(h)
		if tc.want == "" {
			assert.Empty(t, vs, tc.name)
			continue
		}
		require.Len(t, vs, 1, tc.name)
		assert.Contains(t, vs[0].String(), tc.want, tc.name)
	}
}

// TestObserveAReferenceRun: a world of the reference evaluator, crashes
// included, breaks no invariant, and R1 compares its log with its live state.
func TestObserveAReferenceRun(t *testing.T) {
	c := config(evaluator.OverlapBufferOne)
	w, err := sim.New(sim.Config{Duration: sim.Fixed(150 * time.Second),
		Ops:  []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", Config: c}},
		Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, At: at(150 * time.Second), Downtime: 2 * time.Minute}}}})
	require.NoError(t, err)
	require.NoError(t, w.Run(at(10*time.Minute)))
	h := invariants.Observe(w)
	assert.True(t, h.Quiet["s"])
	assert.Empty(t, invariants.All(h))
	assert.Empty(t, invariants.R1(w, h))
	assert.NotEmpty(t, h.Runs)
}

func TestS3ReadsTheLog(t *testing.T) {
	m := time.Minute
	ev := func(seq uint64, typ evaluator.EventType, nominal time.Duration) evaluator.Event {
		return evaluator.Event{Seq: seq, Type: typ, ScheduleID: "s", Nominal: at(nominal)}
	}
	running := ev(2, evaluator.Triggered, m)
	running.Execution = evaluator.Execution{WorkflowID: "w1", RunID: "r1"}
	closed := ev(5, evaluator.ExecutionClosed, m)
	closed.Execution = running.Execution
	two := &invariants.History{Events: []evaluator.Event{ev(1, evaluator.Created, 0), running,
		ev(3, evaluator.Buffered, 2*m), ev(4, evaluator.Buffered, 3*m)}}
	assert.Equal(t, []string{"S3"}, names(invariants.S3(two)), "a second tick buffered while one is")
	left := &invariants.History{Quiet: map[string]bool{"s": true}, Events: []evaluator.Event{ev(1, evaluator.Created, 0), running,
		ev(3, evaluator.Buffered, 2*m), closed}}
	assert.Equal(t, []string{"S3"}, names(invariants.S3(left)), "the buffered tick waits with nothing running")
	dropped := &invariants.History{Quiet: map[string]bool{"s": true}, Events: []evaluator.Event{ev(1, evaluator.Created, 0), running,
		ev(3, evaluator.Buffered, 2*m), ev(4, evaluator.Dropped, 2*m), closed}}
	assert.Empty(t, invariants.S3(dropped))
}

func TestC1(t *testing.T) {
	m := time.Minute
	all := config(evaluator.OverlapAllowAll)
	created := op(sim.OpCreate, 0, all)
	quiet := map[string]bool{"s": true}
	runs := []fakes.Run{run(m, m, 0), run(3*m, 3*m, 0)}
	h := &invariants.History{Now: at(3 * m), Applied: []sim.AppliedOp{created}, Runs: runs, Quiet: quiet}
	require.Len(t, invariants.C1(h), 1)
	assert.Equal(t, at(2*m), invariants.C1(h)[0].Nominal, "2m never started")
	h.Runs = []fakes.Run{run(m, m, 0), run(2*m, 2*m, 0), run(3*m, 3*m, 0)}
	assert.Empty(t, invariants.C1(h))
	// A pause at 2m30s: 2m was due but undelivered when it applied, and may be dropped.
	h = &invariants.History{Now: at(3 * m), Applied: []sim.AppliedOp{created, op(sim.OpPause, 150*time.Second, evaluator.Config{})},
		Runs: []fakes.Run{run(m, m, 0)}, Quiet: quiet}
	assert.Empty(t, invariants.C1(h))
	skip := &invariants.History{Now: at(3 * m), Applied: []sim.AppliedOp{op(sim.OpCreate, 0, config(evaluator.OverlapSkip))}, Quiet: quiet}
	assert.Empty(t, invariants.C1(skip), "C1 is about allow_all with catch-up all")
}

func TestB1(t *testing.T) {
	refused := sim.RejectedOp{Op: sim.Op{Kind: sim.OpCreate, ScheduleID: "s", RequestID: "bad"}, Err: "invalid trigger"}
	h := &invariants.History{Rejected: []sim.RejectedOp{refused},
		Events: []evaluator.Event{{Seq: 1, Type: evaluator.Created, ScheduleID: "s", RequestID: "bad"}}}
	assert.Equal(t, []string{"B1"}, names(invariants.B1(h)))
	h.Events = nil
	assert.Empty(t, invariants.B1(h))
}

func TestPredictMatchesAHandWorkedCase(t *testing.T) {
	// skip, 1m interval, runs of 90s: 1m starts, 2m is skipped, 3m starts...
	c := config(evaluator.OverlapSkip)
	cfg := sim.Config{Duration: sim.Fixed(90 * time.Second), Ops: []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", Config: c}}}
	p, err := invariants.Predict(cfg, at(5*time.Minute))
	require.NoError(t, err)
	var got []string
	for _, s := range p.Starts {
		got = append(got, s.Nominal.Format("15:04"))
	}
	assert.Equal(t, []string{"00:01", "00:03", "00:05"}, got)
	cfg.Plan.Faults = []sim.Fault{{Kind: sim.Error, Call: "engine.start", Phase: fakes.Before}}
	_, err = invariants.Predict(cfg, at(5*time.Minute))
	assert.ErrorIs(t, err, invariants.ErrUnsupported)
}

func TestCheckNamesTheTraceLines(t *testing.T) {
	m, _ := mutants.ByName("cancel-previous-without-cancel")
	cfg := sim.Config{Factory: m.Factory(0),
		Ops: []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", Config: config(evaluator.OverlapCancelPrevious)}}}
	w, err := sim.New(cfg)
	require.NoError(t, err)
	require.NoError(t, w.Run(at(2*time.Minute)))
	err = invariants.Check(w, cfg)
	require.Error(t, err)
	var v invariants.Violation
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "S2", v.Invariant)
	assert.Contains(t, err.Error(), "start     s @2026-06-07T00:02:00Z run=run-2", "the trace line of the offending start")

	cfg.Factory = nil
	w, err = sim.New(cfg)
	require.NoError(t, err)
	require.NoError(t, w.Run(at(2*time.Minute)))
	assert.NoError(t, invariants.Check(w, cfg))
}

func TestR1FreshComparesARecoveredIncarnation(t *testing.T) {
	c := config(evaluator.OverlapAllowAll)
	c2 := c
	c2.WorkflowType = "w2"
	ops := []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", Config: c}, {At: at(150 * time.Second), Kind: sim.OpUpdate, ScheduleID: "s", Config: c2}}
	for _, tc := range []struct {
		factory sim.Factory
		want    int
	}{{nil, 0}, {mustMutant(t, "update-drops-running").Factory(0), 1}} {
		w, err := sim.New(sim.Config{Factory: tc.factory, Ops: ops})
		require.NoError(t, err)
		require.NoError(t, w.Run(at(4*time.Minute)))
		h := invariants.Observe(w)
		vs := invariants.R1Fresh(w, h)
		require.Len(t, vs, tc.want, "%v", vs)
		if tc.want > 0 {
			assert.Contains(t, vs[0].Detail, "a fresh incarnation describes it differently")
		}
		require.NoError(t, w.Run(at(5*time.Minute)), "the world goes on after a fresh look")
	}
}

func mustMutant(t *testing.T, name string) mutants.Mutant {
	m, ok := mutants.ByName(name)
	require.True(t, ok)
	return m
}

func TestUnconfirmedOperationsGetTheBenefitOfTheDoubt(t *testing.T) {
	m := time.Minute
	create := op(sim.OpCreate, 2*m, config(evaluator.OverlapSkip))
	h := &invariants.History{Now: at(10 * m), Runs: []fakes.Run{run(3*m, 4*m, 0)}}
	assert.Equal(t, []string{"S5"}, names(invariants.S5(h)), "no create at all")
	h = &invariants.History{Now: at(10 * m), Unconfirmed: []sim.AppliedOp{{Op: create.Op, First: create.First}}, Runs: []fakes.Run{run(3*m, 4*m, 0)}}
	assert.Empty(t, invariants.S5(h), "a create tried at 2m may have taken effect then")
}

func TestR4(t *testing.T) {
	m := time.Minute
	a, b := run(m, m, 0), run(2*m, 2*m, 150*time.Second)
	triggered := func(r fakes.Run) evaluator.Event {
		return evaluator.Event{Type: evaluator.Triggered, ScheduleID: "s", Nominal: r.Request.Nominal, Execution: r.Execution}
	}
	describes := func(rs ...fakes.Run) map[string]evaluator.Description {
		d := evaluator.Description{ID: "s"}
		for _, r := range rs {
			d.Running = append(d.Running, evaluator.Running{Execution: r.Execution, Nominal: r.Request.Nominal})
		}
		return map[string]evaluator.Description{"s": d}
	}
	for _, tc := range []struct {
		name      string
		events    []evaluator.Event
		described map[string]evaluator.Description
		quiet     bool
		want      string
	}{
		{"accounted", []evaluator.Event{triggered(a), triggered(b)}, describes(a), true, ""},
		{"a start never recorded", []evaluator.Event{triggered(a)}, describes(a), true, "no triggered event records it"},
		{"an open execution not running", []evaluator.Event{triggered(a), triggered(b)}, describes(), true, "running set does not hold it"},
		{"a closed execution still running", []evaluator.Event{triggered(a), triggered(b)}, describes(a, b), true, "no open execution"},
		{"no log: the description alone", nil, describes(a), true, ""},
		{"not quiet: unchecked", []evaluator.Event{triggered(a)}, describes(), false, ""},
	} {
		h := &invariants.History{Runs: []fakes.Run{a, b}, Events: tc.events, Described: tc.described, Quiet: map[string]bool{"s": tc.quiet}}
		vs := invariants.R4(h)
		if tc.want == "" {
			assert.Empty(t, vs, tc.name)
			continue
		}
		require.Len(t, vs, 1, tc.name)
		assert.Contains(t, vs[0].String(), tc.want, tc.name)
	}
}

// The mutant that never adopts leaves a start unrecorded after a crash
// between starting and recording, when the redelivery finds its tick outside
// the window: R4 names it even though the orphan closes before the next tick.
func TestR4FindsAnOrphanExecution(t *testing.T) {
	mu, ok := mutants.ByName("never-adopts")
	require.True(t, ok)
	window := evaluator.Duration(30 * time.Second)
	c := config(evaluator.OverlapSkip)
	c.CatchUpWindow = &window
	for _, f := range []sim.Factory{nil, mu.Factory(0)} {
		w, err := sim.New(sim.Config{Factory: f, Duration: sim.Fixed(10 * time.Second),
			Ops:  []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", Config: c}},
			Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, Call: "engine.start", Phase: fakes.After, Downtime: 45 * time.Second}}}})
		require.NoError(t, err)
		require.NoError(t, w.Run(at(5*time.Minute)))
		vs := invariants.R4(invariants.Observe(w))
		w.Close()
		if f == nil {
			assert.Empty(t, vs, "the reference adopts the start")
			continue
		}
		require.Len(t, vs, 1)
		assert.Contains(t, vs[0].String(), "R4 s @"+at(time.Minute).Format(time.RFC3339)+": the engine started s@")
	}
}

// TestRunSaysWhatItCouldNotJudge: seeded fault rates put the world out of
// the model's domain; Run says so for M1 and C2 instead of passing them. A
// scripted seam error only limits M1 to what happened before it fired.
func TestRunSaysWhatItCouldNotJudge(t *testing.T) {
	cfg := sim.Config{Duration: sim.Fixed(10 * time.Second), Ops: []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", RequestID: "c", Config: config(evaluator.OverlapSkip)}},
		Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Error, Call: "engine.start", Phase: fakes.Before, Nth: 2}}}}
	w, err := sim.New(cfg)
	require.NoError(t, err)
	require.NoError(t, w.Run(sim.DefaultStart.Add(5*time.Minute)))
	rep := invariants.Run(w, cfg)
	assert.Empty(t, rep.Violations)
	assert.Contains(t, rep.Checked, "M1")
	assert.Equal(t, t0.Add(2*time.Minute), rep.M1Until, "the second start failed")

	cfg.Plan, cfg.Seed = sim.Plan{Rates: sim.Rates{Error: 0.1}}, 1
	w, err = sim.New(cfg)
	require.NoError(t, err)
	require.NoError(t, w.Run(sim.DefaultStart.Add(5*time.Minute)))
	rep = invariants.Run(w, cfg)
	assert.Contains(t, rep.NotApplicable, invariants.NotApplicable{Invariant: "M1", Why: "seeded fault rates"})
	assert.Contains(t, rep.NotApplicable, invariants.NotApplicable{Invariant: "C2", Why: "seeded fault rates"})
	assert.NotContains(t, rep.Checked, "M1")
	assert.Contains(t, rep.Checked, "S1")
}

// TestM1JudgesBeforeTheFirstSeamFault: a difference from the model before
// the first seam error is still reported; one after it is not M1's.
func TestM1JudgesBeforeTheFirstSeamFault(t *testing.T) {
	m, _ := mutants.ByName("closure-ignores-buffer")
	// buffer_one, runs of 90s on a 1m grid: the closure at 2m30s must start
	// the tick buffered at 2m; the mutant waits for the 3m delivery.
	cfg := sim.Config{Factory: m.Factory(0), Duration: sim.Fixed(90 * time.Second),
		Ops:  []sim.Op{{At: t0, Kind: sim.OpCreate, ScheduleID: "s", RequestID: "c", Config: config(evaluator.OverlapBufferOne)}},
		Plan: sim.Plan{Faults: []sim.Fault{{Kind: sim.Error, Call: "timers.arm", Phase: fakes.Before, After: t0.Add(4 * time.Minute)}}}}
	w, err := sim.New(cfg)
	require.NoError(t, err)
	require.NoError(t, w.Run(sim.DefaultStart.Add(10*time.Minute)))
	rep := invariants.Run(w, cfg)
	require.False(t, rep.M1Until.IsZero())
	assert.True(t, rep.M1Until.After(t0.Add(3*time.Minute)), "%s", rep.M1Until)
	var m1 []string
	for _, v := range rep.Violations {
		if v.Invariant == "M1" {
			m1 = append(m1, v.String())
		}
	}
	require.Len(t, m1, 1, "%v", rep.Violations)
	assert.Contains(t, m1[0], "model: s @"+t0.Add(2*time.Minute).Format(time.RFC3339)+" at "+t0.Add(150*time.Second).Format(time.RFC3339))
}

// TestL3JudgesWhatTheScheduleSaysItOwes: a schedule that still describes an
// owed start once the world has owed it nothing for the liveness bound
// breaks L3, whether or not the harness holds its log.
func TestL3JudgesWhatTheScheduleSaysItOwes(t *testing.T) {
	h := &invariants.History{Now: t0.Add(10 * time.Minute), Bound: 30 * time.Second,
		Disturbances: []sim.Span{{From: t0, Until: t0.Add(time.Minute)}},
		Described:    map[string]evaluator.Description{"s": {ID: "s", Owed: []evaluator.TickRange{{Disposition: evaluator.Start, From: t0, Until: t0.Add(time.Minute), Count: 1}}}},
		Settled:      map[string]bool{"s": true}}
	vs := invariants.L3(h)
	require.Len(t, vs, 1)
	assert.Contains(t, vs[0].String(), "L3 s: still describes 1 owed start ranges at")
	h.Settled["s"] = false // a notice or an operation is still due to it
	assert.Empty(t, invariants.L3(h))
	h.Settled["s"] = true
	h.Disturbances = []sim.Span{{From: t0.Add(9 * time.Minute), Until: t0.Add(9*time.Minute + 40*time.Second)}}
	assert.Empty(t, invariants.L3(h), "the bound has not passed since the last disturbance")
}

// L1 judges buffer_all's ranges a catch-up queued too: once nothing else
// runs, the range's next tick must start within the liveness bound.
func TestL1JudgesAQueuedRange(t *testing.T) {
	m := time.Minute
	all := config(evaluator.OverlapBufferAll)
	events := func(paid ...time.Duration) []evaluator.Event {
		es := []evaluator.Event{
			{Seq: 1, Type: evaluator.Created, ScheduleID: "s", At: at(0), Config: &all, Next: at(m)},
			{Seq: 2, Type: evaluator.Triggered, ScheduleID: "s", At: at(m), Nominal: at(m), Cause: evaluator.CauseTick, Next: at(2 * m)},
			{Seq: 3, Type: evaluator.CatchUpDecided, ScheduleID: "s", At: at(5 * m), Next: at(6 * m),
				Ranges: []evaluator.TickRange{{Disposition: evaluator.Buffer, From: at(2 * m), Until: at(6 * m), Count: 4}}},
		}
		for i, p := range paid {
			es = append(es, evaluator.Event{Seq: uint64(4 + i), Type: evaluator.Triggered, ScheduleID: "s", At: at(p), Nominal: at(time.Duration(2+i) * m), Cause: evaluator.CauseBuffer})
		}
		return es
	}
	h := func(runs []fakes.Run, es []evaluator.Event) *invariants.History {
		return &invariants.History{Now: at(30 * m), Applied: []sim.AppliedOp{op(sim.OpCreate, 0, all)}, Runs: runs, Events: es,
			Described: map[string]evaluator.Description{"s": {ID: "s"}}, Bound: 30 * time.Second}
	}
	stuck := h([]fakes.Run{run(m, m, 10*m)}, events())
	vs := invariants.L1(stuck)
	require.Len(t, vs, 1)
	assert.Contains(t, vs[0].Detail, "4 of the 4 ticks queued")
	drained := h([]fakes.Run{run(m, m, 10*m), run(2*m, 10*m, 11*m), run(3*m, 11*m, 12*m), run(4*m, 12*m, 13*m), run(5*m, 13*m, 0)},
		events(10*m, 11*m, 12*m, 13*m))
	assert.Empty(t, invariants.L1(drained))
	halfway := h([]fakes.Run{run(m, m, 10*m), run(2*m, 10*m, 11*m), run(3*m, 11*m, 12*m)}, events(10*m, 11*m))
	vs = invariants.L1(halfway)
	require.Len(t, vs, 1, "two started, then nothing ran from 12m while two still wait")
	assert.Contains(t, vs[0].Detail, "2 of the 4 ticks queued")
}

package evaluator_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

var errCrash = errors.New("process crashed")

// crashRun replays one fixed history, crashing the process at the k-th seam
// call (before or after it takes effect) and restarting it at once. After the
// crash every call of the dead process fails (fencing) until the restart.
type crashRun struct {
	t        testing.TB
	crashAt  int
	phase    fakes.Phase
	downtime time.Duration // 0: restart at once
	upAt     time.Time     // when a process that is down restarts
	started  map[string]time.Time
	closed   map[string]time.Time
	calls    int
	dead     bool
	fired    bool

	ctx    context.Context
	clock  *clockwork.FakeClock
	log    *fakes.Log
	timers *fakes.Timers
	engine *fakes.Engine
	ev     *evaluator.Evaluator
}

type crashOp struct {
	at   time.Time
	name string
	do   func(ev *evaluator.Evaluator, ctx context.Context) error
}

// runFor gives each schedule's execution length; a cancelled run closes 10 s
// after the cancel is seen.
var crashRunFor = map[string]time.Duration{"a": 90 * time.Second, "b": 150 * time.Second, "c": 200 * time.Second, "d": 100 * time.Second, "e": 40 * time.Second, "f": 7 * time.Minute}

func crashOps() []crashOp {
	mk := func(id string, iv time.Duration, cron string, o evaluator.OverlapPolicy, c evaluator.CatchUpPolicy) evaluator.Config {
		cfg := evaluator.Config{Overlap: o, CatchUp: c, WorkflowType: "w-" + id}
		if cron != "" {
			cfg.Trigger.Cron = cron
		} else {
			cfg.Trigger.Interval = evaluator.Duration(iv)
		}
		return cfg
	}
	create := func(at time.Time, id string, cfg evaluator.Config) crashOp {
		return crashOp{at, "create " + id, func(ev *evaluator.Evaluator, ctx context.Context) error {
			return ev.Create(ctx, evaluator.Request{RequestID: "create-" + id, ScheduleID: id}, cfg)
		}}
	}
	req := func(id, name string) evaluator.Request {
		return evaluator.Request{RequestID: name + "-" + id, ScheduleID: id}
	}
	d := mk("d", 45*time.Second, "", evaluator.OverlapAllowAll, evaluator.CatchUpSkip)
	d.CatchUpWindow = ptr(evaluator.Duration(2 * time.Minute))
	b2 := mk("b", 90*time.Second, "", evaluator.OverlapBufferOne, evaluator.CatchUpAll)
	return []crashOp{
		create(T0, "a", mk("a", time.Minute, "", evaluator.OverlapSkip, evaluator.CatchUpOne)),
		create(T0, "b", mk("b", time.Minute, "", evaluator.OverlapBufferOne, evaluator.CatchUpAll)),
		create(T0, "c", mk("c", 0, "*/2 * * * *", evaluator.OverlapCancelPrevious, evaluator.CatchUpAll)),
		create(T0, "d", d),
		create(at(1).Add(30*time.Second), "f", mk("f", time.Minute, "", evaluator.OverlapSkip, evaluator.CatchUpSkip)),
		create(at(3), "e", mk("e", 0, "*/30 * * * * *", evaluator.OverlapBufferOne, evaluator.CatchUpOne)),
		{at(5), "pause a", func(ev *evaluator.Evaluator, ctx context.Context) error { return ev.Pause(ctx, req("a", "pause")) }},
		{at(8).Add(20 * time.Second), "resume a", func(ev *evaluator.Evaluator, ctx context.Context) error { return ev.Resume(ctx, req("a", "resume")) }},
		{at(10), "update b", func(ev *evaluator.Evaluator, ctx context.Context) error {
			return ev.Update(ctx, req("b", "update"), b2)
		}},
		{at(12), "delete d", func(ev *evaluator.Evaluator, ctx context.Context) error { return ev.Delete(ctx, req("d", "delete")) }},
	}
}

func (r *crashRun) hook(_ fakes.Call, p fakes.Phase) error {
	if r.dead {
		return errCrash
	}
	if p == fakes.Before {
		r.calls++
	}
	if !r.fired && r.calls == r.crashAt && p == r.phase {
		r.fired, r.dead = true, true
		return errCrash
	}
	return nil
}

// restartIfDead replaces a crashed process; it reports whether it did.
func (r *crashRun) restartIfDead() bool {
	if !r.dead {
		return false
	}
	if r.downtime > 0 && r.ev != nil {
		r.ev, r.upAt = nil, r.clock.Now().Add(r.downtime)
		return true
	}
	if r.ev == nil && r.clock.Now().Before(r.upAt) {
		return true
	}
	for r.dead {
		r.dead = false
		ev, err := evaluator.New(evaluator.Options{Clock: r.clock, Timers: r.timers, Engine: r.engine, Log: r.log})
		require.NoError(r.t, err)
		r.ev = ev
		if err := ev.Recover(r.ctx); err != nil && !r.dead {
			r.t.Fatalf("recover: %v", err)
		}
	}
	return true
}

// run replays the history to end and returns the started executions, in start order.
func (r *crashRun) run(end time.Time) []string {
	r.ctx, r.clock = context.Background(), clockwork.NewFakeClockAt(T0)
	r.log, r.timers, r.engine = &fakes.Log{Hook: r.hook}, &fakes.Timers{Hook: r.hook}, &fakes.Engine{Hook: r.hook}
	r.dead = true
	r.restartIfDead()
	r.started, r.closed = map[string]time.Time{}, map[string]time.Time{}
	ops := crashOps()
	endsAt := map[string]time.Time{} // workflow id -> when it closes
	var notices []evaluator.Execution
	register := func(now time.Time) {
		for _, run := range r.engine.Runs() {
			if _, ok := r.started[run.Execution.WorkflowID]; !ok {
				r.started[run.Execution.WorkflowID] = now
			}
		}
	}
	// retry runs f until it succeeds; false if the process is down meanwhile.
	retry := func(what string, f func() error) bool {
		for i := 0; ; i++ {
			require.Less(r.t, i, 10, "%s keeps failing", what)
			if r.ev == nil {
				return false
			}
			err := f()
			register(r.clock.Now())
			if r.restartIfDead() {
				register(r.clock.Now())
				continue
			}
			require.NoError(r.t, err, what)
			return true
		}
	}
	for step := 0; ; step++ {
		require.Less(r.t, step, 100000)
		now := r.clock.Now()
		if r.ev == nil && !now.Before(r.upAt) {
			r.dead = true
			r.restartIfDead()
			register(now)
		}
		// Closures first: executions that end now; their notices are at least once.
		for _, run := range r.engine.Open() {
			wf := run.Execution.WorkflowID
			if _, ok := endsAt[wf]; !ok {
				endsAt[wf] = now.Add(crashRunFor[run.Request.ScheduleID])
			}
			if run.CancelRequested && endsAt[wf].After(now.Add(10*time.Second)) {
				endsAt[wf] = now.Add(10 * time.Second)
			}
			if !endsAt[wf].After(now) {
				x, _ := r.engine.Close(wf)
				r.closed[wf] = now
				notices = append(notices, x)
			}
		}
		for len(notices) > 0 {
			x := notices[0]
			id, _, _ := strings.Cut(x.WorkflowID, "@")
			if !retry("closure "+x.WorkflowID, func() error { return r.ev.ExecutionClosed(r.ctx, id, x) }) {
				break // held while down, delivered after the restart
			}
			notices = notices[1:]
		}
		// Then operations, retried with their request id after a crash.
		for len(ops) > 0 && !ops[0].at.After(now) {
			op := ops[0]
			if !retry(op.name, func() error { return op.do(r.ev, r.ctx) }) {
				break // applied after the restart
			}
			ops = ops[1:]
		}
		// Then timer deliveries, redelivered until acknowledged.
		for i := 0; r.ev != nil; i++ {
			require.Less(r.t, i, 1000)
			due := r.timers.Due(now)
			if len(due) == 0 {
				break
			}
			tm := due[0]
			if !retry(fmt.Sprintf("delivery %s@%s", tm.ScheduleID, tm.At.Format(time.TimeOnly)), func() error {
				_, err := r.ev.TimerFired(r.ctx, tm.ScheduleID, tm.At)
				return err
			}) {
				break
			}
			r.timers.Ack(tm)
		}
		if !now.Before(end) && r.ev != nil {
			break
		}
		next := end
		if !next.After(now) { // past the end but down: wait for the restart
			next = r.upAt
		}
		if r.ev == nil && r.upAt.Before(next) {
			next = r.upAt
		}
		if len(ops) > 0 && ops[0].at.Before(next) && r.ev != nil {
			next = ops[0].at
		}
		for _, run := range r.engine.Open() {
			if t, ok := endsAt[run.Execution.WorkflowID]; ok && t.Before(next) {
				next = t
			}
			if run.CancelRequested && now.Add(10*time.Second).Before(next) {
				next = now.Add(10 * time.Second)
			}
		}
		if ts := r.timers.Armed(); r.ev != nil && len(ts) > 0 && ts[0].At.Before(next) {
			next = ts[0].At
		}
		if next.After(now) {
			r.clock.Advance(next.Sub(now))
		}
	}
	var out []string
	for _, run := range r.engine.Runs() {
		out = append(out, run.Execution.WorkflowID)
	}
	r.checkSafety()
	// R1 at the end, out of the crash points' reach.
	r.log.Hook, r.timers.Hook, r.engine.Hook = nil, nil, nil
	snap, events, err := r.log.Read(r.ctx)
	require.NoError(r.t, err)
	states, err := evaluator.Project(snap, events)
	require.NoError(r.t, err)
	for _, st := range states {
		live, ok := r.ev.State(st.ID)
		require.True(r.t, ok)
		require.Equal(r.t, st, live, "R1: %s", st.ID)
	}
	return out
}

// R2, crash transparency: a crash with zero downtime before or after any seam
// call, at any point of a history that exercises every policy, pause, resume,
// update and delete, yields exactly the executions of the run without it.
func TestCrashAtEverySeamCall(t *testing.T) {
	end := at(15)
	base := &crashRun{t: t}
	want := base.run(end)
	require.Greater(t, len(want), 40)
	total := base.calls
	t.Logf("%d executions, %d seam calls: %d crash points", len(want), total, 2*total)
	for k := 1; k <= total; k++ {
		for _, phase := range []fakes.Phase{fakes.Before, fakes.After} {
			r := &crashRun{t: t, crashAt: k, phase: phase}
			got := r.run(end)
			require.True(t, r.fired, "crash %d/%d never fired", k, phase)
			if !slices.Equal(want, got) {
				t.Fatalf("crash at seam call %d (phase %d): executions differ\nwant %v\ngot  %v", k, phase, want, got)
			}
		}
	}
}

// checkSafety checks S1 (skip and buffer_one never overlap), S4 (one Triggered
// per tick) and S7 (nominal times increase in start order).
func (r *crashRun) checkSafety() {
	r.t.Helper()
	seen := map[string]bool{}
	for _, e := range r.log.Events() {
		if e.Type == evaluator.Triggered {
			key := evaluator.WorkflowID(e.ScheduleID, e.Nominal)
			require.False(r.t, seen[key], "S4: %s triggered twice", key)
			seen[key] = true
		}
	}
	last := map[string]evaluator.StartRequest{}
	var open []fakes.Run
	for _, run := range r.engine.Runs() {
		id := run.Request.ScheduleID
		if prev, ok := last[id]; ok {
			require.True(r.t, run.Request.Nominal.After(prev.Nominal), "S7: %s after %s", run.Execution.WorkflowID, prev.WorkflowID)
		}
		last[id] = run.Request
		if id == "a" || id == "b" || id == "e" || id == "f" {
			start := r.started[run.Execution.WorkflowID]
			for _, o := range open {
				end, closed := r.closed[o.Execution.WorkflowID]
				if o.Request.ScheduleID == id && (!closed || end.After(start)) {
					r.t.Fatalf("S1: %s started at %s while %s ran", run.Execution.WorkflowID, start.Format(time.TimeOnly), o.Execution.WorkflowID)
				}
			}
		}
		open = append(open, run)
	}
}

// A crash with downtime at any seam call: the safety invariants hold, and the
// log projects to the live state.
func TestCrashWithDowntimeAtEverySeamCall(t *testing.T) {
	end := at(20)
	base := &crashRun{t: t}
	base.run(end)
	for _, downtime := range []time.Duration{50 * time.Second, 4 * time.Minute} {
		for k := 1; k <= base.calls; k++ {
			for _, phase := range []fakes.Phase{fakes.Before, fakes.After} {
				r := &crashRun{t: t, crashAt: k, phase: phase, downtime: downtime}
				r.run(end)
				require.True(t, r.fired)
			}
		}
	}
}

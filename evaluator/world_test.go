package evaluator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

// T0 is the seed's fixture instant: schedules are created at T0 and the first
// 60 s tick is T (2026-06-07T00:01:00Z).
var (
	T0 = time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)
	T  = T0.Add(time.Minute)
)

func at(min int) time.Time { return T0.Add(time.Duration(min) * time.Minute) }

// seedConfig is the seed's fixture: 60 s interval, workflow "checkout".
func seedConfig(o evaluator.OverlapPolicy, c evaluator.CatchUpPolicy) evaluator.Config {
	return evaluator.Config{
		Trigger:          evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)},
		Overlap:          o,
		CatchUp:          c,
		WorkflowType:     "checkout",
		Input:            json.RawMessage(`{"source": "schedule"}`),
		SearchAttributes: map[string]string{"aion.namespace": "schedule-tenant"},
	}
}

// world is a small deterministic harness: a fake clock, the in-memory fakes
// and an evaluator process that can be replaced (a crash) at any point.
type world struct {
	t      testing.TB
	ctx    context.Context
	clock  *clockwork.FakeClock
	log    *fakes.Log
	timers *fakes.Timers
	engine *fakes.Engine
	ev     *evaluator.Evaluator
	reqs   int
}

func newWorld(t testing.TB) *world {
	w := &world{t: t, ctx: context.Background(), clock: clockwork.NewFakeClockAt(T0),
		log: &fakes.Log{}, timers: &fakes.Timers{}, engine: &fakes.Engine{}}
	w.engine.Clock = w.clock // dates starts; runs still close only by hand (no Duration)
	w.restart()
	return w
}

// restart discards the evaluator's memory and recovers a new one from the durable fakes.
func (w *world) restart() {
	w.t.Helper()
	ev, err := evaluator.New(evaluator.Options{Clock: w.clock, Timers: w.timers, Engine: w.engine, Log: w.log, RetryDelay: 5 * time.Second})
	require.NoError(w.t, err)
	w.ev = ev
	require.NoError(w.t, ev.Recover(w.ctx))
}

func (w *world) setClock(t time.Time) {
	w.t.Helper()
	require.False(w.t, t.Before(w.clock.Now()), "clock moves forward only")
	w.clock.Advance(t.Sub(w.clock.Now()))
}

func (w *world) req(id string) evaluator.Request {
	w.reqs++
	return evaluator.Request{RequestID: fmt.Sprintf("req-%d", w.reqs), ScheduleID: id}
}

func (w *world) create(id string, c evaluator.Config) {
	w.t.Helper()
	require.NoError(w.t, w.ev.Create(w.ctx, w.req(id), c))
}

// runUntil delivers every timer due up to end, in order, moving the clock to
// each, acknowledging successful deliveries; then sets the clock to end. It
// stops at the first delivery error and returns it.
func (w *world) runUntil(end time.Time) error {
	w.t.Helper()
	for i := 0; i < 10000; i++ {
		due := w.timers.Due(end)
		if len(due) == 0 {
			break
		}
		tm := due[0]
		if tm.At.After(w.clock.Now()) {
			w.setClock(tm.At)
		}
		if _, err := w.ev.TimerFired(w.ctx, tm.ScheduleID, tm.At); err != nil {
			return err
		}
		w.timers.Ack(tm)
	}
	if end.After(w.clock.Now()) {
		w.setClock(end)
	}
	return nil
}

// closeRun closes the execution of a tick in the engine and notifies the evaluator.
func (w *world) closeRun(id string, nominal time.Time) {
	w.t.Helper()
	x, ok := w.engine.Close(evaluator.WorkflowID(id, nominal))
	require.True(w.t, ok, "no open execution for %s at %s", id, nominal)
	require.NoError(w.t, w.ev.ExecutionClosed(w.ctx, id, x, evaluator.StatusCompleted))
}

// started returns the nominal times the engine started for id, in start order.
func (w *world) started(id string) []time.Time {
	var out []time.Time
	for _, r := range w.engine.Runs() {
		if r.Request.ScheduleID == id {
			out = append(out, r.Request.Nominal)
		}
	}
	return out
}

func (w *world) get(id string) evaluator.Description {
	w.t.Helper()
	d, err := w.ev.Get(w.ctx, id, 3)
	require.NoError(w.t, err)
	return d
}

// checkReplay asserts R1: projecting the log gives exactly the live state.
func (w *world) checkReplay() {
	w.t.Helper()
	snap, events, err := w.log.Read(w.ctx)
	require.NoError(w.t, err)
	states, err := evaluator.Project(snap, events)
	require.NoError(w.t, err)
	for _, st := range states {
		live, ok := w.ev.State(st.ID)
		require.True(w.t, ok, st.ID)
		require.Equal(w.t, st, live, "projection of %s differs from live state", st.ID)
	}
}

func times(ts ...time.Time) []time.Time { return ts }

var errInjected = fmt.Errorf("injected fault")

// failOnce makes the next `call` fail at phase (before: did not happen; after:
// happened but reports failure), once.
func (w *world) failOnce(call string, phase fakes.Phase) {
	armed := true
	hook := func(c fakes.Call, p fakes.Phase) error {
		if armed && c.Name == call && p == phase {
			armed = false
			return errInjected
		}
		return nil
	}
	w.log.Hook, w.timers.Hook, w.engine.Hook = hook, hook, hook
}

// failAlways makes every `call` fail before it takes effect until healed.
func (w *world) failAlways(call string) {
	hook := func(c fakes.Call, p fakes.Phase) error {
		if c.Name == call && p == fakes.Before {
			return errInjected
		}
		return nil
	}
	w.log.Hook, w.timers.Hook, w.engine.Hook = hook, hook, hook
}

func (w *world) heal() { w.log.Hook, w.timers.Hook, w.engine.Hook = nil, nil, nil }

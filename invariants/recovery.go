package invariants

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// R4 Accounted: every execution the engine started for a schedule is the
// schedule's (docs/semantics.md: the running set is the executions it started that
// have not closed). At a quiet point (a) each one is recorded by a triggered
// event in the log, when the harness holds the log, and (b) the running set
// the schedule describes is exactly the ones the engine has not closed. A
// start that took effect but was never recorded — not adopted after a crash
// or an ambiguous error — leaves an execution the schedule does not know of,
// which the overlap policies then ignore; S1 and S2 see that only if the
// orphan is still running at the next start.
func R4(h *History) []Violation {
	var out []Violation
	recorded := map[evaluator.Execution]bool{}
	for _, e := range h.Events {
		if e.Type == evaluator.Triggered {
			recorded[e.Execution] = true
		}
	}
	open := map[evaluator.Execution]bool{} // of the quiet schedules
	for _, r := range h.Runs {
		if !h.Quiet[r.Request.ScheduleID] {
			continue
		}
		if len(h.Events) > 0 && !recorded[r.Execution] {
			out = append(out, violation("R4", r, "the engine started %s (%s), but no triggered event records it", r.Execution.WorkflowID, r.Execution.RunID))
		}
		open[r.Execution] = !r.Closed
	}
	running := map[evaluator.Execution]bool{} // as the quiet schedules describe it
	for _, id := range slices.Sorted(maps.Keys(h.Described)) {
		if !h.Quiet[id] {
			continue
		}
		for _, r := range h.Described[id].Running {
			running[r.Execution] = true
			if !open[r.Execution] {
				out = append(out, Violation{Invariant: "R4", ScheduleID: id, Nominal: r.Nominal,
					Detail: fmt.Sprintf("described as running, but the engine has no open execution %s (%s)", r.Execution.WorkflowID, r.Execution.RunID)})
			}
		}
	}
	for _, r := range h.Runs {
		_, described := h.Described[r.Request.ScheduleID]
		if described && open[r.Execution] && !running[r.Execution] {
			out = append(out, violation("R4", r, "the engine runs %s (%s), but the schedule's running set does not hold it", r.Execution.WorkflowID, r.Execution.RunID))
		}
	}
	return out
}

// Stater is a process whose live state can be compared with its log: the
// reference evaluator. The projection is the process's own (R1 judges its
// consistency with itself); the checkers call no evaluator function.
type Stater interface {
	State(scheduleID string) (*evaluator.State, bool)
	Project(events []evaluator.Event) ([]*evaluator.State, error)
}

// R1 Replay equivalence: for each schedule at a quiet point, projecting the
// log gives the live state. It needs a process whose log the world holds and
// which implements Stater; for others it checks nothing.
func R1(w *sim.World, h *History) []Violation {
	p, ok := w.Process().(Stater)
	if !ok {
		return nil
	}
	states, err := p.Project(w.Log().Events())
	if err != nil {
		return []Violation{{Invariant: "R1", Detail: "the log does not project: " + err.Error()}}
	}
	var out []Violation
	for _, st := range states {
		if !h.Quiet[st.ID] {
			continue
		}
		if live, ok := p.State(st.ID); !ok || !reflect.DeepEqual(live, st) {
			out = append(out, Violation{Invariant: "R1", ScheduleID: st.ID, Detail: "the projection of the log differs from the live state"})
		}
	}
	return out
}

// R1Fresh judges replay equivalence for any implementation: a fresh
// incarnation recovered from the durable state describes every schedule at a
// quiet point as the live one does (compared as JSON). The reference's log
// is checked more directly by R1; this is for processes whose log the harness
// cannot project. Call it at the end of a run.
func R1Fresh(w *sim.World, h *History) []Violation {
	vs, _ := r1Fresh(w, h)
	return vs
}

// r1Fresh is R1Fresh, and why it judged nothing when it did not apply.
func r1Fresh(w *sim.World, h *History) ([]Violation, string) {
	live := w.Process()
	if live == nil || h.Described == nil {
		return nil, "the process is down"
	}
	for _, id := range slices.Sorted(maps.Keys(h.Quiet)) {
		if !h.Quiet[id] {
			// A fresh recovery would perform what is owed: not a mere look.
			return nil, "schedule " + id + " is not at a quiet point (a fresh incarnation would act on it)"
		}
	}
	fresh, done, err := w.Fresh()
	if err != nil {
		return []Violation{{Invariant: "R1", Detail: "a fresh incarnation did not recover: " + err.Error()}}, ""
	}
	defer done()
	ds, err := fresh.List(context.Background(), 1)
	if err != nil {
		return []Violation{{Invariant: "R1", Detail: "the fresh incarnation cannot list: " + err.Error()}}, ""
	}
	got := map[string]evaluator.Description{}
	for _, d := range ds {
		got[d.ID] = d
	}
	var out []Violation
	for _, id := range slices.Sorted(maps.Keys(h.Quiet)) {
		want, ok := h.Described[id]
		if !h.Quiet[id] || !ok {
			continue
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got[id])
		if string(a) != string(b) {
			out = append(out, Violation{Invariant: "R1", ScheduleID: id,
				Detail: fmt.Sprintf("a fresh incarnation describes it differently: live %s, recovered %s", a, b)})
		}
	}
	return out, ""
}

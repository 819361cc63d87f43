package invariants

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// Violation is one broken invariant.
type Violation struct {
	Invariant  string // "S1", "C3", ...
	ScheduleID string
	Nominal    time.Time // the tick concerned, if any
	Detail     string
}

func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Invariant)
	if v.ScheduleID != "" {
		b.WriteString(" " + v.ScheduleID)
	}
	if !v.Nominal.IsZero() {
		b.WriteString(" @" + v.Nominal.UTC().Format(time.RFC3339Nano))
	}
	return b.String() + ": " + v.Detail
}

// History is what a run did so far, as the invariants see it.
type History struct {
	Now     time.Time
	Applied []sim.AppliedOp
	Runs    []fakes.Run       // in start order
	Timers  []evaluator.Timer // armed now
	// Quiet holds the schedules at a quiet point now (see sim.World.Quiet and
	// quietDescription); nil when the process is down.
	Quiet map[string]bool
	// Described is the process's description of each schedule that is not
	// deleted, when it is up.
	Described map[string]evaluator.Description

	lives map[string][]*life
}

// Observe takes the history of a world at its present instant.
func Observe(w *sim.World) *History {
	h := &History{Now: w.Clock().Now().UTC(), Applied: w.Applied(), Runs: w.Engine().Runs(), Timers: w.Timers().Armed()}
	if p := w.Process(); p != nil {
		if ds, err := p.List(context.Background(), 1); err == nil {
			h.Described, h.Quiet = map[string]evaluator.Description{}, map[string]bool{}
			for _, d := range ds {
				h.Described[d.ID] = d
			}
			for id := range h.schedules() {
				d, ok := h.Described[id]
				h.Quiet[id] = w.Quiet(id) && (!ok || quietDescription(d))
			}
		}
	}
	return h
}

// livesOf returns the lives of the schedules, built on first use (a History
// may be written by hand).
func (h *History) livesOf() map[string][]*life {
	if h.lives == nil {
		h.lives = lives(h.Applied)
	}
	return h.lives
}

// quietDescription: the process owes no start for the schedule.
func quietDescription(d evaluator.Description) bool {
	return len(d.Owed) == 0 && (d.Buffered.IsZero() || len(d.Running) > 0)
}

func (h *History) schedules() map[string]bool {
	ids := map[string]bool{}
	for _, op := range h.Applied {
		ids[op.ScheduleID] = true
	}
	return ids
}

// life is a schedule from a create to its delete (or the present): the
// versions of its config and the periods it was paused.
type life struct {
	created  sim.AppliedOp
	versions []version
	pauses   []span // [pause.At, resume.First]
	deleted  *sim.AppliedOp
	paused   bool
}

// version is a config in force from an anchoring operation (create, update
// or resume), whose effect dates from some instant in [First, At].
type version struct {
	cfg       evaluator.Config
	trig      *evaluator.Trigger
	first, at time.Time
}

type span struct{ from, until time.Time } // until zero: still open

func lives(applied []sim.AppliedOp) map[string][]*life {
	out := map[string][]*life{}
	for _, op := range applied {
		ls := out[op.ScheduleID]
		var cur *life
		if n := len(ls); n > 0 && ls[n-1].deleted == nil {
			cur = ls[n-1]
		}
		if op.Kind == sim.OpCreate {
			if cur != nil {
				continue // a replayed create
			}
			cur = &life{created: op}
			out[op.ScheduleID] = append(ls, cur)
		}
		if cur == nil {
			continue
		}
		cfg := op.Config
		if n := len(cur.versions); n > 0 && op.Kind != sim.OpCreate && op.Kind != sim.OpUpdate {
			cfg = cur.versions[n-1].cfg
		}
		switch op.Kind {
		case sim.OpCreate, sim.OpUpdate:
			cur.add(cfg, op)
		case sim.OpPause:
			if !cur.paused {
				cur.paused = true
				cur.pauses = append(cur.pauses, span{from: op.At})
			}
		case sim.OpResume:
			if cur.paused {
				cur.paused = false
				cur.pauses[len(cur.pauses)-1].until = op.First
				cur.add(cfg, op)
			}
		case sim.OpDelete:
			cur.deleted = &op
		}
	}
	return out
}

func (l *life) add(cfg evaluator.Config, op sim.AppliedOp) {
	trig, err := evaluator.ParseTrigger(cfg.Trigger)
	if err != nil {
		return // accepted by the process yet invalid: S6 reports its ticks
	}
	l.versions = append(l.versions, version{cfg: cfg, trig: trig, first: op.First, at: op.At})
}

// lifeAt returns the life of a schedule that an instant belongs to.
func (h *History) lifeAt(id string, t time.Time) *life {
	var found *life
	for _, l := range h.livesOf()[id] {
		if !l.created.First.After(t) {
			found = l
		}
	}
	return found
}

// policyAt returns the overlap policy in force at t, and false when it is
// ambiguous (an update was being applied then) or unknown.
func (l *life) policyAt(t time.Time) (evaluator.OverlapPolicy, bool) {
	var p evaluator.OverlapPolicy
	for _, v := range l.versions {
		if !t.Before(v.first) && t.Before(v.at) {
			return 0, false
		}
		if !v.at.After(t) {
			p = v.cfg.Overlap
		}
	}
	return p, p != 0
}

// All runs every checker of a history: the safety invariants always, and C3
// for the schedules at a quiet point.
func All(h *History) []Violation {
	var out []Violation
	for _, check := range []func(*History) []Violation{S1, S2, S4, S5, S6, S7, C3} {
		out = append(out, check(h)...)
	}
	return out
}

// openAt returns the executions of schedule id started before run r (in its
// life) that are still open when r starts.
func (h *History) openAt(r fakes.Run, l *life) []fakes.Run {
	var out []fakes.Run
	for _, o := range h.Runs {
		if o.Execution == r.Execution {
			break
		}
		if o.Request.ScheduleID == r.Request.ScheduleID && !o.StartedAt.Before(l.created.First) &&
			(!o.Closed || o.ClosedAt.After(r.StartedAt)) {
			out = append(out, o)
		}
	}
	return out
}

func violation(inv string, r fakes.Run, format string, args ...any) Violation {
	return Violation{Invariant: inv, ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal, Detail: fmt.Sprintf(format, args...)}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// S1 No overlap: a skip or buffer_one schedule never starts an execution
// while one of its executions is running.
func S1(h *History) []Violation {
	var out []Violation
	for _, r := range h.Runs {
		l := h.lifeAt(r.Request.ScheduleID, r.StartedAt)
		if l == nil {
			continue // S5 reports it
		}
		p, ok := l.policyAt(r.StartedAt)
		if !ok || (p != evaluator.OverlapSkip && p != evaluator.OverlapBufferOne) {
			continue
		}
		if open := h.openAt(r, l); len(open) > 0 {
			out = append(out, violation("S1", r, "%s started at %s while %s was running", p, stamp(r.StartedAt), open[0].Execution.WorkflowID))
		}
	}
	return out
}

// S2 Cancel-previous: a cancel_previous schedule never starts an execution
// while one of its executions is running and has not been asked to cancel.
func S2(h *History) []Violation {
	var out []Violation
	for _, r := range h.Runs {
		l := h.lifeAt(r.Request.ScheduleID, r.StartedAt)
		if l == nil {
			continue
		}
		if p, ok := l.policyAt(r.StartedAt); !ok || p != evaluator.OverlapCancelPrevious {
			continue
		}
		for _, o := range h.openAt(r, l) {
			if !o.CancelRequested || o.CancelledAt.After(r.StartedAt) {
				out = append(out, violation("S2", r, "started at %s while %s ran without a cancel", stamp(r.StartedAt), o.Execution.WorkflowID))
				break
			}
		}
	}
	return out
}

// S4 At most once: each (schedule, nominal time) yields at most one execution.
func S4(h *History) []Violation {
	var out []Violation
	seen := map[string]string{}
	for _, r := range h.Runs {
		k := r.Request.ScheduleID + "@" + stamp(r.Request.Nominal)
		if first, ok := seen[k]; ok {
			out = append(out, violation("S4", r, "started twice (%s, then %s)", first, r.Execution.RunID))
			continue
		}
		seen[k] = r.Execution.RunID
	}
	return out
}

// S5 Inactive is silent: no start for a nominal time before creation, inside
// a pause, or after deletion.
func S5(h *History) []Violation {
	var out []Violation
	for _, r := range h.Runs {
		id, n := r.Request.ScheduleID, r.Request.Nominal
		l := h.lifeAt(id, n)
		if l == nil || !n.After(l.created.First) {
			out = append(out, violation("S5", r, "nominal time before the schedule was created"))
			continue
		}
		if l.deleted != nil && !n.Before(l.deleted.At) {
			out = append(out, violation("S5", r, "nominal time after the schedule was deleted at %s", stamp(l.deleted.At)))
			continue
		}
		for _, p := range l.pauses {
			if !n.Before(p.from) && (p.until.IsZero() || !n.After(p.until)) {
				out = append(out, violation("S5", r, "nominal time inside the pause from %s", stamp(p.from)))
				break
			}
		}
	}
	return out
}

// S6 On the grid: every started nominal time is a tick of a config the
// schedule had, counted from when that config took effect.
func S6(h *History) []Violation {
	var out []Violation
	for _, r := range h.Runs {
		id, n := r.Request.ScheduleID, r.Request.Nominal
		l := h.lifeAt(id, n)
		if l == nil {
			continue // S5 reports it
		}
		if !slices.ContainsFunc(l.versions, func(v version) bool { return v.onGrid(n) }) {
			out = append(out, violation("S6", r, "not a tick of any config the schedule had"))
		}
	}
	return out
}

// onGrid reports whether n is a tick of v after its anchor, for some anchor
// in [first, at].
func (v version) onGrid(n time.Time) bool {
	if !n.After(v.first) {
		return false
	}
	if v.trig.IsInterval() {
		p := v.trig.Period()
		k := n.Sub(v.first) / p // the latest anchor n - k·p that is not before first
		a := n.Add(-k * p)
		return k >= 1 && !a.After(v.at)
	}
	return v.trig.Grid(v.first).Next(n.Add(-time.Nanosecond)).Equal(n)
}

// S7 Monotone: the started nominal times of a schedule strictly increase.
func S7(h *History) []Violation {
	var out []Violation
	last := map[string]time.Time{}
	for _, r := range h.Runs {
		id := r.Request.ScheduleID
		if prev, ok := last[id]; ok && !r.Request.Nominal.After(prev) {
			out = append(out, violation("S7", r, "started after the tick %s", stamp(prev)))
		}
		last[id] = r.Request.Nominal
	}
	return out
}

// C3 Armed: at a quiet point each active schedule has exactly one armed
// timer, at its next nominal time; paused and deleted schedules have none.
func C3(h *History) []Violation {
	var out []Violation
	timers := map[string][]evaluator.Timer{}
	for _, t := range h.Timers {
		timers[t.ScheduleID] = append(timers[t.ScheduleID], t)
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range h.livesOf() {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range ids {
		if !h.Quiet[id] {
			continue
		}
		ls := h.livesOf()[id]
		l := ls[len(ls)-1]
		ts := timers[id]
		bad := func(format string, args ...any) {
			out = append(out, Violation{Invariant: "C3", ScheduleID: id, Detail: fmt.Sprintf(format, args...)})
		}
		if l.deleted != nil || l.paused {
			if len(ts) > 0 {
				bad("%s schedule has a timer armed at %s", map[bool]string{true: "deleted", false: "paused"}[l.deleted != nil], stamp(ts[0].At))
			}
			continue
		}
		if len(l.versions) == 0 {
			continue
		}
		v := l.versions[len(l.versions)-1]
		switch {
		case len(ts) == 0:
			bad("active schedule has no timer armed")
		case len(ts) > 1:
			bad("%d timers armed", len(ts))
		case !v.isNext(ts[0].At, h.Now):
			bad("timer armed at %s, not at the next tick after %s", stamp(ts[0].At), stamp(h.Now))
		}
	}
	return out
}

// isNext reports whether t is v's first tick after now.
func (v version) isNext(t, now time.Time) bool {
	if !t.After(now) || !v.onGrid(t) {
		return false
	}
	if v.trig.IsInterval() {
		return !t.Add(-v.trig.Period()).After(now) // the tick before t is not after now
	}
	return v.trig.Grid(v.first).Next(now).Equal(t)
}

// Stater is a process whose live state can be compared with its log: the
// reference evaluator.
type Stater interface {
	State(scheduleID string) (*evaluator.State, bool)
}

// R1 Replay equivalence: for each schedule at a quiet point, projecting the
// log gives the live state. It needs a process whose log the world holds and
// which implements Stater; for others it checks nothing.
func R1(w *sim.World, h *History) []Violation {
	p, ok := w.Process().(Stater)
	if !ok {
		return nil
	}
	states, err := evaluator.Project(nil, w.Log().Events())
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

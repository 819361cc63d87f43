package invariants

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// Violation is one broken invariant. It is an error, so a list of them can
// be joined (see Check).
type Violation struct {
	Invariant  string // "S1", "C3", ...
	ScheduleID string
	Nominal    time.Time // the tick concerned, if any
	Detail     string
	// Lines are the trace lines about the schedule's tick (at most a few),
	// when the history has records.
	Lines []string
}

func (v Violation) Error() string {
	s := v.String()
	for _, l := range v.Lines {
		s += "\n\t" + l
	}
	return s
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
	b.WriteString(": " + v.Detail)
	if _, ok := Lookup(v.Invariant); ok {
		b.WriteString(" (simrun explain " + v.Invariant + ")")
	}
	return b.String()
}

// History is what a run did so far, as the invariants see it.
type History struct {
	Now     time.Time
	Applied []sim.AppliedOp
	// Unconfirmed are operations tried but not confirmed when the history
	// was taken (At zero): the checkers assume they may have taken effect at
	// any time since their first attempt.
	Unconfirmed []sim.AppliedOp
	Runs        []fakes.Run       // in start order
	Timers      []evaluator.Timer // armed now
	// Quiet holds the schedules at a quiet point now (see sim.World.Quiet and
	// quietDescription); nil when the process is down.
	Quiet map[string]bool
	// Described is the process's description of each schedule that is not
	// deleted, when it is up.
	Described map[string]evaluator.Description
	// Rejected are the operations refused for good; Events the log (for the
	// checkers that read it: S3 and B1; empty for a process that keeps its own).
	Rejected []sim.RejectedOp
	Events   []evaluator.Event
	// Records are what happened, for the trace lines of a violation; Observe
	// leaves them to be read from the world when a violation needs them.
	Records []sim.Record
	records func() []sim.Record

	lives map[string][]*life
}

// Observe takes the history of a world at its present instant.
func Observe(w *sim.World) *History {
	h := &History{Now: w.Clock().Now().UTC(), Applied: w.Applied(), Unconfirmed: w.Unconfirmed(), Runs: w.Engine().Runs(), Timers: w.Timers().Armed(),
		Rejected: w.Rejected(), Events: w.Log().Events(), records: w.Records}
	if p := w.Process(); p != nil {
		if ds, err := p.List(context.Background(), 1); err == nil {
			h.Described, h.Quiet = map[string]evaluator.Description{}, map[string]bool{}
			for _, d := range ds {
				h.Described[d.ID] = d
			}
			ids := slices.Collect(maps.Keys(h.schedules()))
			for id, quiet := range w.QuietAll(ids) {
				d, ok := h.Described[id]
				h.Quiet[id] = quiet && (!ok || quietDescription(d))
			}
		}
	}
	return h
}

// unconfirmed stands for the success time of an operation not confirmed yet:
// later than anything in a run.
var unconfirmed = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// livesOf returns the lives of the schedules, built on first use (a History
// may be written by hand).
func (h *History) livesOf() map[string][]*life {
	if h.lives == nil {
		ops := slices.Clone(h.Applied)
		for _, op := range h.Unconfirmed {
			op.At = unconfirmed // one schedule's operations run in order: these come last
			ops = append(ops, op)
		}
		h.lives = lives(ops)
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
	cfg          evaluator.Config
	trig         *evaluator.Trigger
	first, at    time.Time
	startsBefore int // executions started before it took effect (see sim.AppliedOp)
}

// span is a pause: from its operation's success (from) — or, for checks that
// must not blame a tick the pause may already have covered, its first attempt
// (first) — until the first attempt of the resume (zero: still open).
type span struct{ first, from, until time.Time }

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
				cur.pauses = append(cur.pauses, span{first: op.First, from: op.At})
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
	l.versions = append(l.versions, version{cfg: cfg, trig: trig, first: op.First, at: op.At, startsBefore: op.StartsBefore})
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

// policyAt returns the overlap policy in force for the execution started
// idx-th (from 0) at t, and false when it is ambiguous (an update was being
// applied then) or unknown. Within one instant the start count orders an
// update and the starts around it.
func (l *life) policyAt(t time.Time, idx int) (evaluator.OverlapPolicy, bool) {
	var p evaluator.OverlapPolicy
	for _, v := range l.versions {
		if !t.Before(v.first) && t.Before(v.at) {
			return 0, false
		}
		if v.at.Before(t) || v.at.Equal(t) && v.startsBefore <= idx {
			p = v.cfg.Overlap
		}
	}
	return p, p != 0
}

// All runs every checker of a history: the safety invariants and B1 always,
// C1, C3 and R4 for the schedules at a quiet point. (R1 needs the world, M1 the
// world's config, R2 and R3 several runs.)
func All(h *History) []Violation {
	var out []Violation
	for _, check := range []func(*History) []Violation{S1, S2, S3, S4, S5, S6, S7, C1, C3, R4, B1} {
		out = append(out, check(h)...)
	}
	return h.Explain(out)
}

// maxLines bounds the trace lines attached to a violation.
const maxLines = 6

// Explain attaches to each violation the trace lines about its tick.
func (h *History) Explain(vs []Violation) []Violation {
	if len(vs) > 0 && h.Records == nil && h.records != nil {
		h.Records = h.records()
	}
	for i, v := range vs {
		if v.ScheduleID == "" || v.Nominal.IsZero() || len(v.Lines) > 0 {
			continue
		}
		for _, r := range h.Records {
			if r.ScheduleID == v.ScheduleID && r.Nominal.Equal(v.Nominal) && len(vs[i].Lines) < maxLines {
				vs[i].Lines = append(vs[i].Lines, r.String())
			}
		}
	}
	return vs
}

// Check observes a world and runs every checker one run allows (see Run).
// It returns nil or the violations joined, each an error naming the
// invariant, the schedule, the tick and the trace lines involved.
func Check(w *sim.World, cfg sim.Config) error {
	vs := Run(w, cfg).Violations
	errs := make([]error, len(vs))
	for i, v := range vs {
		errs[i] = v
	}
	return errors.Join(errs...)
}

// sweep calls visit for each execution, in start order, with the ones of
// the same schedule started before it (in its life) and still open when it
// starts, in start order. It keeps, per schedule, a heap of the open
// executions by closing time, so the cost is linear in the executions times
// how many run at once.
func (h *History) sweep(visit func(idx int, r fakes.Run, l *life, open []fakes.Run)) {
	type schedOpen struct {
		closing openHeap // closed later: by closing time
		forever []int    // never closed
	}
	by := map[string]*schedOpen{}
	var open []int
	for idx, r := range h.Runs {
		o := by[r.Request.ScheduleID]
		if o == nil {
			o = &schedOpen{closing: openHeap{runs: h.Runs}}
			by[r.Request.ScheduleID] = o
		}
		for o.closing.Len() > 0 && !h.Runs[o.closing.idx[0]].ClosedAt.After(r.StartedAt) {
			heap.Pop(&o.closing)
		}
		if l := h.lifeAt(r.Request.ScheduleID, r.StartedAt); l != nil {
			open = append(append(open[:0], o.forever...), o.closing.idx...)
			open = slices.DeleteFunc(open, func(i int) bool { return h.Runs[i].StartedAt.Before(l.created.First) })
			slices.Sort(open)
			runs := make([]fakes.Run, len(open))
			for i, j := range open {
				runs[i] = h.Runs[j]
			}
			visit(idx, r, l, runs)
		}
		if r.Closed {
			heap.Push(&o.closing, idx)
		} else {
			o.forever = append(o.forever, idx)
		}
	}
}

// openHeap holds indexes of h.Runs, the earliest closing first.
type openHeap struct {
	runs []fakes.Run
	idx  []int
}

func (o openHeap) Len() int { return len(o.idx) }
func (o openHeap) Less(i, j int) bool {
	return o.runs[o.idx[i]].ClosedAt.Before(o.runs[o.idx[j]].ClosedAt)
}
func (o openHeap) Swap(i, j int) { o.idx[i], o.idx[j] = o.idx[j], o.idx[i] }
func (o *openHeap) Push(x any)   { o.idx = append(o.idx, x.(int)) }
func (o *openHeap) Pop() any {
	x := o.idx[len(o.idx)-1]
	o.idx = o.idx[:len(o.idx)-1]
	return x
}

func violation(inv string, r fakes.Run, format string, args ...any) Violation {
	return Violation{Invariant: inv, ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal, Detail: fmt.Sprintf(format, args...)}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// S1 No overlap: a skip or buffer_one schedule never starts an execution
// while one of its executions is running.
func S1(h *History) []Violation {
	var out []Violation
	h.sweep(func(idx int, r fakes.Run, l *life, open []fakes.Run) {
		p, ok := l.policyAt(r.StartedAt, idx)
		if !ok || (p != evaluator.OverlapSkip && p != evaluator.OverlapBufferOne) {
			return
		}
		if len(open) > 0 {
			out = append(out, violation("S1", r, "%s started at %s while %s was running", p, stamp(r.StartedAt), open[0].Execution.WorkflowID))
		}
	})
	return out
}

// S2 Cancel-previous: a cancel_previous schedule never starts an execution
// while one of its executions is running and has not been asked to cancel.
func S2(h *History) []Violation {
	var out []Violation
	h.sweep(func(idx int, r fakes.Run, l *life, open []fakes.Run) {
		if p, ok := l.policyAt(r.StartedAt, idx); !ok || p != evaluator.OverlapCancelPrevious {
			return
		}
		for _, o := range open {
			if !o.CancelRequested || o.CancelledAt.After(r.StartedAt) {
				out = append(out, violation("S2", r, "started at %s while %s ran without a cancel", stamp(r.StartedAt), o.Execution.WorkflowID))
				break
			}
		}
	})
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

// S3 Buffer bound: at most one buffered tick per schedule; it starts as soon
// as the running set empties, or is dropped by pause, update or delete —
// never lost otherwise. Read from the log: a second tick buffered while one is,
// or, at a quiet point, a buffered tick left waiting with nothing running.
func S3(h *History) []Violation {
	var out []Violation
	type buf struct {
		pending time.Time
		running map[evaluator.Execution]bool
		active  bool
	}
	bufs := map[string]*buf{}
	var ids []string
	for _, e := range h.Events {
		b := bufs[e.ScheduleID]
		if b == nil {
			b = &buf{running: map[evaluator.Execution]bool{}, active: true}
			bufs[e.ScheduleID] = b
			ids = append(ids, e.ScheduleID)
		}
		buffer := func(t time.Time) {
			if !b.pending.IsZero() && !b.pending.Equal(t) {
				out = append(out, Violation{Invariant: "S3", ScheduleID: e.ScheduleID, Nominal: t,
					Detail: fmt.Sprintf("buffered while %s was buffered (event seq %d)", stamp(b.pending), e.Seq)})
			}
			b.pending = t
		}
		switch e.Type {
		case evaluator.Buffered:
			buffer(e.Nominal)
		case evaluator.CatchUpDecided:
			for _, r := range e.Ranges {
				if r.Disposition == evaluator.Buffer {
					buffer(r.From)
				}
			}
		case evaluator.Triggered:
			b.running[e.Execution] = true
			if e.Nominal.Equal(b.pending) {
				b.pending = time.Time{}
			}
		case evaluator.ExecutionClosed:
			delete(b.running, e.Execution)
		case evaluator.Dropped:
			b.pending = time.Time{}
		case evaluator.Paused, evaluator.Deleted:
			b.active = false
		case evaluator.Resumed:
			b.active = true
		}
	}
	for _, id := range ids {
		if b := bufs[id]; h.Quiet[id] && b.active && !b.pending.IsZero() && len(b.running) == 0 {
			out = append(out, Violation{Invariant: "S3", ScheduleID: id, Nominal: b.pending,
				Detail: "the buffered tick waits although nothing runs"})
		}
	}
	return out
}

// maxC1Ticks bounds the ticks C1 enumerates per schedule.
const maxC1Ticks = 100_000

// C1 Nothing lost: for a schedule at a quiet point whose every config is
// allow_all with catch-up all and no window, every tick of its active periods
// up to now started exactly once. A period that a pause, update or delete
// ended may lose the ticks that were due but not yet delivered when the
// operation applied (docs/semantics.md): there, only the ticks up to its last
// started one are owed.
func C1(h *History) []Violation {
	vs, _, _ := c1(h)
	return vs
}

// c1 is C1; judged says whether any schedule was in its domain, and
// skipped names the schedules left out for having too many ticks to list.
func c1(h *History) (out []Violation, judged bool, skipped []string) {
	started := map[string]map[time.Time]bool{}
	for _, r := range h.Runs {
		if started[r.Request.ScheduleID] == nil {
			started[r.Request.ScheduleID] = map[time.Time]bool{}
		}
		started[r.Request.ScheduleID][r.Request.Nominal.UTC()] = true
	}
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range h.livesOf() {
			if !yield(id) {
				return
			}
		}
	}) {
		if !h.Quiet[id] {
			continue
		}
		for _, l := range h.livesOf()[id] {
			ticks, ok, tooMany := l.owedTicks(h.Now, started[id])
			if tooMany {
				skipped = append(skipped, id)
			}
			if !ok {
				continue
			}
			judged = true
			for _, t := range ticks {
				if !started[id][t] {
					out = append(out, Violation{Invariant: "C1", ScheduleID: id, Nominal: t, Detail: "tick of an active period never started"})
					break
				}
			}
		}
	}
	return out, judged, skipped
}

// owedTicks lists the ticks a life owes up to now, or false when C1 does not
// apply (another policy, a window, an ambiguous anchor, or too many ticks:
// then tooMany).
func (l *life) owedTicks(now time.Time, started map[time.Time]bool) (ticks []time.Time, ok, tooMany bool) {
	var out []time.Time
	for i, v := range l.versions {
		from := len(out)
		c := v.cfg
		if c.Overlap != evaluator.OverlapAllowAll || c.CatchUp != evaluator.CatchUpAll || c.CatchUpWindow != nil || !v.first.Equal(v.at) {
			return nil, false, false
		}
		end := now
		if i+1 < len(l.versions) {
			end = l.versions[i+1].first
		}
		if l.deleted != nil && l.deleted.First.Before(end) {
			end = l.deleted.First // the delete may date from its first attempt
		}
		g := v.trig.Grid(v.first)
		for t := g.Next(v.first); !t.IsZero() && !t.After(now) && (t.Before(end) || t.Equal(now) && end.Equal(now)); t = g.Next(t) {
			if len(out) == maxC1Ticks {
				return nil, false, true
			}
			paused := slices.ContainsFunc(l.pauses, func(p span) bool {
				return !t.Before(p.first) && (p.until.IsZero() || !t.After(p.until))
			})
			if !paused {
				out = append(out, t)
			}
		}
		ended := i+1 < len(l.versions) || l.deleted != nil || l.paused ||
			slices.ContainsFunc(l.pauses, func(p span) bool { return !p.first.Before(v.first) })
		if ended { // owed only up to the period's last started tick
			last := from
			for j := from; j < len(out); j++ {
				if started[out[j]] {
					last = j + 1
				}
			}
			out = out[:last]
		}
	}
	return out, true, false
}

// B1 Bad input: an operation refused for good leaves the log unchanged — no
// event carries its request id (unless an accepted operation used it too).
func B1(h *History) []Violation {
	accepted := map[string]bool{}
	for _, op := range h.Applied {
		accepted[op.RequestID] = true
	}
	firstEvent := map[string]evaluator.EventType{} // by request id
	for _, e := range h.Events {
		if _, ok := firstEvent[e.RequestID]; !ok && e.RequestID != "" {
			firstEvent[e.RequestID] = e.Type
		}
	}
	var out []Violation
	for _, op := range h.Rejected {
		if accepted[op.RequestID] || op.RequestID == "" {
			continue
		}
		if t, ok := firstEvent[op.RequestID]; ok {
			out = append(out, Violation{Invariant: "B1", ScheduleID: op.ScheduleID,
				Detail: fmt.Sprintf("%s (request %s) was refused (%s) yet recorded %s", op.Kind, op.RequestID, op.Err, t)})
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

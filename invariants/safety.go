package invariants

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

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

func (o *openHeap) Push(x any) { o.idx = append(o.idx, x.(int)) }

func (o *openHeap) Pop() any {
	x := o.idx[len(o.idx)-1]
	o.idx = o.idx[:len(o.idx)-1]
	return x
}

func violation(inv string, r fakes.Run, format string, args ...any) Violation {
	return Violation{Invariant: inv, ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal, Detail: fmt.Sprintf(format, args...)}
}

// S1 No overlap: a skip, buffer_one, buffer_all or terminate_previous
// schedule never starts an execution while one of its executions is running
// (terminate_previous terminates them first, and a terminated execution is
// closed).
func S1(h *History) []Violation {
	var out []Violation
	h.sweep(func(idx int, r fakes.Run, l *life, open []fakes.Run) {
		p, ok := h.policyOf(r, l, idx)
		if !ok || (p != evaluator.OverlapSkip && p != evaluator.OverlapBufferOne && p != evaluator.OverlapBufferAll &&
			p != evaluator.OverlapTerminatePrevious) {
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
		if p, ok := h.policyOf(r, l, idx); !ok || p != evaluator.OverlapCancelPrevious {
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
		k := r.Request.ScheduleID + "@" + stamp(r.Request.Nominal) + r.Request.Origin
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
	for idx, r := range h.Runs {
		if isManual(r) {
			continue // a manual start is not a tick (exempt, as from S6 and S7)
		}
		id, n := r.Request.ScheduleID, h.due(r)
		// A start named by its own instant, made at an operation's instant
		// before the operation took effect (a closure let it go), is not
		// after it; nor is a tick of that instant where ticks come first.
		before := func(at time.Time, startsBefore int) bool {
			return n.Equal(at) && (h.IdentityStart && idx < startsBefore || h.TicksFirst)
		}
		what := "nominal time" // or, read against due times (History.Due), when it was due
		if !n.Equal(r.Request.Nominal) {
			what = "due time " + stamp(n)
		}
		l := h.lifeAt(id, n)
		if l == nil || !n.After(l.created.First) {
			out = append(out, violation("S5", r, "%s before the schedule was created", what))
			continue
		}
		if l.deleted != nil && !n.Before(l.deleted.At) && !before(l.deleted.At, l.deleted.StartsBefore) {
			out = append(out, violation("S5", r, "%s after the schedule was deleted at %s", what, stamp(l.deleted.At)))
			continue
		}
		for _, p := range l.pauses {
			if !n.Before(p.from) && (p.until.IsZero() || !n.After(p.until)) && !before(p.from, p.startsBefore) {
				out = append(out, violation("S5", r, "%s inside the pause from %s", what, stamp(p.from)))
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
	for idx, r := range h.Runs {
		if isManual(r) {
			continue // no grid names a manual start
		}
		id, n := r.Request.ScheduleID, r.Request.Nominal
		l := h.lifeAt(id, n)
		if l == nil {
			continue // S5 reports it
		}
		if p, _ := l.policyAt(r.StartedAt, idx); h.IdentityStart && p == evaluator.OverlapBufferAll {
			continue // a delayed run names no tick, only its start (M1 judges when it starts)
		}
		if !slices.ContainsFunc(l.versions, func(v version) bool { return v.onGridDue(n, h.due(r), h.TicksFirst) }) {
			out = append(out, violation("S6", r, "not a tick of any config the schedule had"))
		}
	}
	return out
}

// onGrid reports whether n is a tick of v after its anchor, for some anchor
// in [first, at], within its start_at and end_at.
func (v version) onGrid(n time.Time) bool { return v.onGridDue(n, n, false) }

// onGridDue is onGrid for a tick due at d (History.Due): a tick due later
// than its nominal time is v's when it is due after v took effect, and with
// ticksFirst an update also keeps the tick due at its own instant (Temporal
// drops only the ticks due before an update).
func (v version) onGridDue(n, d time.Time, ticksFirst bool) bool {
	dueAfter := d.After(v.first) || ticksFirst && v.kind == sim.OpUpdate && d.Equal(v.first)
	inBounds := (v.cfg.StartAt.IsZero() || !n.Before(v.cfg.StartAt)) && (v.cfg.EndAt.IsZero() || !n.After(v.cfg.EndAt))
	if v.epoch {
		return dueAfter && inBounds && n.UnixNano()%int64(v.trig.Period()) == 0
	}
	if !v.trig.IsInterval() && dueAfter && !n.After(v.first) {
		// A cron's ticks do not depend on the anchor.
		return inBounds && v.trig.Grid(n).Next(n.Add(-time.Nanosecond)).Equal(n)
	}
	if !n.After(v.first) || !v.cfg.StartAt.IsZero() && n.Before(v.cfg.StartAt) || !v.cfg.EndAt.IsZero() && n.After(v.cfg.EndAt) {
		return false
	}
	if v.trig.IsInterval() {
		p := v.trig.Period()
		k := n.Sub(v.first) / p // the latest anchor n - k·p that is not before first
		a := n.Add(-k * p)
		return k >= 1 && !a.After(v.at)
	}
	return v.grid(v.first).Next(n.Add(-time.Nanosecond)).Equal(n)
}

// S8 Limited runs: a config with remaining_runs starts at most that many
// executions, from its create or update until the next update (a resume
// keeps counting), across crashes, retries and adoptions.
func S8(h *History) []Violation {
	var out []Violation
	for _, id := range slices.Sorted(maps.Keys(h.livesOf())) {
		for _, l := range h.livesOf()[id] {
			for i, v := range l.versions {
				if v.kind == sim.OpResume || v.cfg.RemainingRuns <= 0 {
					continue
				}
				n, last := h.runsUnder(id, l, i)
				if n > v.cfg.RemainingRuns {
					out = append(out, Violation{Invariant: "S8", ScheduleID: id, Nominal: last.Request.Nominal,
						Detail: fmt.Sprintf("%d executions started under a config with remaining_runs %d (the last at %s)", n, v.cfg.RemainingRuns, stamp(last.StartedAt))})
				}
			}
		}
	}
	return out
}

// runsUnder counts the executions started under the config of l's version
// i (a create or update): from its operation until the next create or
// update (a resume keeps counting), and returns the last of them.
func (h *History) runsUnder(id string, l *life, i int) (n int, last fakes.Run) {
	from := l.versions[i].first
	until := time.Time{}
	for _, w := range l.versions[i+1:] {
		if w.kind != sim.OpResume {
			until = w.first
			break
		}
	}
	for _, r := range h.Runs {
		if r.Request.ScheduleID == id && !isManual(r) && !r.StartedAt.Before(from) && (until.IsZero() || r.StartedAt.Before(until)) {
			n++
			last = r
		}
	}
	return n, last
}

// usedUp reports whether the config in force of life l has remaining_runs
// and has made them all: then it is finished.
func (h *History) usedUp(id string, l *life) bool {
	i := len(l.versions) - 1
	for i > 0 && l.versions[i].kind == sim.OpResume {
		i--
	}
	if i < 0 || l.versions[i].cfg.RemainingRuns <= 0 {
		return false
	}
	n, _ := h.runsUnder(id, l, i)
	return n >= l.versions[i].cfg.RemainingRuns
}

// S7 Monotone: the started nominal times of a schedule strictly increase.
func S7(h *History) []Violation {
	var out []Violation
	last := map[string]time.Time{}
	for _, r := range h.Runs {
		id := r.Request.ScheduleID
		if isManual(r) {
			continue // its nominal time is its request's instant, not a tick
		}
		if prev, ok := last[id]; ok && !r.Request.Nominal.After(prev) {
			out = append(out, violation("S7", r, "started after the tick %s", stamp(prev)))
		}
		last[id] = r.Request.Nominal
	}
	return out
}

// S3 Buffer bound: at most one buffered tick per schedule (buffer_all: at
// most its buffer_limit queued); it starts as soon as the running set
// empties, or is dropped by pause, update or delete — never lost otherwise.
// Read from the log: a second tick buffered while one is, a queue over its
// bound, or, at a quiet point, a buffered or queued tick left waiting with
// nothing running.
func S3(h *History) []Violation {
	var out []Violation
	type buf struct {
		pending time.Time
		queued  int64 // buffer_all
		all     bool  // the policy in force is buffer_all
		limit   int64
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
		buffer := func(t time.Time, n int64) {
			if b.all {
				if b.queued += n; b.queued > b.limit {
					out = append(out, Violation{Invariant: "S3", ScheduleID: e.ScheduleID, Nominal: t,
						Detail: fmt.Sprintf("buffer_all queues %d ticks, over its buffer_limit %d (event seq %d)", b.queued, b.limit, e.Seq)})
				}
				return
			}
			if !b.pending.IsZero() && !b.pending.Equal(t) {
				out = append(out, Violation{Invariant: "S3", ScheduleID: e.ScheduleID, Nominal: t,
					Detail: fmt.Sprintf("buffered while %s was buffered (event seq %d)", stamp(b.pending), e.Seq)})
			}
			b.pending = t
		}
		switch e.Type {
		case evaluator.Created, evaluator.Updated:
			if e.Config != nil {
				b.all, b.limit = e.Config.Overlap == evaluator.OverlapBufferAll, bufferLimit(*e.Config)
			}
		case evaluator.Buffered:
			buffer(e.Nominal, 1)
		case evaluator.CatchUpDecided:
			for _, r := range e.Ranges {
				if r.Disposition == evaluator.Buffer {
					buffer(r.From, r.Count)
				}
			}
		case evaluator.Triggered:
			b.running[e.Execution] = true
			switch {
			case b.all && e.Cause == evaluator.CauseBuffer && b.queued > 0:
				b.queued--
			case e.Nominal.Equal(b.pending):
				b.pending = time.Time{}
			}
		case evaluator.ExecutionClosed:
			delete(b.running, e.Execution)
		case evaluator.Dropped:
			b.pending = time.Time{}
			for _, r := range e.Ranges {
				if r.Disposition == evaluator.Buffer {
					b.queued = 0
				}
			}
		case evaluator.Paused, evaluator.Deleted:
			b.active = false
		case evaluator.Resumed:
			b.active = true
		}
	}
	for _, id := range ids {
		b := bufs[id]
		if !h.Quiet[id] || !b.active || len(b.running) > 0 {
			continue
		}
		if !b.pending.IsZero() {
			out = append(out, Violation{Invariant: "S3", ScheduleID: id, Nominal: b.pending,
				Detail: "the buffered tick waits although nothing runs"})
		}
		if b.queued > 0 {
			out = append(out, Violation{Invariant: "S3", ScheduleID: id,
				Detail: fmt.Sprintf("%d queued ticks wait although nothing runs", b.queued)})
		}
	}
	return out
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

package invariants

import (
	"container/heap"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants/ticks"
	"github.com/schedsim/schedsim/profile"
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
	// Disturbances are when the world disturbed the process (see
	// sim.World.Disturbances); Bound is the liveness bound: how long after
	// the last disturbance something owed may take (L1–L3).
	Disturbances []sim.Span
	Bound        time.Duration
	// SeamFault is when the first seam error or crash at a seam call fired
	// (zero: none did); M1 compares what happened before it.
	SeamFault time.Time

	// Restarts are when incarnations after the first started; Reanchor says
	// a restart registers every schedule again (a profile without
	// durability); Anchor is where interval grids start (profile.Anchor;
	// empty: the operation). RunIn and Judge set them from the profile.
	Restarts []time.Time
	Reanchor bool
	Anchor   profile.Anchor
	// UntrackedAllowAll: a run started under allow_all is not seen by the
	// overlap checks (profile.Profile.UntrackedAllowAll).
	UntrackedAllowAll bool
	// Due, when set, is when a tick's start was due in the scheduler's own
	// reckoning (Temporal: its jittered time): S5 and S6 read pauses,
	// creates, deletes and updates against it instead of the nominal time,
	// as a scheduler that applies them to due times does. nil: nominal.
	Due func(fakes.Run) time.Time
	// TicksFirst: at one instant the ticks due then come before the
	// operations, and an update keeps a tick due at its own instant
	// (profile.Profile.TicksFirst).
	TicksFirst bool
	// Reregisters: an update or resume does not see the runs started before
	// it (profile.Profile.Reregisters), so the overlap checks leave them out.
	Reregisters bool
	// IdentityStart: a start is named by its own instant, not by a tick
	// (profile.IdentityStartInstant), so a delayed run is on no grid.
	IdentityStart bool

	lives   map[string][]*life
	logRead map[string]*logTicks
	// Settled holds the schedules nothing is owed to by the world (Quiet
	// without the schedule's own description): see L3.
	Settled map[string]bool
}

// LivenessRetries is the liveness bound in retry delays: after the last
// disturbance, what is owed (a buffered tick whose running set emptied, an
// owed start, a due tick's decision) must be done within this many retry
// delays of the world.
const LivenessRetries = 3

// Observe takes the history of a world at its present instant.
func Observe(w *sim.World) *History {
	h := &History{Now: w.Clock().Now().UTC(), Applied: w.Applied(), Unconfirmed: w.Unconfirmed(), Runs: w.Engine().Runs(), Timers: w.Timers().Armed(),
		Rejected: w.Rejected(), Events: w.Log().Events(), records: w.Records,
		Disturbances: w.Disturbances(), Bound: LivenessRetries * w.RetryDelay(), SeamFault: w.FirstSeamFault()}
	if p := w.Process(); p != nil {
		if ds, err := p.List(context.Background(), 1); err == nil {
			h.Described, h.Quiet, h.Settled = map[string]evaluator.Description{}, map[string]bool{}, map[string]bool{}
			for _, d := range ds {
				h.Described[d.ID] = d
			}
			ids := slices.Collect(maps.Keys(h.schedules()))
			for id, quiet := range w.QuietAll(ids) {
				d, ok := h.Described[id]
				h.Quiet[id] = quiet && (!ok || quietDescription(d))
				h.Settled[id] = quiet
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
		ops := h.withFailurePauses(slices.Clone(h.Applied))
		for _, op := range h.Unconfirmed {
			op.At = unconfirmed // one schedule's operations run in order: these come last
			ops = append(ops, op)
		}
		h.lives = lives(ops, h.Anchor)
		if h.Reanchor {
			h.reanchor()
		}
	}
	return h.lives
}

// reanchor adds, at each restart, a version to every life active then: its
// config anchored at the restart, where the application registered it again.
func (h *History) reanchor() {
	for _, ls := range h.lives {
		for _, l := range ls {
			for _, r := range h.Restarts {
				if len(l.versions) == 0 || l.created.At.After(r) || l.deleted != nil && !l.deleted.At.After(r) || l.pausedAt(r) {
					continue
				}
				i, _ := slices.BinarySearchFunc(l.versions, r, func(v version, t time.Time) int { return v.at.Compare(t) })
				if i == 0 {
					continue
				}
				starts := 0
				for _, run := range h.Runs {
					if !run.StartedAt.After(r) {
						starts++
					}
				}
				v := l.versions[i-1]
				v.first, v.at, v.since, v.startsBefore = r, r, r, starts
				if v.trig.IsInterval() && h.Anchor == profile.AnchorOperationSecond {
					v.first, v.at = r.Truncate(time.Second), r.Truncate(time.Second)
				}
				l.versions = slices.Insert(l.versions, i, v)
			}
		}
	}
}

// pausedAt reports whether the life was paused at t.
func (l *life) pausedAt(t time.Time) bool {
	for _, p := range l.pauses {
		if !p.from.After(t) && (p.until.IsZero() || p.until.After(t)) {
			return true
		}
	}
	return false
}

// quietDescription: the process owes no start for the schedule.
func quietDescription(d evaluator.Description) bool {
	return len(d.Owed) == 0 && (d.Buffered.IsZero() && len(d.Queued) == 0 || len(d.Running) > 0)
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
	trig         *ticks.Trigger
	first, at    time.Time
	since        time.Time  // the operation's first attempt, never truncated (first may be: see add)
	kind         sim.OpKind // create, update or resume
	startsBefore int        // executions started before it took effect (see sim.AppliedOp)
	epoch        bool       // an interval anchored at the Unix epoch (profile.AnchorEpoch)
}

// grid is the version's ticks from anchor, within its config's bounds.
func (v version) grid(anchor time.Time) ticks.Grid {
	if v.epoch {
		anchor = time.Unix(0, 0)
	}
	return v.trig.Grid(anchor).Within(v.cfg.StartAt, v.cfg.EndAt)
}

// span is a pause: from its operation's success (from) — or, for checks that
// must not blame a tick the pause may already have covered, its first attempt
// (first) — until the first attempt of the resume (zero: still open).
type span struct {
	first, from, until time.Time
	startsBefore       int // executions started when the pause took effect
}

func lives(applied []sim.AppliedOp, anchor profile.Anchor) map[string][]*life {
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
			cur.add(cfg, op, anchor)
		case sim.OpPause:
			if !cur.paused {
				cur.paused = true
				cur.pauses = append(cur.pauses, span{first: op.First, from: op.At, startsBefore: op.StartsBefore})
			}
		case sim.OpResume:
			if cur.paused {
				cur.paused = false
				cur.pauses[len(cur.pauses)-1].until = op.First
				cur.add(cfg, op, anchor)
			}
		case sim.OpDelete:
			cur.deleted = &op
		}
	}
	return out
}

// add appends a version anchored at op; under AnchorOperationSecond an
// interval's anchor is the operation's whole second, under AnchorEpoch the
// Unix epoch.
func (l *life) add(cfg evaluator.Config, op sim.AppliedOp, anchor profile.Anchor) {
	trig, err := ticks.Parse(cfg.Trigger)
	if err != nil {
		return // accepted by the process yet invalid: S6 reports its ticks
	}
	v := version{cfg: cfg, trig: trig, first: op.First, at: op.At, since: op.First, startsBefore: op.StartsBefore, kind: op.Kind}
	if anchor == profile.AnchorOperationSecond && trig.IsInterval() {
		v.first, v.at = v.first.Truncate(time.Second), v.at.Truncate(time.Second)
	}
	v.epoch = anchor == profile.AnchorEpoch && trig.IsInterval()
	l.versions = append(l.versions, v)
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

// due is when r's tick was due (see Due).
func (h *History) due(r fakes.Run) time.Time {
	if h.Due != nil {
		if d := h.Due(r); !d.IsZero() {
			return d
		}
	}
	return r.Request.Nominal
}

// allowedAll reports whether the i-th run started under allow_all.
func (h *History) allowedAll(i int) bool {
	r := h.Runs[i]
	l := h.lifeAt(r.Request.ScheduleID, r.StartedAt)
	if l == nil {
		return false
	}
	p, ok := h.policyOf(r, l, i)
	return ok && p == evaluator.OverlapAllowAll
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
			from, startsBefore := l.created.First, 0
			if h.Reregisters {
				for _, v := range l.versions { // the registration r started under
					if v.since.Before(r.StartedAt) || v.since.Equal(r.StartedAt) && idx >= v.startsBefore {
						from, startsBefore = v.since, v.startsBefore
					}
				}
			}
			// Runs from before the registration: started earlier, or at its
			// instant but before it took effect.
			open = slices.DeleteFunc(open, func(i int) bool {
				at := h.Runs[i].StartedAt
				return at.Before(from) || h.Reregisters && at.Equal(from) && i < startsBefore || h.UntrackedAllowAll && h.allowedAll(i)
			})
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

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

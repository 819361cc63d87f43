package fakes

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
)

// Run is an execution the engine knows.
type Run struct {
	Request         evaluator.StartRequest
	Execution       evaluator.Execution
	StartedAt       time.Time
	ClosesAt        time.Time // zero: runs until cancelled or closed by hand
	CancelRequested bool
	CancelledAt     time.Time // when the cancel was first asked for
	Closed          bool
	ClosedAt        time.Time
	Failed          bool // closed by Fail rather than by completing or cancelling
	Terminated      bool // closed by Terminate
}

// Notice is a closure notice owed to the evaluator; the engine keeps it until
// acknowledged (at least once).
type Notice struct {
	ScheduleID string
	Execution  evaluator.Execution
	Status     evaluator.Status
}

// Engine is an in-memory workflow engine: starts deduplicated by workflow id
// for ever, deterministic run ids, idempotent cancel, describe. With a Clock,
// an execution closes Duration(req) after it starts, or CancelDelay after a
// cancel; the closures are reported as notices until acknowledged.
type Engine struct {
	Hook Hook
	// Clock dates starts and closures; nil means executions close only by Close.
	Clock clockwork.Clock
	// Duration gives each execution's run time; nil or a result ≤ 0 means it runs
	// until cancelled.
	Duration func(evaluator.StartRequest) time.Duration
	// CancelDelay is how long a cancelled execution takes to close.
	CancelDelay time.Duration
	// Fails, when set, says which executions fail when they end by
	// themselves (after Duration); the others complete.
	Fails func(evaluator.StartRequest) bool
	// Retain, when positive, forgets executions closed longer ago than it —
	// their dedup included. A knob for long benchmark runs; zero keeps all.
	Retain time.Duration

	mu         sync.Mutex
	runs       map[string]*Run
	order      []string // workflow ids in start order (forgotten ones pruned lazily)
	forgotten  int
	started    int
	closing    closeQueue // open runs by closing time
	closed     fifo[*Run] // in closing order, for Retain
	notices    fifo[Notice]
	cancels    int
	terminates int
	slab       []Run // runs are allocated 256 at a time
}

// newRun returns a zero Run from the slab. A slab stays alive while one of its
// runs is known, which Retain bounds.
func (g *Engine) newRun() *Run {
	if len(g.slab) == 0 {
		g.slab = make([]Run, 256)
	}
	r := &g.slab[0]
	g.slab = g.slab[1:]
	return r
}

// closeQueue orders closings by time, schedule id, nominal time. Entries go
// stale when a run closes or its closing time moves; they are skipped.
type closeQueue = minHeap[closing]

type closing struct {
	at  time.Time
	run *Run
}

func closesFirst(a, b closing) bool {
	if c := a.at.Compare(b.at); c != 0 {
		return c < 0
	}
	if a.run.Request.ScheduleID != b.run.Request.ScheduleID {
		return a.run.Request.ScheduleID < b.run.Request.ScheduleID
	}
	return a.run.Request.Nominal.Before(b.run.Request.Nominal)
}

func (c closing) stale() bool { return c.run.Closed || !c.run.ClosesAt.Equal(c.at) }

// dropStale removes stale entries from the top of the queue.
func (g *Engine) dropStale() {
	for len(g.closing.items) > 0 && g.closing.items[0].stale() {
		g.closing.pop()
	}
}

func (g *Engine) pushClosing(at time.Time, r *Run) {
	if g.closing.less == nil {
		g.closing.less = closesFirst
	}
	g.closing.push(closing{at, r})
}

var _ evaluator.Engine = (*Engine)(nil)

// Start implements evaluator.Engine.
func (g *Engine) Start(ctx context.Context, req evaluator.StartRequest) (evaluator.StartResult, error) {
	return g.start(ctx, nil, req)
}

func (g *Engine) now() time.Time {
	if g.Clock == nil {
		return time.Time{}
	}
	return g.Clock.Now().UTC()
}

func (g *Engine) start(_ context.Context, gate *Gate, req evaluator.StartRequest) (evaluator.StartResult, error) {
	c := Call{Name: "engine.start", ScheduleID: req.ScheduleID, Nominal: req.Nominal}
	if err := errorsOr(gate.check(), g.Hook.call(c, Before)); err != nil {
		return evaluator.StartResult{}, err
	}
	g.mu.Lock()
	if g.runs == nil {
		g.runs = map[string]*Run{}
	}
	var res evaluator.StartResult
	if r, ok := g.runs[req.WorkflowID]; ok {
		res = evaluator.StartResult{Execution: r.Execution, AlreadyStarted: true}
	} else {
		r := g.newRun()
		*r = Run{Request: req, StartedAt: g.now(),
			Execution: evaluator.Execution{WorkflowID: req.WorkflowID, RunID: "run-" + strconv.Itoa(len(g.order)+1)}}
		if g.Clock != nil && g.Duration != nil {
			if d := g.Duration(req); d > 0 {
				r.ClosesAt = r.StartedAt.Add(d)
				g.pushClosing(r.ClosesAt, r)
			}
		}
		g.runs[req.WorkflowID] = r
		g.order = append(g.order, req.WorkflowID)
		g.started++
		res.Execution = r.Execution
	}
	g.mu.Unlock()
	if err := errorsOr(g.Hook.call(c, After), gate.check()); err != nil {
		return evaluator.StartResult{}, err
	}
	return res, nil
}

// Cancel implements evaluator.Engine.
func (g *Engine) Cancel(ctx context.Context, x evaluator.Execution) error {
	return g.cancel(ctx, nil, x)
}

// about is the call named name about x: the schedule and tick of x's
// execution, when the engine knows it.
func (g *Engine) about(name string, x evaluator.Execution) Call {
	c := Call{Name: name}
	g.mu.Lock()
	if r, ok := g.runs[x.WorkflowID]; ok {
		c.ScheduleID, c.Nominal = r.Request.ScheduleID, r.Request.Nominal
	}
	g.mu.Unlock()
	return c
}

func (g *Engine) cancel(_ context.Context, gate *Gate, x evaluator.Execution) error {
	c := g.about("engine.cancel", x)
	if err := errorsOr(gate.check(), g.Hook.call(c, Before)); err != nil {
		return err
	}
	g.mu.Lock()
	if r, ok := g.runs[x.WorkflowID]; ok && r.Execution == x && !r.Closed && !r.CancelRequested {
		r.CancelRequested, r.CancelledAt = true, g.now()
		if g.Clock != nil {
			if at := g.now().Add(g.CancelDelay); r.ClosesAt.IsZero() || at.Before(r.ClosesAt) {
				r.ClosesAt = at
				g.pushClosing(at, r)
			}
		}
	}
	g.cancels++
	g.mu.Unlock()
	return errorsOr(g.Hook.call(c, After), gate.check())
}

// Terminate implements evaluator.Engine: the execution closes now and its
// notice is owed.
func (g *Engine) Terminate(ctx context.Context, x evaluator.Execution) error {
	return g.terminate(ctx, nil, x)
}

func (g *Engine) terminate(_ context.Context, gate *Gate, x evaluator.Execution) error {
	c := g.about("engine.terminate", x)
	if err := errorsOr(gate.check(), g.Hook.call(c, Before)); err != nil {
		return err
	}
	g.mu.Lock()
	if r, ok := g.runs[x.WorkflowID]; ok && r.Execution == x && !r.Closed {
		r.Terminated = true
		g.closeLocked(r, g.now())
	}
	g.terminates++
	g.mu.Unlock()
	return errorsOr(g.Hook.call(c, After), gate.check())
}

// Describe implements evaluator.Engine.
func (g *Engine) Describe(ctx context.Context, workflowID string) (evaluator.WorkflowInfo, error) {
	return g.describe(ctx, nil, workflowID)
}

func (g *Engine) describe(_ context.Context, gate *Gate, workflowID string) (evaluator.WorkflowInfo, error) {
	c := Call{Name: "engine.describe"}
	if id, _, ok := strings.Cut(workflowID, "@"); ok {
		c.ScheduleID = id
	}
	if err := errorsOr(gate.check(), g.Hook.call(c, Before)); err != nil {
		return evaluator.WorkflowInfo{}, err
	}
	g.mu.Lock()
	var info evaluator.WorkflowInfo
	if r, ok := g.runs[workflowID]; ok {
		info = evaluator.WorkflowInfo{Found: true, Execution: r.Execution, Closed: r.Closed}
		if r.Closed {
			info.Status = r.Status()
		}
	}
	g.mu.Unlock()
	if err := errorsOr(g.Hook.call(c, After), gate.check()); err != nil {
		return evaluator.WorkflowInfo{}, err
	}
	return info, nil
}

// For returns a view of the engine for one process incarnation: once g is
// closed, every call through it fails with ErrFenced.
func (g *Engine) For(gate *Gate) evaluator.Engine { return engineView{g, gate} }

type engineView struct {
	g    *Engine
	gate *Gate
}

func (v engineView) Start(ctx context.Context, r evaluator.StartRequest) (evaluator.StartResult, error) {
	return v.g.start(ctx, v.gate, r)
}
func (v engineView) Cancel(ctx context.Context, x evaluator.Execution) error {
	return v.g.cancel(ctx, v.gate, x)
}
func (v engineView) Terminate(ctx context.Context, x evaluator.Execution) error {
	return v.g.terminate(ctx, v.gate, x)
}
func (v engineView) Describe(ctx context.Context, id string) (evaluator.WorkflowInfo, error) {
	return v.g.describe(ctx, v.gate, id)
}

// Close closes the execution of workflowID now and owes its notice; false if
// it is unknown or already closed.
func (g *Engine) Close(workflowID string) (evaluator.Execution, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, ok := g.runs[workflowID]
	if !ok || r.Closed {
		return evaluator.Execution{}, false
	}
	g.closeLocked(r, g.now())
	return r.Execution, true
}

// Fail closes the execution of workflowID now, as failed, and owes its
// notice; false if it is unknown or already closed.
func (g *Engine) Fail(workflowID string) (evaluator.Execution, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, ok := g.runs[workflowID]
	if !ok || r.Closed {
		return evaluator.Execution{}, false
	}
	r.Failed = true
	g.closeLocked(r, g.now())
	return r.Execution, true
}

// Extend makes the open execution of workflowID close at `at` instead (zero:
// only when cancelled or closed by hand); false if it is unknown, closed, or
// at is not after now. A cancel still closes it after CancelDelay.
func (g *Engine) Extend(workflowID string, at time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, ok := g.runs[workflowID]
	if !ok || r.Closed || !at.IsZero() && !at.After(g.now()) {
		return false
	}
	if r.CancelRequested {
		if c := r.CancelledAt.Add(g.CancelDelay); at.IsZero() || c.Before(at) {
			at = c
		}
	}
	r.ClosesAt = at
	if !at.IsZero() {
		g.pushClosing(at, r)
	}
	return true
}

func (g *Engine) closeLocked(r *Run, at time.Time) {
	r.Closed, r.ClosedAt = true, at
	g.notices.push(Notice{ScheduleID: r.Request.ScheduleID, Execution: r.Execution, Status: r.Status()})
	if g.Retain <= 0 {
		return
	}
	g.closed.push(r)
	for g.closed.len() > 0 && g.closed.live()[0].ClosedAt.Before(at.Add(-g.Retain)) {
		delete(g.runs, g.closed.live()[0].Execution.WorkflowID)
		g.closed.remove(0)
		g.forgotten++
	}
	if g.forgotten > len(g.order)/2 {
		g.order = slices.DeleteFunc(g.order, func(id string) bool { return g.runs[id] == nil })
		g.forgotten = 0
	}
}

// NextClose returns when the next open execution closes by itself.
func (g *Engine) NextClose() (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dropStale()
	if len(g.closing.items) == 0 {
		return time.Time{}, false
	}
	return g.closing.items[0].at, true
}

// CloseDue closes every open execution whose time has come, oldest closing
// time first, then by schedule id and nominal time, and returns them.
func (g *Engine) CloseDue(now time.Time) []Run {
	var out []Run
	g.CloseDueFunc(now, func(r *Run) { out = append(out, *r) })
	return out
}

// CloseDueFunc is CloseDue without the copies: it calls fn (if not nil) with
// each execution it closes, in the same order. fn must not call the engine
// and must not keep r.
func (g *Engine) CloseDueFunc(now time.Time, fn func(r *Run)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		g.dropStale()
		if len(g.closing.items) == 0 || g.closing.items[0].at.After(now) {
			return
		}
		c := g.closing.pop()
		if g.Fails != nil && !c.run.CancelRequested && g.Fails(c.run.Request) {
			c.run.Failed = true
		}
		g.closeLocked(c.run, c.at)
		if fn != nil {
			fn(c.run)
		}
	}
}

// Runs returns every execution in start order.
func (g *Engine) Runs() []Run {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]Run, 0, len(g.order))
	for _, id := range g.order {
		if r := g.runs[id]; r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// Lookup returns the execution of workflowID, if the engine knows it.
func (g *Engine) Lookup(workflowID string) (Run, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r := g.runs[workflowID]; r != nil {
		return *r, true
	}
	return Run{}, false
}

// Started returns how many executions the engine ever started.
func (g *Engine) Started() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.started
}

// Open returns the executions not closed, in start order.
func (g *Engine) Open() []Run {
	return slices.DeleteFunc(g.Runs(), func(r Run) bool { return r.Closed })
}

// Terminates returns how many Terminate calls took effect.
func (g *Engine) Terminates() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.terminates
}

// Cancels returns how many Cancel calls took effect.
func (g *Engine) Cancels() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cancels
}

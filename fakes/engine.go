package fakes

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/schedsim/schedsim/evaluator"
)

// Run is an execution the engine knows.
type Run struct {
	Request         evaluator.StartRequest
	Execution       evaluator.Execution
	CancelRequested bool
	Closed          bool
}

// Engine is an in-memory workflow engine: starts deduplicated by workflow id
// for ever, deterministic run ids, idempotent cancel, describe. Executions
// close only when told (Close); the simulator decides when.
type Engine struct {
	Hook Hook

	mu      sync.Mutex
	runs    map[string]*Run
	order   []string // workflow ids in start order
	cancels int
}

var _ evaluator.Engine = (*Engine)(nil)

// Start implements evaluator.Engine.
func (g *Engine) Start(_ context.Context, req evaluator.StartRequest) (evaluator.StartResult, error) {
	if err := g.Hook.call("engine.start", Before); err != nil {
		return evaluator.StartResult{}, err
	}
	g.mu.Lock()
	if g.runs == nil {
		g.runs = map[string]*Run{}
	}
	res := evaluator.StartResult{}
	if r, ok := g.runs[req.WorkflowID]; ok {
		res = evaluator.StartResult{Execution: r.Execution, AlreadyStarted: true}
	} else {
		x := evaluator.Execution{WorkflowID: req.WorkflowID, RunID: "run-" + strconv.Itoa(len(g.order)+1)}
		g.runs[req.WorkflowID] = &Run{Request: req, Execution: x}
		g.order = append(g.order, req.WorkflowID)
		res.Execution = x
	}
	g.mu.Unlock()
	return res, g.Hook.call("engine.start", After)
}

// Cancel implements evaluator.Engine.
func (g *Engine) Cancel(_ context.Context, x evaluator.Execution) error {
	if err := g.Hook.call("engine.cancel", Before); err != nil {
		return err
	}
	g.mu.Lock()
	if r, ok := g.runs[x.WorkflowID]; ok && r.Execution == x {
		r.CancelRequested = true
	}
	g.cancels++
	g.mu.Unlock()
	return g.Hook.call("engine.cancel", After)
}

// Describe implements evaluator.Engine.
func (g *Engine) Describe(_ context.Context, workflowID string) (evaluator.WorkflowInfo, error) {
	if err := g.Hook.call("engine.describe", Before); err != nil {
		return evaluator.WorkflowInfo{}, err
	}
	g.mu.Lock()
	var info evaluator.WorkflowInfo
	if r, ok := g.runs[workflowID]; ok {
		info = evaluator.WorkflowInfo{Found: true, Execution: r.Execution, Closed: r.Closed}
	}
	g.mu.Unlock()
	if err := g.Hook.call("engine.describe", After); err != nil {
		return evaluator.WorkflowInfo{}, err
	}
	return info, nil
}

// Close closes the execution of workflowID and returns it; false if it is
// unknown or already closed.
func (g *Engine) Close(workflowID string) (evaluator.Execution, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, ok := g.runs[workflowID]
	if !ok || r.Closed {
		return evaluator.Execution{}, false
	}
	r.Closed = true
	return r.Execution, true
}

// Runs returns every execution in start order.
func (g *Engine) Runs() []Run {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]Run, len(g.order))
	for i, id := range g.order {
		out[i] = *g.runs[id]
	}
	return out
}

// Open returns the executions not closed, in start order.
func (g *Engine) Open() []Run {
	return slices.DeleteFunc(g.Runs(), func(r Run) bool { return r.Closed })
}

// Cancels returns how many Cancel calls took effect.
func (g *Engine) Cancels() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cancels
}

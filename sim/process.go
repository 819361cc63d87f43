package sim

import (
	"context"
	"errors"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
)

// Process is the evaluator under test, as the world drives it: the API, timer
// deliveries, closure notices and recovery. *evaluator.Evaluator implements it;
// so can any other implementation that plugs into the seams.
type Process interface {
	Recover(ctx context.Context) error
	Create(ctx context.Context, r evaluator.Request, c evaluator.Config) error
	Update(ctx context.Context, r evaluator.Request, c evaluator.Config) error
	Pause(ctx context.Context, r evaluator.Request) error
	Resume(ctx context.Context, r evaluator.Request) error
	Delete(ctx context.Context, r evaluator.Request) error
	TimerFired(ctx context.Context, scheduleID string, at time.Time) (evaluator.Outcome, error)
	// ExecutionClosed is a closure notice: x ended with status (zero when
	// the world does not say).
	ExecutionClosed(ctx context.Context, scheduleID string, x evaluator.Execution, status evaluator.Status) error
	Get(ctx context.Context, scheduleID string, upcoming int) (evaluator.Description, error)
	List(ctx context.Context, upcoming int) ([]evaluator.Description, error)
}

var _ Process = (*evaluator.Evaluator)(nil)

// Killer is a process that holds something outside the world (a child
// process): the world kills it when it crashes the incarnation, and on Close.
type Killer interface {
	Kill()
}

// ErrFatal is wrapped by a process error that ends the run: the process broke
// its contract (for example the protocol) and no verdict about the
// evaluator's scheduling can follow. Run returns it.
var ErrFatal = errors.New("fatal process error")

// Seams are what a process incarnation is given: the world's clock and its
// durable services, fenced to that incarnation.
type Seams struct {
	Clock  clockwork.Clock
	Timers evaluator.TimerStore
	Engine evaluator.Engine
	Log    evaluator.EventLog
}

// Factory creates a process incarnation; the world calls it at the start and
// after every crash.
type Factory func(Seams) (Process, error)

// Reference returns the factory of schedsim's reference evaluator with the
// given retry delay (evaluator.DefaultRetryDelay when zero).
func Reference(retryDelay time.Duration) Factory {
	return func(s Seams) (Process, error) {
		return evaluator.New(evaluator.Options{Clock: s.Clock, Timers: s.Timers, Engine: s.Engine, Log: s.Log, RetryDelay: retryDelay})
	}
}

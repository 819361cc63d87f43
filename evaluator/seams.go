package evaluator

import (
	"context"
	"encoding/json"
	"time"
)

// Timer is a durable timer: at At, the timer store delivers (ScheduleID, At) to
// Evaluator.TimerFired, at least once, until a delivery is acknowledged.
type Timer struct {
	ID         string
	ScheduleID string
	At         time.Time
}

// TimerStore is the durable timer seam.
type TimerStore interface {
	// Arm creates or replaces (upserts) the timer with t.ID.
	Arm(ctx context.Context, t Timer) error
	// Disarm removes the timer with that id; removing an absent timer succeeds.
	Disarm(ctx context.Context, timerID string) error
}

// StartRequest asks the engine to start the execution of one tick.
type StartRequest struct {
	// WorkflowID is WorkflowID(ScheduleID, Nominal): the engine must refuse a
	// second start with it for ever and return the existing execution instead.
	WorkflowID       string
	ScheduleID       string
	Nominal          time.Time
	WorkflowType     string
	Input            json.RawMessage
	SearchAttributes map[string]string
	// Origin is empty for a tick's start, OriginTrigger for a manual one
	// (TriggerNow): the checkers exempt manual starts from the grid.
	Origin string
}

// StartResult is the execution a start produced or found.
type StartResult struct {
	Execution Execution
	// AlreadyStarted: the workflow id was started before (perhaps by an attempt
	// that reported an error); Execution is that run.
	AlreadyStarted bool
}

// WorkflowInfo is what the engine knows of a workflow id.
type WorkflowInfo struct {
	Found     bool
	Execution Execution
	Closed    bool
	Status    Status // how it ended, once Closed (zero: not said)
}

// Status is how an execution ended, as its closure notice or the engine's
// description says. The zero value means not said: it is no failure.
type Status int

// Statuses of a closed execution.
const (
	StatusCompleted Status = 1 + iota
	StatusFailed
	StatusCancelled
	StatusTerminated
	StatusTimedOut
)

var statusEnum = enum[Status]{"status", []string{"unset", "completed", "failed", "cancelled", "terminated", "timed_out"}, ErrInvalidRequest}

// Statuses lists every status, in order.
func Statuses() []Status { return statusEnum.values() }

// Failure reports whether the execution failed or timed out: what
// pause_on_failure pauses on.
func (s Status) Failure() bool { return s == StatusFailed || s == StatusTimedOut }

func (s Status) String() string { return statusEnum.String(s) }

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return statusEnum.marshal(s) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error { return statusEnum.unmarshal(b, s) }

// Engine is the workflow engine seam.
type Engine interface {
	Start(ctx context.Context, req StartRequest) (StartResult, error)
	// Cancel requests cancellation; it is idempotent, also on a closed execution.
	Cancel(ctx context.Context, x Execution) error
	// Terminate ends x at once: when it returns without error, x is closed
	// (its closure notice may still follow). It is idempotent, also on a
	// closed execution.
	Terminate(ctx context.Context, x Execution) error
	Describe(ctx context.Context, workflowID string) (WorkflowInfo, error)
}

// EventLog is the durable event log seam.
type EventLog interface {
	// Append appends the events as one atomic batch. An error may still mean
	// the batch was made durable; the evaluator then reloads from Read.
	// Append must not retain the slice nor an event's Ranges: the evaluator
	// reuses both.
	Append(ctx context.Context, events []Event) error
	// Read returns the latest snapshot (nil if none) and every event after it.
	Read(ctx context.Context) (*Snapshot, []Event, error)
	// WriteSnapshot stores snap as the state at the current end of the log.
	WriteSnapshot(ctx context.Context, snap *Snapshot) error
}

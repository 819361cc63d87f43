package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// OpKind names an API operation.
type OpKind string

// Operation kinds.
const (
	OpCreate OpKind = "create"
	OpUpdate OpKind = "update"
	OpPause  OpKind = "pause"
	OpResume OpKind = "resume"
	OpDelete OpKind = "delete"
	// OpTrigger starts one execution now (evaluator.TriggerNow), under
	// Overlap or the schedule's policy. A process that is no Triggerer
	// refuses it.
	OpTrigger OpKind = "trigger_now"
	// OpBackfill starts the ticks of the past range [From, To)
	// (evaluator.Backfill), under Overlap or the schedule's policy. A
	// process that is no Backfiller refuses it.
	OpBackfill OpKind = "backfill"
)

// Triggerer is a process that implements TriggerNow (a manual start).
type Triggerer interface {
	TriggerNow(ctx context.Context, r evaluator.Request, overlap evaluator.OverlapPolicy) error
}

// Backfiller is a process that implements Backfill.
type Backfiller interface {
	Backfill(ctx context.Context, r evaluator.Request, from, to time.Time, overlap evaluator.OverlapPolicy) error
}

// ErrNotImplemented is a process's answer to an operation it does not offer.
var ErrNotImplemented = errors.New("not implemented by this process")

// Op is a scripted API operation. RequestID defaults to "op-N" (N its index,
// from 1); a retried operation keeps its request id.
type Op struct {
	At         time.Time
	Kind       OpKind
	ScheduleID string
	RequestID  string
	Config     evaluator.Config // create and update
	// Overlap overrides the schedule's policy for a trigger or a backfill
	// (zero: none).
	Overlap evaluator.OverlapPolicy
	// From and To are a backfill's range [From, To).
	From, To time.Time
}

// OpKinds lists every operation kind, in order.
func OpKinds() []OpKind {
	return []OpKind{OpCreate, OpUpdate, OpPause, OpResume, OpDelete, OpTrigger, OpBackfill}
}

func (op Op) String() string { return fmt.Sprintf("%s request=%s", op.Kind, op.RequestID) }

func (op Op) validate(start time.Time) error {
	if !slices.Contains(OpKinds(), op.Kind) {
		return fmt.Errorf("unknown kind %q (want one of %v)", op.Kind, OpKinds())
	}
	if op.At.Before(start) {
		return fmt.Errorf("%s at %s is before the start %s", op.Kind, op.At.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if op.ScheduleID == "" {
		return fmt.Errorf("%s has no schedule id", op.Kind)
	}
	return nil
}

func (op Op) apply(ctx context.Context, p Process) error {
	r := evaluator.Request{RequestID: op.RequestID, ScheduleID: op.ScheduleID}
	switch op.Kind {
	case OpCreate:
		return p.Create(ctx, r, op.Config)
	case OpUpdate:
		return p.Update(ctx, r, op.Config)
	case OpPause:
		return p.Pause(ctx, r)
	case OpResume:
		return p.Resume(ctx, r)
	case OpTrigger:
		t, ok := p.(Triggerer)
		if !ok {
			return fmt.Errorf("%w: trigger", ErrNotImplemented)
		}
		return t.TriggerNow(ctx, r, op.Overlap)
	case OpBackfill:
		b, ok := p.(Backfiller)
		if !ok {
			return fmt.Errorf("%w: backfill", ErrNotImplemented)
		}
		return b.Backfill(ctx, r, op.From, op.To, op.Overlap)
	default:
		return p.Delete(ctx, r)
	}
}

package sim

import (
	"context"
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
)

// Op is a scripted API operation. RequestID defaults to "op-N" (N its index,
// from 1); a retried operation keeps its request id.
type Op struct {
	At         time.Time
	Kind       OpKind
	ScheduleID string
	RequestID  string
	Config     evaluator.Config // create and update
}

// OpKinds lists every operation kind, in order.
func OpKinds() []OpKind { return []OpKind{OpCreate, OpUpdate, OpPause, OpResume, OpDelete} }

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
	default:
		return p.Delete(ctx, r)
	}
}

package protocol

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// The requests of sim.Process.

func (p *Process) Recover(ctx context.Context) error {
	_, err := p.request(ctx, Message{Type: TypeRecover})
	return err
}

func (p *Process) op(ctx context.Context, typ string, r evaluator.Request, c *evaluator.Config) error {
	_, err := p.request(ctx, Message{Type: typ, RequestID: r.RequestID, ScheduleID: r.ScheduleID, Config: c})
	return err
}

func (p *Process) Create(ctx context.Context, r evaluator.Request, c evaluator.Config) error {
	return p.op(ctx, TypeCreate, r, &c)
}

func (p *Process) Update(ctx context.Context, r evaluator.Request, c evaluator.Config) error {
	return p.op(ctx, TypeUpdate, r, &c)
}

func (p *Process) Pause(ctx context.Context, r evaluator.Request) error {
	return p.op(ctx, TypePause, r, nil)
}

func (p *Process) Resume(ctx context.Context, r evaluator.Request) error {
	return p.op(ctx, TypeResume, r, nil)
}

func (p *Process) Delete(ctx context.Context, r evaluator.Request) error {
	return p.op(ctx, TypeDelete, r, nil)
}

// TriggerNow asks for a manual start; a program whose init reply does not
// list the feature trigger_now is not asked (sim.ErrNotImplemented).
func (p *Process) TriggerNow(ctx context.Context, r evaluator.Request, overlap evaluator.OverlapPolicy) error {
	if !slices.Contains(p.hello.Features, FeatureTriggerNow) {
		return fmt.Errorf("%w: trigger_now (the program's init reply does not list the feature)", sim.ErrNotImplemented)
	}
	_, err := p.request(ctx, Message{Type: TypeTriggerNow, RequestID: r.RequestID, ScheduleID: r.ScheduleID, Overlap: overlap})
	return err
}

// Backfill asks for the ticks of a past range; a program whose init reply
// does not list the feature backfill is not asked (sim.ErrNotImplemented).
func (p *Process) Backfill(ctx context.Context, r evaluator.Request, from, to time.Time, overlap evaluator.OverlapPolicy) error {
	if !slices.Contains(p.hello.Features, FeatureBackfill) {
		return fmt.Errorf("%w: backfill (the program's init reply does not list the feature)", sim.ErrNotImplemented)
	}
	_, err := p.request(ctx, Message{Type: TypeBackfill, RequestID: r.RequestID, ScheduleID: r.ScheduleID, Overlap: overlap, From: &from, To: &to})
	return err
}

func (p *Process) TimerFired(ctx context.Context, scheduleID string, at time.Time) (evaluator.Outcome, error) {
	res, err := p.request(ctx, Message{Type: TypeTimerFired, ScheduleID: scheduleID, At: &at})
	if err != nil {
		return 0, err
	}
	var o OutcomeResult
	if err := json.Unmarshal(res, &o); err != nil {
		return 0, p.fatal(0, "timer_fired: the result must be {\"outcome\": ...}")
	}
	var out evaluator.Outcome
	if err := out.UnmarshalText([]byte(o.Outcome)); err != nil {
		return 0, p.fatal(0, fmt.Sprintf("timer_fired: unknown outcome %q", o.Outcome))
	}
	return out, nil
}

func (p *Process) ExecutionClosed(ctx context.Context, scheduleID string, x evaluator.Execution, status evaluator.Status) error {
	_, err := p.request(ctx, Message{Type: TypeExecutionClosed, ScheduleID: scheduleID, Execution: &x, Status: status})
	return err
}

func (p *Process) Get(ctx context.Context, scheduleID string, upcoming int) (evaluator.Description, error) {
	var d evaluator.Description
	res, err := p.request(ctx, Message{Type: TypeGet, ScheduleID: scheduleID, Upcoming: upcoming})
	if err == nil {
		if err := json.Unmarshal(res, &d); err != nil {
			return d, p.fatal(0, "get: the result must be a description: "+err.Error())
		}
	}
	return d, err
}

func (p *Process) List(ctx context.Context, upcoming int) ([]evaluator.Description, error) {
	var ds []evaluator.Description
	res, err := p.request(ctx, Message{Type: TypeList, Upcoming: upcoming})
	if err == nil {
		if err := json.Unmarshal(res, &ds); err != nil {
			return nil, p.fatal(0, "list: the result must be a list of descriptions: "+err.Error())
		}
	}
	return ds, err
}

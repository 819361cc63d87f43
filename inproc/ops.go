package inproc

import (
	"context"
	"fmt"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Recover is the application's boot: it reads its configuration from the log
// and registers every active schedule, anchored now.
func (p *Process) Recover(ctx context.Context) error {
	if !p.booted {
		_, events, err := p.seams.Log.Read(ctx)
		if err != nil {
			return err
		}
		app := map[string]*appSched{}
		for _, e := range events {
			s := app[e.ScheduleID]
			if s == nil {
				s = &appSched{}
				app[e.ScheduleID] = s
			}
			if e.Seq <= s.seq {
				continue // a duplicated append
			}
			s.seq, s.lastRequest, s.lastType = e.Seq, e.RequestID, e.Type
			switch e.Type {
			case evaluator.Created, evaluator.Updated:
				s.cfg = *e.Config
			case evaluator.Paused:
				s.paused = true
			case evaluator.Resumed:
				s.paused = false
			case evaluator.Deleted:
				s.deleted = true
			}
		}
		p.app, p.booted = app, true
		for id, s := range app {
			if !s.paused && !s.deleted {
				p.pending[id] = p.now()
			}
		}
	}
	p.before()
	if err := p.at(ctx); err != nil {
		return err
	}
	return p.arm(ctx)
}

func (p *Process) ready(r evaluator.Request) error {
	if !p.booted {
		return evaluator.ErrNotRecovered
	}
	if r.ScheduleID == "" || r.RequestID == "" {
		return fmt.Errorf("%w: empty schedule or request id", evaluator.ErrInvalidRequest)
	}
	return nil
}

// check refuses a config the scheduler or the profile cannot run.
func (p *Process) check(c evaluator.Config) error {
	if why := p.prof.Supports(c); why != "" {
		return &evaluator.ConfigError{Field: "overlap", Err: fmt.Errorf("%w: %s", ErrUnsupported, why)}
	}
	if c.WorkflowType == "" {
		return &evaluator.ConfigError{Field: "workflow_type", Err: fmt.Errorf("%w: empty", evaluator.ErrInvalidConfig)}
	}
	return p.sched.Check(c)
}

// replay reports whether r is the last operation the schedule recorded: a
// retry after a crash, which already took effect; the same request id on
// another kind of operation is refused.
func (p *Process) replay(r evaluator.Request, t evaluator.EventType) (bool, error) {
	s := p.app[r.ScheduleID]
	switch {
	case s == nil || s.lastRequest != r.RequestID:
		return false, nil
	case s.lastType != t:
		return true, fmt.Errorf("%w: %s", evaluator.ErrRequestReused, r.RequestID)
	}
	return true, nil
}

// Create records the schedule and registers it at the instant.
func (p *Process) Create(ctx context.Context, r evaluator.Request, c evaluator.Config) error {
	if err := p.ready(r); err != nil {
		return err
	}
	if replay, err := p.replay(r, evaluator.Created); replay {
		return err
	}
	if p.app[r.ScheduleID] != nil {
		return fmt.Errorf("%w: %s", evaluator.ErrScheduleExists, r.ScheduleID)
	}
	if err := p.check(c); err != nil {
		return err
	}
	p.before()
	p.app[r.ScheduleID] = &appSched{cfg: c}
	if err := p.record(ctx, r.ScheduleID, r.RequestID, evaluator.Created, &c); err != nil {
		delete(p.app, r.ScheduleID)
		return err
	}
	p.pending[r.ScheduleID] = p.now()
	return p.arm(ctx)
}

// Update removes the schedule before the instant's ticks and registers the
// new config at the instant.
func (p *Process) Update(ctx context.Context, r evaluator.Request, c evaluator.Config) error {
	s, err := p.existing(r, evaluator.Updated)
	if err != nil || s == nil {
		return err
	}
	if err := p.check(c); err != nil {
		return err
	}
	p.before()
	if err := p.record(ctx, r.ScheduleID, r.RequestID, evaluator.Updated, &c); err != nil {
		return err
	}
	s.cfg = c
	if !s.paused {
		p.remove(r.ScheduleID)
		p.pending[r.ScheduleID] = p.now()
	}
	return p.arm(ctx)
}

// existing returns the live schedule of r, or nil for a replay.
func (p *Process) existing(r evaluator.Request, t evaluator.EventType) (*appSched, error) {
	if err := p.ready(r); err != nil {
		return nil, err
	}
	if replay, err := p.replay(r, t); replay {
		return nil, err
	}
	s := p.app[r.ScheduleID]
	if s == nil || s.deleted {
		return nil, fmt.Errorf("%w: %s", evaluator.ErrNotFound, r.ScheduleID)
	}
	return s, nil
}

// remove unregisters a schedule before the instant's ticks.
func (p *Process) remove(id string) {
	delete(p.pending, id)
	_ = p.sched.Remove(id) // absent when its registration is still pending
	p.settle()
}

// Pause removes the schedule; the application remembers it paused.
func (p *Process) Pause(ctx context.Context, r evaluator.Request) error {
	return p.toggle(ctx, r, evaluator.Paused, func(s *appSched) bool { return !s.paused })
}

// Resume registers the schedule again at the instant, which re-anchors it.
func (p *Process) Resume(ctx context.Context, r evaluator.Request) error {
	return p.toggle(ctx, r, evaluator.Resumed, func(s *appSched) bool { return s.paused })
}

// Delete removes the schedule for good.
func (p *Process) Delete(ctx context.Context, r evaluator.Request) error {
	return p.toggle(ctx, r, evaluator.Deleted, func(*appSched) bool { return true })
}

// toggle records a pause, resume or delete when it changes something.
func (p *Process) toggle(ctx context.Context, r evaluator.Request, t evaluator.EventType, changes func(*appSched) bool) error {
	s, err := p.existing(r, t)
	if err != nil || s == nil || !changes(s) {
		return err
	}
	p.before()
	if err := p.record(ctx, r.ScheduleID, r.RequestID, t, nil); err != nil {
		return err
	}
	switch t {
	case evaluator.Paused:
		s.paused = true
		p.remove(r.ScheduleID)
	case evaluator.Deleted:
		s.deleted = true
		p.remove(r.ScheduleID)
	case evaluator.Resumed:
		s.paused = false
		p.pending[r.ScheduleID] = p.now()
	}
	return p.arm(ctx)
}

// TimerFired moves the scheduler to the instant: its runs due then happen.
func (p *Process) TimerFired(ctx context.Context, scheduleID string, at time.Time) (evaluator.Outcome, error) {
	if !p.booted {
		return 0, evaluator.ErrNotRecovered
	}
	p.before()
	err := p.at(ctx)
	if err := p.arm(ctx); err != nil {
		return 0, err
	}
	if s := p.app[scheduleID]; s == nil || s.paused || s.deleted {
		return evaluator.Ignored, err
	}
	return evaluator.Decided, err
}

// ExecutionClosed lets the job waiting on x return, before the instant's ticks.
func (p *Process) ExecutionClosed(ctx context.Context, scheduleID string, x evaluator.Execution, _ evaluator.Status) error {
	if !p.booted {
		return evaluator.ErrNotRecovered
	}
	p.before()
	if j := p.running[x.WorkflowID]; j != nil && j.exec.RunID == x.RunID {
		delete(p.running, x.WorkflowID)
		close(j.done)
		p.settle()
	}
	return p.arm(ctx)
}

// Get describes one schedule.
func (p *Process) Get(ctx context.Context, scheduleID string, upcoming int) (evaluator.Description, error) {
	s := p.app[scheduleID]
	if s == nil || s.deleted {
		return evaluator.Description{}, fmt.Errorf("%w: %s", evaluator.ErrNotFound, scheduleID)
	}
	d := evaluator.Description{ID: scheduleID, Config: s.cfg, Paused: s.paused}
	if next := p.next(scheduleID); upcoming > 0 && !next.IsZero() {
		d.Upcoming = []time.Time{next}
	}
	for _, wid := range sortedKeys(p.running) {
		if j := p.running[wid]; j.scheduleID == scheduleID {
			d.Running = append(d.Running, evaluator.Running{Execution: j.exec, Nominal: j.nominal})
		}
	}
	return d, nil
}

// next is the schedule's next run as far as the process knows it.
func (p *Process) next(id string) time.Time {
	s := p.app[id]
	if s.paused || s.deleted {
		return time.Time{}
	}
	if at, ok := p.pending[id]; ok {
		return at
	}
	return p.sched.Next(id)
}

// List describes every schedule that is not deleted, by id.
func (p *Process) List(ctx context.Context, upcoming int) ([]evaluator.Description, error) {
	var out []evaluator.Description
	for _, id := range sortedKeys(p.app) {
		if !p.app[id].deleted {
			d, _ := p.Get(ctx, id, upcoming)
			out = append(out, d)
		}
	}
	return out, nil
}

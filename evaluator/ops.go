package evaluator

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/internal/mutation"
)

// Request identifies an API operation; a repeated RequestID re-runs the
// operation's idempotent effects (timer arming) and records nothing.
type Request struct {
	RequestID  string
	ScheduleID string
}

func (r Request) validate() error {
	if err := validID("schedule id", r.ScheduleID); err != nil {
		return err
	}
	if r.RequestID == "" {
		return fmt.Errorf("%w: request id is empty", ErrInvalidRequest)
	}
	return nil
}

// Create records a new schedule and arms its timer. An invalid config, or an
// id that exists or existed, is rejected before anything is recorded.
func (ev *Evaluator) Create(ctx context.Context, r Request, c Config) error {
	if err := r.validate(); err != nil {
		return err
	}
	trig, cfg, err := c.compile()
	if err != nil {
		if ev.mut.Has(mutation.RecordBeforeValidate) {
			ev.recordInvalid(ctx, r, c)
		}
		return err
	}
	en, err := ev.lookup(r.ScheduleID, true)
	if err != nil {
		return err
	}
	defer en.mu.Unlock()
	if err := ev.lock(ctx, en); err != nil {
		return err
	}
	if st := en.st; st != nil {
		if done, err := repeated(st, r, Created); done {
			return ev.effects(ctx, en, err)
		}
		if st.Deleted {
			return fmt.Errorf("%w: %q was deleted; ids are never reused", ErrScheduleExists, r.ScheduleID)
		}
		return fmt.Errorf("%w: %q", ErrScheduleExists, r.ScheduleID)
	}
	now := ev.now()
	next := trig.Grid(now).Within(c.StartAt, c.EndAt).Next(now)
	if next.IsZero() {
		return neverFires(c, now)
	}
	if err := ev.record(ctx, en, Event{Type: Created, RequestID: r.RequestID, Config: &cfg, Next: next}); err != nil {
		return err
	}
	return ev.arm(ctx, en)
}

// recordInvalid records a create whose config is invalid: only a mutant does.
func (ev *Evaluator) recordInvalid(ctx context.Context, r Request, c Config) {
	en, err := ev.lookup(r.ScheduleID, true)
	if err != nil {
		return
	}
	defer en.mu.Unlock()
	if ev.lock(ctx, en) == nil && en.st == nil {
		_ = ev.record(ctx, en, Event{Type: Created, RequestID: r.RequestID, Config: &c})
	}
}

// Update replaces the config and re-anchors the trigger at the update time.
// Running executions are kept; a buffered tick and owed starts are dropped. A
// paused schedule stays paused.
func (ev *Evaluator) Update(ctx context.Context, r Request, c Config) error {
	if err := r.validate(); err != nil {
		return err
	}
	trig, cfg, err := c.compile()
	if err != nil {
		return err
	}
	return ev.mutate(ctx, r, Updated, func(st *State, now time.Time) ([]Event, error) {
		if ev.mut.Has(mutation.UpdateDropsRunning) {
			st.Running = nil
		}
		next := trig.Grid(ev.anchor(now)).Within(c.StartAt, c.EndAt).Next(now)
		if next.IsZero() {
			return nil, neverFires(c, now)
		}
		at := now
		if ev.mut.Has(mutation.UpdateForgetsTickInFlight) {
			at = time.Time{} // no tick is in flight at the zero time
		}
		return append(append(drops(st, r.RequestID, CauseUpdate, at), dropBackfill(st, r.RequestID, CauseUpdate)...), Event{Type: Updated, RequestID: r.RequestID, Config: &cfg, Next: next}), nil
	})
}

// Pause stops ticks and drops a buffered tick and owed starts. Pausing a paused
// schedule succeeds and records nothing.
func (ev *Evaluator) Pause(ctx context.Context, r Request) error {
	return ev.mutate(ctx, r, Paused, func(st *State, now time.Time) ([]Event, error) {
		if st.Paused {
			return nil, nil
		}
		return append(drops(st, r.RequestID, CausePause, now), Event{Type: Paused, RequestID: r.RequestID}), nil
	})
}

// Resume re-anchors the trigger at the resume time; ticks that fell inside the
// pause are not caught up. Resuming an active schedule succeeds and records nothing.
func (ev *Evaluator) Resume(ctx context.Context, r Request) error {
	return ev.mutate(ctx, r, Resumed, func(st *State, now time.Time) ([]Event, error) {
		if !st.Paused {
			return nil, nil
		}
		if ev.mut.Has(mutation.ResumeCatchesUp) {
			return []Event{{Type: Resumed, RequestID: r.RequestID, Next: st.Next}}, nil
		}
		next := st.trigger.Grid(ev.anchor(now)).Within(st.Config.StartAt, st.Config.EndAt).Next(now)
		if st.runsLeft() == 0 {
			next = time.Time{} // its runs are used up: it stays finished
		}
		return []Event{{Type: Resumed, RequestID: r.RequestID, Next: next}}, nil
	})
}

// anchor is where an update or resume anchors an interval: now (a mutant
// keeps it at millisecond precision).
func (ev *Evaluator) anchor(now time.Time) time.Time {
	if ev.mut.Has(mutation.AnchorAtMillisecond) {
		return now.Truncate(time.Millisecond)
	}
	return now
}

// Delete is terminal: the timer is disarmed, a buffered tick and owed starts
// are dropped, running executions are left running. The id is never reused.
func (ev *Evaluator) Delete(ctx context.Context, r Request) error {
	return ev.mutate(ctx, r, Deleted, func(st *State, now time.Time) ([]Event, error) {
		return append(drops(st, r.RequestID, CauseDelete, now), Event{Type: Deleted, RequestID: r.RequestID}), nil
	})
}

// mutate runs an API operation on an existing schedule: dedup by request id,
// one batch of events, then the timer put where the new state says.
func (ev *Evaluator) mutate(ctx context.Context, r Request, op EventType, plan func(*State, time.Time) ([]Event, error)) error {
	if err := r.validate(); err != nil {
		return err
	}
	en, err := ev.lookup(r.ScheduleID, false)
	if err != nil {
		return err
	}
	if en == nil {
		return fmt.Errorf("%w: %q", ErrNotFound, r.ScheduleID)
	}
	defer en.mu.Unlock()
	if err := ev.lock(ctx, en); err != nil {
		return err
	}
	st := en.st
	if st == nil {
		return fmt.Errorf("%w: %q", ErrNotFound, r.ScheduleID)
	}
	if done, err := repeated(st, r, op); done {
		if err == nil && (op == TriggerRequested || op == BackfillDecided) {
			// The decision was recorded; its start may not have been made.
			if err := ev.drive(ctx, en); err != nil {
				return err
			}
		}
		return ev.effects(ctx, en, err)
	}
	if st.Deleted {
		return fmt.Errorf("%w: %q was deleted", ErrNotFound, r.ScheduleID)
	}
	if err := ev.resolve(ctx, en); err != nil {
		return err
	}
	st = en.st
	events, err := plan(st, ev.now())
	if err != nil {
		return err
	}
	if err := ev.record(ctx, en, events...); err != nil {
		return err
	}
	if op == TriggerRequested || op == BackfillDecided || op == Resumed && (len(en.st.Manual) > 0 || len(en.st.Backfill) > 0) {
		// A manual start is made at once, or (resumed) may start now.
		if err := ev.drive(ctx, en); err != nil {
			return err // the retry timer is armed: the owed start is retried
		}
	}
	return ev.arm(ctx, en)
}

// repeated reports whether r repeats the schedule's last request, and an error
// if it does so for another operation.
func repeated(st *State, r Request, op EventType) (bool, error) {
	if st.LastRequestID != r.RequestID {
		return false, nil
	}
	if st.LastRequestOp != op {
		return true, fmt.Errorf("%w: %q was a %s of %q", ErrRequestReused, r.RequestID, st.LastRequestOp, r.ScheduleID)
	}
	return true, nil
}

// effects re-runs a repeated request's idempotent effects: the timer.
func (ev *Evaluator) effects(ctx context.Context, en *entry, err error) error {
	if err != nil {
		return err
	}
	return ev.arm(ctx, en)
}

// neverFires is the error for a config with no tick after now: its trigger
// has none, or none before its end_at.
func neverFires(c Config, now time.Time) error {
	if !c.EndAt.IsZero() {
		return &ConfigError{Field: "end_at", Err: fmt.Errorf("%w: no tick between %s and end_at %s", ErrNeverFires, stamp(now), stamp(c.EndAt))}
	}
	return &ConfigError{Field: "trigger", Err: fmt.Errorf("%w: no tick after %s", ErrNeverFires, stamp(now))}
}

// drops returns the events that discard a buffered tick and owed starts,
// and a tick in flight at now (between its nominal and its jittered time).
func drops(st *State, requestID, cause string, now time.Time) []Event {
	var out []Event
	if st.InFlight(now) {
		out = append(out, Event{Type: Dropped, RequestID: requestID, Cause: cause, Nominal: st.Next})
	}
	if !st.Buffered.IsZero() {
		out = append(out, Event{Type: Dropped, RequestID: requestID, Cause: cause, Nominal: st.Buffered})
	}
	if len(st.Queued) > 0 {
		out = append(out, Event{Type: Dropped, RequestID: requestID, Cause: cause, Ranges: slices.Clone(st.Queued)})
	}
	if len(st.Pending) > 0 {
		out = append(out, Event{Type: Dropped, RequestID: requestID, Cause: cause, Ranges: slices.Clone(st.Pending)})
	}
	return out
}

// dropBackfill returns the event that discards a backfill's owed starts
// (an update: the grid they were decided on is gone).
func dropBackfill(st *State, requestID, cause string) []Event {
	if len(st.Backfill) == 0 {
		return nil
	}
	return []Event{{Type: Dropped, RequestID: requestID, Cause: cause, Origin: OriginBackfill, Ranges: slices.Clone(st.Backfill)}}
}

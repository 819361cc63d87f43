package evaluator

import (
	"context"
	"fmt"
	"time"

	"github.com/schedsim/schedsim/internal/mutation"
)

// Outcome says what a timer delivery did.
type Outcome int

// Outcomes of TimerFired.
const (
	// Ignored: the schedule is unknown, deleted or paused; nothing to do.
	Ignored Outcome = 1 + iota
	// Stale: the delivery was not for the schedule's next tick (a duplicate, an
	// old or a retry timer); the timer was put back at the next tick.
	Stale
	// Early: delivered before its time; the timer was re-armed.
	Early
	// Decided: the due ticks were decided and the decision carried out.
	Decided
)

var outcomeEnum = enum[Outcome]{"outcome", []string{"unset", "ignored", "stale", "early", "decided"}, ErrInvalidRequest}

func (o Outcome) String() string { return outcomeEnum.String(o) }

// MarshalText implements encoding.TextMarshaler.
func (o Outcome) MarshalText() ([]byte, error) { return outcomeEnum.marshal(o) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Outcome) UnmarshalText(b []byte) error { return outcomeEnum.unmarshal(b, o) }

// TimerFired handles the delivery of the schedule's timer armed at `at`. Only a
// delivery for the schedule's next nominal time decides; anything else starts
// nothing and leaves the timer at the next tick. Owed starts that failed
// before are retried first. An error means the delivery should be retried.
func (ev *Evaluator) TimerFired(ctx context.Context, scheduleID string, at time.Time) (Outcome, error) {
	en, err := ev.lookup(scheduleID, false)
	if err != nil || en == nil {
		return Ignored, err
	}
	defer en.mu.Unlock()
	if err := ev.lock(ctx, en); err != nil {
		return 0, err
	}
	st := en.st
	if st == nil || st.Deleted {
		return Ignored, nil
	}
	if err := ev.resolve(ctx, en); err != nil {
		return 0, err
	}
	if err := ev.drive(ctx, en); err != nil {
		return 0, err
	}
	st = en.st
	switch now := ev.now(); {
	case st.Paused:
		return Ignored, ev.arm(ctx, en)
	case ev.mut.Has(mutation.StaleDeliveriesDecide) && !st.Next.IsZero() && at.Before(st.Next):
		st.Next = at // the delivered time is taken as the tick to decide
		if err := ev.decide(ctx, en, now); err != nil {
			return 0, err
		}
	case ev.mut.Has(mutation.RedeliveryRedecides) && at.Equal(en.lastDecided) && at.Before(st.Next) && len(st.Running) > 0 &&
		(st.Config.Overlap == OverlapSkip || st.Config.Overlap == OverlapBufferOne):
		// A repeated delivery of a tick just skipped or buffered is decided
		// again (only starts were deduplicated); the next time stays.
		next := st.Next
		st.Next = at
		err := ev.decide(ctx, en, now)
		if en.st.Next.Equal(at) || en.st.Next.IsZero() {
			en.st.Next = next
		}
		if err != nil {
			return 0, err
		}
	case st.Next.IsZero() || !at.Equal(st.Due()):
		return Stale, ev.arm(ctx, en)
	case st.Due().After(now):
		return Early, ev.arm(ctx, en)
	default:
		en.lastDecided = at
		if err := ev.decide(ctx, en, now); err != nil {
			en.unsure = true
			if ev.mut.Has(mutation.FailedStartUnarms) {
				_ = ev.timers.Disarm(ctx, en.timer()) // the schedule stalls until a restart
				return Decided, nil
			}
			return 0, err
		}
	}
	return Decided, ev.arm(ctx, en)
}

// decide records the disposition of every due tick, then carries it out.
func (ev *Evaluator) decide(ctx context.Context, en *entry, now time.Time) error {
	st := en.st
	in := PlanInput{Next: st.Next, Now: now, Overlap: st.Config.Overlap, CatchUp: st.Config.CatchUp,
		Running: len(st.Running) > 0, Buffered: !st.Buffered.IsZero(), mut: ev.mut}
	// The features' inputs cost nothing to a schedule that does not use them.
	if in.Overlap == OverlapBufferAll {
		in.Queued, in.Limit = st.queued(), st.Config.Limit()
	}
	if len(st.Manual) > 0 {
		// Manual starts that wait hold buffer_one's place, and their share
		// of buffer_all's queue.
		w := st.waiting()
		in.Buffered = in.Buffered || w > 0
		in.Queued += w
	}
	if st.Config.RemainingRuns > 0 {
		in.Limited, in.Capacity = true, st.capacity()
		if ev.mut.Has(mutation.LimitCountsStartsOnly) {
			in.Capacity = st.runsLeft() // waiting ticks are not counted against the limit
		}
	}
	if ev.mut.Has(mutation.BufferAllUnbounded) {
		in.Limit = 1 << 62 // the bound is never reached
	}
	if w := st.Config.CatchUpWindow; w != nil {
		in.Window = time.Duration(*w)
	}
	if ev.mut.Has(mutation.LoneLateTickIsLate) && st.Next.Before(now) {
		in.Now = now.Add(time.Nanosecond) // every due tick, even a lone one, is late
	}
	en.grid, in.ranges = st.Grid(), en.ranges[:0]
	if ev.mut.Has(mutation.DeliveryIgnoresBounds) {
		en.grid = st.trigger.Grid(st.Reference) // the bounds were checked at create only
	}
	var plan Plan
	if st.Config.Jitter > 0 && !ev.mut.Has(mutation.CatchUpIgnoresJitter) {
		// Decided in due (jittered) times, recorded in nominal ones.
		j := st.jittered(&en.grid)
		in.Next = j.due(st.Next)
		plan = PlanDelivery(j, in)
		j.nominalPlan(&plan)
	} else {
		plan = PlanDelivery(&en.grid, in)
	}
	en.ranges = plan.Ranges[:0] // the log and the state copy what they keep
	if ev.mut.Has(mutation.IntervalFromActual) && st.trigger.IsInterval() {
		plan.Next = now.Add(st.trigger.Period()) // re-anchored at the delivery, not the tick
	}
	if !plan.Late && len(plan.Ranges) == 1 {
		// A lone tick: skip and buffer are one event; a start is made first and
		// recorded after (recovery adopts it by its deterministic workflow id).
		r := plan.Ranges[0]
		switch r.Disposition {
		case Start:
			return ev.start(ctx, en, r.From, CauseTick, plan.Next)
		case Skip:
			e := Event{Type: Skipped, Nominal: r.From, Next: plan.Next}
			if st.Config.Overlap == OverlapBufferAll && in.Queued >= in.Limit {
				e.Cause = CauseOverflow // else remaining_runs skipped it
			}
			if ev.mut.Has(mutation.SkipsNotRecorded) {
				return ev.remember(en, e)
			}
			return ev.record(ctx, en, e)
		case Buffer:
			if ev.mut.Has(mutation.BufferInMemory) {
				return ev.remember(en, Event{Type: Buffered, Nominal: r.From, Next: plan.Next})
			}
			return ev.record(ctx, en, Event{Type: Buffered, Nominal: r.From, Next: plan.Next})
		}
	}
	if err := ev.record(ctx, en, Event{Type: CatchUpDecided, Ranges: plan.Ranges, Next: plan.Next}); err != nil {
		return err
	}
	return ev.drive(ctx, en)
}

// drive carries out what the state owes: a running-set refresh if one is due,
// the owed starts oldest first, then the buffered tick if nothing runs. When an
// owed start fails the retry timer is armed.
func (ev *Evaluator) drive(ctx context.Context, en *entry) error {
	if en.refresh {
		if err := ev.refreshRunning(ctx, en); err != nil {
			return err
		}
		en.refresh = false
	}
	draining := false
	for {
		st := en.st
		if !st.Active() {
			return nil
		}
		// Waiting starts do not take the room a recorded cancel or
		// terminate made for a tick still due (State.StartPending).
		held := st.StartPending && !st.Next.IsZero() && !st.Due().After(ev.now())
		waits := len(st.Running) == 0 && !held
		var err error
		m, manual := st.nextManual()
		if manual && m.Wait && !waits {
			manual = false
		}
		switch {
		case len(st.Pending) > 0:
			t, ferr := st.firstIn(st.Pending[0], "owed starts")
			if ferr != nil {
				return ferr
			}
			err = ev.start(ctx, en, t, CauseCatchUp, time.Time{})
		case len(st.Backfill) > 0:
			err = ev.startBackfill(ctx, en)
		case manual:
			err = ev.startManual(ctx, en, m)
		case !st.Buffered.IsZero() && waits:
			err = ev.start(ctx, en, st.Buffered, CauseBuffer, time.Time{})
		case len(st.Queued) > 0 && (waits || draining) && !(st.Queued[0].Count > 1 && ev.mut.Has(mutation.QueuedRangeStalls)):
			t, ferr := st.firstIn(st.Queued[0], "ticks queued")
			if ferr != nil {
				return ferr
			}
			err = ev.start(ctx, en, t, CauseBuffer, time.Time{})
			// The mutant empties the whole queue once it may start one.
			draining = ev.mut.Has(mutation.BufferAllDrainsAtOnce)
		default:
			return nil
		}
		if err != nil {
			en.unsure = true
			if len(st.Pending) > 0 && ev.mut.Has(mutation.OwedStartWaitsForTick) ||
				len(st.Pending) == 0 && ev.mut.Has(mutation.BufferedStartWaitsForTick) {
				return ev.arm(ctx, en) // the failure is swallowed: retried at the next tick's delivery
			}
			return ev.armRetry(ctx, en, err)
		}
	}
}

// start starts the execution of the tick at nominal and records it; next is
// the schedule's new next time for a lone tick. For cancel_previous every
// running execution not yet asked is cancelled first (sent, then recorded).
func (ev *Evaluator) start(ctx context.Context, en *entry, nominal time.Time, cause string, next time.Time) error {
	req := StartRequest{WorkflowID: WorkflowID(en.id, nominal), ScheduleID: en.id, Nominal: nominal}
	if ev.mut.Has(mutation.FreshWorkflowIDs) {
		req.WorkflowID += fmt.Sprintf("#%d", ev.now().UnixNano()) // a new id per attempt
	}
	return ev.launch(ctx, en, en.st.Config.Overlap, req, Event{Type: Triggered, Nominal: nominal, Next: next, Cause: cause})
}

// startManual makes a manual start (TriggerNow, or a backfilled tick that
// waited) under its own policy.
func (ev *Evaluator) startManual(ctx context.Context, en *entry, m ManualStart) error {
	origin := m.Origin
	if origin == "" {
		origin = OriginTrigger
	}
	req := StartRequest{WorkflowID: m.workflowID(en.id), ScheduleID: en.id, Nominal: m.Nominal, Origin: origin}
	if ev.mut.Has(mutation.ManualIDFromClock) {
		// Named by the attempt's instant, not the recorded one: a retry
		// after a crash is another workflow.
		req.Nominal = ev.now()
		req.WorkflowID = ManualWorkflowID(en.id, req.Nominal)
	}
	return ev.launch(ctx, en, m.Overlap, req, Event{Type: Triggered, Nominal: m.Nominal, Cause: m.cause()})
}

// launch cancels or terminates what policy p says, starts req and records
// rec (a Triggered event) with the execution.
func (ev *Evaluator) launch(ctx context.Context, en *entry, p OverlapPolicy, req StartRequest, rec Event) error {
	st := en.st
	switch {
	case p == OverlapTerminatePrevious && !ev.mut.Has(mutation.TerminateAsCancel):
		if err := ev.terminateRunning(ctx, en); err != nil {
			return err
		}
	case p == OverlapCancelPrevious && !ev.mut.Has(mutation.CancelPreviousWithoutCancel),
		p == OverlapTerminatePrevious:
		for _, r := range st.Running {
			if r.CancelRequested {
				continue
			}
			if err := ev.engine.Cancel(ctx, r.Execution); err != nil {
				return seamErr("engine.cancel", en.id, err)
			}
			x := r.Execution
			if err := ev.record(ctx, en, Event{Type: CancelRequested, Nominal: r.Nominal, Execution: x}); err != nil {
				return err
			}
		}
	}
	req.WorkflowType, req.Input, req.SearchAttributes = st.Config.WorkflowType, st.Config.Input, st.Config.SearchAttributes
	res, err := ev.engine.Start(ctx, req)
	if err != nil {
		return seamErr("engine.start", en.id, err)
	}
	x := res.Execution
	rec.Execution = x
	if err := ev.record(ctx, en, rec); err != nil {
		return err
	}
	if res.AlreadyStarted {
		// An earlier attempt took effect; its closure notice may have come and
		// gone while the execution was unknown to us.
		return ev.closeIfDone(ctx, en, x)
	}
	return nil
}

// terminateRunning terminates every running execution, each sent then
// recorded as closed: a crash between the two leaves it in the running set,
// and recovery's describe finds it closed. Runs asked to cancel (under an
// earlier cancel_previous config) are terminated too: a cancel may take long.
func (ev *Evaluator) terminateRunning(ctx context.Context, en *entry) error {
	for len(en.st.Running) > 0 {
		r := en.st.Running[0]
		if err := ev.engine.Terminate(ctx, r.Execution); err != nil {
			return seamErr("engine.terminate", en.id, err)
		}
		e := Event{Type: ExecutionClosed, Nominal: r.Nominal, Execution: r.Execution, Cause: CauseTerminate}
		if err := ev.record(ctx, en, e); err != nil {
			return err
		}
	}
	return nil
}

// closeIfDone asks the engine about x and records its closure; on failure the
// next handler refreshes the running set.
func (ev *Evaluator) closeIfDone(ctx context.Context, en *entry, x Execution) error {
	d, err := ev.engine.Describe(ctx, x.WorkflowID)
	if err != nil {
		en.refresh = true
		return seamErr("engine.describe", en.id, err)
	}
	if d.Found && d.Closed && d.Execution == x {
		if ev.mut.Has(mutation.FailureMissedAtRecovery) {
			d.Status = 0 // only a closure notice is read for its status
		}
		return ev.recordClosed(ctx, en, x, d.Status)
	}
	return nil
}

// refreshRunning asks the engine about every running execution and records
// the closures it reports.
func (ev *Evaluator) refreshRunning(ctx context.Context, en *entry) error {
	for _, r := range append([]Running(nil), en.st.Running...) {
		if err := ev.closeIfDone(ctx, en, r.Execution); err != nil {
			return err
		}
	}
	return nil
}

// ExecutionClosed handles the engine's notice that x closed. A notice for an
// unknown or deleted schedule, or for an execution not running, changes
// nothing. When the running set empties, a buffered tick starts.
func (ev *Evaluator) ExecutionClosed(ctx context.Context, scheduleID string, x Execution, status Status) error {
	en, err := ev.lookup(scheduleID, false)
	if err != nil || en == nil {
		return err
	}
	defer en.mu.Unlock()
	if err := ev.lock(ctx, en); err != nil {
		return err
	}
	if en.st == nil || en.st.Deleted {
		return nil
	}
	if n := len(en.st.Running); ev.mut.Has(mutation.ClosureClearsNewest) && n > 0 && en.st.runningIndex(x) >= 0 {
		x = en.st.Running[n-1].Execution // the notice is taken for the newest run
	}
	paused := en.st.Paused
	if err := ev.recordClosed(ctx, en, x, status); err != nil {
		return err
	}
	if !paused && en.st.Paused || en.rearm {
		// Paused by the failure: disarmed. Should the disarm fail, the
		// notice's redelivery finds the pause recorded and must try again.
		err := ev.arm(ctx, en)
		en.rearm = err != nil
		return err
	}
	if ev.mut.Has(mutation.ClosureIgnoresBuffer) {
		return nil
	}
	// A start that reported an error may have taken effect: adopted first,
	// or the running set would look empty while it runs (and a waiting
	// start would overlap it).
	if err := ev.resolve(ctx, en); err != nil {
		return err
	}
	finished := en.st.Next.IsZero()
	if err := ev.drive(ctx, en); err != nil {
		return err
	}
	if !finished && en.st.Next.IsZero() {
		// The start just made used the last of remaining_runs: the timer,
		// armed for a tick that no longer comes, is disarmed — by the
		// notice's redelivery if the disarm fails (the start is recorded).
		err := ev.arm(ctx, en)
		en.rearm = err != nil
		return err
	}
	return nil
}

// recordClosed records that x left the running set; nothing if it is not in
// it. Under pause_on_failure a failure also pauses the schedule, in the same
// batch: its buffered, queued and owed ticks are dropped, as by Pause.
func (ev *Evaluator) recordClosed(ctx context.Context, en *entry, x Execution, status Status) error {
	st := en.st
	i := st.runningIndex(x)
	if i < 0 {
		return nil
	}
	events := []Event{{Type: ExecutionClosed, Nominal: st.Running[i].Nominal, Execution: x}}
	if status == StatusCancelled && !st.Running[i].CancelRequested {
		// Only cancel_previous cancels, right before a start: a cancel found
		// unrecorded (a crash or an error came between) is recorded as sent,
		// before the closure, and that start is still to come.
		events = append([]Event{{Type: CancelRequested, Nominal: st.Running[i].Nominal, Execution: x}}, events...)
	}
	if status == StatusTerminated {
		// Only terminate_previous terminates, right before a start: found
		// unrecorded (a crash or an error came between), it is recorded as
		// its terminate, and that start is still to come.
		events[0].Cause = CauseTerminate
	}
	if st.Config.PauseOnFailure && status.Failure() && !st.Paused {
		if !ev.mut.Has(mutation.FailurePauseKeepsBuffer) {
			events = append(events, drops(st, "", CauseFailure, ev.now())...)
		}
		events = append(events, Event{Type: Paused, Cause: CauseFailure, Nominal: st.Running[i].Nominal, Execution: x})
		if err := ev.record(ctx, en, events...); err != nil {
			en.rearm = true
			return err
		}
		return nil
	}
	return ev.record(ctx, en, events...)
}

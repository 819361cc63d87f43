package evaluator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/internal/mutation"
)

// Recover rebuilds the evaluator's state from the log and brings every
// schedule, in id order, back to a state the durable world agrees with:
// adopt in-flight starts (the owed tick, the buffered tick, the next tick,
// found by their deterministic workflow ids), refresh the running set,
// re-send recorded cancels, perform owed starts then a buffered tick, and arm
// exactly one timer per active schedule at its next tick, even a past one, so
// that due ticks are decided by that delivery and never by recovery.
//
// One schedule's failure does not stop the others; the errors are joined and
// Recover may be called again. It replaces all in-memory state; operations
// wait while it runs.
func (ev *Evaluator) Recover(ctx context.Context) error {
	// Holding ev.mu keeps new operations out; taking each old entry's lock
	// waits for those in flight, so the log read below sees all they wrote.
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, en := range ev.schedules {
		en.mu.Lock()
		en.broken = fmt.Errorf("%w: superseded by Recover", ErrNotRecovered)
		en.mu.Unlock()
	}
	ev.schedules, ev.recovered = map[string]*entry{}, false
	snap, events, err := ev.log.Read(ctx)
	if err != nil {
		return seamErr("log.read", "", err)
	}
	states, broken := project(snap, events)
	ev.recovered = true
	var errs []error
	if ev.mut.Has(mutation.RecoveryInMapOrder) {
		byID := map[string]*State{}
		for _, st := range states {
			byID[st.ID] = st
		}
		states = states[:0]
		for _, st := range byID {
			states = append(states, st)
		}
	}
	for _, st := range states { // sorted by id
		en := &entry{id: st.ID, st: st}
		ev.schedules[st.ID] = en
		en.mu.Lock()
		if err := ev.recoverOne(ctx, en); err != nil {
			errs = append(errs, err)
		}
		en.mu.Unlock()
	}
	ids := make([]string, 0, len(broken))
	for id := range broken {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		ev.schedules[id] = &entry{id: id, broken: broken[id]}
		errs = append(errs, broken[id])
	}
	return errors.Join(errs...)
}

func (ev *Evaluator) recoverOne(ctx context.Context, en *entry) error {
	if en.st.Deleted {
		return ev.arm(ctx, en) // disarm
	}
	if err := ev.adopt(ctx, en); err != nil {
		return err
	}
	if err := ev.refreshRunning(ctx, en); err != nil {
		return err
	}
	if ev.mut.Has(mutation.RecoveryClearsRunning) {
		en.st.Running = nil
	}
	if ev.mut.Has(mutation.BackfillLostAtRecovery) && len(en.st.Backfill) > 0 {
		en.st.Backfill = nil // forgotten until the log is read again
	}
	for _, r := range en.st.Running {
		if r.CancelRequested {
			if err := ev.engine.Cancel(ctx, r.Execution); err != nil {
				return seamErr("engine.cancel", en.id, err)
			}
		}
	}
	if err := ev.drive(ctx, en); err != nil {
		return err
	}
	return ev.arm(ctx, en)
}

// resolve adopts a start that reported failure but may have happened, before
// anything decides again (the redelivery of its tick may find more ticks due
// and decide differently) or drops or re-anchors its tick (an operation).
// Either would otherwise forget a running execution (S1).
func (ev *Evaluator) resolve(ctx context.Context, en *entry) error {
	if !en.unsure {
		return nil
	}
	if err := ev.adopt(ctx, en); err != nil {
		return err
	}
	// An adopted execution may have closed meanwhile: the next drive asks.
	en.unsure, en.refresh = false, true
	return nil
}

// adopt records the starts that took effect before a crash but were not
// recorded: only the first owed tick, the buffered tick (or buffer_all's
// oldest queued one), the next tick and a manual start can be such, because
// every start is recorded before the next one is made.
func (ev *Evaluator) adopt(ctx context.Context, en *entry) error {
	if ev.mut.Has(mutation.NeverAdopts) {
		return nil
	}
	st := en.st
	type candidate struct {
		nominal time.Time
		cause   string
		next    func() time.Time
	}
	var cands []candidate
	if len(st.Pending) > 0 {
		if t, err := st.firstIn(st.Pending[0], "owed starts"); err == nil {
			cands = append(cands, candidate{nominal: t, cause: CauseCatchUp})
		}
	}
	if !st.Buffered.IsZero() {
		cands = append(cands, candidate{nominal: st.Buffered, cause: CauseBuffer})
	}
	if len(st.Queued) > 0 {
		if t, err := st.firstIn(st.Queued[0], "ticks queued"); err == nil {
			cands = append(cands, candidate{nominal: t, cause: CauseBuffer})
		}
	}
	if st.Active() && !st.Next.IsZero() {
		n := st.Next
		cands = append(cands, candidate{nominal: n, cause: CauseAdopt, next: func() time.Time { return st.Grid().Next(n) }})
	}
	if len(st.Backfill) > 0 {
		g := st.backfillGrid(st.BackfillAnchor)
		if t := g.Next(st.Backfill[0].From.Add(-time.Nanosecond)); !t.IsZero() && t.Before(st.Backfill[0].Until) {
			cands = append(cands, candidate{nominal: t, cause: CauseBackfill})
		}
	}
	for _, m := range st.Manual {
		cands = append(cands, candidate{nominal: m.Nominal, cause: m.cause()})
	}
	for _, c := range cands {
		id := WorkflowID(en.id, c.nominal)
		switch c.cause {
		case CauseTrigger:
			id = ManualWorkflowID(en.id, c.nominal)
		case CauseBackfill:
			id = BackfillWorkflowID(en.id, c.nominal)
		}
		d, err := ev.engine.Describe(ctx, id)
		if err != nil {
			return seamErr("engine.describe", en.id, err)
		}
		if !d.Found {
			continue
		}
		e := Event{Type: Triggered, Nominal: c.nominal, Cause: c.cause, Execution: d.Execution}
		if c.next != nil {
			e.Next = c.next()
		}
		if err := ev.record(ctx, en, e); err != nil {
			return err
		}
	}
	return nil
}

// Compact writes a snapshot of every schedule's state, so that the next
// recovery reads the snapshot and the events after it rather than the whole
// history. Schedules whose log is broken are left out of the snapshot's states
// but keep their events; compaction then fails rather than lose them.
func (ev *Evaluator) Compact(ctx context.Context) error {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if !ev.recovered {
		return ErrNotRecovered
	}
	ids := make([]string, 0, len(ev.schedules))
	for id := range ev.schedules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	snap := &Snapshot{States: make([]*State, 0, len(ids))}
	for _, id := range ids {
		en := ev.schedules[id]
		if err := ev.lock(ctx, en); err != nil {
			en.mu.Unlock()
			return err
		}
		if en.st != nil {
			snap.States = append(snap.States, en.st.Clone())
		}
		defer en.mu.Unlock()
	}
	return seamErr("log.snapshot", "", ev.log.WriteSnapshot(ctx, snap))
}

// Description is what Get and List report of a schedule.
type Description struct {
	ID     string `json:"id"`
	Config Config `json:"config"`
	Paused bool   `json:"paused"`
	// Upcoming holds the next nominal times, Next first (as many as asked).
	Upcoming []time.Time `json:"upcoming"`
	Running  []Running   `json:"running"`
	Buffered time.Time   `json:"buffered,omitzero"`
	Queued   []TickRange `json:"queued,omitempty"` // buffer_all's waiting ticks, oldest first
	Owed     []TickRange `json:"owed,omitempty"`
	// Backfill are a backfill's owed starts (its waiting ones are in Manual).
	Backfill []TickRange `json:"backfill,omitempty"`
	// Manual are the manual starts (TriggerNow) owed or waiting, oldest first.
	Manual        []ManualStart `json:"manual,omitempty"`
	LastTriggered time.Time     `json:"last_triggered,omitzero"`
	Counters      Counters      `json:"counters"`
	// Finished: the trigger has no tick left (past end_at, or a cron whose
	// dates ran out); the schedule stays until deleted.
	Finished bool `json:"finished,omitempty"`
	// NextAt is when the next tick is decided, under jitter: its nominal
	// time (Upcoming[0]) plus its delay. Zero without jitter.
	NextAt time.Time `json:"next_at,omitzero"`
}

// MaxUpcoming caps the number of upcoming times Get and List report.
const MaxUpcoming = 1000

func describe(st *State, upcoming int) Description {
	upcoming = min(upcoming, MaxUpcoming)
	d := Description{ID: st.ID, Config: st.Config, Paused: st.Paused, Running: slices.Clone(st.Running),
		Buffered: st.Buffered, Queued: slices.Clone(st.Queued), Owed: slices.Clone(st.Pending), Backfill: slices.Clone(st.Backfill), Manual: slices.Clone(st.Manual), LastTriggered: st.LastTriggered, Counters: st.Counters,
		Finished: st.Next.IsZero()}
	if st.Config.Jitter > 0 {
		d.NextAt = st.Due()
	}
	g := st.Grid()
	for t := st.Next; !t.IsZero() && len(d.Upcoming) < upcoming; t = g.Next(t) {
		d.Upcoming = append(d.Upcoming, t)
	}
	return d
}

// Get describes a schedule with its next `upcoming` nominal times (at most MaxUpcoming).
func (ev *Evaluator) Get(ctx context.Context, scheduleID string, upcoming int) (Description, error) {
	en, err := ev.lookup(scheduleID, false)
	if err != nil {
		return Description{}, err
	}
	if en == nil {
		return Description{}, fmt.Errorf("%w: %q", ErrNotFound, scheduleID)
	}
	defer en.mu.Unlock()
	if err := ev.lock(ctx, en); err != nil {
		return Description{}, err
	}
	if en.st == nil || en.st.Deleted {
		return Description{}, fmt.Errorf("%w: %q", ErrNotFound, scheduleID)
	}
	return describe(en.st, upcoming), nil
}

// List describes every schedule that is not deleted, sorted by id.
func (ev *Evaluator) List(ctx context.Context, upcoming int) ([]Description, error) {
	ev.mu.Lock()
	if !ev.recovered {
		ev.mu.Unlock()
		return nil, ErrNotRecovered
	}
	ens := make([]*entry, 0, len(ev.schedules))
	for _, en := range ev.schedules {
		ens = append(ens, en)
	}
	ev.mu.Unlock()
	slices.SortFunc(ens, func(a, b *entry) int { return strings.Compare(a.id, b.id) })
	var out []Description
	for _, en := range ens {
		err := ev.lock(ctx, en)
		if err == nil && en.st != nil && !en.st.Deleted {
			out = append(out, describe(en.st, upcoming))
		}
		en.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// State returns a copy of a schedule's live state (deleted ones included), for
// checkers that compare it with a projection of the log.
func (ev *Evaluator) State(scheduleID string) (*State, bool) {
	ev.mu.Lock()
	en := ev.schedules[scheduleID]
	ev.mu.Unlock()
	if en == nil {
		return nil, false
	}
	en.mu.Lock()
	defer en.mu.Unlock()
	if en.st == nil {
		return nil, false
	}
	return en.st.Clone(), true
}

// Project folds a log with this evaluator's projection (the package's
// Project), so that a checker comparing the live state with the log calls
// the process it judges rather than this package.
func (ev *Evaluator) Project(events []Event) ([]*State, error) { return Project(nil, events) }

package evaluator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/internal/mutation"
)

// DefaultRetryDelay is how long after a failed owed start the retry timer fires.
const DefaultRetryDelay = 10 * time.Second

// Options are the evaluator's seams. Clock, Timers, Engine and Log are required.
type Options struct {
	Clock  clockwork.Clock
	Timers TimerStore
	Engine Engine
	Log    EventLog
	// RetryDelay is the delay of the retry timer armed after a failed owed start
	// (DefaultRetryDelay when zero).
	RetryDelay time.Duration
	// Mutations turns deliberate defects on, for schedsim's mutant suite only
	// (see package mutants); leave it zero.
	Mutations mutation.Set
}

// Evaluator is the reference schedule evaluator. It is safe for concurrent use;
// the operations on one schedule are serialised. A process must call Recover
// before anything else; the state it keeps in memory is a cache of the log.
type Evaluator struct {
	clock      clockwork.Clock
	timers     TimerStore
	engine     Engine
	log        EventLog
	retryDelay time.Duration
	mut        mutation.Set

	mu        sync.Mutex // guards schedules and recovered
	schedules map[string]*entry
	recovered bool
}

// entry is one schedule's live state and the volatile flags beside it.
type entry struct {
	mu sync.Mutex
	id string
	st *State // nil: the schedule does not exist (yet)
	// stale: an append failed and may have been durable; reload before deciding.
	stale bool
	// refresh: an adopted execution may have closed unseen; ask the engine.
	refresh bool
	// unsure: a start failed, and may have taken effect all the same; an
	// operation must adopt it before it drops or re-anchors anything.
	unsure bool
	// rearm: a pause_on_failure batch failed to append (it may be durable),
	// or the disarm after a failure pause or after the last of
	// remaining_runs failed: the next closure notice puts the timer where
	// the state says.
	rearm bool
	// broken: the schedule's log does not project; every operation reports it.
	broken error
	// buf is reused for every batch appended (EventLog.Append does not retain it).
	buf []Event
	// lastDecided is the tick the last delivery decided (for a mutant only).
	lastDecided time.Time
	// Reused at every delivery so that a steady tick allocates only its
	// workflow id: the timer id, the plan's ranges, the grid (boxed once).
	timerID string
	ranges  []TickRange
	grid    Grid
}

// timer returns the schedule's timer id, built once.
func (en *entry) timer() string {
	if en.timerID == "" {
		en.timerID = TimerID(en.id)
	}
	return en.timerID
}

// New returns an evaluator over the given seams.
func New(o Options) (*Evaluator, error) {
	switch {
	case o.Clock == nil:
		return nil, fmt.Errorf("%w: options: Clock is nil", ErrInvalidRequest)
	case o.Timers == nil:
		return nil, fmt.Errorf("%w: options: Timers is nil", ErrInvalidRequest)
	case o.Engine == nil:
		return nil, fmt.Errorf("%w: options: Engine is nil", ErrInvalidRequest)
	case o.Log == nil:
		return nil, fmt.Errorf("%w: options: Log is nil", ErrInvalidRequest)
	case o.RetryDelay < 0:
		return nil, fmt.Errorf("%w: options: RetryDelay is negative", ErrInvalidRequest)
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	return &Evaluator{clock: o.Clock, timers: o.Timers, engine: o.Engine, log: o.Log,
		retryDelay: o.RetryDelay, mut: o.Mutations, schedules: map[string]*entry{}}, nil
}

func (ev *Evaluator) now() time.Time { return ev.clock.Now().UTC() }

// lookup returns the entry of id, creating an empty one if create is set; nil
// if there is none.
func (ev *Evaluator) lookup(id string, create bool) (*entry, error) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if !ev.recovered {
		return nil, ErrNotRecovered
	}
	en := ev.schedules[id]
	if en == nil && create {
		en = &entry{id: id}
		ev.schedules[id] = en
	}
	return en, nil
}

// lock locks en and brings it up to date with the log if an append failed.
func (ev *Evaluator) lock(ctx context.Context, en *entry) error {
	en.mu.Lock()
	if en.broken != nil {
		return en.broken
	}
	if en.stale {
		if err := ev.reload(ctx, en); err != nil {
			return err
		}
	}
	return nil
}

// reload replaces en's state by the projection of the log.
func (ev *Evaluator) reload(ctx context.Context, en *entry) error {
	snap, events, err := ev.log.Read(ctx)
	if err != nil {
		return seamErr("log.read", en.id, err)
	}
	states, broken := project(snap, events)
	if err := broken[en.id]; err != nil {
		en.broken = err
		return err
	}
	en.st, en.stale = nil, false
	if i, ok := slices.BinarySearchFunc(states, en.id, func(s *State, id string) int { return strings.Compare(s.ID, id) }); ok {
		en.st = states[i]
	}
	return nil
}

// record appends events as one batch and, once durable, applies them. On an
// append error the entry is marked stale: the batch may have been written.
func (ev *Evaluator) record(ctx context.Context, en *entry, events ...Event) error {
	if len(events) == 0 {
		return nil
	}
	st := en.st
	if st == nil {
		st = &State{ID: en.id}
	}
	at := ev.now()
	// The batch goes through en.buf so that callers' events stay on the stack.
	batch := append(en.buf[:0], events...)
	for i := range batch {
		batch[i].Seq = st.Version + uint64(i) + 1
		batch[i].ScheduleID = en.id
		batch[i].At = at
	}
	en.buf = batch[:0]
	if err := ev.log.Append(ctx, batch); err != nil {
		en.stale = true
		return seamErr("log.append", en.id, err)
	}
	// Applied in place: a failure is a bug (the log holds what we cannot
	// apply), and the reload that stale forces replaces the state anyway.
	en.st = st
	for i := range batch {
		if err := st.applyEvent(&batch[i]); err != nil {
			en.stale = true
			return err
		}
	}
	return nil
}

// remember changes the live state as if events were recorded, without
// recording them: only mutants do this.
func (ev *Evaluator) remember(en *entry, events ...Event) error {
	for _, e := range events {
		e.ScheduleID, e.At = en.id, ev.now()
		if err := en.st.apply(&e); err != nil {
			return err
		}
	}
	return nil
}

// arm puts the schedule's one timer where its state says: at Next when active,
// nowhere otherwise.
func (ev *Evaluator) arm(ctx context.Context, en *entry) error {
	st := en.st
	if st == nil || !st.Active() || st.Next.IsZero() {
		if ev.mut.Has(mutation.TimersStayArmed) && st != nil && !st.Next.IsZero() {
			return nil
		}
		return seamErr("timers.disarm", en.id, ev.timers.Disarm(ctx, en.timer()))
	}
	return ev.armAt(ctx, en, st.Due())
}

func (ev *Evaluator) armAt(ctx context.Context, en *entry, at time.Time) error {
	return seamErr("timers.arm", en.id, ev.timers.Arm(ctx, Timer{ID: en.timer(), ScheduleID: en.id, At: at}))
}

// armRetry arms the timer at now+RetryDelay (or at Next, if that is sooner
// but not yet due) so that an owed start that failed is retried even if
// nothing else happens, and not in a tight loop.
func (ev *Evaluator) armRetry(ctx context.Context, en *entry, cause error) error {
	now := ev.now()
	at := now.Add(ev.retryDelay)
	// A next tick that is already due waits for the retry: the owed start goes first.
	if st := en.st; st != nil && st.Due().After(now) && st.Due().Before(at) {
		at = st.Due()
	}
	return errors.Join(cause, ev.armAt(ctx, en, at))
}

package inproc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing/synctest"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Scheduler is an in-process scheduler as an adapter wraps it. Its methods
// are called on the world's goroutine, inside the bubble.
type Scheduler interface {
	// Check refuses a config the scheduler cannot parse or run, without
	// registering anything.
	Check(c evaluator.Config) error
	// Add registers a schedule whose config the profile supports; the
	// scheduler calls job at each run, on a goroutine of its own. An error
	// refuses the config (the scheduler cannot parse or run it).
	Add(id string, c evaluator.Config, job func()) error
	// Remove unregisters a schedule.
	Remove(id string) error
	// Next is the schedule's next run as the scheduler's API reports it
	// (zero: none): what the process describes, right or wrong.
	Next(id string) time.Time
	// Upcoming is the schedule's first run after now, however the adapter
	// finds it (zero: none): where the process arms the world's timer, so that
	// the world calls it when the scheduler will act.
	Upcoming(id string) time.Time
	// Stop stops the scheduler; no job is in its function any more.
	Stop()
}

// NewScheduler creates and starts a scheduler, inside the bubble.
type NewScheduler func() (Scheduler, error)

// ErrUnsupported is wrapped by the refusal of a config the profile does not
// support (a policy the scheduler does not offer).
var ErrUnsupported = errors.New("not supported by the scheduler")

// Factory returns the factory of processes wrapping the schedulers newSched
// creates, in the profile's dialect. Each world it serves keeps the
// application's configuration in the world's durable log.
func Factory(prof profile.Profile, newSched NewScheduler) sim.Factory {
	return func(s sim.Seams) (sim.Process, error) {
		if now := time.Now(); now.After(s.Clock.Now()) {
			return nil, fmt.Errorf("%w: inproc: the bubble's clock (%s) is past the world's (%s): run each world in a bubble of its own, starting after 2000-01-01",
				sim.ErrFatal, now.UTC().Format(time.RFC3339Nano), s.Clock.Now().UTC().Format(time.RFC3339Nano))
		}
		sched, err := newSched()
		if err != nil {
			return nil, err
		}
		return &Process{prof: prof, seams: s, sched: sched, app: map[string]*appSched{}, running: map[string]*job{},
			dead: make(chan struct{}), pending: map[string]time.Time{}}, nil
	}
}

// appSched is a schedule as the application's configuration holds it.
type appSched struct {
	cfg             evaluator.Config
	paused, deleted bool
	seq             uint64
	lastRequest     string
	lastType        evaluator.EventType // of the last request
}

// job is an execution a job of this incarnation started and waits on.
type job struct {
	scheduleID string
	nominal    time.Time
	exec       evaluator.Execution
	done       chan struct{}
}

// startReq is a job's request to start its execution.
type startReq struct {
	scheduleID string
	nominal    time.Time
	reply      chan *job // nil: the start failed
}

// Process is one incarnation of an application running an in-process
// scheduler. It implements sim.Process and sim.Killer.
type Process struct {
	prof    profile.Profile
	seams   sim.Seams
	sched   Scheduler
	app     map[string]*appSched
	booted  bool
	running map[string]*job      // by workflow id
	pending map[string]time.Time // registrations due at an instant
	dead    chan struct{}        // closed when the incarnation dies

	mu   sync.Mutex // guards reqs, which jobs append to
	reqs []*startReq
}

var _ sim.Killer = (*Process)(nil)

func (p *Process) now() time.Time { return p.seams.Clock.Now() }

// sleepTo moves the bubble's clock to t (never back) and lets the scheduler
// settle: its timers on the way fire at their own instants.
func (p *Process) sleepTo(t time.Time) {
	if d := t.Sub(time.Now()); d > 0 {
		time.Sleep(d)
	}
	p.settle()
}

// before moves the bubble to just before the world's instant: everything the
// scheduler does earlier is done, its ticks at the instant are not.
func (p *Process) before() { p.sleepTo(p.now().Add(-time.Nanosecond)) }

// at moves the bubble to the world's instant (its ticks fire), then makes the
// registrations due by then.
func (p *Process) at(ctx context.Context) error {
	p.sleepTo(p.now())
	var errs []error
	for _, id := range sortedKeys(p.pending) {
		if p.pending[id].After(p.now()) {
			continue
		}
		delete(p.pending, id)
		if s := p.app[id]; s != nil && !s.paused && !s.deleted {
			errs = append(errs, p.sched.Add(id, s.cfg, p.jobFunc(id)))
		}
	}
	p.settle()
	return errors.Join(errs...)
}

// settle waits for the scheduler's goroutines to block, and starts the
// executions its jobs asked for, until none asks.
func (p *Process) settle() {
	for {
		synctest.Wait()
		p.mu.Lock()
		reqs := p.reqs
		p.reqs = nil
		p.mu.Unlock()
		if len(reqs) == 0 {
			return
		}
		// Jobs that ran at one instant asked in goroutine order: start them
		// in a fixed one.
		slices.SortFunc(reqs, func(a, b *startReq) int {
			return cmp.Or(a.nominal.Compare(b.nominal), cmp.Compare(a.scheduleID, b.scheduleID))
		})
		for _, r := range reqs {
			if r.nominal.Equal(p.now().Add(-time.Nanosecond)) {
				// Released just before the instant (a closure let a waiting
				// run go): it starts at the instant, and is named by it.
				r.nominal = p.now()
			}
			r.reply <- p.start(r)
		}
	}
}

// start makes the seam call of a job's run on the world's goroutine.
func (p *Process) start(r *startReq) *job {
	s := p.app[r.scheduleID]
	if s == nil {
		return nil
	}
	ctx := context.Background()
	res, err := p.seams.Engine.Start(ctx, evaluator.StartRequest{WorkflowID: evaluator.WorkflowID(r.scheduleID, r.nominal),
		ScheduleID: r.scheduleID, Nominal: r.nominal, WorkflowType: s.cfg.WorkflowType, Input: s.cfg.Input, SearchAttributes: s.cfg.SearchAttributes})
	if err != nil {
		return nil
	}
	j := &job{scheduleID: r.scheduleID, nominal: r.nominal, exec: res.Execution, done: make(chan struct{})}
	if res.AlreadyStarted {
		if info, err := p.seams.Engine.Describe(ctx, res.Execution.WorkflowID); err != nil || info.Closed {
			close(j.done) // nothing runs: the job returns at once
			return j
		}
	}
	p.running[res.Execution.WorkflowID] = j
	return j
}

// jobFunc is what the scheduler runs for a schedule: start an execution named
// by the instant, and wait until it closes (or the incarnation dies).
func (p *Process) jobFunc(id string) func() {
	return func() {
		r := &startReq{scheduleID: id, nominal: time.Now().UTC(), reply: make(chan *job, 1)}
		p.mu.Lock()
		p.reqs = append(p.reqs, r)
		p.mu.Unlock()
		var j *job
		select {
		case j = <-r.reply:
		case <-p.dead:
			return
		}
		if j == nil {
			return
		}
		select {
		case <-j.done:
		case <-p.dead:
		}
	}
}

// Kill is the crash: the jobs return, the scheduler stops, the executions go
// on. The jobs return first, and the scheduler settles (a queue of waiting
// runs drains, each returning at once) before it is stopped: a real crash
// ends every goroutine, but stopping a scheduler with runs still queued can
// leave its goroutines blocked for ever (gocron-3 in docs/findings.md), which
// would outlive the simulated world.
func (p *Process) Kill() {
	select {
	case <-p.dead:
		return
	default:
	}
	close(p.dead)
	synctest.Wait()
	p.sched.Stop()
	synctest.Wait()
}

// arm puts each schedule's world timer at its next run, or at a pending
// registration, or disarms it.
func (p *Process) arm(ctx context.Context) error {
	if bubble := time.Now(); bubble.After(p.now()) {
		// The bubble's clock moved on its own: some goroutine of the
		// scheduler waited on a timer (a time-out) while nothing else could
		// run. What the scheduler did since happened at instants the world
		// never had: no verdict can follow.
		return fmt.Errorf("%w: inproc: the scheduler's clock ran ahead of the world's (%s after %s)", sim.ErrFatal,
			bubble.UTC().Format(time.RFC3339Nano), p.now().UTC().Format(time.RFC3339Nano))
	}
	var errs []error
	for _, id := range sortedKeys(p.app) {
		s := p.app[id]
		at, ok := p.pending[id]
		if !ok && !s.paused && !s.deleted {
			at = p.sched.Upcoming(id)
		}
		if s.paused || s.deleted || at.IsZero() || at.Before(p.now()) {
			errs = append(errs, p.seams.Timers.Disarm(ctx, id))
			continue
		}
		errs = append(errs, p.seams.Timers.Arm(ctx, evaluator.Timer{ID: id, ScheduleID: id, At: at}))
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (p *Process) record(ctx context.Context, id, requestID string, t evaluator.EventType, c *evaluator.Config) error {
	s := p.app[id]
	e := evaluator.Event{Seq: s.seq + 1, Type: t, ScheduleID: id, RequestID: requestID, At: p.now(), Config: c}
	if err := p.seams.Log.Append(ctx, []evaluator.Event{e}); err != nil {
		return fmt.Errorf("inproc: record %s: %w", t, err)
	}
	s.seq, s.lastRequest, s.lastType = e.Seq, requestID, t
	return nil
}

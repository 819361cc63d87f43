package invariants

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants/ticks"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// The reference model (M1): a small simulation of the semantics (docs/semantics.md) that
// predicts the executions of a world from its config alone. It shares no code
// with the evaluator (ticks come from invariants/ticks, config rules from
// config.go); it has no log, no seams and no recovery, because an ideal
// scheduler needs none: it just stops while the process is down.

// ErrUnsupported is returned for a world the model cannot predict exactly:
// seam errors and crashes with downtime at seam calls (whose timing depends on
// the implementation's calls), and seeded fault rates. Crashes with zero
// downtime at seam calls are in scope: by R2 they change nothing.
var ErrUnsupported = errors.New("the reference model cannot predict this world")

// maxModelTicks bounds the late ticks one decision starts (catch-up all
// with cancel_previous or allow_all starts each).
const maxModelTicks = 1_000_000

// Predicted is an execution start or a cancel the model predicts.
type Predicted struct {
	ScheduleID string
	Nominal    time.Time
	At         time.Time
	Manual     bool   // a manual start (TriggerNow) or a backfilled tick, not a tick's own
	Origin     string // for those: trigger or backfill
}

func (p Predicted) String() string {
	if p.Origin != "" {
		return fmt.Sprintf("%s @%s#%s at %s", p.ScheduleID, stamp(p.Nominal), p.Origin, stamp(p.At))
	}
	return fmt.Sprintf("%s @%s at %s", p.ScheduleID, stamp(p.Nominal), stamp(p.At))
}

// Prediction is what the model expects a world to do up to a time.
type Prediction struct {
	Starts  []Predicted // in start order
	Cancels []Predicted // in order asked
	// Terminates are the executions terminate_previous terminates, in order
	// (each closes at once).
	Terminates []Predicted
	// catchUps are, per schedule, the spans of ticks decided late (at a
	// delivery that found several due, or after a restart): a difference
	// there is a C2 violation.
	catchUps map[string][]lateSpan
}

// lateSpan is the ticks in [from, until) decided late.
type lateSpan struct{ from, until time.Time }

// CatchUp reports whether the model decided the schedule's tick t late (at a
// delivery that found several due, or at a restart).
func (p Prediction) CatchUp(id string, t time.Time) bool {
	return slices.ContainsFunc(p.catchUps[id], func(s lateSpan) bool { return !t.Before(s.from) && t.Before(s.until) })
}

type mRun struct {
	seq              int // creation order
	sched, key       string
	nominal          time.Time
	closesAt         time.Time // zero: never by itself
	cancelled        bool
	cancelAt         time.Time
	closed, notified bool
	closedAt         time.Time
	manual           bool // a TriggerNow start
	// fails: it fails if it ends by itself (sim.Config.Fails); failed: a
	// scripted fail closed it.
	fails, failed bool
}

// failure reports whether r ended failed: closed by a scripted fail, or by
// itself when it fails (a cancelled run ends cancelled).
func (r *mRun) failure() bool { return r.failed || r.fails && !r.cancelled }

type mSched struct {
	id              string
	cfg             evaluator.Config
	grid            ticks.Grid
	paused, deleted bool
	next, buffered  time.Time
	queued          []time.Time // buffer_all's ticks waiting, oldest first
	used            int         // starts under the config in force (remaining_runs)
	running         []*mRun
	lastRequest     string // of the last operation that recorded something
	restartedAt     time.Time
	manual          []mManual      // manual starts waiting, oldest first
	backfillGrid    ticks.Grid     // the trigger's ticks a backfill reads
	backfilled      [][2]time.Time // the ranges of past backfills [first tick, end)
	lastManual      time.Time
}

type model struct {
	cfg    sim.Config
	prof   profile.Profile
	now    time.Time
	down   bool
	upAt   time.Time
	scheds map[string]*mSched
	ids    []string // sorted
	nruns  int
	open   map[string]*mRun // open executions by tick key
	// closing holds the open executions with a closing time, the earliest
	// first; closed holds those closed but not yet noticed.
	closing timeHeap[*mRun]
	closed  []*mRun
	// due holds the schedules' next deliveries, the earliest first; an
	// entry whose time is no longer the schedule's is skipped.
	due    timeHeap[string]
	ops    []sim.Op
	acts   []sim.Action
	faults []sim.Fault
	fired  []bool
	out    Prediction
	err    error // a configuration the model does not know
}

// withoutSeamFaults returns cfg without its seam errors and crashes with
// downtime at seam calls, and whether it had any: up to the first of them
// that fires, a world runs as if it had none.
func withoutSeamFaults(cfg sim.Config) (sim.Config, bool) {
	seam := func(f sim.Fault) bool {
		return f.Kind == sim.Error || f.Kind == sim.Crash && (f.Call != "" || f.Nth > 0) && f.Downtime > 0
	}
	if !slices.ContainsFunc(cfg.Plan.Faults, seam) {
		return cfg, false
	}
	cfg.Plan.Faults = slices.DeleteFunc(slices.Clone(cfg.Plan.Faults), seam)
	return cfg, true
}

// Predict runs the model of cfg up to until, in schedsim's dialect.
func Predict(cfg sim.Config, until time.Time) (Prediction, error) {
	return PredictIn(profile.Schedsim(), cfg, until)
}

// PredictIn runs the model of cfg up to until in a profile's dialect: its
// interval anchor, and for a scheduler without durability a restart that
// registers every active schedule again (re-anchored, nothing running,
// nothing buffered).
func PredictIn(prof profile.Profile, cfg sim.Config, until time.Time) (Prediction, error) {
	if cfg.Start.IsZero() {
		cfg.Start = sim.DefaultStart
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 10 * time.Second
	}
	r := cfg.Plan.Rates
	if r.Crash > 0 || r.Error > 0 || r.Late > 0 || r.Duplicate > 0 {
		return Prediction{}, fmt.Errorf("%w: seeded fault rates", ErrUnsupported)
	}
	m := &model{cfg: cfg, prof: prof, now: cfg.Start.UTC(), down: true, upAt: cfg.Start.UTC(), scheds: map[string]*mSched{}, open: map[string]*mRun{},
		out: Prediction{catchUps: map[string][]lateSpan{}}}
	for _, f := range cfg.Plan.Faults {
		switch f.Kind {
		case sim.Error:
			return Prediction{}, fmt.Errorf("%w: seam error %s", ErrUnsupported, f.Call)
		case sim.Crash:
			if f.Call != "" || f.Nth > 0 {
				if f.Downtime > 0 {
					return Prediction{}, fmt.Errorf("%w: crash with downtime at %s", ErrUnsupported, f.Call)
				}
				continue // transparent (R2)
			}
		case sim.Late, sim.Jump:
		case sim.DuplicateDelivery, sim.DuplicateNotice:
			continue // a repeated delivery or notice changes nothing
		default:
			return Prediction{}, fmt.Errorf("%w: the model does not know the fault kind %s", ErrUnsupported, f.Kind)
		}
		m.faults = append(m.faults, f)
	}
	m.fired = make([]bool, len(m.faults))
	m.ops = slices.Clone(cfg.Ops)
	slices.SortStableFunc(m.ops, func(a, b sim.Op) int { return a.At.Compare(b.At) })
	m.acts = slices.Clone(cfg.Actions)
	slices.SortStableFunc(m.acts, func(a, b sim.Action) int { return a.At.Compare(b.At) })
	for {
		if err := m.instant(); err != nil {
			return Prediction{}, err
		}
		if !m.now.Before(until) {
			return m.out, nil
		}
		m.now = m.nextInstant(until)
	}
}

func key(id string, t time.Time) string { return workflowID(id, t) }

// instant handles everything due now, in the order of docs/semantics.md, until it settles.
func (m *model) instant() error {
	for pass := 0; pass < 10_000; pass++ {
		if m.down {
			m.closeDue()
			if m.now.Before(m.upAt) {
				return nil
			}
			m.restart()
			continue
		}
		if m.crashNow() {
			continue
		}
		m.closeDue()
		changed := m.notices()
		changed = m.applyOps() || changed
		more, err := m.deliver()
		if err != nil {
			return err
		}
		if !changed && !more {
			return nil
		}
	}
	return fmt.Errorf("%w: the instant %s does not settle", ErrUnsupported, stamp(m.now))
}

func (m *model) crashNow() bool {
	for i, f := range m.faults {
		if f.Kind == sim.Crash && !m.fired[i] && !f.At.After(m.now) {
			m.fired[i] = true
			m.down, m.upAt = true, m.now.Add(f.Downtime)
			return true
		}
	}
	return false
}

// restart is recovery: forget closed executions, start a buffered tick whose
// running set emptied, and deliver past-due timers right after. Without
// durability it is the application registering its schedules again.
func (m *model) restart() {
	m.down = false
	for _, id := range m.ids {
		s := m.scheds[id]
		if m.prof.Durability == profile.DurabilityNone {
			s.running, s.buffered, s.queued = nil, time.Time{}, nil
			if !s.paused && !s.deleted && m.configure(s, s.cfg) {
				m.schedule(s)
			}
			continue
		}
		s.running = slices.DeleteFunc(s.running, func(r *mRun) bool {
			if r.closed {
				r.notified = true
				if r.failure() && s.cfg.PauseOnFailure && !s.paused && !s.deleted {
					// Recovery reads how it ended from the engine.
					s.paused, s.buffered, s.queued = true, time.Time{}, nil
				}
			}
			return r.closed
		})
		s.restartedAt = m.now
		m.startWaiting(s)
	}
}

// closeDue closes executions whose time came, and applies scripted actions.
func (m *model) closeDue() {
	for len(m.acts) > 0 && !m.acts[0].At.After(m.now) {
		a := m.acts[0]
		m.acts = m.acts[1:]
		r := m.open[key(a.ScheduleID, a.Nominal)]
		if r == nil {
			continue
		}
		switch a.Kind {
		case sim.ActSlow:
			r.closesAt = time.Time{}
			if a.For > 0 {
				r.closesAt = m.now.Add(a.For)
			}
			if r.cancelled {
				if c := r.cancelAt.Add(m.cfg.CancelDelay); r.closesAt.IsZero() || c.Before(r.closesAt) {
					r.closesAt = c
				}
			}
			m.closeAt(r)
		default:
			r.failed, r.fails = a.Kind == sim.ActFail, false // a scripted close says how
			m.close(r, m.now)
		}
	}
	for {
		r, at, ok := m.closing.peek(func(r *mRun, at time.Time) bool { return !r.closed && r.closesAt.Equal(at) })
		if !ok || at.After(m.now) {
			return
		}
		m.closing.pop()
		m.close(r, at)
	}
}

// closeAt notes r's closing time, when it has one.
func (m *model) closeAt(r *mRun) {
	if !r.closesAt.IsZero() {
		m.closing.push(r.closesAt, r.seq, r)
	}
}

func (m *model) close(r *mRun, at time.Time) {
	r.closed, r.closedAt = true, at
	delete(m.open, r.key)
	m.closed = append(m.closed, r)
}

// notices takes closed executions out of running sets, in closing order; a
// buffered tick starts when its schedule's set empties.
func (m *model) notices() bool {
	owed := slices.DeleteFunc(m.closed, func(r *mRun) bool { return r.notified })
	m.closed = nil
	slices.SortStableFunc(owed, func(a, b *mRun) int {
		if c := a.closedAt.Compare(b.closedAt); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	for _, r := range owed {
		r.notified = true
		s := m.scheds[r.sched]
		if s == nil {
			continue
		}
		if slices.Contains(s.running, r) && r.failure() && s.cfg.PauseOnFailure && !s.paused && !s.deleted {
			// pause_on_failure: paused by the notice, as by a pause.
			s.paused, s.buffered, s.queued = true, time.Time{}, nil
		}
		s.running = slices.DeleteFunc(s.running, func(x *mRun) bool { return x == r })
		m.startWaiting(s)
	}
	return len(owed) > 0
}

// nextInstant is the next time something is due (a due jump moves time at once).
func (m *model) nextInstant(until time.Time) time.Time {
	if !m.down {
		for i, f := range m.faults {
			if f.Kind == sim.Jump && !m.fired[i] && !f.At.After(m.now) {
				m.fired[i] = true
				return m.now.Add(f.Jump)
			}
		}
	}
	next := until
	earlier := func(t time.Time) {
		if t.After(m.now) && t.Before(next) {
			next = t
		}
	}
	if _, at, ok := m.closing.peek(func(r *mRun, at time.Time) bool { return !r.closed && r.closesAt.Equal(at) }); ok {
		earlier(at)
	}
	if len(m.acts) > 0 {
		earlier(m.acts[0].At)
	}
	if m.down {
		earlier(m.upAt)
		return next
	}
	for i, f := range m.faults {
		if !m.fired[i] && (f.Kind == sim.Crash || f.Kind == sim.Jump) {
			earlier(f.At)
		}
	}
	if len(m.ops) > 0 {
		earlier(m.ops[0].At)
	}
	if _, at, ok := m.due.peek(m.dueNow); ok {
		earlier(at)
	}
	return next
}

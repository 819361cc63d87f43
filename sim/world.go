package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

// DefaultStart is where a world's clock starts unless told otherwise.
var DefaultStart = time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)

// Config describes a world. Everything in it is deterministic: the same
// Config gives the same records, byte for byte.
type Config struct {
	Start   time.Time // DefaultStart when zero
	Seed    int64
	Factory Factory // the reference evaluator when nil
	// Duration gives each execution's run time (nil or ≤ 0: until cancelled).
	Duration func(evaluator.StartRequest) time.Duration
	// Fails says which executions fail when they end by themselves (nil:
	// none); their closure notices say failed.
	Fails       func(evaluator.StartRequest) bool
	CancelDelay time.Duration // how long a cancelled execution takes to close
	// RetryDelay is when a failed delivery, notice or operation is tried again
	// (10 s when zero). It is also the reference evaluator's retry delay.
	RetryDelay time.Duration
	Ops        []Op
	// Actions close, fail or slow down executions at given times.
	Actions []Action
	Plan    Plan
	// CompactEvery, when positive, asks the process to compact its log at
	// that period (if it implements Compacter), so recovery reads a snapshot.
	CompactEvery time.Duration
	// Lean is for long runs: no records are kept (Stats still count), the log
	// drops events a snapshot covers, and the engine forgets executions closed
	// more than an hour ago, plus the longest downtime and lateness the plan
	// allows (their dedup included): a start retried after a crash still
	// finds the execution it started.
	Lean bool
}

// leanRetain is how long a lean world's engine remembers closed executions:
// long enough that a start made just before a crash, retried after the
// longest downtime or delay of the plan, is still deduplicated (the hour is
// the margin; the longest, not the sum, so that a year of crashes does not
// make a lean world keep months of runs).
func leanRetain(cfg Config) time.Duration {
	longest := cfg.Plan.Rates.MaxDowntime + cfg.Plan.Rates.MaxLate
	for _, f := range cfg.Plan.Faults {
		longest = max(longest, f.Downtime+f.Late+f.Jump)
	}
	return time.Hour + cfg.RetryDelay + longest
}

// Compacter is a process that can snapshot its log.
type Compacter interface {
	Compact(ctx context.Context) error
}

// ErrInvalidConfig is wrapped by every rejection of a Config.
var ErrInvalidConfig = errors.New("invalid world config")

// Stats count what a run did.
type Stats struct {
	Deliveries, Decided, Notices, Ops, Crashes, Restarts, Compactions int
}

// World is a simulated world: a fake clock, durable fakes, and an evaluator
// process that can crash and restart. It is not safe for concurrent use; it
// needs no goroutines: Run advances time itself.
type World struct {
	cfg    Config
	ctx    context.Context
	clock  *clockwork.FakeClock
	rng    *rand.Rand
	timers *fakes.Timers
	engine *fakes.Engine
	log    *fakes.Log

	proc        Process
	gate        *fakes.Gate
	down        bool
	upAt        time.Time
	needRecover bool
	recoverAt   time.Time
	noticeHold  time.Time

	plan       Plan
	fired      []bool
	callFaults []int             // faults that match seam calls
	tickFaults map[tickKey][]int // late and duplicate faults, by tick
	timed      []int             // timed crashes and jumps, by time
	timedAt    int               // timed[:timedAt] have fired
	calls      map[string]int
	totalCalls int
	faulted    bool
	noticeBuf  []fakes.Notice    // reused every instant
	dueBuf     []evaluator.Timer // reused every instant
	// disturbed lists the instants the world disturbed the process (see
	// Disturbances), and seamFault is the first seam error or crash at a seam
	// call; both are kept in lean mode too.
	disturbed   []Span
	seamFault   time.Time
	restarts    []time.Time // when incarnations after the first started
	afterFault  FaultKind   // a seeded fault drawn at a call's Before phase, due at its After
	ops         []pendingOp
	applied     []AppliedOp
	rejected    []RejectedOp
	actions     []Action
	nextCompact time.Time
	records     []Record
	unrendered  []unrendered // append records whose Detail is not rendered yet
	stats       Stats
	fatal       error
	observing   bool // a Fresh incarnation is at work
}

type pendingOp struct {
	Op
	index     int
	notBefore time.Time
	first     time.Time // the first attempt
}

// New validates cfg and starts the first process (its recovery included).
func New(cfg Config) (*World, error) {
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	cfg.Start = cfg.Start.UTC()
	if cfg.RetryDelay < 0 || cfg.CancelDelay < 0 {
		return nil, fmt.Errorf("%w: negative retry or cancel delay", ErrInvalidConfig)
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 10 * time.Second
	}
	if cfg.Factory == nil {
		cfg.Factory = Reference(cfg.RetryDelay)
	}
	if err := cfg.Plan.Validate(); err != nil {
		return nil, err
	}
	w := &World{cfg: cfg, ctx: context.Background(), clock: clockwork.NewFakeClockAt(cfg.Start),
		rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5c4ed51)), plan: cfg.Plan,
		fired: make([]bool, len(cfg.Plan.Faults)), calls: map[string]int{}}
	w.tickFaults = map[tickKey][]int{}
	for i, f := range cfg.Plan.Faults {
		switch {
		case f.Kind == Jump || f.Kind == Crash && f.Call == "" && f.Nth == 0:
			w.timed = append(w.timed, i)
		case f.Kind == Crash || f.Kind == Error:
			w.callFaults = append(w.callFaults, i)
		default:
			k := tickKey{f.Schedule, f.Nominal.UnixNano()}
			w.tickFaults[k] = append(w.tickFaults[k], i)
		}
	}
	slices.SortStableFunc(w.timed, func(a, b int) int { return cfg.Plan.Faults[a].At.Compare(cfg.Plan.Faults[b].At) })
	for i, op := range cfg.Ops {
		if err := op.validate(cfg.Start); err != nil {
			return nil, fmt.Errorf("%w: ops[%d]: %v", ErrInvalidConfig, i, err)
		}
		if op.RequestID == "" {
			op.RequestID = fmt.Sprintf("op-%d", i+1)
		}
		w.ops = append(w.ops, pendingOp{Op: op, index: i})
	}
	slices.SortStableFunc(w.ops, func(a, b pendingOp) int { return a.At.Compare(b.At) })
	for i, a := range cfg.Actions {
		if err := a.validate(cfg.Start); err != nil {
			return nil, fmt.Errorf("%w: actions[%d]: %v", ErrInvalidConfig, i, err)
		}
	}
	w.actions = slices.Clone(cfg.Actions)
	slices.SortStableFunc(w.actions, func(a, b Action) int { return a.At.Compare(b.At) })
	w.timers = &fakes.Timers{Hook: w.hook}
	w.engine = &fakes.Engine{Hook: w.hook, Clock: w.clock, Duration: cfg.Duration, Fails: cfg.Fails, CancelDelay: cfg.CancelDelay}
	w.log = &fakes.Log{Hook: w.hook, Truncate: cfg.Lean}
	if cfg.Lean {
		w.engine.Retain = leanRetain(cfg)
	}
	if cfg.CompactEvery < 0 {
		return nil, fmt.Errorf("%w: negative compaction period", ErrInvalidConfig)
	}
	w.nextCompact = cfg.Start.Add(cfg.CompactEvery)
	w.down, w.upAt = true, cfg.Start
	if err := w.restart(); err != nil {
		return nil, err
	}
	return w, nil
}

// Clock returns the world's clock; it only moves forward.
func (w *World) Clock() *clockwork.FakeClock { return w.clock }

// Engine, Timers and Log return the durable fakes.
func (w *World) Engine() *fakes.Engine { return w.engine }

// Timers returns the durable timer store.
func (w *World) Timers() *fakes.Timers { return w.timers }

// Log returns the durable event log.
func (w *World) Log() *fakes.Log { return w.log }

// Process returns the current incarnation, nil while down.
func (w *World) Process() Process {
	if w.down {
		return nil
	}
	return w.proc
}

// Close kills the current incarnation if it holds an outside process. A
// world of in-process evaluators needs no Close.
func (w *World) Close() {
	if k, ok := w.proc.(Killer); ok && !w.down {
		k.Kill()
	}
}

// Fresh starts a second incarnation over the same durable state, recovers it
// and returns it with a function that fences and kills it again. Its calls are
// neither faulted, counted nor recorded. At a quiet point recovery changes
// nothing durable (it re-arms the timers where they are), so comparing the
// fresh incarnation's descriptions with the live one's judges replay
// equivalence (R1) for implementations whose log the harness cannot read.
// Use it at the end of a run: the live incarnation is not fenced meanwhile.
func (w *World) Fresh() (Process, func(), error) {
	w.observing = true
	gate := &fakes.Gate{}
	proc, err := w.cfg.Factory(Seams{Clock: w.clock, Timers: w.timers.For(gate), Engine: w.engine.For(gate), Log: w.log.For(gate)})
	done := func() {
		gate.Close()
		if k, ok := proc.(Killer); ok {
			k.Kill()
		}
		w.observing = false
	}
	if err != nil {
		w.observing = false
		return nil, func() {}, err
	}
	if err := proc.Recover(w.ctx); err != nil {
		done()
		return nil, func() {}, err
	}
	return proc, done, nil
}

// fatalOf keeps the first fatal process error; Run returns it.
func (w *World) fatalOf(err error) {
	if err != nil && errors.Is(err, ErrFatal) && w.fatal == nil {
		w.fatal = err
	}
}

func (w *World) record(r Record) {
	switch r.Kind {
	case KindFault, KindCrash, KindRestart, KindRecover, KindJump:
		w.disturb(0)
	}
	if w.cfg.Lean {
		return
	}
	r.Seq, r.At = len(w.records)+1, w.clock.Now().UTC()
	w.records = append(w.records, r)
}

// disturb notes that the world disturbs the process from now for d (zero:
// an instant).
func (w *World) disturb(d time.Duration) {
	now := w.clock.Now().UTC()
	if n := len(w.disturbed); n > 0 && !w.disturbed[n-1].Until.Before(now) {
		w.disturbed[n-1].Until = maxTime(w.disturbed[n-1].Until, now.Add(d))
		return
	}
	w.disturbed = append(w.disturbed, Span{From: now, Until: now.Add(d)})
}

func (w *World) draw(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(w.rng.Int64N(int64(max) + 1))
}

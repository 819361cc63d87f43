package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
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
	Duration    func(evaluator.StartRequest) time.Duration
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
	// more than a day ago (their dedup included).
	Lean bool
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

	plan        Plan
	fired       []bool
	callFaults  []int             // faults that match seam calls
	tickFaults  map[tickKey][]int // late and duplicate faults, by tick
	timed       []int             // timed crashes and jumps
	calls       map[string]int
	totalCalls  int
	faulted     bool
	afterFault  FaultKind // a seeded fault drawn at a call's Before phase, due at its After
	ops         []pendingOp
	applied     []AppliedOp
	rejected    []RejectedOp
	actions     []Action
	nextCompact time.Time
	records     []Record
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
	w.engine = &fakes.Engine{Hook: w.hook, Clock: w.clock, Duration: cfg.Duration, CancelDelay: cfg.CancelDelay}
	w.log = &fakes.Log{Hook: w.hook, Truncate: cfg.Lean}
	if cfg.Lean {
		w.engine.Retain = 24 * time.Hour
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

// Records returns everything recorded so far.
func (w *World) Records() []Record { return slices.Clone(w.records) }

// Trace renders the records, one line each.
func (w *World) Trace() string {
	var b strings.Builder
	_ = WriteTrace(&b, w.records)
	return b.String()
}

// Quiet reports whether nothing is owed to the process about a schedule: the
// process is up and recovered, no operation on the schedule waits, no closure
// notice of it is undelivered, and its timer (if any) is neither late nor
// being redelivered. (Whether the process itself owes a start is for its
// description to say.) Quiet points are where invariants C3 and R1 apply.
func (w *World) Quiet(scheduleID string) bool {
	return !w.unquiet()[scheduleID] && !w.down && !w.needRecover
}

// QuietAll is Quiet for each of ids, in one pass over what is pending.
func (w *World) QuietAll(ids []string) map[string]bool {
	busy := w.unquiet()
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = !w.down && !w.needRecover && !busy[id]
	}
	return out
}

// unquiet is the schedules something is owed to: a due operation, an
// undelivered notice, a late or redelivered timer.
func (w *World) unquiet() map[string]bool {
	out := map[string]bool{}
	for _, op := range w.ops {
		if !op.At.After(w.clock.Now()) {
			out[op.ScheduleID] = true
		}
	}
	for _, n := range w.engine.Notices() {
		out[n.ScheduleID] = true
	}
	for _, t := range w.timers.Armed() {
		if at, _ := w.timers.DeliverAt(t.ID); !at.Equal(t.At) {
			out[t.ScheduleID] = true
		}
	}
	return out
}

// Unfired returns the indexes (in Config.Plan.Faults) of the scripted faults
// that have not fired: a fault whose seam call, tick or time never came.
func (w *World) Unfired() []int {
	var out []int
	for i, f := range w.fired {
		if !f {
			out = append(out, i)
		}
	}
	return out
}

// Unconfirmed returns the operations tried but not yet confirmed (an
// interrupted attempt awaits its retry), with At zero: each may or may not
// have taken effect, at any attempt since First.
func (w *World) Unconfirmed() []AppliedOp {
	var out []AppliedOp
	for _, op := range w.ops {
		if !op.first.IsZero() {
			out = append(out, AppliedOp{Op: op.Op, First: op.first})
		}
	}
	return out
}

// Rejected returns the operations the process refused for good (not for an
// injected fault), in order.
func (w *World) Rejected() []RejectedOp { return slices.Clone(w.rejected) }

// Applied returns the operations the process accepted, in the order it
// accepted them.
func (w *World) Applied() []AppliedOp { return slices.Clone(w.applied) }

// Stats returns the counts so far.
func (w *World) Stats() Stats { return w.stats }

// SeamCalls returns how many seam calls the processes made.
func (w *World) SeamCalls() int { return w.totalCalls }

// fatalOf keeps the first fatal process error; Run returns it.
func (w *World) fatalOf(err error) {
	if err != nil && errors.Is(err, ErrFatal) && w.fatal == nil {
		w.fatal = err
	}
}

func (w *World) record(r Record) {
	if w.cfg.Lean {
		return
	}
	r.Seq, r.At = len(w.records)+1, w.clock.Now().UTC()
	w.records = append(w.records, r)
}

func (w *World) draw(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(w.rng.Int64N(int64(max) + 1))
}

// crash fences the current incarnation; a new one starts after downtime.
func (w *World) crash(downtime time.Duration) {
	w.gate.Close()
	if k, ok := w.proc.(Killer); ok {
		k.Kill()
	}
	w.down, w.upAt = true, w.clock.Now().Add(downtime)
	w.stats.Crashes++
}

// restart creates a new incarnation and recovers it.
func (w *World) restart() error {
	w.gate = &fakes.Gate{}
	rec := recorder{w: w, timers: w.timers.For(w.gate), engine: w.engine.For(w.gate), log: w.log.For(w.gate)}
	proc, err := w.cfg.Factory(Seams{Clock: w.clock, Timers: rec, Engine: rec, Log: rec})
	if err != nil {
		return fmt.Errorf("sim: factory: %w", err)
	}
	w.proc, w.down = proc, false
	w.stats.Restarts++
	w.record(Record{Kind: KindRestart})
	w.recover()
	return nil
}

func (w *World) recover() {
	w.needRecover = false
	w.record(Record{Kind: KindRecover}) // before the reads and appends it covers
	err := w.proc.Recover(w.ctx)
	w.fatalOf(err)
	if err != nil {
		w.record(Record{Kind: KindRecover, Detail: "failed", Err: errText(err)})
	}
	if err != nil && !w.down {
		w.needRecover, w.recoverAt = true, w.clock.Now().Add(w.cfg.RetryDelay)
	}
}

// maxPasses bounds the work at one instant: more means the process livelocks
// (for example it re-arms a timer at the present for ever).
const maxPasses = 1_000_000

// ErrLivelock is returned when one instant never settles.
var ErrLivelock = errors.New("livelock: the instant never settles")

// Run advances the world to `until`, handling everything due on the way in
// the order of docs/semantics.md for each instant: a restart (recovery), closures and their
// notices, operations, then timer deliveries. Errors of the process are
// records, not failures; Run fails only when the world cannot go on.
func (w *World) Run(until time.Time) error {
	for {
		now := w.clock.Now()
		if err := w.instant(now); err != nil {
			return err
		}
		if w.fatal != nil {
			return w.fatal
		}
		if !now.Before(until) {
			return nil
		}
		next := w.next(now, until)
		if next.After(now) {
			w.clock.Advance(next.Sub(now))
		}
	}
}

// instant handles everything due at now.
func (w *World) instant(now time.Time) error {
	for pass := 0; pass < maxPasses; pass++ {
		if w.fatal != nil {
			return nil
		}
		if w.down {
			w.closeDue(now)
			if now.Before(w.upAt) {
				return nil
			}
			if err := w.restart(); err != nil {
				return err
			}
			continue
		}
		if w.needRecover {
			// A process whose recovery failed serves nothing until it is
			// retried: executions still close, everything else waits.
			w.closeDue(now)
			if now.Before(w.recoverAt) {
				return nil
			}
			w.recover()
			continue
		}
		if w.crashAt(now) {
			continue
		}
		w.closeDue(now)
		if w.notices(now) && w.runOps(now) && w.deliver(now) && w.compact(now) && !w.closing(now) {
			return nil
		}
	}
	w.record(Record{Kind: KindViolation, Detail: "livelock"})
	return fmt.Errorf("%w at %s", ErrLivelock, now.Format(time.RFC3339Nano))
}

// closing reports whether an execution is due to close by now (a cancel with
// no delay made during this pass): the instant is not settled yet.
func (w *World) closing(now time.Time) bool {
	t, ok := w.engine.NextClose()
	return ok && !t.After(now) || len(w.actions) > 0 && !w.actions[0].At.After(now)
}

func (w *World) closeDue(now time.Time) {
	w.act(now)
	for _, r := range w.engine.CloseDue(now) {
		detail := "completed"
		if r.CancelRequested {
			detail = "cancelled"
		}
		w.record(Record{Kind: KindClose, ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal,
			WorkflowID: r.Execution.WorkflowID, RunID: r.Execution.RunID, Detail: detail})
	}
}

// notices delivers the owed closure notices; false if the process crashed.
func (w *World) notices(now time.Time) bool {
	if now.Before(w.noticeHold) {
		return true
	}
	for _, n := range w.engine.Notices() {
		err := w.notify(n)
		if w.down {
			return false
		}
		if err != nil {
			w.noticeHold = now.Add(w.cfg.RetryDelay)
			return true
		}
		w.engine.AckNotice(n)
		if w.fault(DuplicateNotice, n.ScheduleID, nominalOf(n.Execution), n.Execution.WorkflowID) || w.chance(w.plan.Rates.Duplicate) {
			_ = w.notify(n)
			if w.down {
				return false
			}
		}
	}
	return true
}

func (w *World) notify(n fakes.Notice) error {
	w.stats.Notices++
	err := w.proc.ExecutionClosed(w.ctx, n.ScheduleID, n.Execution)
	w.fatalOf(err)
	w.record(Record{Kind: KindNotice, ScheduleID: n.ScheduleID, WorkflowID: n.Execution.WorkflowID, RunID: n.Execution.RunID, Err: errText(err)})
	return err
}

type tickKey struct {
	schedule string
	nominal  int64
}

// crashAt fires a timed crash (a Crash fault with At and no seam call) due now.
func (w *World) crashAt(now time.Time) bool {
	for _, i := range w.timed {
		if f := w.plan.Faults[i]; f.Kind == Crash && !w.fired[i] && !f.At.After(now) {
			w.fired[i] = true
			w.record(Record{Kind: KindCrash, Detail: fmt.Sprintf("crash at %s downtime=%s", f.At.Format(time.RFC3339), f.Downtime)})
			w.crash(f.Downtime)
			return true
		}
	}
	return false
}

// compact asks the process to snapshot its log when due; false if it crashed.
func (w *World) compact(now time.Time) bool {
	c, ok := w.proc.(Compacter)
	if !ok || w.cfg.CompactEvery <= 0 || now.Before(w.nextCompact) {
		return true
	}
	w.nextCompact = now.Add(w.cfg.CompactEvery)
	err := c.Compact(w.ctx)
	w.stats.Compactions++
	w.record(Record{Kind: KindSnapshot, Detail: "compact", Err: errText(err)})
	return !w.down
}

// nominalOf reads the nominal time back from a reference-style workflow id.
func nominalOf(x evaluator.Execution) time.Time {
	_, s, _ := strings.Cut(x.WorkflowID, "@")
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// fault fires the first unfired scripted fault of kind k for this tick.
func (w *World) fault(k FaultKind, scheduleID string, nominal time.Time, what string) bool {
	_, ok := w.fireTickFault(k, scheduleID, nominal, what)
	return ok
}

// fireTickFault fires the first unfired scripted fault of kind k for this
// tick and returns it.
func (w *World) fireTickFault(k FaultKind, scheduleID string, nominal time.Time, what string) (Fault, bool) {
	if len(w.tickFaults) == 0 {
		return Fault{}, false
	}
	for _, i := range w.tickFaults[tickKey{scheduleID, nominal.UnixNano()}] {
		if f := w.plan.Faults[i]; !w.fired[i] && f.Kind == k {
			w.fired[i] = true
			w.record(Record{Kind: KindFault, ScheduleID: scheduleID, Nominal: nominal, Detail: k.String() + " " + what})
			return f, true
		}
	}
	return Fault{}, false
}

func (w *World) chance(p float64) bool { return p > 0 && w.rng.Float64() < p }

// runOps applies the operations due; false if the process crashed. The
// operations on one schedule run in order, as one client's would: while one
// waits to be retried, the later ones wait behind it.
func (w *World) runOps(now time.Time) bool {
	var waiting map[string]bool
	for i := 0; i < len(w.ops); {
		op := &w.ops[i]
		if op.At.After(now) {
			break
		}
		if op.notBefore.After(now) || waiting[op.ScheduleID] {
			if waiting == nil {
				waiting = map[string]bool{}
			}
			waiting[op.ScheduleID] = true
			i++
			continue
		}
		w.faulted = false
		if op.first.IsZero() {
			op.first = now
		}
		err := op.apply(w.ctx, w.proc)
		w.fatalOf(err)
		w.stats.Ops++
		w.record(Record{Kind: KindOp, ScheduleID: op.ScheduleID, Detail: op.String(), Err: errText(err)})
		if w.down {
			return false // retried with its request id after the restart
		}
		if err != nil && w.faulted {
			op.notBefore = now.Add(w.cfg.RetryDelay)
			if waiting == nil {
				waiting = map[string]bool{}
			}
			waiting[op.ScheduleID] = true
			i++
			continue
		}
		if err == nil {
			w.applied = append(w.applied, AppliedOp{Op: op.Op, First: op.first, At: now, StartsBefore: w.engine.Started()})
		} else {
			w.rejected = append(w.rejected, RejectedOp{Op: op.Op, At: now, Err: err.Error()})
		}
		w.ops = slices.Delete(w.ops, i, i+1) // done, or rejected for good
	}
	return true
}

// deliver delivers the due timers; false if the process crashed. Each pass
// takes the timers due, in order, and delivers those still due; timers
// re-armed into the past meanwhile are delivered by the next pass.
func (w *World) deliver(now time.Time) bool {
	for {
		due := w.timers.Due(now)
		if len(due) == 0 {
			return true
		}
		for _, t := range due {
			if !w.timers.IsDue(t, now) {
				continue
			}
			if !w.deliverOne(t, now) {
				return false
			}
		}
	}
}

func (w *World) deliverOne(t evaluator.Timer, now time.Time) bool {
	if f, ok := w.fireTickFault(Late, t.ScheduleID, t.At, ""); ok {
		// Several late faults of one tick: each fires in turn, so the
		// delivery comes at the latest of them.
		w.timers.Redeliver(t, t.At.Add(f.Late))
		return true
	}
	// A seeded lateness is drawn once, when the timer's time comes.
	if t.At.Equal(now) && w.chance(w.plan.Rates.Late) {
		late := max(w.draw(w.plan.Rates.MaxLate), time.Nanosecond)
		w.record(Record{Kind: KindFault, ScheduleID: t.ScheduleID, Nominal: t.At, Detail: fmt.Sprintf("late %s", late)})
		w.timers.Redeliver(t, now.Add(late))
		return true
	}
	err := w.fire(t)
	if w.down {
		return false
	}
	if err != nil {
		w.timers.Redeliver(t, now.Add(w.cfg.RetryDelay))
		return true
	}
	w.timers.Ack(t)
	if w.fault(DuplicateDelivery, t.ScheduleID, t.At, "") || w.chance(w.plan.Rates.Duplicate) {
		_ = w.fire(t)
		if w.down {
			return false
		}
	}
	return true
}

func (w *World) fire(t evaluator.Timer) error {
	w.stats.Deliveries++
	out, err := w.proc.TimerFired(w.ctx, t.ScheduleID, t.At)
	w.fatalOf(err)
	if out == evaluator.Decided {
		w.stats.Decided++
	}
	if !w.cfg.Lean {
		w.record(Record{Kind: KindDeliver, ScheduleID: t.ScheduleID, Nominal: t.At, Detail: outcomeText(out), Err: errText(err)})
	}
	return err
}

func outcomeText(o evaluator.Outcome) string {
	if o == 0 {
		return ""
	}
	return o.String()
}

// next returns the next instant something is due, at most until (or the
// restart, when down past until). A due clock jump moves time at once.
func (w *World) next(now, until time.Time) time.Time {
	if !w.down {
		for _, i := range w.timed {
			if f := w.plan.Faults[i]; f.Kind == Jump && !w.fired[i] && !f.At.After(now) {
				w.fired[i] = true
				w.record(Record{Kind: KindJump, Detail: "+" + f.Jump.String()})
				return now.Add(f.Jump)
			}
		}
	}
	next := until
	earlier := func(t time.Time) {
		if t.After(now) && t.Before(next) {
			next = t
		}
	}
	if t, ok := w.engine.NextClose(); ok {
		earlier(t)
	}
	if len(w.actions) > 0 {
		earlier(w.actions[0].At)
	}
	if w.down {
		earlier(w.upAt)
		return next
	}
	if w.needRecover {
		earlier(w.recoverAt)
		return next
	}
	if t, ok := w.timers.NextDelivery(); ok {
		earlier(t)
	}
	if w.engine.PendingNotices() > 0 {
		earlier(w.noticeHold)
	}
	for _, op := range w.ops {
		earlier(maxTime(op.At, op.notBefore))
	}
	if w.needRecover {
		earlier(w.recoverAt)
	}
	if w.cfg.CompactEvery > 0 {
		earlier(w.nextCompact)
	}
	for _, i := range w.timed {
		if !w.fired[i] {
			earlier(w.plan.Faults[i].At)
		}
	}
	return next
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

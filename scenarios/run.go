package scenarios

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/sim"
)

// Options tune a replay.
type Options struct {
	// Factory is the implementation under test; the reference evaluator when
	// nil. The golden trace is only compared for the reference.
	Factory sim.Factory
}

// Result is the outcome of one replay.
type Result struct {
	Scenario *Scenario
	Failures []Failure // empty: the scenario passed
	// Notes are the invariants an `invariants: hold` could not judge, and
	// why: not failures, never passes.
	Notes   []Note
	Records []sim.Record
	Trace   string // the records, one line each: what --update writes to the golden
}

// Passed reports whether every expectation held.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

// Note is an invariant an expectation could not judge, and why.
type Note struct {
	Pos Pos
	At  time.Time
	invariants.NotApplicable
}

func (n Note) String() string {
	return fmt.Sprintf("%s: at %s: %s", n.Pos, stamp(n.At), n.NotApplicable)
}

// Failure is one expectation that did not hold.
type Failure struct {
	Pos  Pos
	What string // "starts differ", "update s failed: ...", ...
	Diff string // unified diff of expected against actual, when there is one
}

func (f Failure) String() string {
	s := f.Pos.String() + ": " + f.What
	if f.Diff != "" {
		s += "\n" + strings.TrimRight(f.Diff, "\n")
	}
	return s
}

// Config builds the world a scenario describes.
func (s *Scenario) Config(factory sim.Factory) sim.Config {
	cfg := sim.Config{Start: s.Start, Seed: s.Seed, Factory: factory, CancelDelay: s.CancelDelay, RetryDelay: s.RetryDelay,
		Plan: sim.Plan{Rates: s.Rates}}
	runs := map[string]*Schedule{}
	for i := range s.Schedules {
		sc := &s.Schedules[i]
		runs[sc.ID] = sc
		if !s.CreatedByStep(sc.ID) {
			cfg.Ops = append(cfg.Ops, startCreate(s, *sc))
		}
	}
	cfg.Duration = func(r evaluator.StartRequest) time.Duration {
		sc := runs[r.ScheduleID]
		if sc == nil {
			return 0
		}
		if d, ok := sc.RunsForNominal[r.Nominal.UTC()]; ok {
			return d
		}
		return sc.RunsFor
	}
	for _, st := range s.Steps {
		switch {
		case st.Op != nil:
			cfg.Ops = append(cfg.Ops, stepOp(st))
		case st.Action != nil:
			cfg.Actions = append(cfg.Actions, *st.Action)
		case st.Fault != nil:
			cfg.Plan.Faults = append(cfg.Plan.Faults, *st.Fault)
		}
	}
	return cfg
}

// Run replays a scenario and checks its expectations. It fails only when the
// world cannot be built (an invalid scenario the loader let through).
func Run(s *Scenario, opts Options) (*Result, error) {
	cfg := s.Config(opts.Factory)
	w, err := sim.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	defer w.Close()
	res := &Result{Scenario: s}
	checks := []*Expect{}
	for _, st := range s.Steps {
		if st.Expect != nil {
			checks = append(checks, st.Expect)
		}
	}
	if s.End != nil {
		checks = append(checks, s.End)
	}
	stopped := false
	for _, e := range checks {
		if err := w.Run(e.At); err != nil {
			res.Failures = append(res.Failures, Failure{Pos: e.Pos, What: err.Error()})
			stopped = true
			break
		}
		failures, notes := check(w, cfg, e)
		res.Failures = append(res.Failures, failures...)
		res.Notes = append(res.Notes, notes...)
	}
	if !stopped {
		if err := w.Run(s.Until); err != nil {
			res.Failures = append(res.Failures, Failure{Pos: Pos{File: s.File}, What: err.Error()})
		}
	}
	res.Failures = append(res.Failures, unfired(s, w.Unfired())...)
	res.Records = w.Records()
	res.Trace = w.Trace()
	retrying := map[string]bool{}
	for _, op := range w.Unconfirmed() {
		retrying[op.RequestID] = true
	}
	res.Failures = append(res.Failures, stepOutcomes(s, res.Records, retrying)...)
	if opts.Factory == nil && s.Golden != "" && s.Golden != res.Trace {
		res.Failures = append(res.Failures, Failure{Pos: Pos{File: GoldenPath(s.File)},
			What: "the trace differs from the golden (rerun with --update if the change is intended)",
			Diff: diff(s.Golden, res.Trace, "golden", "trace")})
	}
	return res, nil
}

// unfired reports the fault steps that never fired: a scenario whose fault
// never happens does not test what it says.
func unfired(s *Scenario, idx []int) []Failure {
	var out []Failure
	i := 0
	for _, st := range s.Steps {
		if st.Fault == nil {
			continue
		}
		if slices.Contains(idx, i) {
			out = append(out, Failure{Pos: st.Pos, What: st.What() + ": never fired (no matching seam call, tick or time)"})
		}
		i++
	}
	return out
}

// stepOp is a step's operation, with its request id ("step-LINE" unless given).
func stepOp(st Step) sim.Op {
	op := *st.Op
	if op.RequestID == "" {
		op.RequestID = fmt.Sprintf("step-%d", st.Pos.Line)
	}
	return op
}

// scriptedOp is an operation the scenario makes, with where it says so.
type scriptedOp struct {
	pos       Pos
	op        sim.Op
	wantError string
}

// scripted lists every operation of a scenario: the creates at its start
// (of the schedules no step creates), then its steps' operations. A create
// at the start must succeed like any other operation without want_error.
func scripted(s *Scenario) []scriptedOp {
	var out []scriptedOp
	for _, sc := range s.Schedules {
		if !s.CreatedByStep(sc.ID) {
			out = append(out, scriptedOp{pos: sc.Pos, op: startCreate(s, sc)})
		}
	}
	for _, st := range s.Steps {
		if st.Op != nil {
			out = append(out, scriptedOp{pos: st.Pos, op: stepOp(st), wantError: st.WantError})
		}
	}
	return out
}

// startCreate is the create, at the start, of a schedule no step creates.
func startCreate(s *Scenario, sc Schedule) sim.Op {
	return sim.Op{At: s.Start, Kind: sim.OpCreate, ScheduleID: sc.ID, RequestID: "create-" + sc.ID, Config: sc.Config}
}

// stepOutcomes checks what the steps themselves did: each operation ended as
// its want_error says, each action found its execution.
func stepOutcomes(s *Scenario, records []sim.Record, retrying map[string]bool) []Failure {
	var out []Failure
	last := map[string]sim.Record{} // by op detail ("kind request=id")
	for _, r := range records {
		if r.Kind == sim.KindOp {
			last[r.Detail] = r
		}
	}
	for _, st := range scripted(s) {
		op := st.op
		r, ok := last[op.String()]
		what := fmt.Sprintf("%s %s", op.Kind, op.ScheduleID)
		switch {
		case !ok:
			out = append(out, Failure{Pos: st.pos, What: what + ": never ran (the process was down until the end)"})
		case retrying[op.RequestID]:
			// Interrupted by an injected fault and awaiting its retry when the
			// run ended: no outcome to judge.
		case st.wantError == "" && r.Err != "":
			out = append(out, Failure{Pos: st.pos, What: what + " failed: " + r.Err})
		case st.wantError != "" && !strings.Contains(r.Err, st.wantError):
			got := r.Err
			if got == "" {
				got = "success"
			}
			out = append(out, Failure{Pos: st.pos, What: fmt.Sprintf("%s: want an error containing %q, got %s", what, st.wantError, got)})
		}
	}
	for _, r := range records {
		if r.Kind != sim.KindAction || r.Err == "" {
			continue
		}
		for _, st := range s.Steps {
			if a := st.Action; a != nil && a.ScheduleID == r.ScheduleID && a.Nominal.Equal(r.Nominal) && a.At.Equal(r.At) {
				out = append(out, Failure{Pos: st.Pos, What: fmt.Sprintf("%s: %s", st.What(), r.Err)})
				break
			}
		}
	}
	return out
}

// check compares one expectation with the world at its instant; the notes
// say which invariants it could not judge.
func check(w *sim.World, cfg sim.Config, e *Expect) (out []Failure, notes []Note) {
	compare := func(what string, want, got []string) {
		if !slices.Equal(want, got) {
			out = append(out, Failure{Pos: e.Pos, What: fmt.Sprintf("at %s: %s differ", stamp(e.At), what),
				Diff: diff(lines(want), lines(got), "expected", "actual")})
		}
	}
	// Starts and cancels are compared schedule by schedule (in their order
	// within each schedule): the order of different schedules' starts at one
	// instant is the harness's delivery order, not behaviour.
	runs := w.Engine().Runs()
	slices.SortStableFunc(runs, func(a, b fakes.Run) int { return strings.Compare(a.Request.ScheduleID, b.Request.ScheduleID) })
	if e.Starts != nil {
		ws := sortWants(*e.Starts)
		var got []string
		for i, r := range runs {
			withAt := i >= len(ws) || !ws[i].At.IsZero()
			got = append(got, startLine(r.Request.ScheduleID, r.Request.Nominal, r.StartedAt, withAt))
		}
		compare("starts", startLines(ws), got)
	}
	if e.Cancels != nil {
		cancelled := slices.DeleteFunc(slices.Clone(runs), func(r fakes.Run) bool { return !r.CancelRequested })
		slices.SortStableFunc(cancelled, func(a, b fakes.Run) int {
			if c := strings.Compare(a.Request.ScheduleID, b.Request.ScheduleID); c != 0 {
				return c
			}
			return a.CancelledAt.Compare(b.CancelledAt)
		})
		ws := sortWants(*e.Cancels)
		var got []string
		for i, r := range cancelled {
			withAt := i >= len(ws) || !ws[i].At.IsZero()
			got = append(got, startLine(r.Request.ScheduleID, r.Request.Nominal, r.CancelledAt, withAt))
		}
		compare("cancels", startLines(ws), got)
	}
	if len(e.Ticks) > 0 {
		events := w.Log().Events()
		var want, got []string
		for _, t := range e.Ticks {
			want = append(want, fmt.Sprintf("%s %s %s", t.Schedule, stamp(t.Nominal), t.Disposition))
			got = append(got, fmt.Sprintf("%s %s %s", t.Schedule, stamp(t.Nominal), Disposition(events, t.Schedule, t.Nominal)))
		}
		compare("ticks", want, got)
	}
	for _, sw := range e.Schedules {
		want, got := describeLines(w, sw)
		compare("schedule "+sw.Schedule, want, got)
	}
	if e.Timers != nil {
		var want, got []string
		for _, t := range *e.Timers {
			want = append(want, t.Schedule+" "+stamp(t.At))
		}
		armed := w.Timers().Armed()
		slices.SortStableFunc(armed, func(a, b evaluator.Timer) int { return strings.Compare(a.ScheduleID, b.ScheduleID) })
		for _, t := range armed {
			got = append(got, t.ScheduleID+" "+stamp(t.At))
		}
		compare("timers", want, got)
	}
	if e.Invariants {
		rep := invariants.Run(w, cfg)
		var got []string
		for _, v := range rep.Violations {
			got = append(got, v.String())
		}
		compare("invariants", nil, got)
		for _, n := range rep.NotApplicable {
			notes = append(notes, Note{Pos: e.Pos, At: e.At, NotApplicable: n})
		}
	}
	return out, notes
}

func startLine(id string, nominal, at time.Time, withAt bool) string {
	if !withAt {
		return id + " " + stamp(nominal)
	}
	return id + " " + stamp(nominal) + " at " + stamp(at)
}

// sortWants orders wanted starts by schedule, keeping their order within one.
func sortWants(ws []StartWant) []StartWant {
	ws = slices.Clone(ws)
	slices.SortStableFunc(ws, func(a, b StartWant) int { return strings.Compare(a.Schedule, b.Schedule) })
	return ws
}

func startLines(ws []StartWant) []string {
	var out []string
	for _, w := range ws {
		out = append(out, startLine(w.Schedule, w.Nominal, w.At, !w.At.IsZero()))
	}
	return out
}

// describeLines renders the fields a ScheduleWant names, as wanted and as the
// process describes them.
func describeLines(w *sim.World, sw ScheduleWant) (want, got []string) {
	p := w.Process()
	var d evaluator.Description
	var err error
	if p == nil {
		err = errors.New("the process is down")
	} else {
		d, err = p.Get(context.Background(), sw.Schedule, 1)
	}
	exists := err == nil
	if err != nil && !errors.Is(err, evaluator.ErrNotFound) {
		return []string{sw.Schedule + " described"}, []string{sw.Schedule + " not described: " + err.Error()}
	}
	add := func(field, wantV, gotV string) {
		want = append(want, fmt.Sprintf("%s %s: %s", sw.Schedule, field, wantV))
		got = append(got, fmt.Sprintf("%s %s: %s", sw.Schedule, field, gotV))
	}
	if sw.Exists != nil {
		add("exists", fmt.Sprint(*sw.Exists), fmt.Sprint(exists))
	}
	if !exists {
		if sw.Exists == nil || *sw.Exists {
			return []string{sw.Schedule + " exists"}, []string{sw.Schedule + " does not exist"}
		}
		return want, got
	}
	if sw.Paused != nil {
		add("paused", fmt.Sprint(*sw.Paused), fmt.Sprint(d.Paused))
	}
	if sw.Next != nil {
		var next time.Time
		if len(d.Upcoming) > 0 {
			next = d.Upcoming[0]
		}
		add("next", optStamp(*sw.Next), optStamp(next))
	}
	if sw.Running != nil {
		var ws, gs []string
		for _, t := range *sw.Running {
			ws = append(ws, stamp(t))
		}
		for _, r := range d.Running {
			gs = append(gs, stamp(r.Nominal))
		}
		add("running", "["+strings.Join(ws, " ")+"]", "["+strings.Join(gs, " ")+"]")
	}
	if sw.Buffered != nil {
		add("buffered", optStamp(*sw.Buffered), optStamp(d.Buffered))
	}
	counters := map[string]int64{"started": d.Counters.Started, "skipped": d.Counters.Skipped,
		"buffered": d.Counters.Buffered, "dropped": d.Counters.Dropped, "missed_ranges": d.Counters.MissedRanges}
	for _, c := range sw.Counters {
		add("counters."+c.Name, fmt.Sprint(c.Value), fmt.Sprint(counters[c.Name]))
	}
	return want, got
}

func optStamp(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return stamp(t)
}

// Disposition reads a tick's fate from a log: the last event about it wins.
// A start range of a catch-up is "owed" until a triggered event pays it.
func Disposition(events []evaluator.Event, scheduleID string, nominal time.Time) string {
	out := "none"
	in := func(r evaluator.TickRange) bool { return !nominal.Before(r.From) && nominal.Before(r.Until) }
	for _, e := range events {
		if e.ScheduleID != scheduleID {
			continue
		}
		at := e.Nominal.Equal(nominal)
		switch e.Type {
		case evaluator.Triggered:
			if at {
				out = "start"
			}
		case evaluator.Skipped:
			if at {
				out = "skip"
			}
		case evaluator.Buffered:
			if at {
				out = "buffer"
			}
		case evaluator.Dropped:
			if at || slices.ContainsFunc(e.Ranges, in) {
				out = "drop"
			}
		case evaluator.CatchUpDecided:
			for _, r := range e.Ranges {
				if in(r) {
					out = map[evaluator.Disposition]string{evaluator.Start: "owed", evaluator.Skip: "skip",
						evaluator.Buffer: "buffer", evaluator.Miss: "miss"}[r.Disposition]
				}
			}
		}
	}
	return out
}

func lines(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return strings.Join(ss, "\n") + "\n"
}

// splitLines splits a text after each newline (difflib's own SplitLines adds
// a spurious empty last line).
func splitLines(s string) []string {
	out := strings.SplitAfter(s, "\n")
	if n := len(out); n > 0 && out[n-1] == "" {
		out = out[:n-1]
	}
	return out
}

// diff is a unified diff of two texts.
func diff(a, b, from, to string) string {
	out, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: splitLines(a), B: splitLines(b),
		FromFile: from, ToFile: to, Context: 3})
	if err != nil {
		return err.Error()
	}
	return out
}

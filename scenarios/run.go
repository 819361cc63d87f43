package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Options tune a replay.
type Options struct {
	// Factory is the implementation under test; the reference evaluator when
	// nil. The golden trace is only compared for the reference.
	Factory sim.Factory
	// Profile is the dialect the implementation speaks (schedsim's when
	// nil). Under another, only the invariants judge, in its dialect, at
	// every expectation and at the end (see Applies for the scenarios that
	// can run under it).
	Profile *profile.Profile
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
	At   time.Time // the instant of the expectation that failed (zero: none)
	What string    // "starts differ", "update s failed: ...", ...
	Diff string    // unified diff of expected against actual, when there is one
	// Violations are the broken invariants of a failed `invariants: hold`.
	Violations []invariants.Violation
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
	cfg.Fails = func(r evaluator.StartRequest) bool { sc := runs[r.ScheduleID]; return sc != nil && sc.Fails }
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
		failures, notes := check(w, cfg, e, opts.Profile)
		res.Failures = append(res.Failures, failures...)
		res.Notes = append(res.Notes, notes...)
	}
	if !stopped {
		if err := w.Run(s.Until); err != nil {
			res.Failures = append(res.Failures, Failure{Pos: Pos{File: s.File}, What: err.Error()})
		} else if opts.Profile != nil && opts.Profile.Name != profile.Default {
			failures, notes := check(w, cfg, &Expect{Pos: Pos{File: s.File}, At: s.Until, Invariants: true}, opts.Profile)
			res.Failures = append(res.Failures, failures...)
			res.Notes = append(res.Notes, notes...)
		}
	}
	res.Failures = append(res.Failures, unfired(s, w.Unfired())...)
	res.Records = w.Records()
	res.Trace = w.Trace()
	retrying := map[string]bool{}
	for _, op := range w.Unconfirmed() {
		retrying[op.RequestID] = true
	}
	dialect := opts.Profile != nil && opts.Profile.Name != profile.Default
	res.Failures = append(res.Failures, stepOutcomes(s, res.Records, retrying, dialect)...)
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
//
// Under another dialect an expected error is judged by its presence, not by
// schedsim's wording.
func stepOutcomes(s *Scenario, records []sim.Record, retrying map[string]bool, dialect bool) []Failure {
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
		case st.wantError != "" && dialect && r.Err != "":
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

package properties

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Defaults of the suite.
const (
	DefaultSeed         = 20261127
	DefaultCases        = 1000
	DefaultMaxSchedules = 4
	DefaultMaxSteps     = 8
	DefaultHorizon      = 20 * time.Minute
)

// Options tune a run of the suite; zero fields take the defaults.
type Options struct {
	Seed         int64
	Cases        int
	MaxSchedules int // 1 to 10
	MaxSteps     int
	Horizon      time.Duration
	// RetryDelay is the world's retry delay (10s when zero); the factory
	// should use the same.
	RetryDelay time.Duration
	// NoShrink reports the failing history as generated.
	NoShrink bool
	// FirstCase skips the cases before it (to replay one: FirstCase = n, Cases = 1).
	FirstCase int
	// Faults is the fault mode: ModeAll (the default), ModeNone, ModeCrashes
	// or ModeSwarm.
	Faults string
	// Evaluator names the implementation checked, for the scenarios written.
	Evaluator string
	// Profile is the implementation's dialect (schedsim's when nil): the
	// generator stays within its policies and fault kinds, and the
	// invariants judge by its rules.
	Profile *profile.Profile
	// Isolate, when set, runs each simulated world (built, run, judged and
	// closed inside it). An in-process scheduler's adapter passes a function
	// that runs it in a synctest bubble of its own.
	Isolate func(func())
	// Known, when set, says which violations are known findings of the
	// implementation (docs/findings.md): they are left out of the verdict,
	// so that the suite goes on looking for new ones. It should be precise
	// (the finding's symptom, not a whole invariant) and count what it drops.
	Known func(invariants.Violation) bool
}

// profile is the dialect the suite judges in.
func (o Options) profile() profile.Profile {
	if o.Profile != nil {
		return *o.Profile
	}
	return profile.Schedsim()
}

// isolate runs f as Options.Isolate says.
func (o Options) isolate(f func()) {
	if o.Isolate != nil {
		o.Isolate(f)
		return
	}
	f()
}

// Validate reports options out of range, as Check would.
func Validate(o Options) error { return o.validate() }

func (o Options) validate() error {
	switch {
	case o.MaxSchedules > 10 || o.MaxSchedules < 0:
		return fmt.Errorf("%w: schedules must be between 1 and 10, got %d", ErrInvalidOptions, o.MaxSchedules)
	case o.Cases < 0 || o.MaxSteps < 0 || o.FirstCase < 0:
		return fmt.Errorf("%w: negative count", ErrInvalidOptions)
	case o.Horizon < 0 || o.Horizon > 366*24*time.Hour:
		return fmt.Errorf("%w: horizon must be at most a year, got %s", ErrInvalidOptions, o.Horizon)
	case o.Faults != "" && !slices.Contains(Modes, o.Faults):
		return fmt.Errorf("%w: faults must be one of %s, got %q", ErrInvalidOptions, strings.Join(Modes, ", "), o.Faults)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Cases <= 0 {
		o.Cases = DefaultCases
	}
	if o.MaxSchedules <= 0 {
		o.MaxSchedules = DefaultMaxSchedules
	}
	o.MaxSchedules = min(o.MaxSchedules, 10)
	if o.MaxSteps <= 0 {
		o.MaxSteps = DefaultMaxSteps
	}
	if o.Horizon <= 0 {
		o.Horizon = DefaultHorizon
	}
	if o.Faults == "" {
		o.Faults = ModeAll
	}
	return o
}

// Failure is a violated invariant, with the history that shows it, shrunk.
type Failure struct {
	Seed       int64
	Case       int
	Invariant  string   // of the first violation
	Violations []string // as the checkers report them
	History    History  // shrunk unless Options.NoShrink
	Scenario   string   // History as a scenario file that simrun run replays
	Runs       int      // histories run to find and shrink it
}

func (f *Failure) Error() string {
	return fmt.Sprintf("properties: seed %d case %d: %s (shrunk to %d steps)\n%s\n--- scenario (save as a .yaml file; `simrun run FILE` replays it):\n%s",
		f.Seed, f.Case, f.Invariant, f.History.Size(), strings.Join(f.Violations, "\n"), f.Scenario)
}

// ErrInvalidOptions is returned for options out of range.
var ErrInvalidOptions = errors.New("properties: invalid options")

// Check runs the suite against the evaluator that factory creates: it
// generates Options.Cases histories, runs each in the simulated world and
// checks every invariant of docs/invariants.md (S1–S7, C1–C3, R1–R3, M1, and B1 for
// refused input; R3 by running every case twice). It returns nil, or a
// *Failure for the first history that breaks one, shrunk to a minimal scenario.
func Check(factory sim.Factory, o Options) error {
	if err := o.validate(); err != nil {
		return err
	}
	o = o.withDefaults()
	runs := 0
	for i := o.FirstCase; i < o.FirstCase+o.Cases; i++ {
		h, vs, err := Case(factory, o, i, true)
		if err != nil {
			return err
		}
		runs++
		if len(vs) == 0 {
			continue
		}
		f := Minimize(factory, o, i, h, vs, true)
		f.Runs += runs
		return f
	}
	return nil
}

// Case generates case i of o and runs it; rerun adds a second run, compared
// with the first for R3. The error is the generator's.
func Case(factory sim.Factory, o Options, i int, rerun bool) (History, []invariants.Violation, error) {
	r := runCase(factory, o, i, rerun)
	return r.History, r.Violations, r.Err
}

func runCase(factory sim.Factory, o Options, i int, rerun bool) (r CaseResult) {
	o = o.withDefaults()
	r.Seed, r.Rechecked = o.Seed+int64(i), rerun
	if r.History, r.Err = Generate(o.Seed, i, o); r.Err == nil {
		var rep invariants.Report
		r.Violations, r.Stats, rep = checkHistory(factory, r.History, o, rerun)
		r.NotApplicable, r.M1Until = rep.NotApplicable, rep.M1Until
	}
	return r
}

// Minimize shrinks the history of case i, which showed vs, to the smallest
// that still breaks the same invariant (unless Options.NoShrink), and
// returns it as a Failure with its scenario.
func Minimize(factory sim.Factory, o Options, i int, h History, vs []invariants.Violation, rerun bool) *Failure {
	o = o.withDefaults()
	f := &Failure{Seed: o.Seed, Case: i, Invariant: vs[0].Invariant, History: h, Runs: 1}
	if !o.NoShrink {
		var n int
		f.History, n = Shrink(h, func(c History) bool {
			return slices.ContainsFunc(violations(factory, c, o, rerun), func(v invariants.Violation) bool { return v.Invariant == f.Invariant })
		})
		f.Runs += n
		vs = violations(factory, f.History, o, rerun)
	}
	for _, v := range vs {
		f.Violations = append(f.Violations, v.Error())
	}
	f.Scenario = Annotate(factory, f.History, o).Format(fmt.Sprintf("%s-seed-%d", strings.ToLower(f.Invariant), o.Seed+int64(i)),
		fmt.Sprintf("Found by the property suite (seed %d, case %d; %s)%s: %s.", o.Seed, i, h.Mix, against(o.Evaluator), f.Invariant))
	return f
}

func against(evaluator string) string {
	if evaluator == "" {
		return ""
	}
	return " against " + evaluator
}

// outcome is one run of a history.
type outcome struct {
	world *sim.World
	cfg   sim.Config
	err   error
}

func run(factory sim.Factory, h History, o Options) outcome {
	s := h.Scenario("generated", "generated")
	s.RetryDelay = o.RetryDelay
	cfg := s.Config(factory)
	w, err := sim.New(cfg)
	if err != nil {
		return outcome{cfg: cfg, err: err}
	}
	return outcome{world: w, cfg: cfg, err: w.Run(s.Until)}
}

// Violations runs a history (twice, for R3; and without its zero-downtime
// crashes, for R2) and returns every violated invariant.
func Violations(factory sim.Factory, h History, o Options) []invariants.Violation {
	return violations(factory, h, o.withDefaults(), true)
}

func violations(factory sim.Factory, h History, o Options, rerun bool) []invariants.Violation {
	vs, _, _ := checkHistory(factory, h, o, rerun)
	return vs
}

// checkHistory is violations, with the stats and the report of the first
// run (what it could not judge, how far M1 judged).
func checkHistory(factory sim.Factory, h History, o Options, rerun bool) ([]invariants.Violation, sim.Stats, invariants.Report) {
	a := judge(factory, h, o, true, rerun)
	if !a.built {
		return []invariants.Violation{{Invariant: "harness", Detail: a.err.Error()}}, sim.Stats{}, invariants.Report{}
	}
	if a.err != nil {
		if errors.Is(a.err, sim.ErrFatal) { // the program broke the protocol
			return []invariants.Violation{{Invariant: "protocol", Detail: a.err.Error()}}, a.stats, invariants.Report{}
		}
		// A livelock: the instant never settled.
		return []invariants.Violation{{Invariant: "S0", Detail: a.err.Error()}}, a.stats, invariants.Report{}
	}
	out := a.rep.Violations
	if rerun { // R3; `simrun check` does it for a share of the cases only
		if b := judge(factory, h, o, false, true); !b.built || b.trace != a.trace {
			out = append(out, invariants.Violation{Invariant: "R3", Detail: "two runs of the same history gave different traces"})
		}
	}
	if plain, ok, why := withoutTransparentCrashes(h); ok && o.profile().InapplicableWhy("R2") == "" {
		if c := judge(factory, plain, o, false, false); c.built && c.err == nil && !slices.Equal(c.execs, a.execs) {
			out = append(out, invariants.Violation{Invariant: "R2",
				Detail: fmt.Sprintf("crashes with zero downtime changed the executions: %s", firstDiff(c.execs, a.execs))})
		}
	} else if why != "" {
		// The history has a zero-downtime crash R2 cannot judge: said.
		a.rep.NotApplicable = append(a.rep.NotApplicable, invariants.NotApplicable{Invariant: "R2", Why: why})
	}
	if o.Known != nil {
		out = slices.DeleteFunc(out, o.Known)
	}
	return out, a.stats, a.rep
}

// judged is what one run of a history showed, taken inside Options.Isolate.
type judged struct {
	built bool // the world was built (else err says why not)
	err   error
	stats sim.Stats
	trace string
	rep   invariants.Report // when asked
	execs []string
}

// judge runs a history once, inside Options.Isolate, and takes what the
// checks need before the world closes; report asks for the invariants, trace
// for the rendered trace (R3 compares two; rendering costs as much as judging,
// so it is done only then).
func judge(factory sim.Factory, h History, o Options, report, trace bool) (j judged) {
	o.isolate(func() {
		a := run(factory, h, o)
		if a.world == nil {
			j.err = a.err
			return
		}
		defer a.world.Close()
		j.built, j.err, j.stats = true, a.err, a.world.Stats()
		if a.err != nil {
			return
		}
		if trace {
			j.trace = a.world.Trace() // before observing: describing may make the process read its log
		}
		j.execs = executions(a.world)
		if report {
			j.rep = invariants.RunIn(o.profile(), a.world, a.cfg)
		}
	})
	return j
}

// withoutTransparentCrashes drops the crashes with zero downtime, if the
// history has some and no other seam fault (whose call counts they would shift).
func withoutTransparentCrashes(h History) (_ History, ok bool, why string) {
	found, seam := false, false
	down := map[time.Duration]bool{} // instants of crashes with downtime
	for _, st := range h.Steps {
		switch {
		case st.Kind == StepCrash && st.Duration == 0:
			found = true // at a time or at a seam call
		case st.Call != "":
			seam = true
		case st.Kind == StepCrash:
			down[st.At] = true
		}
	}
	switch {
	case !found:
		return h, false, ""
	case seam:
		return h, false, "the history has seam errors or crashes with downtime at seam calls: without its zero-downtime crashes those calls would come at other times"
	}
	for _, st := range h.Steps {
		// A zero-downtime crash at the instant of one with downtime is not
		// transparent: the recovery between them sees the instant's closures
		// before the second crash does (simrun check, seed 4535).
		if st.Kind == StepCrash && st.Duration == 0 && down[st.At] {
			return h, false, "a zero-downtime crash shares its instant with a crash that has downtime"
		}
	}
	h.Steps = slices.DeleteFunc(slices.Clone(h.Steps), func(st Step) bool { return st.Kind == StepCrash && st.Duration == 0 })
	return h, true, ""
}

func executions(w *sim.World) []string {
	var out []string
	for _, r := range w.Engine().Runs() {
		out = append(out, fmt.Sprintf("%s@%s at %s", r.Request.ScheduleID, r.Request.Nominal.UTC().Format(time.RFC3339), r.StartedAt.UTC().Format(time.RFC3339)))
	}
	slices.Sort(out)
	return out
}

func firstDiff(want, got []string) string {
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			return fmt.Sprintf("without them %q, with them %q", w, g)
		}
	}
	return ""
}

// sentinels are the error texts a refused operation's want_error may name.
var sentinels = []error{evaluator.ErrInvalidTrigger, evaluator.ErrUnknownZone, evaluator.ErrNeverFires, evaluator.ErrInvalidConfig,
	evaluator.ErrScheduleExists, evaluator.ErrNotFound, evaluator.ErrRequestReused, evaluator.ErrNotRecovered}

// Annotate runs a history once and returns it with what a replay needs: each
// refused operation's error as its want_error, and faults that never fired
// removed (they test nothing, and a scenario fails on them).
func Annotate(factory sim.Factory, h History, o Options) History {
	var rejected []sim.RejectedOp
	var unfiredFaults []int
	built := false
	o.isolate(func() {
		a := run(factory, h, o)
		if a.world == nil {
			return
		}
		defer a.world.Close()
		built, rejected, unfiredFaults = true, a.world.Rejected(), a.world.Unfired()
	})
	if !built {
		return h
	}
	h.Steps = slices.Clone(h.Steps)
	h.Schedules = slices.Clone(h.Schedules)
	refused := map[string]string{}
	for _, op := range rejected {
		refused[op.RequestID] = op.Err
	}
	why := func(err string) string {
		for _, s := range sentinels {
			if strings.Contains(err, s.Error()) {
				return s.Error()
			}
		}
		return err
	}
	for i := range h.Schedules {
		if err, ok := refused["create-"+h.Schedules[i].ID]; ok {
			h.Schedules[i].WantError = why(err)
		}
	}
	unfired := map[int]bool{}
	for _, i := range unfiredFaults {
		unfired[i] = true
	}
	fault := 0
	var kept []Step
	for i, st := range h.Steps {
		if err, ok := refused[fmt.Sprintf("r%d", i+1)]; ok {
			st.WantError = why(err)
		} else if isOp(st.Kind) {
			st.WantError = ""
		}
		if !isOp(st.Kind) {
			fault++
			if unfired[fault-1] {
				continue
			}
		}
		kept = append(kept, st)
	}
	h.Steps = kept
	return h
}

func isOp(kind string) bool {
	switch kind {
	case StepUpdate, StepPause, StepResume, StepDelete, StepBadCreate, StepTrigger, StepBackfill:
		return true
	}
	return false
}

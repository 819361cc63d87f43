package properties

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// Starts a history may begin at: an ordinary day, and the hours around the
// DST changes of New York and Berlin in 2026, where zoned crons misbehave.
var starts = []time.Time{
	sim.DefaultStart,
	time.Date(2026, 3, 8, 6, 45, 0, 0, time.UTC),   // New York springs forward at 07:00Z
	time.Date(2026, 11, 1, 5, 15, 0, 0, time.UTC),  // New York falls back at 06:00Z
	time.Date(2026, 3, 29, 0, 45, 0, 0, time.UTC),  // Berlin springs forward at 01:00Z
	time.Date(2026, 10, 25, 0, 15, 0, 0, time.UTC), // Berlin falls back at 01:00Z
}

// triggerChoice is a trigger and its (typical) period, for sizing workloads.
type triggerChoice struct {
	spec   evaluator.TriggerSpec
	period time.Duration
}

func interval(d time.Duration) triggerChoice {
	return triggerChoice{evaluator.TriggerSpec{Interval: evaluator.Duration(d)}, d}
}

func cron(expr, zone string, period time.Duration) triggerChoice {
	return triggerChoice{evaluator.TriggerSpec{Cron: expr, Timezone: zone}, period}
}

var (
	intervalChoices = []triggerChoice{interval(30 * time.Second), interval(time.Minute), interval(90 * time.Second),
		interval(2 * time.Minute), interval(5 * time.Minute), interval(10 * time.Minute), interval(20 * time.Minute),
		interval(30 * time.Minute), interval(time.Hour), interval(2 * time.Hour), interval(6 * time.Hour)}
	cronChoices = []triggerChoice{cron("*/20 * * * * *", "", 20*time.Second), cron("@every 45s", "", 45*time.Second),
		cron("* * * * *", "", time.Minute), cron("*/2 * * * *", "", 2*time.Minute), cron("*/15 * * * *", "", 15*time.Minute),
		cron("@hourly", "", time.Hour), cron("0 */6 * * *", "", 6*time.Hour), cron("@daily", "", 24*time.Hour)}
	// Zoned crons fire around the DST changes the starts are placed at.
	zonedChoices = []triggerChoice{cron("*/10 1-3 * * *", "America/New_York", 10*time.Minute),
		cron("*/10 1-3 * * *", "Europe/Berlin", 10*time.Minute), cron("30 1 * * *", "America/New_York", 24*time.Hour)}
)

// scale sizes a history's times to its horizon: a case stays under about
// 10,000 ticks however long it simulates.
type scale struct {
	horizon, unit, minPeriod time.Duration
	maxSchedules             int
}

func scaleOf(o Options) scale {
	unit := max(5*time.Second, (o.Horizon / 2000).Round(5*time.Second))
	return scale{horizon: o.Horizon, unit: unit, minPeriod: o.Horizon * time.Duration(o.MaxSchedules) / 10000, maxSchedules: o.MaxSchedules}
}

// fit keeps the choices whose period suits the scale (ticks bounded, at least
// one tick per few horizons).
func (sc scale) fit(cs []triggerChoice) []any {
	var out []any
	for _, c := range cs {
		if c.period >= sc.minPeriod && c.period <= 4*sc.horizon {
			out = append(out, c)
		}
	}
	return out
}

// genTrigger draws a trigger; zoned crons only near a DST change (dst).
func (sc scale) genTrigger(dst bool) gopter.Gen {
	ivs := sc.fit(intervalChoices)
	if len(ivs) == 0 {
		ivs = []any{interval(sc.minPeriod.Round(time.Minute) + time.Minute)}
	}
	gens := []gen.WeightedGen{{Weight: 5, Gen: gen.OneConstOf(ivs...)}}
	if crons := sc.fit(cronChoices); len(crons) > 0 {
		gens = append(gens, gen.WeightedGen{Weight: 3, Gen: gen.OneConstOf(crons...)})
	}
	if zoned := sc.fit(zonedChoices); dst && len(zoned) > 0 {
		gens = append(gens, gen.WeightedGen{Weight: 3, Gen: gen.OneConstOf(zoned...)})
	}
	return gen.Weighted(gens)
}

// badTriggers are invalid triggers and the error each must be refused with.
var badTriggers = []struct {
	spec evaluator.TriggerSpec
	want string
}{
	{evaluator.TriggerSpec{Cron: "61 * * * *"}, "invalid trigger"},
	{evaluator.TriggerSpec{Cron: "*/5 * * * *", Timezone: "Mars/Olympus"}, "unknown time zone"},
	{evaluator.TriggerSpec{Cron: "0 0 30 2 *"}, "never fires"},
}

// Policies: the evaluator's tables.
var (
	Overlaps = evaluator.OverlapPolicies()
	CatchUps = evaluator.CatchUpPolicies()
)

func names[T fmt.Stringer](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}

// every returns multiples of step in [0, max].
func every(step, max time.Duration) gopter.Gen {
	return gen.Int64Range(0, int64(max/step)).Map(func(n int64) time.Duration { return time.Duration(n) * step })
}

func (sc scale) genSchedule(id string, dst bool, p Mix) gopter.Gen {
	return gopter.CombineGens(
		sc.genTrigger(dst),
		gen.OneConstOf(anys(p.Overlaps)...),
		gen.OneConstOf(anys(p.CatchUps)...),
		gen.Weighted([]gen.WeightedGen{{Weight: 6, Gen: gen.Const(time.Duration(0))},
			{Weight: 1, Gen: gen.OneConstOf(sc.unit*6, sc.unit*12, sc.unit*36)}}),
		gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(0.0)}, {Weight: 9, Gen: gen.OneConstOf(0.3, 1.0, 1.5, 2.5)}}),
		gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: gen.Const(time.Duration(0))}, {Weight: 2, Gen: every(sc.unit*3, sc.horizon/3)}}),
		gen.Weighted([]gen.WeightedGen{{Weight: 11, Gen: gen.Const(-1)}, {Weight: 1, Gen: gen.IntRange(0, len(badTriggers)-1)}}),
		// A run of exactly one period closes at the next tick; 1ns either
		// side puts the closure just before or just after it (boundary.go).
		gen.Weighted([]gen.WeightedGen{{Weight: 6, Gen: gen.Const(time.Duration(0))}, {Weight: boundaryShare, Gen: gen.OneConstOf(time.Duration(-1), time.Duration(1))}}),
		// buffer_all's bound: the default, or small enough to fill.
		gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(0)}, {Weight: 2, Gen: gen.IntRange(1, 3)}}),
		// start_at and end_at, in one schedule of four: a lower bound after
		// the create, and an end at least three periods after both.
		gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: gen.Const([2]time.Duration{})},
			{Weight: 1, Gen: gopter.CombineGens(every(sc.unit*3, sc.horizon/3), every(sc.unit*3, sc.horizon/3)).Map(func(b []any) [2]time.Duration {
				return [2]time.Duration{b[0].(time.Duration), b[1].(time.Duration)}
			})}}),
		// remaining_runs, in one schedule of five: small, so it runs out.
		gen.Weighted([]gen.WeightedGen{{Weight: 4, Gen: gen.Const(0)}, {Weight: 1, Gen: gen.IntRange(1, 4)}}),
		// Its runs fail when they end, and pause_on_failure: each alone
		// now and then, together in one schedule of five.
		gen.Weighted([]gen.WeightedGen{{Weight: 6, Gen: gen.Const([2]bool{})}, {Weight: 1, Gen: gen.Const([2]bool{true, false})},
			{Weight: 1, Gen: gen.Const([2]bool{false, true})}, {Weight: 2, Gen: gen.Const([2]bool{true, true})}}),
		// jitter, in one schedule of five, as a share of the period: less
		// than a gap, or more (capped by the gaps).
		gen.Weighted([]gen.WeightedGen{{Weight: 4, Gen: gen.Const(0.0)}, {Weight: 1, Gen: gen.OneConstOf(0.4, 0.9, 2.0)}}),
	).Map(func(v []any) Schedule {
		t := v[0].(triggerChoice)
		runs := time.Duration(float64(min(t.period, sc.horizon/2)) * v[4].(float64)).Round(time.Second)
		if runs > 0 && boundaryValues {
			runs += v[7].(time.Duration)
		}
		s := Schedule{ID: id, Trigger: t.spec, Overlap: v[1].(evaluator.OverlapPolicy), CatchUp: v[2].(evaluator.CatchUpPolicy), Window: v[3].(time.Duration),
			RunsFor: runs, CreateAt: v[5].(time.Duration)}
		if p.NoWindow {
			s.Window = 0
		}
		if s.Overlap == evaluator.OverlapBufferAll && !p.NoBufferLimit {
			s.BufferLimit = v[8].(int)
		}
		if b := v[9].([2]time.Duration); b != ([2]time.Duration{}) && !p.NoBounds {
			if b[0] > s.CreateAt {
				s.StartAt = b[0]
			}
			s.EndAt = max(s.CreateAt, s.StartAt) + 3*t.period + b[1]
		}
		if !p.NoLimit {
			s.RemainingRuns = v[10].(int)
		}
		f := v[11].([2]bool)
		s.Fails = f[0]
		s.PauseOnFailure = f[1] && !p.NoPauseOnFailure
		if !p.NoJitter {
			s.Jitter = time.Duration(float64(t.period) * v[12].(float64)).Round(time.Millisecond)
		}
		if b := v[6].(int); b >= 0 {
			s.BadTrigger, s.WantError = &badTriggers[b].spec, badTriggers[b].want
		}
		return s
	})
}

// ticksOf lists up to 40 ticks of a schedule before until: the nominal times
// its tick faults can name.
func ticksOf(s Schedule, start time.Time, until time.Duration) []time.Duration {
	trig, err := evaluator.ParseTrigger(s.Trigger)
	if err != nil {
		return nil
	}
	anchor := start.Add(s.CreateAt)
	g := trig.Grid(anchor)
	var out []time.Duration
	for t := g.Next(anchor); !t.IsZero() && t.Sub(start) <= until && len(out) < 40; t = g.Next(t) {
		out = append(out, t.Sub(start))
	}
	return out
}

// Seam calls a generated fault can name.
var faultCalls = []any{"engine.start", "engine.start", "log.append", "log.append", "timers.arm", "engine.cancel", "engine.terminate",
	"engine.describe", "timers.disarm", "log.read"}

// faultEnd is when faults stop: the last 30% of a history is a quiet
// liveness phase, at whose end every due tick must have been handled as the
// policies say (C1, C3, M1 at a quiet point).
func (sc scale) faultEnd() time.Duration { return sc.horizon * 7 / 10 }

func (sc scale) genStep(h History, p Mix) gopter.Gen {
	ids := make([]any, 0, len(h.Schedules))
	ticks := map[string][]time.Duration{}
	byID := map[string]Schedule{}
	var tickIDs []any
	for _, s := range h.Schedules {
		ids = append(ids, s.ID)
		byID[s.ID] = s
		if ts := ticksOf(s, h.Start, sc.faultEnd()); len(ts) > 0 && s.BadTrigger == nil {
			ticks[s.ID] = ts
			tickIDs = append(tickIDs, s.ID)
		}
	}
	at := orBoundary(every(sc.unit, sc.horizon), h, sc.horizon)
	faultAt := orBoundary(every(sc.unit, sc.faultEnd()), h, sc.faultEnd())
	sched := gen.OneConstOf(ids...)
	phase := gen.OneConstOf("before", "after")
	op := func(kind string) gopter.Gen {
		return gopter.CombineGens(at, sched).Map(func(v []any) Step {
			return Step{At: v[0].(time.Duration), Kind: kind, Schedule: v[1].(string)}
		})
	}
	update := gopter.CombineGens(at, sched,
		gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(evaluator.OverlapPolicy(0))}, {Weight: 1, Gen: gen.OneConstOf(anys(p.Overlaps)...)}}),
		gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(evaluator.CatchUpPolicy(0))}, {Weight: 1, Gen: gen.OneConstOf(anys(p.CatchUps)...)}}),
		gen.Weighted([]gen.WeightedGen{{Weight: 6, Gen: gen.Const(-2)}, {Weight: 3, Gen: gen.Const(-1)}, {Weight: 1, Gen: gen.IntRange(0, len(badTriggers)-1)}}),
		sc.genTrigger(!h.Start.Equal(starts[0])),
	).Map(func(v []any) Step {
		st := Step{At: v[0].(time.Duration), Kind: StepUpdate, Schedule: v[1].(string), Overlap: v[2].(evaluator.OverlapPolicy), CatchUp: v[3].(evaluator.CatchUpPolicy)}
		switch b := v[4].(int); {
		case b == -1:
			t := v[5].(triggerChoice).spec
			st.Trigger = &t
		case b >= 0:
			st.Trigger, st.WantError = &badTriggers[b].spec, badTriggers[b].want
		}
		if st.Overlap == 0 && st.CatchUp == 0 && st.Trigger == nil {
			st.Overlap = p.Overlaps[0]
		}
		return st
	})
	long := max(6*time.Minute, sc.horizon/3).Round(time.Second)
	downtimes := []time.Duration{max(20*time.Second, sc.horizon/60).Round(time.Second), max(90*time.Second, sc.horizon/14).Round(time.Second), long}
	crash := gopter.CombineGens(faultAt, gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: gen.Const(time.Duration(0))},
		{Weight: 2, Gen: gen.OneConstOf(anys(downtimes)...)}})).Map(func(v []any) Step {
		return Step{At: v[0].(time.Duration), Kind: StepCrash, Duration: v[1].(time.Duration)}
	})
	if exact := landing(h, sc.faultEnd(), downtimes, StepCrash); exact != nil {
		crash = gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: crash}, {Weight: boundaryShare, Gen: exact}})
	}
	seam := func(kind string) gopter.Gen {
		return gopter.CombineGens(faultAt, gen.OneConstOf(faultCalls...), phase,
			gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const("")}, {Weight: 1, Gen: sched}}),
			gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: gen.Const(time.Duration(0))}, {Weight: 1, Gen: gen.Const(sc.unit * 9)}}),
		).Map(func(v []any) Step {
			st := Step{At: v[0].(time.Duration), Kind: kind, Call: v[1].(string), Phase: v[2].(string), Schedule: v[3].(string)}
			if st.Call == "log.read" {
				st.Schedule = ""
			}
			if kind == StepCrash {
				st.Duration = v[4].(time.Duration)
			}
			return st
		})
	}
	// A seam fault aimed at one schedule's own boundary: the first call for
	// it at or after one of its ticks or closures (a buffered start at a
	// closure, say).
	if len(tickIDs) > 0 && boundaryValues {
		plain := seam
		seam = func(kind string) gopter.Gen {
			aimed := gen.OneConstOf(tickIDs...).FlatMap(func(id any) gopter.Gen {
				own := ownBoundaries(byID[id.(string)], h.Start, sc.faultEnd())
				return gopter.CombineGens(nearly(own, sc.faultEnd()), gen.OneConstOf(faultCalls...), phase).Map(func(v []any) Step {
					st := Step{At: v[0].(time.Duration), Kind: kind, Call: v[1].(string), Phase: v[2].(string), Schedule: id.(string)}
					if st.Call == "log.read" {
						st.Schedule = ""
					}
					if kind == StepCrash {
						st.Duration = sc.unit * 9
					}
					return st
				})
			}, reflect.TypeOf(Step{}))
			return gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: plain(kind)}, {Weight: boundaryShare, Gen: aimed}})
		}
	}
	gens := []gen.WeightedGen{
		{Weight: 3, Gen: update}, {Weight: 2, Gen: op(StepPause)}, {Weight: 2, Gen: op(StepResume)}, {Weight: 1, Gen: op(StepDelete)},
	}
	if !p.NoTrigger {
		trigger := gopter.CombineGens(at, sched,
			gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(evaluator.OverlapPolicy(0))}, {Weight: 1, Gen: gen.OneConstOf(anys(p.Overlaps)...)}}),
		).Map(func(v []any) Step {
			return Step{At: v[0].(time.Duration), Kind: StepTrigger, Schedule: v[1].(string), Overlap: v[2].(evaluator.OverlapPolicy)}
		})
		gens = append(gens, gen.WeightedGen{Weight: 2, Gen: trigger})
	}
	if !p.NoBackfill {
		// A past range: from some periods back, short or reaching now.
		backfill := gopter.CombineGens(at, sched,
			gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(evaluator.OverlapPolicy(0))}, {Weight: 1, Gen: gen.OneConstOf(anys(p.Overlaps)...)}}),
			gen.OneConstOf(sc.unit*3, sc.unit*10, sc.unit*40), gen.OneConstOf(0.3, 0.7, 1.0),
		).Map(func(v []any) Step {
			at, back := v[0].(time.Duration), v[3].(time.Duration)
			from := max(at-back, 0)
			to := from + time.Duration(float64(at-from)*v[4].(float64))
			return Step{At: at, Kind: StepBackfill, Schedule: v[1].(string), Overlap: v[2].(evaluator.OverlapPolicy), Nominal: from, Duration: to}
		})
		gens = append(gens, gen.WeightedGen{Weight: 1, Gen: backfill})
	}
	on := func(kind string) bool { return slices.Contains(p.Faults, kind) }
	if on(FaultCrash) {
		gens = append(gens, gen.WeightedGen{Weight: 3, Gen: crash})
	}
	if on(FaultCrashAtCall) {
		gens = append(gens, gen.WeightedGen{Weight: 3, Gen: seam(StepCrash)})
	}
	if on(FaultError) {
		gens = append(gens, gen.WeightedGen{Weight: 3, Gen: seam(StepError)})
	}
	if on(FaultJump) {
		jump := gopter.CombineGens(faultAt, gen.OneConstOf(sc.unit*6, sc.unit*36)).Map(func(v []any) Step {
			return Step{At: v[0].(time.Duration), Kind: StepJump, Duration: v[1].(time.Duration)}
		})
		if exact := landing(h, sc.faultEnd(), []time.Duration{sc.unit * 6, sc.unit * 36}, StepJump); exact != nil {
			jump = gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: jump}, {Weight: boundaryShare, Gen: exact}})
		}
		gens = append(gens, gen.WeightedGen{Weight: 1, Gen: jump})
	}
	if len(tickIDs) > 0 {
		tick := func(kind string, weight int) gen.WeightedGen {
			g := gen.OneConstOf(tickIDs...).FlatMap(func(id any) gopter.Gen {
				ts := make([]any, len(ticks[id.(string)]))
				for i, t := range ticks[id.(string)] {
					ts[i] = t
				}
				late := gen.OneConstOf(sc.unit*2, sc.unit*10, sc.unit*24)
				if edges := lateness(byID[id.(string)], periodOf(ticks[id.(string)])); len(edges) > 0 {
					late = gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: late}, {Weight: boundaryShare, Gen: gen.OneConstOf(edges...)}})
				}
				return gopter.CombineGens(gen.OneConstOf(ts...), late).Map(func(v []any) Step {
					return Step{At: v[0].(time.Duration), Kind: kind, Schedule: id.(string), Nominal: v[0].(time.Duration), Duration: v[1].(time.Duration)}
				})
			}, reflect.TypeOf(Step{}))
			return gen.WeightedGen{Weight: weight, Gen: g}
		}
		if on(FaultLate) {
			gens = append(gens, tick(StepLate, 2))
		}
		if on(FaultDuplicateDelivery) {
			gens = append(gens, tick(StepDuplicateDelivery, 1))
		}
		if on(FaultDuplicateNotice) {
			gens = append(gens, tick(StepDuplicateNotice, 1))
		}
	}
	return gen.Weighted(gens)
}

// genHistory generates histories of 1..MaxSchedules schedules and
// 0..MaxSteps steps over the horizon, under a profile drawn for the mode.
func genHistory(o Options) gopter.Gen {
	sc := scaleOf(o)
	return gopter.CombineGens(
		gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: gen.Const(starts[0])}, {Weight: 1, Gen: gen.OneConstOf(anys(starts[1:])...)}}),
		gen.IntRange(1, o.MaxSchedules),
		gen.OneConstOf(time.Duration(0), 5*time.Second, 30*time.Second),
		genMix(o.Faults, o.profile()),
	).FlatMap(func(v any) gopter.Gen {
		vs := v.([]any)
		n, p := vs[1].(int), vs[3].(Mix)
		dst := !vs[0].(time.Time).Equal(starts[0])
		scheds := make([]gopter.Gen, n)
		for i := range scheds {
			scheds[i] = sc.genSchedule(fmt.Sprintf("s%d", i+1), dst, p)
		}
		return gopter.CombineGens(scheds...).FlatMap(func(v any) gopter.Gen {
			h := History{Start: vs[0].(time.Time), Horizon: o.Horizon, CancelDelay: vs[2].(time.Duration), Mix: p}
			for _, s := range v.([]any) {
				h.Schedules = append(h.Schedules, s.(Schedule))
			}
			return gen.SliceOf(sc.genStep(h, p)).Map(func(steps []Step) History {
				h.Steps = slices.Clone(steps)
				created := map[string]time.Duration{}
				for _, s := range h.Schedules {
					created[s.ID] = s.CreateAt
				}
				for i, st := range h.Steps {
					// Operations mostly come after the creation (some before: refused).
					if c := created[st.Schedule]; isOp(st.Kind) && st.At < c && st.At%(2*sc.unit) != 0 {
						h.Steps[i].At = min(c+st.At/2, h.Horizon)
					}
				}
				slices.SortStableFunc(h.Steps, func(a, b Step) int { return int(a.At - b.At) })
				return h
			})
		}, reflect.TypeOf(History{}))
	}, reflect.TypeOf(History{}))
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// Generate returns case i of the suite with seed: each case has a gopter
// seed of its own (seed + i), so any case is reproduced alone.
func Generate(seed int64, i int, o Options) (History, error) {
	o = o.withDefaults()
	tp := gopter.DefaultTestParametersWithSeed(seed + int64(i))
	res := genHistory(o)(&gopter.GenParameters{MaxSize: o.MaxSteps, Rng: tp.Rng})
	v, ok := res.Retrieve()
	if !ok {
		return History{}, fmt.Errorf("properties: the generator produced nothing for seed %d case %d", seed, i)
	}
	return v.(History), nil
}

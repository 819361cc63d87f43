package scenarios

import (
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// StepKinds are the keys that say what a timeline step does: the
// operations, the actions on executions and the faults, as package sim
// names them, then advance and expect. docs/scenario.schema.json follows it
// (a test compares them).
var StepKinds = stepKinds()

func stepKinds() []string {
	var out []string
	for _, k := range sim.OpKinds() {
		out = append(out, string(k))
	}
	for _, k := range sim.ActionKinds() {
		out = append(out, string(k))
	}
	for _, k := range sim.FaultKinds() {
		out = append(out, k.String())
	}
	return append(out, "advance", "expect")
}

func (d *decoder) timeline(n *yaml.Node, s *Scenario, ids map[string]*Schedule) []Step {
	var out []Step
	prev := s.Start
	for _, item := range d.list(n, "timeline") {
		f, ok := d.mapping(item, "step", append([]string{"at", "after"}, StepKinds...)...)
		if !ok {
			continue
		}
		var kinds []string
		for _, k := range StepKinds {
			if f.has(k) {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) != 1 {
			d.errorf(item, "step must do exactly one of %s; found %d", strings.Join(StepKinds, ", "), len(kinds))
			continue
		}
		kind := kinds[0]
		st := Step{Pos: d.pos(item)}
		timed := true
		switch {
		case f.has("at") && f.has("after"):
			d.errorf(f.keyNode("after"), "step: give at or after, not both")
		case f.has("at"):
			st.At, timed = d.instant(f.get("at"), "at")
		case f.has("after"):
			dur, ok := d.duration(f.get("after"), "after")
			st.At, timed = prev.Add(dur), ok
		case isTickKeyed(kind):
			timed = false // keyed by its tick; placed at it below
		default:
			d.errorf(item, "step %s: missing at (a time) or after (a duration since the previous step)", kind)
			continue
		}
		d.step(&st, kind, f.get(kind), s, ids)
		if !timed && st.Fault != nil && !st.Fault.Nominal.IsZero() && !f.has("at") && !f.has("after") {
			st.At, timed = st.Fault.Nominal, true
		}
		if !timed {
			continue
		}
		if st.At.Before(prev) {
			d.errorf(item, "step at %s is before the previous step at %s: steps must be in time order", stamp(st.At), stamp(prev))
			continue
		}
		prev = st.At
		st.Place(st.At)
		out = append(out, st)
	}
	return out
}

// target reads a step's schedule: the scalar value, or the schedule field of
// its mapping; it may be left out when the scenario has one schedule.
func (d *decoder) target(n *yaml.Node, f fields, kind string, s *Scenario, ids map[string]*Schedule) string {
	var v *yaml.Node
	if n.Kind == yaml.ScalarNode {
		v = n
	} else {
		v = f.get("schedule")
	}
	if v == nil {
		if len(s.Schedules) == 1 {
			return s.Schedules[0].ID
		}
		d.errorf(n, "%s: which schedule? (there are %d; give schedule)", kind, len(s.Schedules))
		return ""
	}
	id := d.str(v, kind+" schedule")
	if id != "" && ids[id] == nil {
		declared := "no schedule is declared"
		if len(ids) > 0 {
			declared = "declared: " + strings.Join(slices.Sorted(maps.Keys(ids)), ", ")
		}
		d.errorf(v, "%s: unknown schedule %q (%s)", kind, id, declared)
		return ""
	}
	return id
}

func (d *decoder) step(st *Step, kind string, n *yaml.Node, s *Scenario, ids map[string]*Schedule) {
	what := "step " + kind
	// A step's value: a schedule id (or nothing, for one schedule), or a mapping.
	fieldsOf := func(known ...string) (fields, bool) {
		if n.Kind == yaml.ScalarNode {
			return fields{node: n}, true
		}
		return d.mapping(n, what, known...)
	}
	fault, isFault := sim.ParseFaultKind(kind)
	switch {
	case slices.Contains(sim.OpKinds(), sim.OpKind(kind)):
		known := []string{"schedule", "request_id", "want_error"}
		if kind == string(sim.OpTrigger) {
			known = append(known, "overlap")
		}
		if kind == string(sim.OpBackfill) {
			known = append(known, "overlap", "from", "to")
		}
		if kind == "update" || kind == "create" {
			known = append(known, "trigger", "overlap", "catch_up", "catch_up_window", "buffer_limit", "start_at", "end_at", "remaining_runs", "pause_on_failure", "jitter", "workflow_type", "input", "search_attributes")
		}
		f, ok := fieldsOf(known...)
		if !ok {
			return
		}
		id := d.target(n, f, kind, s, ids)
		op := &sim.Op{Kind: sim.OpKind(kind), ScheduleID: id}
		if v := f.get("request_id"); v != nil {
			if op.RequestID = d.str(v, "request_id"); op.RequestID == "" {
				d.errorf(v, "%s: request_id is empty", kind)
			}
		}
		if v := f.get("want_error"); v != nil {
			st.WantError = d.str(v, "want_error")
		}
		if kind == string(sim.OpBackfill) {
			if n.Kind == yaml.ScalarNode {
				d.errorf(n, "backfill: want a mapping with schedule, from and to")
			} else {
				op.From = d.requiredInstant(f, "from", kind, " (the range's first instant)")
				op.To = d.requiredInstant(f, "to", kind, " (the instant the range ends before)")
			}
		}
		if v := f.get("overlap"); v != nil && (kind == string(sim.OpTrigger) || kind == string(sim.OpBackfill)) {
			if str, ok := d.scalar(v, "overlap"); ok {
				if err := op.Overlap.UnmarshalText([]byte(str)); err != nil {
					d.errorf(v, "%s: overlap: unknown policy %q (want %s)", kind, str, names(evaluator.NamedOverlapPolicies()))
				}
			}
		}
		if sc := ids[id]; sc != nil {
			switch kind {
			case "create":
				op.Config = d.config(f, sc.Config, "create "+id, st.WantError != "")
			case "update":
				base, ok := d.configs[id]
				if !ok {
					base = sc.Config
				}
				op.Config = d.config(f, base, "update "+id, st.WantError != "")
				if st.WantError == "" {
					d.configs[id] = op.Config // what later updates change
				}
			}
		}
		st.Op = op
	case slices.Contains(sim.ActionKinds(), sim.ActionKind(kind)):
		f, ok := fieldsOf("schedule", "nominal", "for")
		if !ok {
			return
		}
		a := &sim.Action{Kind: sim.ActionKind(kind)}
		a.ScheduleID = d.target(n, f, kind, s, ids)
		a.Nominal = d.requiredInstant(f, "nominal", kind, " (the tick whose execution it is)")
		if v := f.get("for"); v != nil {
			if kind != "slow" {
				d.errorf(v, "%s: only slow takes for", kind)
			}
			a.For, _ = d.duration(v, "slow for")
		} else if kind == "slow" {
			d.errorf(n, "slow: missing for (how long from now the execution runs; 0s for until cancelled)")
		}
		st.Action = a
	case isFault && fault.AtSeam():
		f, ok := d.mapping(n, what, "call", "phase", "nth", "schedule", "nominal", "downtime")
		if !ok {
			return
		}
		fl := &sim.Fault{Kind: fault}
		if v := f.get("call"); v != nil {
			fl.Call, _ = d.oneOf(v, kind+" call", fakes.Calls...)
		}
		if v := f.get("phase"); v != nil {
			if p, ok := d.oneOf(v, kind+" phase", "before", "after"); ok {
				fl.Phase = map[string]fakes.Phase{"before": fakes.Before, "after": fakes.After}[p]
			}
		} else if fl.Call != "" || f.has("nth") {
			d.errorf(n, "%s: missing phase (before or after the call takes effect)", kind)
		}
		if v := f.get("nth"); v != nil {
			nth, _ := d.integer(v, kind+" nth", 1, 1<<31)
			fl.Nth = int(nth)
		}
		if v := f.get("schedule"); v != nil {
			fl.Schedule = d.target(n, f, kind, s, ids)
		}
		if v := f.get("nominal"); v != nil {
			fl.Nominal, _ = d.instant(v, kind+" nominal")
		}
		if v := f.get("downtime"); v != nil {
			if kind == "error" {
				d.errorf(v, "error: an error has no downtime (use crash)")
			}
			fl.Downtime, _ = d.duration(v, "crash downtime")
		} else if kind == "crash" {
			d.errorf(n, "crash: missing downtime (0s for an immediate restart)")
		}
		if kind == "error" && fl.Call == "" && fl.Nth == 0 {
			d.errorf(n, "error: missing call or nth (which seam call fails)")
		}
		if fl.Call == "" && fl.Nth == 0 && (fl.Schedule != "" || !fl.Nominal.IsZero()) {
			d.errorf(n, "%s: schedule and nominal select a seam call; give call too", kind)
		}
		st.Fault = fl
	case isFault && fault.TickKeyed():
		known := []string{"schedule", "nominal"}
		if kind == "late" {
			known = append(known, "by")
		}
		f, ok := fieldsOf(known...)
		if !ok {
			return
		}
		fl := &sim.Fault{Kind: fault}
		fl.Schedule = d.target(n, f, kind, s, ids)
		fl.Nominal = d.requiredInstant(f, "nominal", kind, " (the tick it concerns)")
		if v := f.get("by"); v != nil {
			fl.Late, _ = d.duration(v, "late by")
			if fl.Late == 0 {
				d.errorf(v, "late: by must be positive")
			}
		} else if kind == "late" {
			d.errorf(n, "late: missing by (how late the delivery is)")
		}
		st.Fault = fl
	case fault == sim.Jump:
		j, ok := d.duration(n, "jump")
		if ok && j == 0 {
			d.errorf(n, "jump must be positive")
		}
		st.Fault = &sim.Fault{Kind: sim.Jump, Jump: j}
	case kind == "advance":
		if b, ok := d.boolean(n, "advance"); ok && !b {
			d.errorf(n, "advance: give true (it runs the world to the step's time)")
		}
		st.Advance = true
	case kind == "expect":
		st.Expect = d.expect(n, s, ids)
	default: // a kind of the tables the loader has not learnt
		d.errorf(n, "step %s: not supported by the scenario loader", kind)
	}
}

func isTickKeyed(kind string) bool {
	k, ok := sim.ParseFaultKind(kind)
	return ok && k.TickKeyed()
}

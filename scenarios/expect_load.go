package scenarios

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

func (d *decoder) expect(n *yaml.Node, s *Scenario, ids map[string]*Schedule) *Expect {
	f, ok := d.mapping(n, "expect", "starts", "cancels", "terminates", "ticks", "schedules", "timers", "invariants")
	if !ok {
		return nil
	}
	e := &Expect{Pos: d.pos(n)}
	if len(f.keys) == 0 {
		d.errorf(n, "expect: nothing expected (give starts, cancels, terminates, ticks, schedules, timers or invariants)")
	}
	if v := f.get("starts"); v != nil {
		w := d.starts(v, "starts", s, ids)
		e.Starts = &w
	}
	if v := f.get("cancels"); v != nil {
		w := d.starts(v, "cancels", s, ids)
		e.Cancels = &w
	}
	if v := f.get("terminates"); v != nil {
		w := d.starts(v, "terminates", s, ids)
		e.Terminates = &w
	}
	if v := f.get("ticks"); v != nil {
		for _, item := range d.list(v, "ticks") {
			e.Ticks = append(e.Ticks, d.tick(item, s, ids))
		}
	}
	if v := f.get("schedules"); v != nil {
		for _, kv := range d.pairs(v, "expect schedules (schedule id: what it describes)") {
			e.Schedules = append(e.Schedules, d.scheduleWant(kv[0], kv[1], ids))
		}
	}
	if v := f.get("timers"); v != nil {
		w := []TimerWant{}
		for _, kv := range d.pairs(v, "expect timers (schedule id: time or none)") {
			id := d.known(kv[0], "timers", ids)
			if str, ok := d.scalar(kv[1], "timer"); ok && str == "none" {
				continue
			}
			if t, ok := d.instant(kv[1], "timer"); ok && id != "" {
				w = append(w, TimerWant{Schedule: id, At: t})
			}
		}
		slices.SortFunc(w, func(a, b TimerWant) int { return strings.Compare(a.Schedule, b.Schedule) })
		e.Timers = &w
	}
	if v := f.get("invariants"); v != nil {
		if str, ok := d.oneOf(v, "invariants", "hold"); ok {
			e.Invariants = str == "hold"
		}
	}
	return e
}

// known reads a schedule id that must be declared.
func (d *decoder) known(n *yaml.Node, what string, ids map[string]*Schedule) string {
	id := d.str(n, what+" schedule")
	if id != "" && ids[id] == nil {
		d.errorf(n, "%s: unknown schedule %q", what, id)
		return ""
	}
	return id
}

// words splits a compact entry ("[schedule] nominal ..."), resolving the
// schedule when only one is declared.
func (d *decoder) words(n *yaml.Node, what string, tail int, s *Scenario, ids map[string]*Schedule) (id string, nominal time.Time, rest []string, ok bool) {
	ws := strings.Fields(n.Value)
	head := len(ws) - tail
	switch {
	case head == 1 && len(s.Schedules) == 1:
		id = s.Schedules[0].ID
	case head == 2:
		id = ws[0]
		if ids[id] == nil {
			d.errorf(n, "%s %q: unknown schedule %q", what, n.Value, id)
			return "", time.Time{}, nil, false
		}
	default:
		d.errorf(n, "%s %q: want \"[schedule] nominal%s\"", what, n.Value, map[string]string{"starts": " [at time]", "cancels": " [at time]", "terminates": " [at time]", "ticks": " disposition"}[what])
		return "", time.Time{}, nil, false
	}
	tn := &yaml.Node{Kind: yaml.ScalarNode, Value: ws[head-1], Line: n.Line, Column: n.Column}
	nominal, ok = d.instant(tn, what+" nominal")
	return id, nominal, ws[head:], ok
}

// starts reads a list of starts or cancels: "[schedule] nominal [at time]"
// strings or {schedule, nominal, at} mappings.
func (d *decoder) starts(n *yaml.Node, what string, s *Scenario, ids map[string]*Schedule) []StartWant {
	out := []StartWant{}
	for _, item := range d.list(n, what) {
		var w StartWant
		if item.Kind == yaml.ScalarNode {
			tail := 0
			if ws := strings.Fields(item.Value); len(ws) >= 2 && ws[len(ws)-2] == "at" {
				tail = 2
			}
			id, nominal, rest, ok := d.words(item, what, tail, s, ids)
			if !ok {
				continue
			}
			w = StartWant{Schedule: id, Nominal: nominal}
			if tail == 2 {
				at, ok := d.instant(&yaml.Node{Kind: yaml.ScalarNode, Value: rest[1], Line: item.Line, Column: item.Column}, what+" at")
				if !ok {
					continue
				}
				w.At = at
			}
		} else {
			f, ok := d.mapping(item, what+" entry", "schedule", "nominal", "at")
			if !ok {
				continue
			}
			w.Schedule = d.target(item, f, what, s, ids)
			w.Nominal = d.requiredInstant(f, "nominal", what+" entry", "")
			if v := f.get("at"); v != nil {
				w.At, _ = d.instant(v, what+" at")
			}
		}
		out = append(out, w)
	}
	return out
}

func (d *decoder) tick(n *yaml.Node, s *Scenario, ids map[string]*Schedule) TickWant {
	var w TickWant
	if n.Kind == yaml.ScalarNode {
		id, nominal, rest, ok := d.words(n, "ticks", 1, s, ids)
		if !ok {
			return w
		}
		w = TickWant{Schedule: id, Nominal: nominal}
		dn := &yaml.Node{Kind: yaml.ScalarNode, Value: rest[0], Line: n.Line, Column: n.Column}
		w.Disposition, _ = d.oneOf(dn, "ticks disposition", Dispositions...)
		return w
	}
	f, ok := d.mapping(n, "ticks entry", "schedule", "nominal", "is")
	if !ok {
		return w
	}
	w.Schedule = d.target(n, f, "ticks", s, ids)
	w.Nominal = d.requiredInstant(f, "nominal", "ticks entry", "")
	if v := f.get("is"); v != nil {
		w.Disposition, _ = d.oneOf(v, "ticks is", Dispositions...)
	} else {
		d.errorf(n, "ticks entry: missing is (%s)", strings.Join(Dispositions, ", "))
	}
	return w
}

func (d *decoder) scheduleWant(k, v *yaml.Node, ids map[string]*Schedule) ScheduleWant {
	w := ScheduleWant{Pos: d.pos(k), Schedule: d.known(k, "schedules", ids)}
	f, ok := d.mapping(v, "expect schedule "+w.Schedule, "exists", "paused", "next", "running", "buffered", "counters")
	if !ok {
		return w
	}
	boolean := func(key string) *bool {
		if x := f.get(key); x != nil {
			if b, ok := d.boolean(x, key); ok {
				return &b
			}
		}
		return nil
	}
	optTime := func(key string) *time.Time {
		x := f.get(key)
		if x == nil {
			return nil
		}
		var t time.Time
		if str, ok := d.scalar(x, key); ok && str != "none" {
			t, _ = d.instant(x, key)
		}
		return &t
	}
	w.Exists, w.Paused = boolean("exists"), boolean("paused")
	w.Next, w.Buffered = optTime("next"), optTime("buffered")
	if x := f.get("running"); x != nil {
		ts := []time.Time{}
		for _, item := range d.list(x, "running") {
			if t, ok := d.instant(item, "running"); ok {
				ts = append(ts, t)
			}
		}
		w.Running = &ts
	}
	if x := f.get("counters"); x != nil {
		if g, ok := d.mapping(x, "counters", Counters...); ok {
			for _, name := range Counters {
				if c := g.get(name); c != nil {
					val, _ := d.integer(c, "counters."+name, 0, 1<<62)
					w.Counters = append(w.Counters, CounterWant{Name: name, Value: val})
				}
			}
		}
	}
	if w.Exists != nil && !*w.Exists && len(f.keys) > 1 {
		d.errorf(v, "expect schedule %s: a schedule that does not exist has nothing else to describe", w.Schedule)
	}
	return w
}

package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// Format writes a scenario as a file Parse reads back to the same scenario
// (positions, File and Golden aside): the other direction of the one model.
// Times are offsets from the start where they can be. The property suite
// writes its shrunk failures with it.
func Format(s *Scenario) ([]byte, error) {
	w := writer{start: s.Start}
	doc := w.mapping()
	w.add(doc, "name", w.str(s.Name))
	if s.Description != "" {
		n := w.str(s.Description)
		if strings.Contains(strings.TrimSuffix(s.Description, "\n"), "\n") {
			n.Style = yaml.LiteralStyle // kept line for line (the encoder quotes what a block cannot hold)
		}
		w.add(doc, "description", n)
	}
	w.add(doc, "start", w.str(s.Start.UTC().Format(time.RFC3339Nano)))
	w.add(doc, "until", w.at(s.Until))
	if s.Seed != 0 {
		w.add(doc, "seed", w.scalar("!!int", strconv.FormatInt(s.Seed, 10)))
	}
	if s.RetryDelay > 0 {
		w.add(doc, "retry_delay", w.dur(s.RetryDelay))
	}
	if s.CancelDelay > 0 {
		w.add(doc, "cancel_delay", w.dur(s.CancelDelay))
	}
	if r := s.Rates; r != (sim.Rates{}) {
		rates := w.flow()
		for _, f := range []struct {
			key string
			v   float64
		}{{"crash", r.Crash}, {"error", r.Error}, {"late", r.Late}, {"duplicate", r.Duplicate}} {
			if f.v != 0 {
				w.add(rates, f.key, w.scalar("!!float", strconv.FormatFloat(f.v, 'g', -1, 64)))
			}
		}
		if r.MaxDowntime > 0 {
			w.add(rates, "max_downtime", w.dur(r.MaxDowntime))
		}
		if r.MaxLate > 0 {
			w.add(rates, "max_late", w.dur(r.MaxLate))
		}
		w.add(doc, "rates", rates)
	}
	schedules := &yaml.Node{Kind: yaml.SequenceNode}
	for _, sc := range s.Schedules {
		m := w.flow()
		w.add(m, "id", w.str(sc.ID))
		if err := w.config(m, sc.Config, false); err != nil {
			return nil, fmt.Errorf("schedule %s: %w", sc.ID, err)
		}
		if sc.RunsFor > 0 {
			w.add(m, "runs_for", w.dur(sc.RunsFor))
		}
		if sc.Fails {
			w.add(m, "fails", w.scalar("!!bool", "true"))
		}
		if len(sc.RunsForNominal) > 0 {
			rn := w.flow()
			for _, t := range slices.SortedFunc(maps.Keys(sc.RunsForNominal), time.Time.Compare) {
				w.add(rn, w.at(t).Value, w.dur(sc.RunsForNominal[t]))
			}
			w.add(m, "runs_for_nominal", rn)
		}
		schedules.Content = append(schedules.Content, m)
	}
	w.add(doc, "schedules", schedules)
	if len(s.Steps) > 0 {
		timeline := &yaml.Node{Kind: yaml.SequenceNode}
		for _, st := range s.Steps {
			n, err := w.step(st)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", st.Pos, err)
			}
			timeline.Content = append(timeline.Content, n)
		}
		w.add(doc, "timeline", timeline)
	}
	if s.End != nil {
		w.add(doc, "expect", w.expect(s.End))
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type writer struct{ start time.Time }

func (writer) mapping() *yaml.Node       { return &yaml.Node{Kind: yaml.MappingNode} }
func (writer) flow() *yaml.Node          { return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle} }
func (w writer) str(s string) *yaml.Node { return w.scalar("!!str", s) }
func (writer) scalar(tag, v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}
func (w writer) add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, w.str(key), v)
}

// dur is a duration as Go writes it, without zero tails ("1h", "2m30s").
func (w writer) dur(d time.Duration) *yaml.Node {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return w.str(s)
}

// at is an instant: an offset from the start, or RFC 3339 when it is before
// the start or beyond the offsets the loader reads.
func (w writer) at(t time.Time) *yaml.Node {
	if d := t.Sub(w.start); !t.Before(w.start) && d <= maxDuration {
		return w.dur(d)
	}
	return w.str(t.UTC().Format(time.RFC3339Nano))
}

// config writes a config's fields; full (an update's) writes even the ones
// at their default, since an update keeps what it does not name.
func (w writer) config(m *yaml.Node, c evaluator.Config, full bool) error {
	trig := w.flow()
	if c.Trigger.Cron != "" {
		w.add(trig, "cron", w.str(c.Trigger.Cron))
	}
	if c.Trigger.Timezone != "" {
		w.add(trig, "timezone", w.str(c.Trigger.Timezone))
	}
	if c.Trigger.Interval != 0 || c.Trigger.Cron == "" {
		w.add(trig, "interval", w.dur(time.Duration(c.Trigger.Interval)))
	}
	w.add(m, "trigger", trig)
	if c.Overlap != 0 || full {
		w.add(m, "overlap", w.str(c.Overlap.String()))
	}
	if c.CatchUp != 0 || full {
		w.add(m, "catch_up", w.str(c.CatchUp.String()))
	}
	switch {
	case c.CatchUpWindow != nil:
		w.add(m, "catch_up_window", w.dur(time.Duration(*c.CatchUpWindow)))
	case full:
		w.add(m, "catch_up_window", w.str("none"))
	}
	for _, b := range []struct {
		key string
		t   time.Time
	}{{"start_at", c.StartAt}, {"end_at", c.EndAt}} {
		switch {
		case !b.t.IsZero():
			w.add(m, b.key, w.at(b.t))
		case full:
			w.add(m, b.key, w.str("none"))
		}
	}
	if c.RemainingRuns > 0 || full {
		w.add(m, "remaining_runs", w.scalar("!!int", fmt.Sprint(c.RemainingRuns)))
	}
	if c.BufferLimit > 0 {
		w.add(m, "buffer_limit", w.scalar("!!int", fmt.Sprint(c.BufferLimit)))
	}
	if c.PauseOnFailure || full {
		w.add(m, "pause_on_failure", w.scalar("!!bool", fmt.Sprint(c.PauseOnFailure)))
	}
	if c.Jitter > 0 || full {
		w.add(m, "jitter", w.dur(time.Duration(c.Jitter)))
	}
	if c.WorkflowType != "workflow" || full {
		w.add(m, "workflow_type", w.str(c.WorkflowType))
	}
	if len(c.Input) > 0 {
		var v any
		if err := json.Unmarshal(c.Input, &v); err != nil {
			return fmt.Errorf("input: %w", err)
		}
		n := &yaml.Node{}
		if err := n.Encode(v); err != nil {
			return fmt.Errorf("input: %w", err)
		}
		w.add(m, "input", n)
	}
	if c.SearchAttributes != nil {
		sa := w.flow()
		for _, k := range slices.Sorted(maps.Keys(c.SearchAttributes)) {
			w.add(sa, k, w.str(c.SearchAttributes[k]))
		}
		w.add(m, "search_attributes", sa)
	}
	return nil
}

func (w writer) step(st Step) (*yaml.Node, error) {
	m := w.flow()
	w.add(m, "at", w.at(st.At))
	switch {
	case st.Op != nil:
		v := w.flow()
		w.add(v, "schedule", w.str(st.Op.ScheduleID))
		if st.Op.RequestID != "" {
			w.add(v, "request_id", w.str(st.Op.RequestID))
		}
		if st.WantError != "" {
			w.add(v, "want_error", w.str(st.WantError))
		}
		if st.Op.Kind == sim.OpBackfill {
			w.add(v, "from", w.at(st.Op.From))
			w.add(v, "to", w.at(st.Op.To))
		}
		if st.Op.Overlap != 0 {
			w.add(v, "overlap", w.str(st.Op.Overlap.String()))
		}
		if st.Op.Kind == sim.OpCreate || st.Op.Kind == sim.OpUpdate {
			if err := w.config(v, st.Op.Config, st.Op.Kind == sim.OpUpdate); err != nil {
				return nil, err
			}
		}
		w.add(m, string(st.Op.Kind), v)
	case st.Action != nil:
		v := w.flow()
		w.add(v, "schedule", w.str(st.Action.ScheduleID))
		w.add(v, "nominal", w.at(st.Action.Nominal))
		if st.Action.Kind == sim.ActSlow {
			w.add(v, "for", w.dur(st.Action.For))
		}
		w.add(m, string(st.Action.Kind), v)
	case st.Fault != nil:
		f := st.Fault
		switch {
		case f.Kind == sim.Jump:
			w.add(m, f.Kind.String(), w.dur(f.Jump))
			return m, nil
		case f.Kind.AtSeam(), f.Kind.TickKeyed():
		default:
			return nil, fmt.Errorf("fault kind %s: not supported by Format", f.Kind)
		}
		v := w.flow()
		if f.Call != "" {
			w.add(v, "call", w.str(f.Call))
		}
		if f.Phase != 0 {
			w.add(v, "phase", w.str(map[fakes.Phase]string{fakes.Before: "before", fakes.After: "after"}[f.Phase]))
		}
		if f.Nth > 0 {
			w.add(v, "nth", w.scalar("!!int", strconv.Itoa(f.Nth)))
		}
		if f.Schedule != "" {
			w.add(v, "schedule", w.str(f.Schedule))
		}
		if !f.Nominal.IsZero() {
			w.add(v, "nominal", w.at(f.Nominal))
		}
		if f.Kind == sim.Crash {
			w.add(v, "downtime", w.dur(f.Downtime))
		}
		if f.Kind == sim.Late {
			w.add(v, "by", w.dur(f.Late))
		}
		w.add(m, f.Kind.String(), v)
	case st.Expect != nil:
		m.Style = 0 // an expectation reads better as a block
		w.add(m, "expect", w.expect(st.Expect))
	default:
		w.add(m, "advance", w.scalar("!!bool", "true"))
	}
	return m, nil
}

func (w writer) expect(e *Expect) *yaml.Node {
	m := w.mapping()
	starts := func(key string, ws []StartWant) {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, s := range ws {
			text := s.Schedule + " " + w.at(s.Nominal).Value
			if !s.At.IsZero() {
				text += " at " + w.at(s.At).Value
			}
			seq.Content = append(seq.Content, w.str(text))
		}
		w.add(m, key, seq)
	}
	if e.Starts != nil {
		starts("starts", *e.Starts)
	}
	if e.Cancels != nil {
		starts("cancels", *e.Cancels)
	}
	if e.Terminates != nil {
		starts("terminates", *e.Terminates)
	}
	if len(e.Ticks) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range e.Ticks {
			seq.Content = append(seq.Content, w.str(t.Schedule+" "+w.at(t.Nominal).Value+" "+t.Disposition))
		}
		w.add(m, "ticks", seq)
	}
	if len(e.Schedules) > 0 {
		scheds := w.mapping()
		for _, sw := range e.Schedules {
			v := w.flow()
			boolean := func(key string, b *bool) {
				if b != nil {
					w.add(v, key, w.scalar("!!bool", strconv.FormatBool(*b)))
				}
			}
			optTime := func(key string, t *time.Time) {
				switch {
				case t == nil:
				case t.IsZero():
					w.add(v, key, w.str("none"))
				default:
					w.add(v, key, w.at(*t))
				}
			}
			boolean("exists", sw.Exists)
			boolean("paused", sw.Paused)
			optTime("next", sw.Next)
			if sw.Running != nil {
				seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
				for _, t := range *sw.Running {
					seq.Content = append(seq.Content, w.at(t))
				}
				w.add(v, "running", seq)
			}
			optTime("buffered", sw.Buffered)
			if len(sw.Counters) > 0 {
				cs := w.flow()
				for _, c := range sw.Counters {
					w.add(cs, c.Name, w.scalar("!!int", strconv.FormatInt(c.Value, 10)))
				}
				w.add(v, "counters", cs)
			}
			w.add(scheds, sw.Schedule, v)
		}
		w.add(m, "schedules", scheds)
	}
	if e.Timers != nil {
		ts := w.flow()
		for _, t := range *e.Timers {
			w.add(ts, t.Schedule, w.at(t.At))
		}
		w.add(m, "timers", ts)
	}
	if e.Invariants {
		w.add(m, "invariants", w.str("hold"))
	}
	return m
}

// Canonical returns a copy of s without what a file does not carry over a
// Format and Parse: positions, the file name and the golden. Two scenarios
// are the same scenario when their canonical forms are equal.
func (s *Scenario) Canonical() *Scenario {
	c := *s
	c.File, c.Golden = "", ""
	c.Schedules = slices.Clone(s.Schedules)
	for i := range c.Schedules {
		c.Schedules[i].Pos = Pos{}
	}
	c.Steps = slices.Clone(s.Steps)
	for i := range c.Steps {
		c.Steps[i].Pos = Pos{}
		c.Steps[i].Expect = c.Steps[i].Expect.canonical()
	}
	c.End = s.End.canonical()
	return &c
}

func (e *Expect) canonical() *Expect {
	if e == nil {
		return nil
	}
	x := *e
	x.Pos = Pos{}
	x.Schedules = slices.Clone(e.Schedules)
	for i := range x.Schedules {
		x.Schedules[i].Pos = Pos{}
	}
	return &x
}

package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// maxFileSize bounds a scenario file.
const maxFileSize = 4 << 20

// LoadFile reads and validates a scenario file, and finds its golden (the
// sibling file with the .golden extension).
func LoadFile(name string) (*Scenario, error) {
	return LoadFS(OS, name)
}

// OS is the operating system's files as an fs.FS that, unlike os.DirFS,
// takes any path (relative with "..", or absolute) as given.
var OS fs.FS = osFS{}

type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }

// LoadFS is LoadFile on a file system (the embedded library, for one).
func LoadFS(fsys fs.FS, name string) (*Scenario, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return nil, &Error{Pos: Pos{File: name}, Msg: fmt.Sprintf("file larger than %d bytes", maxFileSize)}
	}
	s, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	golden, err := fs.ReadFile(fsys, GoldenPath(name))
	switch {
	case err == nil:
		s.Golden = string(golden)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return s, nil
}

// GoldenPath is where the golden trace of a scenario file lives.
func GoldenPath(name string) string {
	return strings.TrimSuffix(name, path.Ext(name)) + ".golden"
}

// Parse decodes and validates one scenario; file names it in errors. Every
// problem found is reported (up to 20), each as an *Error at file:line:column,
// joined; all of them match ErrInvalid.
func Parse(file string, data []byte) (s *Scenario, err error) {
	defer func() {
		if r := recover(); r != nil { // the YAML library on hostile input
			s, err = nil, &Error{Pos: Pos{File: file}, Msg: fmt.Sprintf("yaml: %v", r)}
		}
	}()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Pos: Pos{File: file}, Msg: "empty file"}
		}
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{Pos: Pos{File: file, Line: extra.Line, Column: extra.Column}, Msg: "one scenario per file (found a second document)"}
	}
	d := &decoder{file: file, configs: map[string]evaluator.Config{}}
	s = d.scenario(doc.Content[0])
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return s, nil
}

// yamlError turns a syntax error of the YAML library ("yaml: line 3: ...")
// into an *Error with the line.
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return &Error{Pos: Pos{File: file, Line: line, Column: 1}, Msg: "yaml: " + msg}
}

var headerFields = []string{"name", "description", "start", "until", "seed", "retry_delay", "cancel_delay",

	"rates", "schedules", "timeline", "expect"}

func (d *decoder) scenario(n *yaml.Node) *Scenario {
	f, ok := d.mapping(n, "scenario", headerFields...)
	if !ok {
		return nil
	}
	s := &Scenario{File: d.file, Start: sim.DefaultStart}
	for _, k := range []string{"name", "start", "schedules"} {
		if !f.has(k) {
			d.errorf(n, "scenario: missing field %q", k)
		}
	}
	if v := f.get("name"); v != nil {
		s.Name = d.str(v, "name")
	}
	if v := f.get("description"); v != nil {
		s.Description = d.str(v, "description")
	}
	if v := f.get("start"); v != nil {
		if str, ok := d.scalar(v, "start"); ok {
			t, err := time.Parse(time.RFC3339Nano, str)
			if err != nil {
				d.errorf(v, "start: bad instant %q (want RFC 3339, such as 2026-06-07T00:00:00Z)", str)
			} else {
				s.Start = t.UTC()
			}
		}
	}
	d.start = s.Start
	if v := f.get("seed"); v != nil {
		s.Seed, _ = d.integer(v, "seed", -1<<63, 1<<63-1)
	}
	if v := f.get("retry_delay"); v != nil {
		if s.RetryDelay, _ = d.duration(v, "retry_delay"); s.RetryDelay == 0 {
			d.errorf(v, "retry_delay must be positive")
		}
	}
	if v := f.get("cancel_delay"); v != nil {
		s.CancelDelay, _ = d.duration(v, "cancel_delay")
	}
	if v := f.get("rates"); v != nil {
		s.Rates = d.rates(v)
	}
	if v := f.get("schedules"); v != nil {
		s.Schedules = d.schedules(v)
	}
	ids := map[string]*Schedule{}
	for i := range s.Schedules {
		ids[s.Schedules[i].ID] = &s.Schedules[i]
	}
	if v := f.get("timeline"); v != nil {
		s.Steps = d.timeline(v, s, ids)
	}
	last := s.Start
	if n := len(s.Steps); n > 0 {
		last = s.Steps[n-1].At
	}
	s.Until = last
	if v := f.get("until"); v != nil {
		if t, ok := d.instant(v, "until"); ok {
			if t.Before(last) {
				d.errorf(v, "until %s is before the last step at %s", stamp(t), stamp(last))
			}
			s.Until = t
		}
	}
	d.possible(s)
	if v := f.get("expect"); v != nil {
		s.End = d.expect(v, s, ids)
		if s.End != nil {
			s.End.At = s.Until
		}
	}
	return s
}

// possible rejects steps that cannot happen: an execution acted on before its
// tick, a tick-keyed fault for a tick outside the run.
func (d *decoder) possible(s *Scenario) {
	for _, st := range s.Steps {
		n := &yaml.Node{Line: st.Pos.Line, Column: st.Pos.Column}
		if a := st.Action; a != nil && !a.Nominal.IsZero() && (!a.Nominal.After(s.Start) || a.Nominal.After(st.At)) {
			d.errorf(n, "%s: the execution of tick %s cannot exist at %s (ticks come after the start, executions after their tick)", a.Kind, stamp(a.Nominal), stamp(st.At))
		}
		if f := st.Fault; f != nil && !f.Nominal.IsZero() && f.Kind.TickKeyed() &&
			(!f.Nominal.After(s.Start) || f.Nominal.After(s.Until)) {
			d.errorf(n, "%s: tick %s is outside the run (%s, %s]", f.Kind, stamp(f.Nominal), stamp(s.Start), stamp(s.Until))
		}
	}
}

func (d *decoder) rates(n *yaml.Node) sim.Rates {
	f, ok := d.mapping(n, "rates", "crash", "error", "late", "duplicate", "max_downtime", "max_late")
	var r sim.Rates
	if !ok {
		return r
	}
	for _, rate := range []struct {
		key string
		p   *float64
	}{{"crash", &r.Crash}, {"error", &r.Error}, {"late", &r.Late}, {"duplicate", &r.Duplicate}} { // in file order of the docs: errors come out in a stable order
		if v := f.get(rate.key); v != nil {
			*rate.p = d.fraction(v, "rates."+rate.key)
		}
	}
	if v := f.get("max_downtime"); v != nil {
		r.MaxDowntime, _ = d.duration(v, "rates.max_downtime")
	}
	if v := f.get("max_late"); v != nil {
		r.MaxLate, _ = d.duration(v, "rates.max_late")
	}
	if r.Late > 0 && r.MaxLate == 0 {
		d.errorf(n, "rates: late needs max_late")
	}
	return r
}

var scheduleFields = []string{"id", "trigger", "overlap", "catch_up", "catch_up_window", "buffer_limit", "start_at", "end_at", "remaining_runs", "workflow_type", "input",

	"search_attributes", "runs_for", "runs_for_nominal", "fails", "pause_on_failure", "jitter"}

func (d *decoder) schedules(n *yaml.Node) []Schedule {
	var out []Schedule
	seen := map[string]bool{}
	for _, item := range d.list(n, "schedules") {
		f, ok := d.mapping(item, "schedule", scheduleFields...)
		if !ok {
			continue
		}
		sc := Schedule{Pos: d.pos(item)}
		if v := f.get("id"); v == nil {
			d.errorf(item, "schedule: missing field \"id\"")
		} else {
			sc.ID = d.str(v, "schedule id")
			if err := evaluator.ValidateScheduleID(sc.ID); err != nil && sc.ID != "" {
				d.errorf(v, "%s", strings.TrimPrefix(err.Error(), evaluator.ErrInvalidRequest.Error()+": "))
			}
			if seen[sc.ID] {
				d.errorf(v, "schedule %q declared twice", sc.ID)
			}
			seen[sc.ID] = true
		}
		for _, k := range []string{"trigger", "overlap", "catch_up"} {
			if !f.has(k) {
				d.errorf(item, "schedule %s: missing field %q", sc.ID, k)
			}
		}
		before := len(d.errs)
		sc.Config = d.config(f, evaluator.Config{WorkflowType: "workflow"}, "schedule "+sc.ID, false)
		if v := f.get("runs_for"); v != nil {
			sc.RunsFor, _ = d.duration(v, "runs_for")
		}
		if v := f.get("fails"); v != nil {
			sc.Fails, _ = d.boolean(v, "fails")
		}
		if v := f.get("runs_for_nominal"); v != nil {
			sc.RunsForNominal = map[time.Time]time.Duration{}
			for _, kv := range d.pairs(v, "runs_for_nominal") {
				t, ok1 := d.instant(kv[0], "runs_for_nominal key")
				dur, ok2 := d.duration(kv[1], "runs_for_nominal")
				if ok1 && ok2 {
					sc.RunsForNominal[t] = dur
				}
			}
		}
		if sc.ID != "" && len(d.errs) == before { // else the field errors say it better
			c := sc.Config
			if !slices.Contains(evaluator.OverlapPolicies(), c.Overlap) && slices.Contains(evaluator.NamedOverlapPolicies(), c.Overlap) {
				// A policy only other implementations offer: the one
				// replaying the scenario accepts or refuses it.
				c.Overlap = evaluator.OverlapSkip
			}
			if err := c.Validate(); err != nil {
				d.errorf(item, "schedule %s: %v", sc.ID, err)
			}
		}
		out = append(out, sc)
	}
	return out
}

// config reads the config fields of f over base (an update's or a schedule's).
// A lenient read (an update that must fail) lets an invalid trigger through.
func (d *decoder) config(f fields, base evaluator.Config, what string, lenient bool) evaluator.Config {
	c := base
	if v := f.get("trigger"); v != nil {
		if g, ok := d.mapping(v, what+": trigger", "cron", "timezone", "interval"); ok {
			c.Trigger = evaluator.TriggerSpec{}
			if x := g.get("cron"); x != nil {
				c.Trigger.Cron = d.str(x, "trigger.cron")
			}
			if x := g.get("timezone"); x != nil {
				c.Trigger.Timezone = d.str(x, "trigger.timezone")
			}
			if x := g.get("interval"); x != nil {
				iv, _ := d.duration(x, "trigger.interval")
				c.Trigger.Interval = evaluator.Duration(iv)
			}
			if _, err := evaluator.ParseTrigger(c.Trigger); err != nil && !lenient {
				d.errorf(v, "%s: trigger: %v", what, err)
			}
		}
	}
	if v := f.get("overlap"); v != nil {
		if str, ok := d.scalar(v, "overlap"); ok {
			if err := c.Overlap.UnmarshalText([]byte(str)); err != nil {
				d.errorf(v, "%s: overlap: unknown policy %q (want %s)", what, str, names(evaluator.NamedOverlapPolicies()))
			}
		}
	}
	if v := f.get("catch_up"); v != nil {
		if str, ok := d.scalar(v, "catch_up"); ok {
			if err := c.CatchUp.UnmarshalText([]byte(str)); err != nil {
				d.errorf(v, "%s: catch_up: unknown policy %q (want %s)", what, str, names(evaluator.CatchUpPolicies()))
			}
		}
	}
	if v := f.get("catch_up_window"); v != nil {
		if str, ok := d.scalar(v, "catch_up_window"); ok && str == "none" {
			c.CatchUpWindow = nil
		} else if w, ok := d.duration(v, "catch_up_window"); ok {
			wd := evaluator.Duration(w)
			c.CatchUpWindow = &wd
		}
	}
	if v := f.get("buffer_limit"); v != nil {
		if n, ok := d.integer(v, "buffer_limit", 1, 1<<31-1); ok {
			c.BufferLimit = int(n)
		}
	}
	for _, b := range []struct {
		key string
		to  *time.Time
	}{{"start_at", &c.StartAt}, {"end_at", &c.EndAt}} {
		if v := f.get(b.key); v != nil {
			if str, ok := d.scalar(v, b.key); ok && str == "none" {
				*b.to = time.Time{}
			} else if t, ok := d.instant(v, b.key); ok {
				*b.to = t
			}
		}
	}
	if v := f.get("remaining_runs"); v != nil {
		if n, ok := d.integer(v, "remaining_runs", 0, 1<<31-1); ok {
			c.RemainingRuns = int(n)
		}
	}
	if v := f.get("pause_on_failure"); v != nil {
		c.PauseOnFailure, _ = d.boolean(v, "pause_on_failure")
	}
	if v := f.get("jitter"); v != nil {
		if j, ok := d.duration(v, "jitter"); ok { // never negative
			c.Jitter = evaluator.Duration(j)
		}
	}
	if c.Overlap != evaluator.OverlapBufferAll && f.get("buffer_limit") == nil {
		c.BufferLimit = 0 // an update away from buffer_all drops its bound
	}
	if v := f.get("workflow_type"); v != nil {
		c.WorkflowType = d.str(v, "workflow_type")
	}
	if v := f.get("input"); v != nil {
		var x any
		if err := v.Decode(&x); err != nil {
			d.errorf(v, "input: %v", err)
		} else if b, err := json.Marshal(x); err != nil {
			d.errorf(v, "input must be expressible as JSON: %v", err)
		} else {
			c.Input = b
		}
	}
	if v := f.get("search_attributes"); v != nil {
		c.SearchAttributes = map[string]string{}
		for _, kv := range d.pairs(v, "search_attributes") {
			c.SearchAttributes[d.str(kv[0], "search attribute name")] = d.str(kv[1], "search attribute value")
		}
	}
	return c
}

// names joins the names of a table's values.
func names[T fmt.Stringer](vs []T) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return strings.Join(out, ", ")
}

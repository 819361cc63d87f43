package timeline

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

// Build lays out what a scenario's replay did. implementation names what
// ran it, for the page ("the reference evaluator", "the mutant NAME"). It reads only the
// result, so any implementation's run can be drawn.
func Build(res *scenarios.Result, implementation string) *Timeline {
	s := res.Scenario
	b := builder{start: s.Start.UTC(), lanes: map[string]*Lane{}}
	t := &Timeline{Schema: Schema, Title: s.Name, File: s.File, Description: strings.TrimSpace(s.Description),
		Implementation: implementation, Verdict: "pass", Start: b.start, End: b.ms(s.Until),
		Schedules: []Lane{}, Downtime: []Band{}, Incidents: []Mark{}, Violations: []Violation{}, Failures: []Failure{}}
	if !res.Passed() {
		t.Verdict = "fail"
	}
	for _, sc := range s.Schedules {
		b.lane(sc.ID, sc.Config)
	}
	b.records(res.Records, t)
	for i := range b.order {
		l := b.lanes[b.order[i]]
		slices.SortStableFunc(l.Ticks, func(x, y Tick) int { return cmp.Compare(x.Nominal, y.Nominal) })
		l.Rows = stack(l.Executions)
		l.Offsets = b.offsets(l.Zone, s.Start, s.Until)
		t.Schedules = append(t.Schedules, *l)
	}
	for _, f := range res.Failures {
		tf := Failure{Line: f.Pos.Line, What: f.What, Diff: f.Diff}
		if !f.At.IsZero() {
			at := b.ms(f.At)
			tf.At = &at
		}
		t.Failures = append(t.Failures, tf)
		for _, v := range f.Violations {
			t.Violations = append(t.Violations, b.violation(v, f.At, res.Records))
		}
	}
	return t
}

type builder struct {
	start time.Time
	lanes map[string]*Lane
	order []string
	// ticked: the (schedule, nominal) pairs that already have a tick mark.
	ticked map[string]map[int64]int // index in the lane's ticks
	// runs are each lane's executions in start order; delivered the
	// nominal times delivered (for a log-less implementation).
	runs      map[string][]*Execution
	delivered map[string][]Tick
}

// ms is t as an offset from the start, in whole milliseconds.
func (b *builder) ms(t time.Time) int64 { return t.Sub(b.start).Milliseconds() }

// lane returns the lane of schedule id, adding it (with cfg) when new.
func (b *builder) lane(id string, cfg evaluator.Config) *Lane {
	if l := b.lanes[id]; l != nil {
		return l
	}
	l := &Lane{ID: id, Trigger: cfg.Trigger.String(), Overlap: cfg.Overlap.String(), CatchUp: cfg.CatchUp.String(), Zone: "UTC",
		Ticks: []Tick{}, Executions: []Execution{}, Timers: []Timer{}, Marks: []Mark{}}
	if cfg.CatchUpWindow != nil {
		l.CatchUp += " within " + time.Duration(*cfg.CatchUpWindow).String()
	}
	if trig, err := evaluator.ParseTrigger(cfg.Trigger); err == nil {
		l.Zone = trig.Zone().String()
	}
	b.lanes[id] = l
	b.order = append(b.order, id)
	return l
}

// records reads what happened, in order, into lanes, bands and incidents.
func (b *builder) records(records []sim.Record, t *Timeline) {
	fromLog := false
	for _, r := range records {
		if r.Kind == sim.KindAppend && r.Event != nil {
			fromLog = true
			break
		}
	}
	t.Dispositions = "starts"
	if fromLog {
		t.Dispositions = "log"
	}
	b.ticked, b.runs, b.delivered = map[string]map[int64]int{}, map[string][]*Execution{}, map[string][]Tick{}
	open := map[string]*Execution{} // by run id; a lane's executions are appended to first (see below)
	var down *Band
	for _, r := range records {
		at := b.ms(r.At)
		var l *Lane
		if r.ScheduleID != "" {
			l = b.lane(r.ScheduleID, evaluator.Config{})
		}
		switch r.Kind {
		case sim.KindAppend:
			if r.Event != nil && r.Err == "" {
				b.event(l, *r.Event, at)
			}
		case sim.KindStart:
			if r.Err != "" {
				continue
			}
			if !fromLog {
				b.tick(l, Tick{Nominal: b.ms(r.Nominal), Count: 1, Disposition: "start", Decided: at})
			}
			if _, seen := open[r.RunID]; seen || r.Detail == "already-started" {
				continue
			}
			// Allocated on its own: the lane's slice is filled at the end.
			open[r.RunID] = &Execution{Nominal: b.ms(r.Nominal), Start: at, Close: t.End, Outcome: "running",
				WorkflowID: r.WorkflowID, RunID: r.RunID}
			b.runs[l.ID] = append(b.runs[l.ID], open[r.RunID])
		case sim.KindClose:
			if x := open[r.RunID]; x != nil && x.Outcome == "running" {
				x.Close, x.Outcome = at, r.Detail
			}
		case sim.KindDeliver:
			if !fromLog && r.Err == "" {
				b.pending(l, b.ms(r.Nominal), at)
			}
		case sim.KindArm:
			if r.Err == "" {
				l.Timers = append(l.Timers, Timer{Armed: at, Due: b.ms(r.Nominal)})
			}
		case sim.KindOp:
			kind, _, _ := strings.Cut(r.Detail, " ")
			l.Marks = append(l.Marks, Mark{At: at, Kind: kind, Schedule: r.ScheduleID, Detail: r.Detail, Error: r.Err})
		case sim.KindCancel:
			l.Marks = append(l.Marks, Mark{At: at, Kind: "cancel", Schedule: r.ScheduleID, Detail: r.WorkflowID, Error: r.Err})
		case sim.KindTerminate:
			l.Marks = append(l.Marks, Mark{At: at, Kind: "terminate", Schedule: r.ScheduleID, Detail: r.WorkflowID, Error: r.Err})
		case sim.KindCrash:
			t.Incidents = append(t.Incidents, Mark{At: at, Kind: "crash", Schedule: r.ScheduleID, Detail: r.Detail})
			if down == nil {
				down = &Band{From: at, Until: t.End, Cause: r.Detail}
			}
		case sim.KindRestart:
			// A restart ends a band of downtime (the first process's
			// creation is none).
			if down != nil {
				down.Until = at
				t.Downtime = append(t.Downtime, *down)
				down = nil
			}
		case sim.KindRecover:
			if r.Err != "" {
				t.Incidents = append(t.Incidents, Mark{At: at, Kind: "recover", Detail: r.Detail, Error: r.Err})
			}
		case sim.KindJump:
			t.Incidents = append(t.Incidents, Mark{At: at, Kind: "jump", Detail: r.Detail})
		case sim.KindFault, sim.KindViolation:
			t.Incidents = append(t.Incidents, Mark{At: at, Kind: string(r.Kind), Schedule: r.ScheduleID, Detail: r.Detail})
		}
	}
	if down != nil {
		t.Downtime = append(t.Downtime, *down)
	}
	for id, xs := range b.runs {
		for _, x := range xs {
			b.lanes[id].Executions = append(b.lanes[id].Executions, *x)
		}
	}
	if !fromLog {
		b.unstarted()
	}
}

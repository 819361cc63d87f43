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
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// check compares one expectation with the world at its instant; the notes
// say which invariants it could not judge.
func check(w *sim.World, cfg sim.Config, e *Expect, prof *profile.Profile) (out []Failure, notes []Note) {
	if prof != nil && prof.Name != profile.Default {
		// The scenario's expected starts, ticks, descriptions and timers are
		// written in schedsim's dialect: under another profile only the
		// invariants judge, in that profile's dialect.
		if e.Starts != nil || e.Cancels != nil || e.Terminates != nil || len(e.Ticks) > 0 || len(e.Schedules) > 0 || e.Timers != nil {
			notes = append(notes, Note{Pos: e.Pos, At: e.At, NotApplicable: invariants.NotApplicable{Invariant: "expect",
				Why: "the expected starts, ticks, schedules and timers are schedsim's dialect, not " + prof.Name + "'s"}})
		}
		e = &Expect{Pos: e.Pos, At: e.At, Invariants: true}
	}
	compare := func(what string, want, got []string) {
		if !slices.Equal(want, got) {
			out = append(out, Failure{Pos: e.Pos, At: e.At, What: fmt.Sprintf("at %s: %s differ", stamp(e.At), what),
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
	// Cancels and terminates: the runs concerned, by schedule, in the order
	// of the instant each was asked.
	asked := func(what string, want []StartWant, concerned func(fakes.Run) bool, when func(fakes.Run) time.Time) {
		chosen := slices.DeleteFunc(slices.Clone(runs), func(r fakes.Run) bool { return !concerned(r) })
		slices.SortStableFunc(chosen, func(a, b fakes.Run) int {
			if c := strings.Compare(a.Request.ScheduleID, b.Request.ScheduleID); c != 0 {
				return c
			}
			return when(a).Compare(when(b))
		})
		ws := sortWants(want)
		var got []string
		for i, r := range chosen {
			withAt := i >= len(ws) || !ws[i].At.IsZero()
			got = append(got, startLine(r.Request.ScheduleID, r.Request.Nominal, when(r), withAt))
		}
		compare(what, startLines(ws), got)
	}
	if e.Cancels != nil {
		asked("cancels", *e.Cancels, func(r fakes.Run) bool { return r.CancelRequested }, func(r fakes.Run) time.Time { return r.CancelledAt })
	}
	if e.Terminates != nil {
		asked("terminates", *e.Terminates, func(r fakes.Run) bool { return r.Terminated }, func(r fakes.Run) time.Time { return r.ClosedAt })
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
		p := profile.Schedsim()
		if prof != nil {
			p = *prof
		}
		rep := invariants.RunIn(p, w, cfg)
		var got []string
		for _, v := range rep.Violations {
			got = append(got, v.String())
		}
		compare("invariants", nil, got)
		if len(got) > 0 {
			out[len(out)-1].Violations = rep.Violations
		}
		for _, n := range rep.NotApplicable {
			notes = append(notes, Note{Pos: e.Pos, At: e.At, NotApplicable: n})
		}
		if !rep.M1Until.IsZero() {
			why := "from the first seam fault, at " + stamp(rep.M1Until) + "; judged before it"
			for _, inv := range []string{"M1", "C2"} {
				notes = append(notes, Note{Pos: e.Pos, At: e.At, NotApplicable: invariants.NotApplicable{Invariant: inv, Why: why}})
			}
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
		"buffered": d.Counters.Buffered, "dropped": d.Counters.Dropped, "missed_ranges": d.Counters.MissedRanges,
		"overflowed": d.Counters.Overflowed}
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

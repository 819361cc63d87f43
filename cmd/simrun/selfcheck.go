package main

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

var (
	start = time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)
	// The process crashes at crashAt and is down for downtime.
	crashAt  = start.Add(30*time.Minute + 10*time.Second)
	downtime = 25 * time.Minute
	// Every execution runs for runFor: longer than the 60 s period, so
	// overlap policies matter.
	runFor = 150 * time.Second
)

// interval is one execution's lifetime, for the overlap check.
type interval struct {
	nominal     time.Time
	start, stop time.Time // stop zero: still running
}

// selfcheck is a small deterministic event loop: restart first, then
// closures, then timer deliveries, at each instant (DESIGN §3's order).
func selfcheck(hours int, verbose bool, stdout, stderr io.Writer) int {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(start)
	log, timers, engine := &fakes.Log{}, &fakes.Timers{}, &fakes.Engine{}
	newEvaluator := func() *evaluator.Evaluator {
		ev, err := evaluator.New(evaluator.Options{Clock: clock, Timers: timers, Engine: engine, Log: log})
		if err == nil {
			err = ev.Recover(ctx)
		}
		if err != nil {
			fmt.Fprintf(stderr, "simrun: %v\n", err)
			return nil
		}
		return ev
	}
	ev := newEvaluator()
	if ev == nil {
		return 1
	}
	var ids []string
	for _, o := range []evaluator.OverlapPolicy{evaluator.OverlapSkip, evaluator.OverlapBufferOne, evaluator.OverlapCancelPrevious, evaluator.OverlapAllowAll} {
		for _, c := range []evaluator.CatchUpPolicy{evaluator.CatchUpAll, evaluator.CatchUpOne, evaluator.CatchUpSkip} {
			id := o.String() + "." + c.String()
			ids = append(ids, id)
			cfg := evaluator.Config{Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)},
				Overlap: o, CatchUp: c, WorkflowType: "selfcheck"}
			if err := ev.Create(ctx, evaluator.Request{RequestID: "create", ScheduleID: id}, cfg); err != nil {
				fmt.Fprintf(stderr, "simrun: create %s: %v\n", id, err)
				return 1
			}
		}
	}

	end := start.Add(time.Duration(hours) * time.Hour)
	restartAt := crashAt.Add(downtime)
	lives := map[string]*interval{} // by workflow id
	crashed := false
	var failures []string
	// register notes the executions the engine started since the last call: they begin now.
	register := func(now time.Time) {
		for _, r := range engine.Runs() {
			if lives[r.Execution.WorkflowID] == nil {
				lives[r.Execution.WorkflowID] = &interval{nominal: r.Request.Nominal, start: now}
				if verbose {
					fmt.Fprintf(stdout, "%s start %s\n", now.Format(time.TimeOnly), r.Execution.WorkflowID)
				}
			}
		}
	}
	for steps := 0; ; steps++ {
		now := clock.Now()
		if steps > 1_000_000 {
			fmt.Fprintf(stderr, "simrun: self-check did not finish (at %s)\n", now)
			return 1
		}
		// At one instant: restart (or crash), closures, then timer deliveries.
		if !crashed && !now.Before(crashAt) {
			crashed, ev = true, nil
		}
		if crashed && ev == nil && !now.Before(restartAt) {
			if ev = newEvaluator(); ev == nil {
				return 1
			}
			register(now) // recovery may start owed or buffered ticks
		}
		for _, r := range engine.Open() {
			l := lives[r.Execution.WorkflowID]
			if now.Before(l.start.Add(runFor)) {
				continue
			}
			x, _ := engine.Close(r.Execution.WorkflowID)
			l.stop = now
			// While down, notices are lost: recovery asks the engine.
			if ev != nil {
				if err := ev.ExecutionClosed(ctx, r.Request.ScheduleID, x); err != nil {
					fmt.Fprintf(stderr, "simrun: closure of %s: %v\n", x.WorkflowID, err)
					return 1
				}
				register(now) // a buffered tick may have started
			}
		}
		if ev != nil {
			for _, tm := range timers.Due(now) {
				if _, err := ev.TimerFired(ctx, tm.ScheduleID, tm.At); err != nil {
					fmt.Fprintf(stderr, "simrun: delivery %s@%s: %v\n", tm.ScheduleID, tm.At.Format(time.RFC3339), err)
					return 1
				}
				timers.Ack(tm)
			}
		}
		register(now)
		if !now.Before(end) {
			break
		}
		next := end
		if !crashed && crashAt.Before(next) {
			next = crashAt
		}
		if crashed && ev == nil && restartAt.Before(next) {
			next = restartAt
		}
		for _, r := range engine.Open() {
			if t := lives[r.Execution.WorkflowID].start.Add(runFor); t.Before(next) {
				next = t
			}
		}
		if ts := timers.Armed(); ev != nil && len(ts) > 0 && ts[0].At.Before(next) {
			next = ts[0].At
		}
		if next.After(now) {
			clock.Advance(next.Sub(now))
		}
	}

	// Checks: S1 (no overlap for skip/buffer_one), S4 (one execution per nominal), S7 (monotone),
	// C3 (one timer per schedule at its next tick), R1 (replay equals live).
	byID := map[string][]*interval{} // in the engine's start order
	for _, r := range engine.Runs() {
		byID[r.Request.ScheduleID] = append(byID[r.Request.ScheduleID], lives[r.Execution.WorkflowID])
	}
	fmt.Fprintf(stdout, "schedsim self-check: %d schedules, 60s interval, runs of %s, crash at %s down %s, %dh simulated\n\n",
		len(ids), runFor, crashAt.Format("15:04:05"), downtime, hours)
	fmt.Fprintf(stdout, "%-26s %8s %8s %8s %8s %8s\n", "schedule", "started", "skipped", "buffered", "dropped", "missed")
	for _, id := range ids {
		runs := byID[id]
		for i := 1; i < len(runs); i++ {
			if !runs[i].nominal.After(runs[i-1].nominal) {
				failures = append(failures, fmt.Sprintf("S7 %s: %s started after %s", id, runs[i].nominal, runs[i-1].nominal))
			}
			for _, prev := range runs[:i] {
				overlaps := prev.stop.IsZero() || prev.stop.After(runs[i].start)
				if !overlaps {
					continue
				}
				if strings.HasPrefix(id, "skip.") || strings.HasPrefix(id, "buffer_one.") {
					failures = append(failures, fmt.Sprintf("S1 %s: %s started while %s ran", id, runs[i].nominal.Format(time.TimeOnly), prev.nominal.Format(time.TimeOnly)))
				}
			}
		}
		d, err := ev.Get(ctx, id, 1)
		if err != nil {
			failures = append(failures, fmt.Sprintf("get %s: %v", id, err))
			continue
		}
		if tm, ok := timers.Get(evaluator.TimerID(id)); !ok || len(d.Upcoming) == 0 || !tm.At.Equal(d.Upcoming[0]) {
			failures = append(failures, fmt.Sprintf("C3 %s: timer %v, next %v", id, tm.At, d.Upcoming))
		}
		c := d.Counters
		if int(c.Started) != len(runs) {
			failures = append(failures, fmt.Sprintf("S4 %s: %d recorded starts, %d executions", id, c.Started, len(runs)))
		}
		fmt.Fprintf(stdout, "%-26s %8d %8d %8d %8d %8d\n", id, c.Started, c.Skipped, c.Buffered, c.Dropped, c.MissedRanges)
	}
	snap, events, err := log.Read(ctx)
	if err != nil {
		failures = append(failures, err.Error())
	} else if states, err := evaluator.Project(snap, events); err != nil {
		failures = append(failures, "R1: "+err.Error())
	} else {
		for _, st := range states {
			live, _ := ev.State(st.ID)
			if !reflect.DeepEqual(live, st) {
				failures = append(failures, "R1 "+st.ID+": projection differs from live state")
			}
		}
	}
	fmt.Fprintln(stdout)
	for _, f := range failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	checks := "S1 S4 S7 C3 R1"
	if len(failures) > 0 {
		fmt.Fprintf(stdout, "%d checks failed (%s)\n", len(failures), checks)
		return 1
	}
	fmt.Fprintf(stdout, "all checks hold (%s) over %d events\n", checks, log.Len())
	return 0
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/sim"
)

// The self-check's world: every overlap x catch-up pair on a 60 s interval,
// runs of 150 s (longer than the period), and a crash at crashAt that keeps
// the evaluator down for downtime.
var (
	crashAt  = sim.DefaultStart.Add(30*time.Minute + 10*time.Second)
	downtime = 25 * time.Minute
	runFor   = 150 * time.Second
)

func selfcheckConfig() (sim.Config, []string) {
	cfg := sim.Config{
		Duration:    sim.Fixed(runFor),
		CancelDelay: 5 * time.Second,
		Plan:        sim.Plan{Faults: []sim.Fault{{Kind: sim.Crash, At: crashAt, Downtime: downtime}}},
	}
	var ids []string
	for _, o := range evaluator.OverlapPolicies() {
		for _, c := range evaluator.CatchUpPolicies() {
			id := o.String() + "." + c.String()
			ids = append(ids, id)
			cfg.Ops = append(cfg.Ops, sim.Op{At: sim.DefaultStart, Kind: sim.OpCreate, ScheduleID: id, Config: evaluator.Config{
				Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)},
				Overlap: o, CatchUp: c, WorkflowType: "selfcheck"}})
		}
	}
	return cfg, ids
}

// selfcheck runs the world and checks the invariants a run can show (see
// package invariants), and that every recorded start is an execution.
func selfcheck(hours int, verbose bool, stdout, stderr io.Writer) int {
	cfg, ids := selfcheckConfig()
	w, err := sim.New(cfg)
	if err == nil {
		err = w.Run(sim.DefaultStart.Add(time.Duration(hours) * time.Hour))
	}
	if err != nil {
		fmt.Fprintf(stderr, "simrun: %v\n", err)
		return 1
	}
	if verbose {
		for _, r := range w.Records() {
			if r.Kind == sim.KindStart || r.Kind == sim.KindCrash || r.Kind == sim.KindRestart {
				fmt.Fprintln(stdout, r)
			}
		}
	}
	ev, ok := w.Process().(*evaluator.Evaluator)
	if !ok {
		fmt.Fprintln(stderr, "simrun: the evaluator is down at the end of the run")
		return 1
	}
	h := invariants.Observe(w)
	rep := invariants.Run(w, cfg)
	var failures []string
	for _, v := range rep.Violations {
		failures = append(failures, v.String())
	}
	started := map[string]int{}
	for _, r := range h.Runs {
		started[r.Request.ScheduleID]++
	}
	fmt.Fprintf(stdout, "schedsim self-check: %d schedules, 60s interval, runs of %s, crash at %s down %s, %dh simulated\n\n",
		len(ids), runFor, crashAt.Format(time.TimeOnly), downtime, hours)
	fmt.Fprintf(stdout, "%-26s %8s %8s %8s %8s %8s\n", "schedule", "started", "skipped", "buffered", "dropped", "missed")
	for _, id := range ids {
		if !h.Quiet[id] {
			failures = append(failures, "the self-check ends at a quiet point, but "+id+" is not quiet")
		}
		st, _ := ev.State(id)
		c := st.Counters
		if int(c.Started) != started[id] {
			failures = append(failures, fmt.Sprintf("%s: %d recorded starts, %d executions", id, c.Started, started[id]))
		}
		fmt.Fprintf(stdout, "%-26s %8d %8d %8d %8d %8d\n", id, c.Started, c.Skipped, c.Buffered, c.Dropped, c.MissedRanges)
	}
	fmt.Fprintln(stdout)
	for _, f := range failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	checks := strings.Join(rep.Checked, " ")
	for _, n := range rep.NotApplicable {
		fmt.Fprintln(stdout, n)
	}
	if len(failures) > 0 {
		fmt.Fprintf(stdout, "%d checks failed (%s)\n", len(failures), checks)
		return 1
	}
	fmt.Fprintf(stdout, "all checks hold (%s) over %d events\n", checks, w.Log().Len())
	return 0
}

// maxHours bounds the self-check: it keeps every record in memory.
const maxHours = 24 * 7

func selfcheckCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("selfcheck", flag.ContinueOnError)
	hours := fs.Int("hours", 6, "simulated hours")
	verbose := fs.Bool("v", false, "print every start")
	rest, code := parse(fs, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	if len(rest) > 0 {
		return usageError(stderr, "selfcheck: unexpected argument %q", rest[0])
	}
	if *hours < 1 || *hours > maxHours {
		fmt.Fprintf(stderr, "simrun: -hours must be between 1 and %d, got %d\n", maxHours, *hours)
		return 2
	}
	return selfcheck(*hours, *verbose, stdout, stderr)
}

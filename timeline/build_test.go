package timeline_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
	"github.com/schedsim/schedsim/timeline"
)

var t0 = time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// handMade is a result as an implementation without an event log leaves
// it: deliveries and starts, no appends.
func handMade(records ...sim.Record) *scenarios.Result {
	s := &scenarios.Scenario{Name: "hand-made", Start: t0, Until: at(5 * time.Minute), Schedules: []scenarios.Schedule{
		{ID: "s", Config: evaluator.Config{Trigger: evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}, Overlap: evaluator.OverlapSkip}}}}
	return &scenarios.Result{Scenario: s, Records: records}
}

func TestWithoutALogTicksAreStartedOrNot(t *testing.T) {
	res := handMade(
		sim.Record{At: at(0), Kind: sim.KindRestart},
		sim.Record{At: at(0), Kind: sim.KindOp, ScheduleID: "s", Detail: "create request=c"},
		sim.Record{At: at(time.Minute), Kind: sim.KindDeliver, ScheduleID: "s", Nominal: at(time.Minute)},
		sim.Record{At: at(time.Minute), Kind: sim.KindStart, ScheduleID: "s", Nominal: at(time.Minute), RunID: "run-1"},
		sim.Record{At: at(2 * time.Minute), Kind: sim.KindDeliver, ScheduleID: "s", Nominal: at(2 * time.Minute)},
		sim.Record{At: at(150 * time.Second), Kind: sim.KindCrash, Detail: "crash"},
		sim.Record{At: at(3 * time.Minute), Kind: sim.KindRestart},
		sim.Record{At: at(3 * time.Minute), Kind: sim.KindClose, ScheduleID: "s", RunID: "run-1", Detail: "failed"},
		sim.Record{At: at(4 * time.Minute), Kind: sim.KindStart, ScheduleID: "s", Nominal: at(time.Minute), RunID: "run-1", Detail: "already-started"},
	)
	tl := timeline.Build(res, "a program")
	assert.Equal(t, "starts", tl.Dispositions)
	require.Len(t, tl.Schedules, 1)
	l := tl.Schedules[0]
	assert.Equal(t, []timeline.Tick{
		{Nominal: 60_000, Count: 1, Disposition: "start", Decided: 60_000},
		{Nominal: 120_000, Count: 1, Disposition: "none", Decided: 120_000},
	}, l.Ticks, "the second start of run-1 is no new tick")
	require.Len(t, l.Executions, 1, "already-started is no new execution")
	assert.Equal(t, int64(180_000), l.Executions[0].Close)
	assert.Equal(t, "failed", l.Executions[0].Outcome)
	assert.Equal(t, []timeline.Band{{From: 150_000, Until: 180_000, Cause: "crash"}}, tl.Downtime)
	assert.Equal(t, []timeline.Mark{{At: 150_000, Kind: "crash", Detail: "crash"}}, tl.Incidents, "the first process's start is no incident")
	assert.Equal(t, "create", l.Marks[0].Kind)
}

func TestOverlappingExecutionsStackInAtMostEightRows(t *testing.T) {
	var records []sim.Record
	for i := range 12 {
		records = append(records, sim.Record{At: at(time.Duration(i) * time.Second), Kind: sim.KindStart, ScheduleID: "s",
			Nominal: at(time.Duration(i) * time.Minute), RunID: "run-" + string(rune('a'+i))})
	}
	records = append(records, sim.Record{At: at(20 * time.Second), Kind: sim.KindClose, ScheduleID: "s", RunID: "run-a", Detail: "completed"})
	records = append(records, sim.Record{At: at(30 * time.Second), Kind: sim.KindStart, ScheduleID: "s", Nominal: at(20 * time.Minute), RunID: "run-z"})
	l := timeline.Build(handMade(records...), "x").Schedules[0]
	assert.Equal(t, 8, l.Rows)
	rows := []int{}
	for _, x := range l.Executions {
		rows = append(rows, x.Row)
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 0}, rows, "row 0 is free again once run-a closed")
}

func TestZoneOffsetsFollowTheClockChanges(t *testing.T) {
	s := &scenarios.Scenario{Name: "lord-howe", Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Schedules: []scenarios.Schedule{{ID: "lh", Config: evaluator.Config{Trigger: evaluator.TriggerSpec{Cron: "0 3 * * *", Timezone: "Australia/Lord_Howe"}}}}}
	l := timeline.Build(&scenarios.Result{Scenario: s}, "x").Schedules[0]
	assert.Equal(t, "Australia/Lord_Howe", l.Zone)
	var secs []int
	for _, o := range l.Offsets {
		secs = append(secs, o.Seconds)
	}
	// Lord Howe is UTC+11 in summer and +10:30 in winter: the half-hour change.
	assert.Equal(t, []int{39600, 37800, 39600}, secs)
}

func TestPageNames(t *testing.T) {
	for file, want := range map[string]string{
		"defects/defect-01.yaml":       "defects-defect-01.html",
		"./a/b.yaml":                   "a-b.html",
		"../../scenarios/x/y.yaml":     "scenarios-x-y.html",
		"/tmp/sf/S1-20261128.yaml":     "tmp-sf-S1-20261128.html",
		"scenarios/library/dst/a.yaml": "scenarios-library-dst-a.html",
	} {
		assert.Equal(t, want, timeline.PageName(file), file)
	}
}

// TestNamesCannotBreakThePage: a scenario's name and description are
// text in the page and data in its JSON, never markup or script.
func TestNamesCannotBreakThePage(t *testing.T) {
	res := handMade()
	res.Scenario.Name = `</script><script>alert("name")</script>`
	res.Scenario.Description = `<img src=x onerror=alert(1)>`
	var b bytes.Buffer
	require.NoError(t, timeline.WriteHTML(&b, timeline.Build(res, "x")))
	page := b.String()
	assert.Equal(t, 2, strings.Count(page, "<script"), "the data's and page.js's")
	assert.NotContains(t, page, "<img")
	assert.Contains(t, page, `\u003c/script\u003e`, "escaped in the JSON")
}

// A terminated execution is a bar that ends at its terminate, drawn as
// terminated, with a terminate mark; even when the terminate's call then
// crashed (it took effect).
func TestTerminatedExecutions(t *testing.T) {
	// The terminates each scenario expects (its own expectations check the engine).
	for file, want := range map[string]int{"lifecycle/terminate-previous.yaml": 7, "faults/terminate-previous-crash-at-terminate.yaml": 6} {
		res, impl := replay(t, file, "")
		require.True(t, res.Passed(), file)
		tl := timeline.Build(res, impl)
		terminated, marks := 0, 0
		for _, l := range tl.Schedules {
			for _, x := range l.Executions {
				if x.Outcome == "terminated" {
					terminated++
					assert.Less(t, x.Start, x.Close, "%s: %s @%d", file, l.ID, x.Nominal)
				}
			}
			for _, m := range l.Marks {
				if m.Kind == "terminate" && m.Error == "" {
					marks++
				}
			}
		}
		assert.Equal(t, want, terminated, file)
		assert.LessOrEqual(t, marks, terminated, "%s: a mark per terminate that reported success", file)
	}
}

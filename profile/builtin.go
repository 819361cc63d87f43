package profile

import (
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Builtin returns the built-in profiles, schedsim (the default) first. Each
// call returns fresh values: a caller may change its copy.
func Builtin() []Profile { return []Profile{Schedsim(), GocronV2(), RobfigCronV3(), TemporalV1()} }

// Default is the name of the default profile.
const Default = "schedsim"

// Fault kinds, as properties.FaultKinds spells them (this package cannot
// import properties).
var allFaults = []string{"crash", "crash_at_call", "error", "late", "duplicate_delivery", "duplicate_notice", "jump"}

// appFaults are the faults that make sense for an in-process scheduler with no
// durability driven through an adapter: the process crashes (and the
// application registers its schedules again at boot), and the world repeats a
// delivery or a closure notice. Seam errors, late deliveries and clock jumps
// reach only the adapter (the scheduler keeps its own timers), so they would
// test the adapter, not the scheduler.
var appFaults = []string{"crash", "duplicate_delivery", "duplicate_notice"}

// Schedsim is the reference evaluator's dialect (docs/semantics.md).
func Schedsim() Profile {
	var overlaps []Policy
	for _, o := range evaluator.OverlapPolicies() {
		overlaps = append(overlaps, Policy{o, o.String()})
	}
	var catchUps []CatchUp
	for _, c := range evaluator.CatchUpPolicies() {
		catchUps = append(catchUps, CatchUp{c, c.String()})
	}
	return Profile{
		Name: "schedsim", Scheduler: "github.com/schedsim/schedsim/evaluator", Version: "this repository",
		Overlaps: overlaps, CatchUps: catchUps, Window: true, Bounds: true, LimitedRuns: true, BufferLimit: true, TriggerNow: true, PauseOnFailure: true, Jitter: true, Backfill: true,
		IntervalAnchor: AnchorOperation, Durability: DurabilityLog, Identity: IdentityNominal,
		Faults:      append([]string(nil), allFaults...),
		Cron:        "robfig/cron v3's grammar (parsed by robfig) with an optional seconds field, descriptors (@hourly, @every) and CRON_TZ=; ticks computed by the evaluator's own calendar",
		DST:         "the wall-clock rule, in every zone: a wall time a spring-forward skips is not a tick, one a fall-back repeats fires at each occurrence",
		CatchUpRule: "ticks missed while down or delivered late go through the catch-up policy (all, one, skip) and the window",
		Cancel:      "cancel_previous asks every running execution to cancel and starts at once",
		Buffer:      "buffer_one: at most one tick waits; it starts as soon as the running set is empty. buffer_all: every tick waits in a queue of at most buffer_limit (1,000 by default; beyond it a tick is skipped and counted as overflowed), and the oldest starts, one at a time, as the running set empties; a queued tick keeps its nominal time as its identity",
		Pause:       "pause, update and delete drop the buffered tick and buffer_all's queue; resume and update re-anchor the grid at their instant",
		SameInstant: "closures, then operations, then timers",
		Observes:    "the nominal time of each start (its workflow id), the running set, the buffered tick, buffer_all's queue, owed starts, the next ticks, counters, and the event log",
		Sources:     []Source{{"every rule", "docs/semantics.md"}},
	}
}

// GocronV2 is go-co-op/gocron v2's dialect, read from v2.21.2.
func GocronV2() Profile {
	return Profile{
		Name: "gocron-v2", Scheduler: "github.com/go-co-op/gocron/v2", Version: "v2.21.2",
		Overlaps: []Policy{
			{evaluator.OverlapSkip, "WithSingletonMode(LimitModeReschedule)"},
			{evaluator.OverlapAllowAll, "no limit mode (the default)"},
			{evaluator.OverlapBufferAll, "WithSingletonMode(LimitModeWait)"},
		},
		CatchUps:       noCatchUp("missed runs are skipped (for next.Before(now))"),
		IntervalAnchor: AnchorOperation, Durability: DurabilityNone, Identity: IdentityStartInstant, Reregisters: true,
		Faults:       append([]string(nil), appFaults...),
		Inapplicable: inMemory("the scheduler keeps no log"),
		Cron:         "robfig/cron v3's parser (CronJob with or without seconds); CRON_TZ= prefixes",
		DST:          "robfig/cron v3's walk (no DST option set). The model applies the wall-clock rule, which that walk follows except in zones whose change is at midnight, of 30 minutes, at 00:01 or skips a day (docs/findings.md, robfig-1 to robfig-4); the generator's zoned crons (New York, Berlin) are not among those",
		CatchUpRule:  "none: a run whose time passed while the process was down or asleep is skipped; a restart registers the jobs again from the present",
		Cancel:       "not offered",
		Buffer:       "LimitModeWait queues every run that comes while one runs (buffer_all) in a channel of 1,000; each starts as the previous returns, named by the instant it starts; removing the job (pause, update, delete) drops the queue. Past 1,000 the next run waits to get in and later ticks are not scheduled until it does; the model drops them instead, so histories that queue more than 1,000 runs are beyond it (CI's queue at most 60)",
		Pause:        "no pause: the adapter removes the job (RemoveJob) and registers it again at resume (NewJob), which re-anchors an interval; update removes and re-registers too",
		SameInstant:  "undefined: a run that ends exactly at a tick races with the tick's timer; the adapter makes closures and removals take effect just before the instant's ticks, and registrations just after",
		Observes:     "no identity is passed to the job (the adapter names a start by the instant it began), the running set is the adapter's jobs still in their function, the next run is Job.NextRuns",
		Sources: []Source{
			{"catch-up", "scheduler.go selectExecJobsOutForRescheduling: for next.Before(s.now()) { next = j.next(next) } (v2.21.2)"},
			{"interval anchor", "scheduler.go selectNewJob/addOrUpdateJob: next = j.next(s.now()) when no start time is set (v2.21.2)"},
			{"singleton skip", "executor.go: LimitModeReschedule drops a run while the job runs (v2.21.2); README 'Concurrency limits'"},
			{"durability", "README: gocron keeps jobs in memory; the Locker/Elector options coordinate instances, they do not persist"},
		},
	}
}

// RobfigCronV3 is robfig/cron v3's runner (cron.Cron with job wrappers), read
// from v3.0.1.
func RobfigCronV3() Profile {
	return Profile{
		Name: "robfig-cron-v3", Scheduler: "github.com/robfig/cron/v3 (cron.Cron)", Version: "v3.0.1",
		Overlaps: []Policy{
			{evaluator.OverlapSkip, "cron.WithChain(cron.SkipIfStillRunning(logger))"},
			{evaluator.OverlapAllowAll, "no wrapper (the default)"},
		},
		CatchUps:       noCatchUp("the run loop starts a due entry once and computes its next time from now"),
		IntervalAnchor: AnchorOperationSecond, IntervalUnit: time.Second,
		Durability: DurabilityNone, Identity: IdentityStartInstant, Reregisters: true,
		Faults:       append([]string(nil), appFaults...),
		Inapplicable: inMemory("the runner keeps no log"),
		Cron:         "robfig/cron v3 (the adapter's parser takes an optional seconds field and descriptors); CRON_TZ= prefixes",
		DST:          "robfig/cron v3's walk: a midnight-DST zone can fire on the wrong weekday and Lord Howe/Chatham skip ticks (docs/findings.md, robfig-1 to robfig-4). The model applies the wall-clock rule; the generator's zoned crons (New York, Berlin) are where the two agree",
		CatchUpRule:  "none: after a late wake-up each due entry runs once, and its next time is computed from the present",
		Cancel:       "not offered",
		Buffer:       "DelayIfStillRunning (buffer all) is not offered: it waits on a sync.Mutex, which testing/synctest does not count as durably blocked, so a bubble cannot advance while a delayed run waits and the adapter cannot drive it",
		Pause:        "no pause: the adapter removes the entry (Remove) and adds it again at resume, which re-anchors @every; update removes and adds too",
		SameInstant:  "undefined: a run that ends exactly at a tick races with the run loop's timer; the adapter makes closures and removals take effect just before the instant's ticks, and additions just after",
		Observes:     "no identity is passed to the job (the adapter names a start by the instant it began), the running set is the adapter's jobs still in their function, the next run is Entry.Next",
		Sources: []Source{
			{"interval anchor", "constantdelay.go: Next(t) = t.Add(Delay - t.Nanosecond()), and Every rounds the delay down to a second (v3.0.1)"},
			{"catch-up", "cron.go run: for each entry with Next <= now: startJob; e.Next = e.Schedule.Next(now) (v3.0.1)"},
			{"skip", "chain.go SkipIfStillRunning: a run finding the previous one still running returns at once (v3.0.1)"},
			{"durability", "cron.go: entries live in memory only (v3.0.1)"},
		},
	}
}

// noCatchUp maps every catch-up policy to none: the scheduler has no notion
// of it, and under its profile no tick is ever late (a restart re-anchors
// every grid, and late deliveries and jumps are not generated), so the
// policy a config names never decides anything.
func noCatchUp(how string) []CatchUp {
	var out []CatchUp
	for _, c := range evaluator.CatchUpPolicies() {
		out = append(out, CatchUp{c, "none: " + how})
	}
	return out
}

// inMemory lists the invariants an in-memory scheduler with none of
// cancel_previous and buffer_one cannot be judged by.
func inMemory(noLog string) []Inapplicable {
	return []Inapplicable{
		{"S2", "cancel_previous is not offered"},
		{"S3", "buffer_one is not offered, and " + noLog},
		{"L3", noLog + ": a tick's disposition is not recorded"},
		{"R1", "no durability: a fresh incarnation registers the jobs again and re-anchors every grid"},
		{"R2", "no durability: a restart re-anchors every grid and forgets the running executions"},
		{"R4", noLog + ": no triggered event records a start"},
		{"A1", noLog},
		{"A2", noLog + ", and keeps no counters"},
		{"L1", "buffer_one is not offered, and " + noLog},
		{"L2", "there is no catch-up, and " + noLog},
		{"B1", noLog + ": a refused operation cannot leave a trace in it"},
	}
}

package profile

import (
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// temporalSrc is where temporal-v1's rules were read: the V1 scheduler
// workflow of the Temporal server.
const temporalSrc = "go.temporal.io/server@v1.32.1 service/worker/scheduler/"

// TemporalV1 is the dialect of Temporal's V1 schedule workflow
// (SchedulerWorkflow in go.temporal.io/server/service/worker/scheduler), read
// from v1.32.1. It is judged through adapters/temporal, which runs that
// workflow in the Go SDK's test environment: the adapter sees the starts
// (with the nominal time Temporal appends to the workflow id), cancels,
// terminates and closures, not the workflow's state, so the checks that read
// a log, a description or a quiet point do not apply.
func TemporalV1() Profile {
	return Profile{
		Name: "temporal-v1", Scheduler: "go.temporal.io/server/service/worker/scheduler (SchedulerWorkflow, V1)", Version: "v1.32.1",
		Overlaps: []Policy{
			{evaluator.OverlapSkip, "SCHEDULE_OVERLAP_POLICY_SKIP"},
			{evaluator.OverlapBufferOne, "SCHEDULE_OVERLAP_POLICY_BUFFER_ONE"},
			{evaluator.OverlapBufferAll, "SCHEDULE_OVERLAP_POLICY_BUFFER_ALL"},
			{evaluator.OverlapCancelPrevious, "SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER"},
			{evaluator.OverlapTerminatePrevious, "SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER"},
			{evaluator.OverlapAllowAll, "SCHEDULE_OVERLAP_POLICY_ALLOW_ALL"},
		},
		CatchUps: []CatchUp{{evaluator.CatchUpAll, "no policy of its own: every tick within the catch-up window is buffered, then the overlap policy decides"}},
		Window:   true, Bounds: true, LimitedRuns: true, TriggerNow: true, PauseOnFailure: true, Jitter: true, Backfill: true,
		IntervalAnchor: AnchorEpoch, IntervalUnit: time.Second,
		Durability: DurabilityLog, Identity: IdentityNominal, UntrackedAllowAll: true, TicksFirst: true,
		Faults: []string{"crash"},
		Inapplicable: []Inapplicable{
			{"S3", "the adapter cannot read the workflow's buffer (BufferedStarts is in its state, not in what it starts)"},
			{"S9", "Temporal's jitter is its own function (a farm fingerprint of the nominal time and the schedule), not schedsim's"},
			{"C1", "the catch-up differs: Temporal buffers the ticks of the window and lets the overlap policy decide; the adapter sees no description either"},
			{"C2", "the reference model does not predict this dialect yet (catch-up over the burst, cancel waiting for the close, pause on jittered times)"},
			{"C3", "the adapter sees no description and no timer of the workflow"},
			{"C4", "the adapter sees no description of the workflow"},
			{"M1", "the reference model does not predict this dialect yet (catch-up over the burst, cancel waiting for the close, pause on jittered times, untracked allow_all runs)"},
			{"R1", "the workflow's state is replayed by Temporal's SDK, not read by the harness"},
			{"R2", "the adapter crashes only between workflow tasks (a continue-as-new); runs are not compared"},
			{"R4", "the workflow keeps no log the harness reads"},
			{"A1", "the workflow keeps no log the harness reads"},
			{"A2", "the workflow keeps no log the harness reads"},
			{"L1", "the adapter cannot read the workflow's buffer"},
			{"L2", "the workflow keeps no log the harness reads"},
			{"L3", "the adapter sees no description of the workflow"},
			{"B1", "Temporal's refusals are not schedsim's: refused operations are not compared"},
		},
		Cron:        "Temporal's cron strings (5, 6 or 7 fields, @every, CRON_TZ=), compiled to calendar specs; the adapter passes schedsim's cron string as CronString and the zone as TimezoneName",
		DST:         "Temporal's calendar walk in the schedule's zone; not compared by the checks the adapter runs (the model does not judge this profile)",
		CatchUpRule: "at each wakeup the ticks since the last one are buffered unless their jittered time is more than the catch-up window (at least 10 s; 1 year by default) in the past, then the overlap policy decides over the burst (skip: the first starts; buffer_one: one waits; allow_all: all start)",
		Cancel:      "CANCEL_OTHER asks the running executions to cancel and keeps the new start buffered until they have closed: it never starts beside them",
		Buffer:      "buffer_one: one start waits (the first of a burst); buffer_all: every start waits, in order, in a buffer of at most 1,000 (MaxBufferSize; beyond it a start is dropped and counted as BufferDropped). A buffered start waits through a pause and is dropped when it would start while paused",
		Pause:       "pause and update keep the buffer; ticks whose jittered time falls in a pause are never buffered (pauses, creates, deletes and updates act on jittered times: temporal-1; the adapter computes them with Temporal's CompiledSpec for the checks, invariants.History.Due); an update drops the ticks due before its instant and keeps one due at it; the grid never moves (epoch anchor)",
		SameInstant: "the workflow receives signals (pause, update, trigger, backfill) only when it sleeps, after handling the elapsed ticks and starting what they allow: the ticks due at an operation's instant, and at a restart the catch-up, come first. Signals that arrive together are drained into one pending patch and one pending update, the patch applied first (temporal-5, a bug)",
		Observes:    "the starts with the nominal time appended to the workflow id (whole seconds), manual starts by their ALLOW_DUPLICATE reuse policy, cancels, terminates and closures; not the workflow's state",
		Sources: []Source{
			{"interval anchor", temporalSrc + "spec.go nextIntervalTime: (((ts-phase)/interval)+1)*interval + phase, in whole seconds"},
			{"catch-up", temporalSrc + "workflow.go processTimeRange: a tick whose jittered time is more than getCatchupWindow() before now is skipped (MissedCatchupWindow), every other is buffered by addStart; getCatchupWindow raises a window under MinCatchupWindow (10 s)"},
			{"overlap over the burst", temporalSrc + "buffer.go ProcessBuffer: the policy of each buffered start decides, in order; allow_all starts are collected apart"},
			{"cancel", temporalSrc + "buffer.go ProcessBuffer: CANCEL_OTHER with a run sets NeedCancel and keeps the start in the buffer"},
			{"buffer bound", temporalSrc + "workflow.go addStart: MaxBufferSize (1,000) then BufferDropped"},
			{"untracked allow_all", temporalSrc + "workflow.go recordAction: since DontTrackOverlapping only the non-overlapping start is put in RunningWorkflows (temporal-3)"},
			{"pause", temporalSrc + "workflow.go canTakeScheduledAction: paused, no scheduled start (manual starts are always allowed); processTimeRange skips the whole range while paused"},
			{"pause on jittered times", temporalSrc + "spec.go GetNextTime returns Next = addJitter(nominal); processTimeRange iterates Next (temporal-1)"},
			{"update", temporalSrc + "workflow.go processTimeRange: ticks before Info.UpdateTime are discarded"},
			{"same instant", temporalSrc + "workflow.go run: processTimeRange, then processSignals, then processTimeRange again if the schedule changed; sleep: signals received by a selector, drained with for sel.HasPending() into pendingPatch and pendingUpdate"},
			{"limited runs", temporalSrc + "workflow.go canTakeScheduledAction: RemainingActions decremented per scheduled start, manual starts not counted"},
			{"identity", temporalSrc + "workflow.go startWorkflow: workflow id + \"-\" + nominal time truncated to the second (RFC 3339)"},
		},
	}
}

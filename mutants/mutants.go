// Package mutants holds deliberately broken variants of the reference
// evaluator: each turns on one realistic defect in the evaluator's own logic
// (see internal/mutation), selectable by name. The property suite must kill
// every one of them; that is how it proves it has teeth.
package mutants

import (
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/internal/mutation"
	"github.com/schedsim/schedsim/sim"
)

// Mutant is one broken evaluator.
type Mutant struct {
	Name        string
	Description string
	Defect      int // the seed defect it reproduces (docs/invariants.md), 0 for none
	// Nondeterministic: its behaviour varies from run to run (that is its
	// defect), so where and how small the suite catches it varies too.
	Nondeterministic bool
	set              mutation.Set
}

// Factory returns the factory of this mutant with the given retry delay.
func (m Mutant) Factory(retryDelay time.Duration) sim.Factory {
	return func(s sim.Seams) (sim.Process, error) {
		return evaluator.New(evaluator.Options{Clock: s.Clock, Timers: s.Timers, Engine: s.Engine, Log: s.Log,
			RetryDelay: retryDelay, Mutations: m.set})
	}
}

// All lists the mutants: the seed's defects first (defect 6, the cost of
// catch-up, is caught by a budget test instead), then others.
var All = []Mutant{
	{"recovery-clears-running", "recovery forgets the running executions, so skip starts a second concurrent run", 1, false, mutation.RecoveryClearsRunning},
	{"fresh-workflow-ids", "each start attempt gets a new workflow id, so a crash between start and record starts the tick twice", 2, false, mutation.FreshWorkflowIDs},
	{"buffer-in-memory", "a buffered tick is kept in memory only and lost (or re-decided) after a crash", 3, false, mutation.BufferInMemory},
	{"skips-not-recorded", "skipped ticks are not recorded, so a replay after a crash re-fires them", 4, false, mutation.SkipsNotRecorded},
	{"stale-deliveries-decide", "a duplicate or stale timer delivery is decided again as if its time were the next tick", 5, false, mutation.StaleDeliveriesDecide},
	{"timers-stay-armed", "pause and delete leave the timer armed", 7, false, mutation.TimersStayArmed},
	{"failed-start-unarms", "a failed start disarms the timer, so the schedule stalls until a restart", 8, false, mutation.FailedStartUnarms},
	{"record-before-validate", "a create with an invalid config is recorded before it is rejected, so the log no longer projects", 9, false, mutation.RecordBeforeValidate},
	{"closure-clears-newest", "a closure notice removes the newest running execution instead of the one that closed", 10, false, mutation.ClosureClearsNewest},
	{"window-inclusive", "a tick exactly at now - catch_up_window is missed (< instead of <=)", 0, false, mutation.WindowInclusive},
	{"buffer-keeps-newest", "buffer_one replaces the buffered tick with the newest instead of keeping the first", 0, false, mutation.BufferKeepsNewest},
	{"cancel-previous-without-cancel", "cancel_previous starts without cancelling the running execution", 0, false, mutation.CancelPreviousWithoutCancel},
	{"interval-from-actual", "an interval's next tick is computed from the delivery time instead of the nominal time", 0, false, mutation.IntervalFromActual},
	{"resume-catches-up", "resume keeps the old next time, so ticks missed while paused are caught up", 0, false, mutation.ResumeCatchesUp},
	{"update-drops-running", "update forgets the running executions", 0, false, mutation.UpdateDropsRunning},
	{"recovery-in-map-order", "recovery visits schedules in map order, so traces differ from run to run", 0, true, mutation.RecoveryInMapOrder},
	{"catch-up-one-newest", "catch-up one starts the newest late tick instead of the oldest", 0, false, mutation.CatchUpOneNewest},
	{"lone-late-tick-is-late", "a lone due tick handled late is treated as late, so catch-up skip misses it", 0, false, mutation.LoneLateTickIsLate},
	{"closure-ignores-buffer", "a closure does not start the buffered tick; it waits for the next delivery", 0, false, mutation.ClosureIgnoresBuffer},
	{"redelivery-redecides", "a repeated delivery of a tick just skipped or buffered is decided again (only starts were deduplicated), so the log disposes of the tick twice and the counters count it twice", 0, false, mutation.RedeliveryRedecides},
	{"owed-start-waits-for-tick", "an owed catch-up start that fails is not reported: it is retried only at the next tick's delivery, not after the retry delay", 0, false, mutation.OwedStartWaitsForTick},
	{"buffered-start-waits-for-tick", "a buffered tick whose start fails is not reported: it is retried only at the next tick's delivery, not after the retry delay", 0, false, mutation.BufferedStartWaitsForTick},
	{"tick-at-now-is-late", "when several ticks are due, the one at exactly now is treated as late (decided by the catch-up policy) instead of on time", 0, false, mutation.TickAtNowIsLate},
	{"anchor-at-millisecond", "update and resume compute an interval's first tick from the operation's time cut to the millisecond (a timestamp kept as a JavaScript Date or by many databases)", 0, false, mutation.AnchorAtMillisecond},
	{"buffer-all-drains-at-once", "when the running set empties, buffer_all starts every queued tick at once instead of one at a time", 0, false, mutation.BufferAllDrainsAtOnce},
	{"buffer-all-unbounded", "buffer_all ignores its buffer_limit and queues every tick", 0, false, mutation.BufferAllUnbounded},
	{"delivery-ignores-bounds", "start_at and end_at are applied when the schedule is created (its first tick) but not when a delivery decides, so ticks after end_at still fire", 0, false, mutation.DeliveryIgnoresBounds},
	{"limit-counts-starts-only", "remaining_runs is checked against the starts made, not the ticks already buffered, queued or owed, so those start one run too many", 0, false, mutation.LimitCountsStartsOnly},
	{"terminate-as-cancel", "terminate_previous asks the running execution to cancel (the seam call cancel_previous uses) instead of terminating it, so the new run overlaps it until it closes", 0, false, mutation.TerminateAsCancel},
	{"trigger-ignores-overlap", "trigger_now starts at once whatever the overlap policy (as Temporal's triggerImmediately once ignored BUFFER_ONE), so it overlaps a skip or buffer_one run", 0, false, mutation.TriggerIgnoresOverlap},
	{"trigger-id-from-clock", "a manual start's workflow id and nominal time are taken from the clock when the start is made, not from the recorded request, so a start retried after a crash or an error is a second execution", 0, false, mutation.ManualIDFromClock},
	{"failure-pause-keeps-buffer", "pause_on_failure pauses without dropping the buffered, queued and owed ticks (as a pause does), so they start after the resume", 0, false, mutation.FailurePauseKeepsBuffer},
	{"failure-missed-at-recovery", "only a closure notice is read for how an execution ended: a failure that recovery finds by asking the engine (its notice lost to a crash) does not pause the schedule", 0, false, mutation.FailureMissedAtRecovery},
	{"queued-range-stalls", "buffer_all starts the ticks it queued one by one when the running set empties, but not a range a catch-up queued", 0, false, mutation.QueuedRangeStalls},
	{"catch-up-ignores-jitter", "a delivery lists the due ticks by their nominal times, not their jittered ones: after an outage, a tick whose nominal time has passed is decided, and started, before its jittered time", 0, false, mutation.CatchUpIgnoresJitter},
	{"update-forgets-tick-in-flight", "an update between a tick's nominal and its jittered time re-anchors the schedule without recording the tick it overtook: the tick is lost without a trace (Temporal's issue 4866, there a lost run)", 0, false, mutation.UpdateForgetsTickInFlight},
	{"backfill-ignores-overlap", "a backfill starts every tick of its range whatever its overlap policy, as Temporal's triggerImmediately once ignored BUFFER_ONE", 0, false, mutation.BackfillIgnoresOverlap},
	{"backfill-lost-at-recovery", "recovery makes a catch-up's owed starts but not a backfill's: a crash part-way through a backfill loses the rest of its range", 0, false, mutation.BackfillLostAtRecovery},
	{"never-adopts", "a start that took effect before a crash or an ambiguous error is never adopted: its tick is decided again, and a redelivery that finds it late may miss it while its execution runs unrecorded", 0, false, mutation.NeverAdopts},
}

// ByName returns the mutant called name.
func ByName(name string) (Mutant, bool) {
	for _, m := range All {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}

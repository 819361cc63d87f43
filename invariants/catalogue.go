package invariants

import (
	"fmt"
	"slices"
	"strings"
)

// Entry describes one invariant (or harness verdict) for users: what it
// says, what breaks it, a violation as the checkers print it, and what in
// this repository shows it. It is the one source of `simrun explain` and of
// docs/invariants.md.
type Entry struct {
	ID       string
	Name     string
	Group    string // Safety, Completeness, Recovery, Model, Input, Verdict
	Says     string
	Catches  string
	Example  string // a violation message
	ShownBy  string // seed defects, mutants, scenarios
	Applies  string // where it is judged, when not everywhere
	Severity string // "" for invariants; for verdicts, what the case's outcome means
}

// Catalogue lists every invariant the checkers report, in the order reports
// use.
var Catalogue = []Entry{
	{ID: "S1", Name: "No overlap", Group: "Safety",
		Says:    "A schedule whose overlap policy is skip, buffer_one, buffer_all or terminate_previous never starts an execution while one of its executions is running (terminate_previous terminates them first; a terminated execution is closed). The policy judged is the one in force when the tick was decided. A manual start (trigger_now) is judged under the policy it was decided by: the one given with the request, else the schedule's.",
		Catches: "Forgetting running executions (after a crash, an update or a misattributed closure), starting a buffered tick early, or adopting a start without noticing that it still runs.",
		Example: "S1 s @2026-06-07T00:02:00Z: skip started at 2026-06-07T00:02:00Z while s@2026-06-07T00:01:00Z was running",
		ShownBy: "seed defect 1 (mutant recovery-clears-running); mutants update-drops-running, buffer-all-drains-at-once, terminate-as-cancel, backfill-ignores-overlap; scenarios defects/defect-01-recovery-clears-running, faults/ambiguous-start-then-catch-up, lifecycle/buffer-all-queue, lifecycle/terminate-previous"},
	{ID: "S2", Name: "Cancel-previous", Group: "Safety",
		Says:    "A cancel_previous schedule never starts an execution while one of its executions is running and has not been asked to cancel. The cancel must be asked first (it may close later).",
		Catches: "Starting without cancelling, or cancelling the wrong execution because a closure notice cleared the newer one.",
		Example: "S2 s @2026-06-07T00:02:00Z: started at 2026-06-07T00:02:00Z while s@2026-06-07T00:01:00Z ran without a cancel",
		ShownBy: "seed defect 10 (mutant closure-clears-newest); mutant cancel-previous-without-cancel; scenario defects/defect-10-closure-names-its-run"},
	{ID: "S3", Name: "Buffer bound", Group: "Safety",
		Says:    "At most one tick per schedule is buffered (buffer_one); buffer_all queues at most its buffer_limit (default 1,000). A buffered tick, or buffer_all's oldest, starts as soon as the running set is empty, or they are dropped by a pause, update or delete; never lost otherwise. Read from the log: a second tick buffered while one is, a queue over its bound, or, at a quiet point, buffered or queued ticks waiting with nothing running.",
		Catches: "Replacing the buffered tick, losing it in a crash, waiting for the next delivery to start it, or a buffer_all queue that ignores its bound.",
		Example: "S3 s @2026-06-07T00:02:00Z: the buffered tick waits although nothing runs",
		ShownBy: "seed defect 3 (mutant buffer-in-memory); mutants buffer-keeps-newest, closure-ignores-buffer, buffer-all-unbounded; scenarios defects/defect-03-buffered-tick-survives-crash, lifecycle/buffer-all-bound"},
	{ID: "S4", Name: "At most once", Group: "Safety",
		Says:    "Each (schedule, nominal time) yields at most one execution, across crashes, retries and duplicate deliveries. Workflow ids derived from the schedule id and the nominal time make this enforceable by the engine.",
		Catches: "A fresh workflow id per start attempt, so a crash between start and record starts the tick twice.",
		Example: "S4 s @2026-06-07T00:01:00Z: started twice (run-1, then run-2)",
		ShownBy: "seed defect 2 (mutant fresh-workflow-ids); scenario defects/defect-02-crash-between-start-and-record"},
	{ID: "S5", Name: "Inactive is silent", Group: "Safety",
		Says:    "No start for a nominal time before the schedule was created, inside a pause, or after its deletion. Manual starts (trigger_now) and backfilled ticks are exempt: a manual start's nominal time is its request's instant, a backfill's ticks are in the past on purpose. A pause includes one that pause_on_failure recorded (a paused event with cause failure in the log).",
		Catches: "Catching up the ticks of a pause at resume, or deciding a stale delivery of a deleted schedule.",
		Example: "S5 s @2026-06-07T00:03:00Z: nominal time inside the pause from 2026-06-07T00:02:30Z",
		ShownBy: "mutant resume-catches-up; scenario lifecycle/pause-resume-no-catch-up"},
	{ID: "S6", Name: "On the grid", Group: "Safety",
		Says:    "Every started nominal time is a tick of a configuration the schedule had, counted from when that configuration took effect (interval ticks are anchored at the create, update or resume: reference + k·period), and within its start_at and end_at (both inclusive). No drift. Manual starts (trigger_now) and backfilled ticks are exempt: they are not the schedule's own ticks.",
		Catches: "Computing an interval's next tick from the delivery time instead of the nominal time, deciding a stale delivery as if its time were the next tick, or firing past end_at.",
		Example: "S6 s @2026-06-07T00:02:05Z: not a tick of any config the schedule had",
		ShownBy: "seed defect 5 (mutant stale-deliveries-decide); mutants interval-from-actual, delivery-ignores-bounds; scenarios defects/defect-05-duplicate-deliveries, outage/bounds-lone-tick-after-an-outage"},
	{ID: "S7", Name: "Monotone", Group: "Safety",
		Says:    "The started nominal times of a schedule strictly increase. Manual starts (trigger_now) and backfilled ticks are exempt.",
		Catches: "Starting an older tick after a newer one: a retried owed start overtaken by a later decision, a buffered tick started after newer ticks.",
		Example: "S7 s @2026-06-07T00:01:00Z: started after the tick 2026-06-07T00:02:00Z",
		ShownBy: "no mutant on its own; S1 or S6 usually fire with it"},
	{ID: "S8", Name: "Limited runs", Group: "Safety",
		Says:    "A config that sets remaining_runs starts at most that many executions, from its create or update until the next update (a pause and resume keep counting), across crashes, retries and adoptions. The ticks already buffered, queued or owed count against the limit when they are decided, so none starts one run too many. Manual starts (trigger_now) and backfilled ticks do not count.",
		Catches: "Checking the limit against the starts made but not the ticks already waiting; a counter kept in memory and reset by a restart.",
		Example: "S8 s @2026-06-07T00:04:00Z: 3 executions started under a config with remaining_runs 2 (the last at 2026-06-07T00:04:00Z)",
		ShownBy: "mutant limit-counts-starts-only; scenarios lifecycle/limited-runs, faults/limited-runs-crash-before-record, faults/limited-runs-last-run-from-the-buffer (C3)"},
	{ID: "S9", Name: "Jitter", Group: "Safety",
		Says:    "Under a config with a jitter, no tick starts before its jittered time: its nominal time plus the documented delay (FNV-1a of the workflow id modulo the smaller of the jitter and the gap to the next nominal time). A tick in flight — its nominal time passed, its jittered time not — when a pause, update or delete applies is dropped, recorded in that operation's batch: never started, never lost unrecorded. The first clause reads the executions, the second the log.",
		Catches: "Deciding a tick at its nominal time (after an outage, listing the due ticks by nominal time), a delay computed from something else than the tick (the clock, the process), a delay not capped at the next nominal time, an operation that forgets the tick it overtook.",
		Example: "S9 s @2026-06-07T00:01:00Z: started at 2026-06-07T00:01:00Z, before its jittered time 2026-06-07T00:01:20.548Z (jitter 40s)",
		Applies: "histories where some configuration has a jitter; the second clause where the harness holds the log",
		ShownBy: "mutants catch-up-ignores-jitter, update-forgets-tick-in-flight; scenarios lifecycle/jitter, lifecycle/jitter-update-in-flight, faults/jitter-crash-before-the-jittered-time"},
	{ID: "C1", Name: "Nothing lost", Group: "Completeness",
		Says:    "For a schedule that only ever had allow_all, catch-up all and no window, every tick of its active periods up to now started exactly once, whatever crashes happened. A period that a pause, update or delete ended owes only the ticks up to its last started one (ticks due but undelivered when the operation applied are dropped). Manual starts (trigger_now) and backfilled ticks neither count as a tick's start nor stand in for one.",
		Catches: "Ticks lost at a crash, a failed start never retried, a timer never re-armed.",
		Example: "C1 s @2026-06-07T00:04:00Z: tick of an active period never started",
		Applies: "schedules at a quiet point whose every configuration is allow_all, catch-up all, no window",
		ShownBy: "seed defect 8 (mutant failed-start-unarms, usually caught first by C3)"},
	{ID: "C2", Name: "Catch-up exact", Group: "Completeness",
		Says:    "After downtime or a late delivery, the ticks decided late start exactly as the late-tick rule says: the window misses ticks strictly older than now − window, then catch-up all starts each late tick, one only the oldest, skip none; a tick at exactly now, and a lone due tick, are on time. Judged by the reference model: a difference of M1 on a tick the model decided late is reported as C2.",
		Catches: "Starting the newest late tick for one, an inclusive window, treating a lone late tick as late.",
		Example: "C2 s @2026-06-07T00:01:00Z: starts differ at #1: model: s @2026-06-07T00:01:00Z at 2036-06-04T00:00:30Z; observed: s @2036-06-04T00:00:00Z at 2036-06-04T00:00:30Z",
		Applies: "wherever M1 applies",
		ShownBy: "mutants catch-up-one-newest, window-inclusive, lone-late-tick-is-late; scenarios seed/e07-recovery-catch-up-all, seed/e08-recovery-catch-up-one, seed/e09-recovery-catch-up-skip, defects/defect-06-ten-year-outage-one"},
	{ID: "C3", Name: "Armed", Group: "Completeness",
		Says:    "At a quiet point each active schedule has exactly one armed timer, at its next nominal time; paused and deleted schedules have none, and neither has a finished one (no tick left before its end_at, or its remaining_runs made).",
		Catches: "Timers left armed after pause or delete, or past end_at; a schedule left without a timer after a failed start.",
		Example: "C3 s: paused schedule has a timer armed at 2026-06-07T00:03:00Z",
		Applies: "schedules at a quiet point",
		ShownBy: "seed defects 7 and 8 (mutants timers-stay-armed, failed-start-unarms); scenario defects/defect-07-no-timer-after-pause-or-delete"},
	{ID: "C4", Name: "Next run described", Group: "Completeness",
		Says:    "At a quiet point an active schedule describes, as its first upcoming time, its next tick after now, and a finished one (no tick left before its end_at, or its remaining_runs made) describes none (a paused schedule is not judged). It is what users read to learn when a job runs next.",
		Catches: "A next-run API that keeps naming a run already skipped or still running, or a tick of a grid the schedule no longer has.",
		Example: "C4 s: describes its next run at 2026-06-07T00:02:00Z, not at the next tick after 2026-06-07T00:03:30Z",
		Applies: "schedules at a quiet point",
		ShownBy: "gocron v2.21.2: Job.NextRun while a singleton job runs (a finding of the gocron adapter)"},
	{ID: "L1", Name: "Buffered tick starts", Group: "Liveness",
		Says:    "Once the running set of a schedule with a buffered tick (per the log) empties — judged from the engine's record of its executions, not from the schedule's description — the buffered tick starts within the liveness bound: three retry delays after the running set emptied, extended past every disturbance (a fault, a crash and its downtime, a late delivery) that begins before the bound runs out. A pause, update or delete in between may drop it instead. A tick buffer_all queued on its own waits the same way for its turn (one that a catch-up queued in a range is judged at quiet points, by S3 and L3). A manual start (trigger_now) that waits is judged the same way. Under buffer_all, a range of ticks a catch-up queued is judged as a whole: once nothing else runs after its latest start, its next tick must start within the bound until the range is paid or dropped.",
		Catches: "A closure that does not start the buffered tick, a buffered tick forgotten after a crash or a failed start, an evaluator that owes a start and says so for ever.",
		Example: "L1 s @2026-06-07T00:02:00Z: still not started at 2026-06-07T00:20:00Z; nothing has run since 2026-06-07T00:03:30Z",
		Applies: "processes whose log the harness holds; a buffered tick whose running set emptied",
		ShownBy: "mutants closure-ignores-buffer, buffered-start-waits-for-tick; scenario faults/buffer-all-failed-queued-start"},
	{ID: "L2", Name: "Owed starts are paid", Group: "Liveness",
		Says:    "The starts a catch-up decision or a backfill owes (per the log) all happen within the liveness bound of the decision, whatever seam errors and crashes happened before, unless an operation drops them (a backfill's are counted among its backfilled starts only).",
		Catches: "An owed start that failed once and is never retried; a backfill's owed starts forgotten by a recovery.",
		Example: "L2 s @2026-06-07T00:01:00Z: 1 of the 3 starts owed since 2026-06-07T00:04:00Z for [2026-06-07T00:01:00Z, 2026-06-07T00:04:00Z) started by 2026-06-07T00:04:30Z",
		Applies: "processes whose log the harness holds",
		ShownBy: "mutants owed-start-waits-for-tick, backfill-lost-at-recovery; scenario faults/backfill-crash-part-way"},
	{ID: "L3", Name: "Every due tick is decided", Group: "Liveness",
		Says:    "For an active schedule, each tick of its current configuration that came due more than the liveness bound ago has a disposition in the log (started, skipped, buffered, missed, owed). Judged from the log and the schedule's configuration, whatever the schedule says it owes. And once the world owes a schedule nothing (no operation, notice or late delivery pending) and the bound has passed since the last disturbance, the schedule describes no owed start and no buffered tick with nothing running.",
		Catches: "A timer never re-armed after a failed start or a crash; a schedule stuck on an old tick; an evaluator that says it owes a start and never pays it.",
		Example: "L3 s @2026-06-07T00:05:00Z: due at 2026-06-07T00:05:00Z, still without a disposition in the log at 2026-06-07T00:20:00Z",
		Applies: "when the process is up and the last disturbance is more than the liveness bound ago; the first clause for processes whose log the harness holds, for schedules whose configuration took effect at a known instant",
		ShownBy: "seed defect 8 (mutant failed-start-unarms)"},
	{ID: "R1", Name: "Replay equivalence", Group: "Recovery",
		Says:    "At a quiet point, projecting the log gives exactly the evaluator's live state (for an evaluator that exposes its state, such as the reference). For any other implementation, a fresh incarnation recovered from the durable state describes every schedule as the live one does.",
		Catches: "Decisions not recorded (skips, buffers), state kept only in memory, a log that no longer projects.",
		Example: "R1 s: the projection of the log differs from the live state",
		Applies: "schedules at a quiet point; the fresh-incarnation form only when every schedule is quiet and the process is up",
		ShownBy: "seed defects 3 and 4 (mutants buffer-in-memory, skips-not-recorded); scenario defects/defect-04-decisions-not-refired"},
	{ID: "R2", Name: "Crash transparency", Group: "Recovery",
		Says:    "A crash with zero downtime at any point yields the same executions as the run without it (the runner retries the interrupted operation with its request id). The property suite reruns a history without its zero-downtime crashes and compares.",
		Catches: "Anything a restart changes that it should not: lost buffers, repeated decisions, re-anchored grids.",
		Example: "R2: crashes with zero downtime changed the executions: without them \"s@2026-06-07T00:02:00Z at 2026-06-07T00:02:00Z\", with them \"\"",
		Applies: "histories with zero-downtime crashes (at a time or at a seam call), no seam error nor crash with downtime at a seam call, and no zero-downtime crash at the instant of a crash with downtime (properties, simrun check); a history with a zero-downtime crash it cannot judge is counted not applicable, with the reason",
		ShownBy: "mutants buffer-in-memory, recovery-clears-running (usually caught first by S1, R1)"},
	{ID: "R3", Name: "Determinism", Group: "Recovery",
		Says:    "The same seed and history give the same trace, byte for byte.",
		Catches: "Map iteration order, the wall clock or an unseeded random source deciding anything.",
		Example: "R3: two runs of the same history gave different traces",
		Applies: "histories run twice (every property case; --determinism share of simrun check)",
		ShownBy: "mutant recovery-in-map-order"},
	{ID: "R4", Name: "Accounted", Group: "Recovery",
		Says:    "At a quiet point every execution the engine started for a schedule is recorded by a triggered event, and while it is open the schedule's running set holds it. A start that took effect but was never recorded — not adopted after a crash or an ambiguous error — is an execution the overlap policies then ignore.",
		Catches: "Never adopting in-flight starts after a crash or an indefinite error.",
		Example: "R4 s @2026-06-07T00:01:00Z: the engine started s@2026-06-07T00:01:00Z (run-1), but no triggered event records it",
		Applies: "schedules at a quiet point",
		ShownBy: "mutants never-adopts, stale-deliveries-decide"},
	{ID: "A1", Name: "One disposition per tick", Group: "Accounting",
		Says:    "In the log, each tick of a schedule is disposed of once — started, skipped, buffered, missed, or owed by a catch-up decision — and only the documented transitions follow: a buffered tick is started or dropped, an owed start is paid once or dropped. A duplicated event (the same seq) counts once.",
		Catches: "A decision recorded twice after an ambiguous append and a retry, so the counters read two for one tick; a start of a tick that was never buffered or owed.",
		Example: "A1 s @2026-06-07T00:02:00Z: event seq 5 (skipped): disposes of a tick again: every tick before 2026-06-07T00:02:00.000000001Z already had a disposition",
		Applies: "processes whose log the harness holds",
		ShownBy: "mutant redelivery-redecides"},
	{ID: "A2", Name: "Described = recorded", Group: "Accounting",
		Says:    "At a quiet point a schedule's counters are what its log's dispositions imply, and its description agrees with the engine's own record: as many starts as the engine made for it, the latest of their nominal times as its last triggered tick, and a cancel asked for each running execution it says it asked to cancel.",
		Catches: "Counters kept in memory or counted twice; a description that drifts from what happened.",
		Example: "A2 s: counters {Started:3 Skipped:2 Buffered:0 Dropped:0 MissedRanges:0}, but the log's dispositions give {Started:3 Skipped:1 Buffered:0 Dropped:0 MissedRanges:0}",
		Applies: "schedules at a quiet point, of processes whose log the harness holds",
		ShownBy: "mutant redelivery-redecides"},
	{ID: "M1", Name: "Reference model", Group: "Model",
		Says:    "The executions started, the cancels asked and the executions terminated equal those predicted by a small, separate simulation of the semantics (invariants.Predict) from the world's configuration alone. It shares no code with the evaluator: its ticks come from the checkers' own tick calculator (invariants/ticks), its config rules from docs/semantics.md.",
		Catches: "Any behaviour the semantics do not allow that the other invariants miss: a closure that does not start the buffered tick, a start at the wrong instant.",
		Example: "M1 s @2026-06-07T00:02:00Z: starts differ at #2: model: s @2026-06-07T00:02:00Z at 2026-06-07T00:03:30Z; observed: s @2026-06-07T00:02:00Z at 2026-06-07T00:04:00Z",
		Applies: "worlds without seeded fault rates; with seam errors or crashes with downtime at a seam call, only what happened before the first of them fired (after it, timing depends on the implementation's calls; L1–L3 judge that part). Reports say how far it judged: `M1 applied to N of M cases (K only before their first seam fault)`",
		ShownBy: "mutant closure-ignores-buffer; every mutant that changes starts"},
	{ID: "B1", Name: "Bad input", Group: "Input",
		Says:    "An operation refused for good (an invalid config, an unknown id, a reused request id) leaves the log unchanged: no event carries its request id.",
		Catches: "Recording a config before validating it, so one bad cron makes every later recovery fail.",
		Example: "B1 s: create (request r1) was refused (invalid trigger) yet recorded created",
		ShownBy: "seed defect 9 (mutant record-before-validate); scenario defects/defect-09-invalid-config-never-recorded"},
	{ID: "S0", Name: "Livelock", Group: "Verdict",
		Says:     "An instant of simulated time never settled: the process kept producing work at one instant (for example re-arming a timer at the present for ever).",
		Catches:  "A handler that re-arms its own timer at now, or retries without delay.",
		Example:  "S0: livelock: the instant never settles at 2026-06-07T00:01:00Z",
		Severity: "the case fails"},
	{ID: "protocol", Name: "Protocol broken", Group: "Verdict",
		Says:     "A program under --impl broke the process protocol (docs/protocol.md): bad JSON, an unknown message, a reply to nothing, an exit, a hang, or a budget exceeded. The message names the line.",
		Catches:  "Bugs in an adapter or in a program's protocol handling.",
		Example:  "protocol: sim: fatal: incarnation 1: line 3: not a JSON message",
		Severity: "the case fails"},
	{ID: "harness", Name: "Harness error", Group: "Verdict",
		Says:     "The simulated world could not be built for the case (the program could not start, or the generated history does not load).",
		Catches:  "A program that cannot start; a generator bug.",
		Example:  "harness: sim: factory: exec: \"evaluator\": executable file not found in $PATH",
		Severity: "the case fails"},
}

// Lookup returns the entry of id (case-insensitive).
func Lookup(id string) (Entry, bool) {
	i := slices.IndexFunc(Catalogue, func(e Entry) bool { return strings.EqualFold(e.ID, id) })
	if i < 0 {
		return Entry{}, false
	}
	return Catalogue[i], true
}

// order is an invariant's position in the catalogue (unknown ones last).
func order(id string) int {
	if i := slices.IndexFunc(Catalogue, func(e Entry) bool { return e.ID == id }); i >= 0 {
		return i
	}
	return len(Catalogue)
}

// message is the example as a violation prints it.
func (e Entry) message() string { return e.Example + " (simrun explain " + e.ID + ")" }

// Anchor is the entry's anchor in docs/invariants.md.
func (e Entry) Anchor() string { return strings.ToLower(e.ID) }

// Text is the entry as `simrun explain` prints it.
func (e Entry) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)\n\n%s\n", e.ID, e.Name, strings.ToLower(e.Group), wrap(e.Says, 76))
	field := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, "\n%s:\n  %s\n", name, strings.ReplaceAll(wrap(v, 74), "\n", "\n  "))
		}
	}
	field("Catches", e.Catches)
	field("Judged", e.Applies)
	field("Outcome", e.Severity)
	field("Example", e.message())
	field("Shown by", e.ShownBy)
	fmt.Fprintf(&b, "\nMore: docs/invariants.md#%s\n", e.Anchor())
	return b.String()
}

// Markdown is docs/invariants.md, generated from the catalogue.
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# Invariants

<!-- Generated from invariants/catalogue.go by ` + "`go run ./cmd/simrun explain --markdown > docs/invariants.md`" + `; a test keeps them equal. -->

Every check schedsim makes, in plain words: what it says, what breaks it, a
violation as the checkers print it, and what in this repository shows it. A
violation message starts with the invariant's id and ends with a pointer here;
` + "`simrun explain ID`" + ` prints the same entry.

Terms: a *tick* is an instant of a schedule's trigger (its *nominal time*);
the *running set* is the executions a schedule started that have not closed;
a schedule is at a *quiet point* when no operation, owed start or retry is
pending for it (the harness asks the world, not the evaluator). The semantics
themselves are in [semantics.md](semantics.md). The *seed defects* are ten
defects of the evaluator this project started from, listed at the end; each
has a regression scenario in ` + "`scenarios/library/defects/`" + ` and, but for
defect 6 (a cost), a mutant: a deliberately broken evaluator
(` + "`simrun mutants --list`" + `).

A check that cannot judge a run says so: ` + "`simrun run`" + ` prints
"not applicable" notes under a scenario whose ` + "`invariants: hold`" + ` could
not judge everything, with the reason, and never counts them as passed.

`)
	group := ""
	for _, e := range Catalogue {
		if e.Group != group {
			group = e.Group
			title := group
			if group == "Verdict" {
				title = "Verdicts that are not invariants"
			}
			fmt.Fprintf(&b, "## %s\n\n", title)
		}
		fmt.Fprintf(&b, "### <a id=\"%s\"></a>%s %s\n\n%s\n\n", e.Anchor(), e.ID, e.Name, wrap(e.Says, 80))
		item := func(name, v string) {
			if v != "" {
				fmt.Fprintf(&b, "- **%s:** %s\n", name, v)
			}
		}
		item("Catches", e.Catches)
		item("Judged", e.Applies)
		item("Outcome", e.Severity)
		item("Shown by", e.ShownBy)
		fmt.Fprintf(&b, "\nExample:\n\n```\n%s\n```\n\n", e.message())
	}
	b.WriteString("## The seed defects\n\n")
	for i, d := range SeedDefects {
		fmt.Fprintf(&b, "%d. %s\n", i+1, d)
	}
	return b.String()
}

// SeedDefects are the defects of the evaluator this project started from (a
// port of aion's ScheduleEvaluator), in their historical numbering.
var SeedDefects = []string{
	"Recovery clears the running execution, so after a restart skip starts a second concurrent run.",
	"Starts get fresh random ids; a crash between start and record starts the tick twice.",
	"Buffered ticks live only in memory and are lost (or start early, overlapping) after a crash.",
	"Skipped and buffered ticks are not recorded, so replaying the log re-fires them; catch-up one records the oldest missed time and re-fires on every restart.",
	"The delivered timer's time is never checked: duplicate or stale timer deliveries start again.",
	"Catch-up walks every missed tick even for skip and one; all materialises them all (a cost, checked by a budget test and by defect-06-ten-year-outage-one, not by an invariant).",
	"Timers stay armed after pause and delete.",
	"A failed start leaves the schedule un-armed, so it stalls until a restart.",
	"Config is validated after it is recorded, so one bad cron makes every later recovery fail.",
	"Completion does not say which run finished: an older run's closure clears the newer one, so a cancel_previous schedule later starts without cancelling the run still going.",
}

// wrap breaks s into lines of at most width characters at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(w) > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

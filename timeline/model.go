package timeline

import "time"

// Schema names the version of the JSON a page embeds; it changes when a
// field changes meaning or goes away (docs/timeline.md).
const Schema = "schedsim-timeline/1"

// Timeline is what one run did, laid out for drawing. Every instant in it
// is a whole number of milliseconds after Start (an offset), so a reader
// needs no date parsing and a ten-year run fits a JavaScript number.
type Timeline struct {
	Schema         string `json:"schema"`
	Title          string `json:"title"`
	File           string `json:"file,omitempty"`
	Description    string `json:"description,omitempty"`
	Implementation string `json:"implementation"` // "reference", "mutant NAME", "program CMD"
	Verdict        string `json:"verdict"`        // "pass" or "fail"
	// Start is the scenario's start in UTC (RFC 3339); End the offset of its end.
	Start time.Time `json:"start"`
	End   int64     `json:"end"`
	// Dispositions says where the ticks' dispositions come from: "log" (the
	// implementation's event log records each decision) or "starts" (it
	// keeps its own log: a delivered tick is "start" or "none").
	Dispositions string `json:"dispositions"`

	Schedules  []Lane      `json:"schedules"`
	Downtime   []Band      `json:"downtime"`   // the process was down
	Incidents  []Mark      `json:"incidents"`  // crashes, restarts, jumps, injected faults
	Violations []Violation `json:"violations"` // broken invariants
	Failures   []Failure   `json:"failures"`   // expectations that did not hold
}

// Lane is one schedule's row of the picture.
type Lane struct {
	ID      string `json:"id"`
	Trigger string `json:"trigger"` // as the scenario gives it: "every 1m0s", "cron 0 * * * *"
	Overlap string `json:"overlap"`
	CatchUp string `json:"catch_up"`
	Zone    string `json:"zone"` // IANA name of the zone its cron ticks in; "UTC" for intervals
	// Rows is how many rows its executions need so that no two bars that
	// overlap in time share one (allow_all, or a violation, stacks them);
	// at most 8: bars beyond share the last row.
	Rows       int         `json:"rows"`
	Ticks      []Tick      `json:"ticks"`
	Executions []Execution `json:"executions"`
	Timers     []Timer     `json:"timers"`
	Marks      []Mark      `json:"marks"`   // operations and cancels
	Offsets    []Offset    `json:"offsets"` // the zone's UTC offset at the start and at each change
}

// Tick is one nominal time decided, or a range of them decided at once (a
// catch-up or a drop: the ticks in [Nominal, Until)).
type Tick struct {
	Nominal int64 `json:"nominal"`
	Until   int64 `json:"until,omitempty"` // a range's end, exclusive; 0 for one tick
	// Count is 1 for one tick; for a range, how many ticks it holds, or 0
	// when the log did not count them (it counts only owed starts: counting
	// cron ticks costs their number).
	Count       int64  `json:"count"`
	Disposition string `json:"disposition"` // its fate: start, skip, buffer, miss, drop, none
	Decided     int64  `json:"decided"`     // when that fate was recorded (for "none": delivered)
}

// Execution is one started workflow run, from its start to its close.
type Execution struct {
	Nominal    int64  `json:"nominal"`
	Start      int64  `json:"start"`
	Close      int64  `json:"close"`   // End while still running
	Outcome    string `json:"outcome"` // completed, cancelled, failed, terminated, running
	Row        int    `json:"row"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
}

// Timer is one arming of a schedule's timer: when, and for when.
type Timer struct {
	Armed int64 `json:"armed"`
	Due   int64 `json:"due"`
}

// Mark is something that happened at one instant: on a lane, an operation
// (create, update, pause, resume, delete) or a cancel; across lanes, an
// incident (crash, restart, recover, jump, fault).
type Mark struct {
	At       int64  `json:"at"`
	Kind     string `json:"kind"`
	Schedule string `json:"schedule,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Error    string `json:"error,omitempty"`
}

// Band is a span the process was down: from a crash to its restart.
type Band struct {
	From  int64  `json:"from"`
	Until int64  `json:"until"`
	Cause string `json:"cause"`
}

// Offset is a zone's offset from UTC from At on (until the next one).
type Offset struct {
	At      int64  `json:"at"`
	Seconds int    `json:"seconds"` // east of UTC
	Name    string `json:"name"`    // the zone's abbreviation, e.g. CEST
}

// Violation is a broken invariant, placed at the instant it concerns.
type Violation struct {
	Invariant string   `json:"invariant"`
	Name      string   `json:"name"` // "No overlap"
	Says      string   `json:"says"` // what the invariant says (docs/invariants.md)
	Schedule  string   `json:"schedule,omitempty"`
	At        int64    `json:"at"`                // the start it concerns, else its nominal time, else the check
	Nominal   *int64   `json:"nominal,omitempty"` // the tick concerned, if any
	Detail    string   `json:"detail"`
	Lines     []string `json:"lines"` // trace lines about the tick
}

// Failure is an expectation of the scenario that did not hold.
type Failure struct {
	Line int    `json:"line"` // in the scenario file; 0 when not at a line
	At   *int64 `json:"at,omitempty"`
	What string `json:"what"`
	Diff string `json:"diff,omitempty"` // expected against actual
}

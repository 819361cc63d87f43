package evaluator

import "time"

// EventType names what an event records.
type EventType int

// Event types: the durable log format. Never renumber; the text names are what
// the log stores.
const (
	// Created: a schedule was created (Config, Next).
	Created EventType = 1 + iota
	// Updated: the config was replaced and the trigger re-anchored (Config, Next).
	Updated
	// Paused: no tick fires until resumed.
	Paused
	// Resumed: the trigger was re-anchored at At (Next).
	Resumed
	// Deleted: terminal; the id is never reused.
	Deleted
	// Triggered: the execution for Nominal was started (Execution, Cause; Next for a tick).
	Triggered
	// Skipped: the tick at Nominal was skipped by the overlap policy (Next).
	Skipped
	// Buffered: the tick at Nominal was buffered by buffer_one, or queued by
	// buffer_all (Next).
	Buffered
	// Dropped: a buffered tick (Nominal), owed starts (Start ranges) or
	// buffer_all's queue (Buffer ranges) were discarded by a pause, update or
	// delete (Cause).
	Dropped
	// CatchUpDecided: a delivery found several due ticks, or a lone one outside
	// the window; Ranges give every due tick's disposition, Next the new next time.
	// Start ranges are owed until Triggered events pay them.
	CatchUpDecided
	// CancelRequested: cancellation of Execution was sent.
	CancelRequested
	// ExecutionClosed: Execution left the running set (Cause "terminate" when
	// terminate_previous terminated it).
	ExecutionClosed
	// TriggerRequested: TriggerNow was decided at Nominal under Overlap:
	// Disposition start (owed), buffer (waits) or skip.
	TriggerRequested
	// BackfillDecided: Backfill decided every tick of its range under
	// Overlap, as Ranges (start: owed; buffer: waits; skip), on the grid
	// anchored at Anchor.
	BackfillDecided
)

var eventEnum = enum[EventType]{"event type", []string{"unset", "created", "updated", "paused", "resumed", "deleted",
	"triggered", "skipped", "buffered", "dropped", "catch_up_decided", "cancel_requested", "execution_closed", "trigger_requested", "backfill_decided"}, ErrCorruptLog}

func (t EventType) String() string { return eventEnum.String(t) }

// MarshalText implements encoding.TextMarshaler.
func (t EventType) MarshalText() ([]byte, error) { return eventEnum.marshal(t) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *EventType) UnmarshalText(b []byte) error { return eventEnum.unmarshal(b, t) }

// Causes of Triggered and Dropped events.
const (
	CauseTick    = "tick"     // a lone due tick decided by its delivery
	CauseCatchUp = "catch_up" // a start owed by a CatchUpDecided event
	CauseBuffer  = "buffer"   // the buffered (or buffer_all's oldest queued) tick, started when the running set emptied
	// CauseOverflow: a Skipped tick that found buffer_all's queue full.
	CauseOverflow = "overflow"
	CauseAdopt    = "adopt" // recovery found the next tick already started
	// CauseTrigger: a manual start (TriggerNow) was made.
	CauseTrigger = "trigger"
	// CauseBackfill: a backfilled tick was started.
	CauseBackfill = "backfill"
	CausePause    = "pause"
	CauseUpdate   = "update"
	CauseDelete   = "delete"
	// CauseFailure: a Paused event (with the Execution) or a Dropped one
	// recorded because an execution failed under pause_on_failure.
	CauseFailure = "failure"
	// CauseTerminate: an ExecutionClosed recorded after terminate_previous
	// terminated the execution (the engine closed it at once).
	CauseTerminate = "terminate"
)

// Execution identifies a workflow run.
type Execution struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
}

// Event is one entry of the durable log. Seq numbers a schedule's events from 1
// without gaps; projection ignores an event whose Seq it has already applied, so
// a duplicated event is harmless. Fields a type does not use are left zero.
type Event struct {
	Seq        uint64      `json:"seq"`
	Type       EventType   `json:"type"`
	ScheduleID string      `json:"schedule_id"`
	RequestID  string      `json:"request_id,omitempty"`
	At         time.Time   `json:"at"`
	Nominal    time.Time   `json:"nominal,omitzero"`
	Next       time.Time   `json:"next,omitzero"`
	Cause      string      `json:"cause,omitempty"`
	Config     *Config     `json:"config,omitempty"`
	Execution  Execution   `json:"execution,omitzero"`
	Ranges     []TickRange `json:"ranges,omitempty"`
	// Overlap and Disposition: a TriggerRequested's policy and decision.
	Overlap     OverlapPolicy `json:"overlap,omitzero"`
	Disposition Disposition   `json:"disposition,omitzero"`
	// Anchor: the reference of a BackfillDecided's grid.
	Anchor time.Time `json:"anchor,omitzero"`
	// Origin: "backfill" on a Dropped event that drops a backfill's owed
	// starts (its Ranges).
	Origin string `json:"origin,omitempty"`
}

// WorkflowID is the deterministic workflow id of a schedule's tick: the engine
// refuses a second start with it, so a tick starts at most once.
func WorkflowID(scheduleID string, nominal time.Time) string {
	var buf [256]byte // one allocation: the result
	b := append(append(buf[:0], scheduleID...), '@')
	return string(nominal.UTC().AppendFormat(b, time.RFC3339Nano))
}

// TimerID is the id of a schedule's one durable timer.
func TimerID(scheduleID string) string { return "schedule:" + scheduleID }

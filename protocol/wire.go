package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/schedsim/schedsim/profile"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Version is the protocol version this harness speaks.
const Version = 1

// MaxLine bounds one message (a line of JSON).
const MaxLine = 8 << 20

// Message is every message of the protocol, in either direction: a request
// (ID and Type), a seam call from the program (ID, Type "call" and Seam), or a
// reply (ReplyTo, with OK and Result or Error). Unused fields are omitted.
type Message struct {
	ID      int64  `json:"id,omitempty"`
	Type    string `json:"type,omitempty"`
	ReplyTo int64  `json:"reply_to,omitempty"`

	// Requests (harness → program).
	Protocol   int               `json:"protocol,omitempty"` // init
	Now        *time.Time        `json:"now,omitempty"`
	Options    *InitOptions      `json:"options,omitempty"`
	RequestID  string            `json:"request_id,omitempty"`
	ScheduleID string            `json:"schedule_id,omitempty"`
	Config     *evaluator.Config `json:"config,omitempty"`
	Upcoming   int               `json:"upcoming,omitempty"`
	At         *time.Time        `json:"at,omitempty"` // timer_fired
	// Status is how an execution_closed's execution ended (absent: not said).
	Status evaluator.Status `json:"status,omitzero"`
	// Overlap is trigger_now's or backfill's override of the schedule's policy.
	Overlap evaluator.OverlapPolicy `json:"overlap,omitzero"`
	// From and To are backfill's range [from, to).
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`

	// Seam calls (program → harness); Execution also in execution_closed.
	Seam       string               `json:"seam,omitempty"`
	Timer      *Timer               `json:"timer,omitempty"`
	TimerID    string               `json:"timer_id,omitempty"`
	Start      *StartRequest        `json:"start,omitempty"`
	Execution  *evaluator.Execution `json:"execution,omitempty"`
	WorkflowID string               `json:"workflow_id,omitempty"`
	Events     []evaluator.Event    `json:"events,omitempty"`
	Snapshot   *evaluator.Snapshot  `json:"snapshot,omitempty"`

	// Replies.
	OK     bool            `json:"ok,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// Request types (harness → program).
const (
	TypeInit            = "init"
	TypeRecover         = "recover"
	TypeCreate          = "create"
	TypeUpdate          = "update"
	TypePause           = "pause"
	TypeResume          = "resume"
	TypeDelete          = "delete"
	TypeGet             = "get"
	TypeList            = "list"
	TypeTimerFired      = "timer_fired"
	TypeExecutionClosed = "execution_closed"
	TypeTriggerNow      = "trigger_now"
	TypeBackfill        = "backfill"
	TypeCall            = "call" // program → harness
)

// RequestTypes lists what the harness may ask.
var RequestTypes = []string{TypeInit, TypeRecover, TypeCreate, TypeUpdate, TypePause, TypeResume, TypeDelete, TypeGet,
	TypeList, TypeTimerFired, TypeExecutionClosed, TypeTriggerNow, TypeBackfill}

// InitOptions are the options of init.
type InitOptions struct {
	RetryDelay string `json:"retry_delay,omitempty"` // a Go duration
	Mutant     string `json:"mutant,omitempty"`      // for the reference adapter only
}

// Hello is the result of init.
// FeatureBounds, listed in an init reply's features, says the program
// implements a config's start_at and end_at.
const FeatureBounds = "bounds"

// FeatureLimitedRuns, listed in an init reply's features, says the program
// implements a config's remaining_runs.
const FeatureLimitedRuns = "limited_runs"

// FeatureTriggerNow, listed in an init reply's features, says the program
// answers the request trigger_now (a manual start).
const FeatureTriggerNow = "trigger_now"

// FeaturePauseOnFailure, listed in an init reply's features, says the
// program implements a config's pause_on_failure (and reads the status of
// execution_closed).
const FeaturePauseOnFailure = "pause_on_failure"

// FeatureJitter, listed in an init reply's features, says the program
// implements a config's jitter with the documented delay (JitterOf): each
// tick decided at its jittered time, a tick in flight dropped by an
// operation.
const FeatureJitter = "jitter"

// FeatureBackfill, listed in an init reply's features, says the program
// answers the request backfill (semantics.md, Backfill).
const FeatureBackfill = "backfill"

type Hello struct {
	Name     string   `json:"name"`
	Version  string   `json:"version"`
	Protocol int      `json:"protocol"`
	Features []string `json:"features,omitempty"`
	// Profile is the dialect the program speaks (docs/profiles.md): a
	// built-in profile, perhaps narrowed to the policies and fault kinds the
	// program implements. None: schedsim's, whole.
	Profile *ProfileDecl `json:"profile,omitempty"`
}

// ProfileDecl is a program's declaration of its profile: a built-in one by
// name, and optionally the subsets of its overlap policies, catch-up
// policies and fault kinds the program implements (empty: all of them).
type ProfileDecl struct {
	Name     string   `json:"name"`
	Overlaps []string `json:"overlaps,omitempty"`
	CatchUps []string `json:"catch_ups,omitempty"`
	Faults   []string `json:"faults,omitempty"`
}

// Resolve returns the profile a declaration names, narrowed as it says.
func (d ProfileDecl) Resolve() (profile.Profile, error) {
	p, err := profile.Lookup(d.Name)
	if err != nil {
		return profile.Profile{}, err
	}
	return p.Narrow(d.Overlaps, d.CatchUps, d.Faults)
}

// Timer is a durable timer on the wire.
type Timer struct {
	ID         string    `json:"id"`
	ScheduleID string    `json:"schedule_id"`
	At         time.Time `json:"at"`
}

// StartRequest is an engine.start on the wire.
type StartRequest struct {
	WorkflowID       string            `json:"workflow_id"`
	ScheduleID       string            `json:"schedule_id"`
	Nominal          time.Time         `json:"nominal"`
	WorkflowType     string            `json:"workflow_type"`
	Input            json.RawMessage   `json:"input,omitempty"`
	SearchAttributes map[string]string `json:"search_attributes,omitempty"`
	// Origin: "trigger" for a manual start (TriggerNow), absent for a tick's.
	Origin string `json:"origin,omitempty"`
}

// StartResult is the result of engine.start.
type StartResult struct {
	Execution      evaluator.Execution `json:"execution"`
	AlreadyStarted bool                `json:"already_started,omitempty"`
}

// WorkflowInfo is the result of engine.describe.
type WorkflowInfo struct {
	Found     bool                `json:"found"`
	Execution evaluator.Execution `json:"execution"`
	Closed    bool                `json:"closed,omitempty"`
	Status    evaluator.Status    `json:"status,omitzero"` // once closed: how it ended
}

// ReadResult is the result of log.read.
type ReadResult struct {
	Snapshot *evaluator.Snapshot `json:"snapshot,omitempty"`
	Events   []evaluator.Event   `json:"events"`
}

// OutcomeResult is the result of timer_fired.
type OutcomeResult struct {
	Outcome string `json:"outcome"` // ignored, stale, early or decided
}

// Error codes. Seam calls fail "definite" (it did not happen) or
// "indefinite" (it may have happened); requests fail with one of the others,
// which name the evaluator's sentinel errors.
const (
	CodeDefinite     = "definite"
	CodeIndefinite   = "indefinite"
	CodeInvalid      = "invalid"        // bad config or request
	CodeExists       = "exists"         // schedule already exists
	CodeNotFound     = "not_found"      // schedule not found
	CodeReused       = "request_reused" // request id reused for another operation
	CodeNotRecovered = "not_recovered"
	CodeUnavailable  = "unavailable" // a seam failed; retry
)

// Error is an error on the wire.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// Is maps codes to the evaluator's sentinels, so callers (and scenario
// want_error strings) treat a remote refusal like a local one.
func (e *Error) Is(target error) bool {
	switch e.Code {
	case CodeInvalid:
		return target == evaluator.ErrInvalidConfig || target == evaluator.ErrInvalidRequest
	case CodeExists:
		return target == evaluator.ErrScheduleExists
	case CodeNotFound:
		return target == evaluator.ErrNotFound
	case CodeReused:
		return target == evaluator.ErrRequestReused
	case CodeNotRecovered:
		return target == evaluator.ErrNotRecovered
	}
	return false
}

// CodeOf classifies an evaluator error for the wire.
func CodeOf(err error) string {
	switch {
	case errors.Is(err, evaluator.ErrScheduleExists):
		return CodeExists
	case errors.Is(err, evaluator.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, evaluator.ErrRequestReused):
		return CodeReused
	case errors.Is(err, evaluator.ErrNotRecovered):
		return CodeNotRecovered
	case errors.Is(err, evaluator.ErrInvalidConfig), errors.Is(err, evaluator.ErrInvalidRequest),
		errors.Is(err, evaluator.ErrInvalidTrigger), errors.Is(err, evaluator.ErrUnknownZone), errors.Is(err, evaluator.ErrNeverFires):
		return CodeInvalid
	}
	return CodeUnavailable
}

// Decode parses one line into a message and checks its shape: a known type
// with the fields it needs, or a reply. It never panics.
func Decode(line []byte) (Message, error) {
	var m Message
	if len(line) > MaxLine {
		return m, fmt.Errorf("line of %d bytes is over the limit of %d", len(line), MaxLine)
	}
	if err := json.Unmarshal(line, &m); err != nil {
		return m, fmt.Errorf("not a JSON message: %v", err)
	}
	switch {
	case m.ReplyTo != 0:
		if m.Type != "" || m.ID != 0 {
			return m, errors.New("a reply has no id or type")
		}
		if !m.OK && m.Error == nil {
			return m, errors.New("a failed reply needs an error")
		}
	case m.Type == TypeCall:
		if m.ID <= 0 {
			return m, errors.New("a call needs a positive id")
		}
		if err := checkCall(m); err != nil {
			return m, err
		}
	case m.ID > 0 && m.Type != "":
		if !contains(RequestTypes, m.Type) {
			return m, fmt.Errorf("unknown message type %q", m.Type)
		}
	default:
		return m, errors.New("neither a request, a call nor a reply (no id, type or reply_to)")
	}
	return m, nil
}

func checkCall(m Message) error {
	need := func(ok bool, field string) error {
		if !ok {
			return fmt.Errorf("%s call without %s", m.Seam, field)
		}
		return nil
	}
	switch m.Seam {
	case "timers.arm":
		return need(m.Timer != nil, "timer")
	case "timers.disarm":
		return need(m.TimerID != "", "timer_id")
	case "engine.start":
		return need(m.Start != nil, "start")
	case "engine.cancel", "engine.terminate":
		return need(m.Execution != nil, "execution")
	case "engine.describe":
		return need(m.WorkflowID != "", "workflow_id")
	case "log.append":
		return need(len(m.Events) > 0, "events")
	case "log.read":
		return nil
	case "log.snapshot":
		return need(m.Snapshot != nil, "snapshot")
	}
	return fmt.Errorf("unknown seam %q", m.Seam)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

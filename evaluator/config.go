package evaluator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"time"
)

// Duration is a time.Duration that reads and writes as text ("90s", "1h30m")
// in JSON and YAML.
type Duration time.Duration

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// Config is a schedule's configuration. The zero value is invalid: the trigger,
// both policies and the workflow type must be set.
type Config struct {
	Trigger TriggerSpec   `json:"trigger"`
	Overlap OverlapPolicy `json:"overlap"`
	CatchUp CatchUpPolicy `json:"catch_up"`
	// CatchUpWindow, when set, makes every due tick older than now-window
	// missed. Nil means no window; zero or negative is rejected.
	CatchUpWindow *Duration `json:"catch_up_window,omitempty"`
	// StartAt and EndAt bound the schedule's ticks, both inclusive (as
	// Temporal's StartTime and EndTime); zero: unbounded. Past EndAt the
	// schedule has no next tick: its timer is disarmed and it describes
	// itself as finished.
	StartAt time.Time `json:"start_at,omitzero"`
	EndAt   time.Time `json:"end_at,omitzero"`
	// RemainingRuns, when positive, limits the starts this config may make
	// (each tick's start counts, whatever its cause; a manual start does
	// not); once they are made the
	// schedule is finished. Ticks that would start or wait beyond the limit
	// are skipped. Zero: unlimited.
	RemainingRuns int `json:"remaining_runs,omitempty"`
	// BufferLimit bounds buffer_all's queue: ticks that come while it is
	// full are skipped (and counted as overflowed). Zero means
	// DefaultBufferLimit; it may be set only with buffer_all.
	BufferLimit int `json:"buffer_limit,omitempty"`
	// PauseOnFailure pauses the schedule when one of its executions fails
	// or times out (its closure notice says so): recorded as a pause with
	// cause "failure", resumed only by Resume (Temporal's pause_on_failure).
	PauseOnFailure bool `json:"pause_on_failure,omitempty"`
	// Jitter, when positive, delays each tick's start by JitterOf (in
	// [0, jitter), never reaching the next nominal time): the tick is
	// decided at its jittered time; its nominal time, and so its workflow
	// id, is unchanged. Zero: no jitter.
	Jitter           Duration          `json:"jitter,omitempty"`
	WorkflowType     string            `json:"workflow_type"`
	Input            json.RawMessage   `json:"input,omitempty"`
	SearchAttributes map[string]string `json:"search_attributes,omitempty"`
}

// compile validates c and returns its parsed trigger and a canonical copy
// (compact input, cloned map), so the recorded config never aliases the caller's.
func (c Config) compile() (*Trigger, Config, error) {
	trig, err := ParseTrigger(c.Trigger)
	if err != nil {
		return nil, c, &ConfigError{Field: "trigger", Err: err}
	}
	if !c.Overlap.valid() {
		return nil, c, &ConfigError{Field: "overlap", Err: fmt.Errorf("%w: policy %s", ErrInvalidConfig, c.Overlap)}
	}
	if !c.CatchUp.valid() {
		return nil, c, &ConfigError{Field: "catch_up", Err: fmt.Errorf("%w: policy %s", ErrInvalidConfig, c.CatchUp)}
	}
	if c.CatchUpWindow != nil && *c.CatchUpWindow <= 0 {
		return nil, c, &ConfigError{Field: "catch_up_window", Err: fmt.Errorf("%w: must be positive, got %s", ErrInvalidConfig, *c.CatchUpWindow)}
	}
	if !c.StartAt.IsZero() && !c.EndAt.IsZero() && c.EndAt.Before(c.StartAt) {
		return nil, c, &ConfigError{Field: "end_at", Err: fmt.Errorf("%w: %s is before start_at %s", ErrInvalidConfig, stamp(c.EndAt), stamp(c.StartAt))}
	}
	if c.RemainingRuns < 0 {
		return nil, c, &ConfigError{Field: "remaining_runs", Err: fmt.Errorf("%w: must be positive, got %d", ErrInvalidConfig, c.RemainingRuns)}
	}
	if c.Jitter < 0 {
		return nil, c, &ConfigError{Field: "jitter", Err: fmt.Errorf("%w: must not be negative, got %s", ErrInvalidConfig, c.Jitter)}
	}
	if c.BufferLimit < 0 {
		return nil, c, &ConfigError{Field: "buffer_limit", Err: fmt.Errorf("%w: must be positive, got %d", ErrInvalidConfig, c.BufferLimit)}
	}
	if c.BufferLimit > 0 && c.Overlap != OverlapBufferAll {
		return nil, c, &ConfigError{Field: "buffer_limit", Err: fmt.Errorf("%w: applies only to overlap buffer_all, not %s", ErrInvalidConfig, c.Overlap)}
	}
	if c.WorkflowType == "" {
		return nil, c, &ConfigError{Field: "workflow_type", Err: fmt.Errorf("%w: empty", ErrInvalidConfig)}
	}
	out := c
	if len(c.Input) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, c.Input); err != nil {
			return nil, c, &ConfigError{Field: "input", Err: fmt.Errorf("%w: not JSON: %v", ErrInvalidConfig, err)}
		}
		out.Input = buf.Bytes()
	}
	out.SearchAttributes = maps.Clone(c.SearchAttributes)
	if !c.StartAt.IsZero() {
		out.StartAt = c.StartAt.UTC()
	}
	if !c.EndAt.IsZero() {
		out.EndAt = c.EndAt.UTC()
	}
	if c.CatchUpWindow != nil {
		w := *c.CatchUpWindow
		out.CatchUpWindow = &w
	}
	return trig, out, nil
}

// DefaultBufferLimit is buffer_all's bound when the config gives none: as
// Temporal's BUFFER_ALL.
const DefaultBufferLimit = 1000

// Limit is buffer_all's bound in force.
func (c Config) Limit() int64 {
	if c.BufferLimit > 0 {
		return int64(c.BufferLimit)
	}
	return DefaultBufferLimit
}

// Validate reports whether c would be accepted by Create or Update.
func (c Config) Validate() error {
	_, _, err := c.compile()
	return err
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$`)

// ValidateScheduleID reports whether Create would accept id as a schedule
// id: 1-200 characters of letters, digits, '.', '_', ':' and '-', starting
// with a letter or digit. The error wraps ErrInvalidRequest.
func ValidateScheduleID(id string) error { return validID("schedule id", id) }

func validID(field, id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("%w: %s %q must be 1-200 characters of letters, digits, '.', '_', ':', '-', starting with a letter or digit", ErrInvalidRequest, field, id)
	}
	return nil
}

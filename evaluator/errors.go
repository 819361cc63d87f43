package evaluator

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the evaluator returns wraps one of these (or a
// seam's own error inside a *SeamError), so callers test with errors.Is.
var (
	// ErrInvalidTrigger: a malformed cron expression or a non-positive interval.
	ErrInvalidTrigger = errors.New("invalid trigger")
	// ErrUnknownZone: a time zone that the tz database does not know, or "Local".
	ErrUnknownZone = errors.New("unknown time zone")
	// ErrNeverFires: a cron expression that matches no instant, such as "0 0 30 2 *".
	ErrNeverFires = errors.New("trigger never fires")
	// ErrInvalidConfig: a configuration field other than the trigger is wrong.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrInvalidRequest: a request is malformed (empty or malformed ids).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrScheduleExists: create named an id that exists or existed; ids are never reused.
	ErrScheduleExists = errors.New("schedule already exists")
	// ErrNotFound: the schedule does not exist or was deleted.
	ErrNotFound = errors.New("schedule not found")
	// ErrRequestReused: a request id already used for a different operation on the schedule.
	ErrRequestReused = errors.New("request id reused for a different operation")
	// ErrNotRecovered: an operation was called before Recover.
	ErrNotRecovered = errors.New("evaluator not recovered")
	// ErrPaused: TriggerNow on a paused schedule (an invalid request).
	ErrPaused = fmt.Errorf("%w: schedule is paused", ErrInvalidRequest)
	// ErrCorruptLog: the event log cannot be projected (a gap, an event before its create).
	ErrCorruptLog = errors.New("corrupt event log")
)

// TriggerError reports a rejected trigger specification.
type TriggerError struct {
	Spec TriggerSpec
	Err  error
}

func (e *TriggerError) Error() string { return e.Err.Error() }
func (e *TriggerError) Unwrap() error { return e.Err }

// ConfigError names the configuration field that was rejected, e.g. "trigger",
// "workflow_type", "catch_up_window".
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "config." + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// SeamError wraps an error returned by a seam (timer store, workflow engine or
// event log). The evaluator left a state that redelivery or a retry converges from.
type SeamError struct {
	// Seam is "timers.arm", "timers.disarm", "engine.start", "engine.cancel",
	// "engine.terminate", "engine.describe", "log.append", "log.read" or "log.snapshot".
	Seam       string
	ScheduleID string
	Err        error
}

func (e *SeamError) Error() string {
	if e.ScheduleID == "" {
		return e.Seam + ": " + e.Err.Error()
	}
	return fmt.Sprintf("schedule %q: %s: %v", e.ScheduleID, e.Seam, e.Err)
}
func (e *SeamError) Unwrap() error { return e.Err }

func seamErr(seam, id string, err error) error {
	if err == nil {
		return nil
	}
	return &SeamError{Seam: seam, ScheduleID: id, Err: err}
}

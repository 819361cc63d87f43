package sim

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Kind names what a record observed.
type Kind string

// Record kinds.
const (
	KindOp        Kind = "op"        // an API operation was called (Detail: op and outcome)
	KindDeliver   Kind = "deliver"   // a timer was delivered (Nominal: its time; Detail: outcome)
	KindNotice    Kind = "notice"    // a closure notice was delivered
	KindArm       Kind = "arm"       // a timer was armed (Nominal: its time)
	KindDisarm    Kind = "disarm"    // a timer was disarmed
	KindStart     Kind = "start"     // the engine started an execution (or found it started)
	KindCancel    Kind = "cancel"    // the engine was asked to cancel an execution
	KindTerminate Kind = "terminate" // the engine was asked to terminate an execution (it closes at once)
	KindDescribe  Kind = "describe"  // the engine was asked about a workflow id
	KindClose     Kind = "close"     // an execution closed (Detail: completed, cancelled, failed or terminated)
	KindAction    Kind = "action"    // a scripted action on an execution (Detail: complete, fail or slow)
	KindAppend    Kind = "append"    // an event was appended (Detail: type and fields)
	KindRead      Kind = "read"      // the log was read
	KindSnapshot  Kind = "snapshot"  // a snapshot was written
	KindFault     Kind = "fault"     // a fault was injected
	KindCrash     Kind = "crash"     // the process crashed
	KindRestart   Kind = "restart"   // a new process was created
	KindRecover   Kind = "recover"   // recovery begins; again, with Detail "failed" and Err, when it failed
	KindJump      Kind = "jump"      // the clock jumped forward
	KindViolation Kind = "violation" // the harness saw something impossible (a livelock)
)

// Record is one thing that happened. Records are numbered in the order they
// happened; At is the simulated time.
type Record struct {
	Seq        int       `json:"seq"`
	At         time.Time `json:"at"`
	Kind       Kind      `json:"kind"`
	ScheduleID string    `json:"schedule_id,omitempty"`
	Nominal    time.Time `json:"nominal,omitzero"`
	WorkflowID string    `json:"workflow_id,omitempty"`
	RunID      string    `json:"run_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	Err        string    `json:"error,omitempty"`
	// Event is the event an append record wrote (nil for other kinds), for
	// readers that draw what was decided; the trace shows it as Detail.
	Event *evaluator.Event `json:"-"`
}

// String renders the record as one trace line.
func (r Record) String() string { return string(r.appendLine(nil)) }

// appendLine appends the trace line of r (without a newline) to b.
func (r Record) appendLine(b []byte) []byte {
	b = r.At.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, ' ')
	n := len(b)
	b = append(b, r.Kind...)
	for len(b)-n < 9 { // %-9s
		b = append(b, ' ')
	}
	if r.ScheduleID != "" {
		b = append(append(b, ' '), r.ScheduleID...)
	}
	if !r.Nominal.IsZero() {
		b = r.Nominal.UTC().AppendFormat(append(b, " @"...), time.RFC3339Nano)
	}
	if r.RunID != "" {
		b = append(append(b, " run="...), r.RunID...)
	}
	if r.Detail != "" {
		b = append(append(b, ' '), r.Detail...)
	}
	if r.Err != "" {
		b = append(b, " error="...)
		b = append(b, strings.ReplaceAll(r.Err, "\n", "; ")...)
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// WriteTrace writes one line per record.
func WriteTrace(w io.Writer, records []Record) error {
	var buf []byte
	for i, r := range records {
		buf = append(r.appendLine(buf), '\n')
		if len(buf) >= 64<<10 || i == len(records)-1 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return nil
}

// WriteJSONLines writes one JSON object per record.
func WriteJSONLines(w io.Writer, records []Record) error {
	enc := json.NewEncoder(w)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

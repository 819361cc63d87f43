package invariants

import (
	"encoding/json"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants/ticks"
)

// The checkers read configs with their own rules, written from
// docs/semantics.md, never with the evaluator's functions: a defect there
// must not be shared with the checks that judge it.

// valid reports whether Create or Update must accept c: a trigger that
// parses and fires, both policies set, a positive window if any, a workflow
// type, and JSON input. A policy the model does not know is accepted here
// and makes the model's prediction unsupported, not wrong.
func valid(c evaluator.Config) bool {
	if _, err := ticks.Parse(c.Trigger); err != nil {
		return false
	}
	if c.Overlap == 0 || c.CatchUp == 0 || c.WorkflowType == "" || c.CatchUpWindow != nil && *c.CatchUpWindow <= 0 {
		return false
	}
	return len(c.Input) == 0 || json.Valid(c.Input)
}

// workflowID is the documented workflow id of a tick: the schedule id, "@",
// and the nominal time in RFC 3339 with nanoseconds, in UTC.
func workflowID(scheduleID string, nominal time.Time) string {
	return scheduleID + "@" + nominal.UTC().Format(time.RFC3339Nano)
}

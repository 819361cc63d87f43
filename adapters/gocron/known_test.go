package gocron

import (
	"regexp"
	"time"

	"github.com/schedsim/schedsim/invariants"
)

// pastNextRun is finding gocron-1's symptom: C4 with a described next run
// that is not after now (Job.NextRun names a run already skipped or still
// running).
var pastNextRun = regexp.MustCompile(`describes its next run at (\S+), not at the next tick after (\S+)$`)

func nextRunInThePast(v invariants.Violation) bool {
	if v.Invariant != "C4" {
		return false
	}
	m := pastNextRun.FindStringSubmatch(v.Detail)
	if m == nil {
		return false
	}
	next, err1 := time.Parse(time.RFC3339Nano, m[1])
	now, err2 := time.Parse(time.RFC3339Nano, m[2])
	return err1 == nil && err2 == nil && !next.After(now)
}

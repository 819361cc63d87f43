package temporal

import "github.com/schedsim/schedsim/invariants"

// invariantsS1 is schedsim's S1 (no overlap) on a converted history.
func invariantsS1(h *invariants.History) []invariants.Violation { return invariants.S1(h) }

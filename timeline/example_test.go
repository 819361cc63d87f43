package timeline_test

import (
	"fmt"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/timeline"
)

// A mutant that forgets running executions at a restart, replayed on the
// scenario that catches it: its timeline holds two bars at once in a skip
// schedule, and the S1 violation where the second one starts.
func ExampleBuild() {
	all, _ := scenarios.LoadAll(scenarios.Library(), "defects/defect-01-recovery-clears-running.yaml")
	m, _ := mutants.ByName("recovery-clears-running")
	res, _ := scenarios.Run(all[0], scenarios.Options{Factory: m.Factory(0)})
	tl := timeline.Build(res, "the mutant recovery-clears-running")
	l := tl.Schedules[0]
	fmt.Println(tl.Verdict, l.ID, l.Overlap, "rows:", l.Rows)
	for _, x := range l.Executions {
		fmt.Printf("execution @%dms: %dms to %dms, %s, row %d\n", x.Nominal, x.Start, x.Close, x.Outcome, x.Row)
	}
	v := tl.Violations[0]
	fmt.Printf("%s %s at %dms: %s\n", v.Invariant, v.Name, v.At, v.Detail)
	// Output:
	// fail s skip rows: 2
	// execution @60000ms: 60000ms to 240000ms, running, row 0
	// execution @120000ms: 120000ms to 240000ms, running, row 1
	// S1 No overlap at 120000ms: skip started at 2026-06-07T00:02:00Z while s@2026-06-07T00:01:00Z was running
}

package ticks_test

import (
	"fmt"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/invariants/ticks"
)

// The wall-clock rule across New York's clock changes of 2026: 02:30 does
// not exist on March 8, so that day has no tick; 01:30 happens twice on
// November 1, so that day has two.
func ExampleTrigger_Next() {
	ny, _ := time.LoadLocation("America/New_York")
	for _, expr := range []string{"30 2 * * *", "30 1 * * *"} {
		trig, err := ticks.Parse(evaluator.TriggerSpec{Cron: expr, Timezone: "America/New_York"})
		if err != nil {
			panic(err)
		}
		from := time.Date(2026, 3, 7, 12, 0, 0, 0, ny)
		if expr == "30 1 * * *" {
			from = time.Date(2026, 10, 31, 12, 0, 0, 0, ny)
		}
		fmt.Println(expr)
		for t, i := trig.Next(from), 0; i < 3; t, i = trig.Next(t), i+1 {
			fmt.Println(" ", t.In(ny).Format("2006-01-02 15:04 MST"))
		}
	}
	// Output:
	// 30 2 * * *
	//   2026-03-09 02:30 EDT
	//   2026-03-10 02:30 EDT
	//   2026-03-11 02:30 EDT
	// 30 1 * * *
	//   2026-11-01 01:30 EDT
	//   2026-11-01 01:30 EST
	//   2026-11-02 01:30 EST
}

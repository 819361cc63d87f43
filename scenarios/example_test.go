package scenarios_test

import (
	"fmt"

	"github.com/schedsim/schedsim/scenarios"
)

// A scenario is parsed, replayed and judged; failures carry a diff.
func Example() {
	src := `name: buffer-across-a-crash
description: 2m is buffered behind 1m, survives a crash, and starts when 1m closes
start: 2026-06-07T00:00:00Z
until: 4m
schedules:
  - {id: s, trigger: {interval: 1m}, overlap: buffer_one, catch_up: one, runs_for: 2m30s}
timeline:
  - at: 2m30s
    crash: {downtime: 30s}
expect:
  starts: ["1m at 1m", "2m at 3m30s"]
  ticks: ["3m skip", "4m buffer"]
  invariants: hold
`
	s, err := scenarios.Parse("example.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := scenarios.Run(s, scenarios.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name, "passed:", res.Passed())

	_, err = scenarios.Parse("broken.yaml", []byte("name: x\nstart: 2026-06-07T00:00:00Z\nschedules: []\ntimeline:\n  - {at: 1m, pause: s}\n"))
	fmt.Println(err)
	// Output:
	// buffer-across-a-crash passed: true
	// broken.yaml:5:21: pause: unknown schedule "s" (no schedule is declared)
}

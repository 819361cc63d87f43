package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

func TestDurationModels(t *testing.T) {
	a := evaluator.StartRequest{ScheduleID: "a", WorkflowID: "a@1"}
	b := evaluator.StartRequest{ScheduleID: "b", WorkflowID: "b@1"}
	assert.Equal(t, time.Minute, sim.Fixed(time.Minute)(a))
	per := sim.PerSchedule(map[string]time.Duration{"a": time.Hour}, time.Second)
	assert.Equal(t, time.Hour, per(a))
	assert.Equal(t, time.Second, per(b))
	tick := sim.PerTick(map[string]time.Duration{"b@1": 3 * time.Second}, per)
	assert.Equal(t, 3*time.Second, tick(b))
	assert.Equal(t, time.Hour, tick(a))
	d := sim.Drawn(7, time.Minute, 2*time.Minute)
	seen := map[time.Duration]bool{}
	for i := 0; i < 50; i++ {
		r := evaluator.StartRequest{WorkflowID: evaluator.WorkflowID("s", sim.DefaultStart.Add(time.Duration(i)*time.Minute))}
		v := d(r)
		assert.Equal(t, v, d(r), "the same tick draws the same duration")
		assert.True(t, v >= time.Minute && v <= 2*time.Minute)
		seen[v] = true
	}
	assert.Greater(t, len(seen), 40, "draws differ between ticks")
	assert.NotEqual(t, d(a), sim.Drawn(8, time.Minute, 2*time.Minute)(a), "and between seeds")
}

package properties

import (
	"slices"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// maxShrinkRuns bounds the histories one shrink runs.
const maxShrinkRuns = 2000

// Shrink simplifies a history while fails still holds for it: it removes
// schedules (with their steps), then steps, then simplifies what is left
// (shorter horizon and downtimes, no catch-up window, creation at the start,
// a plain start day, no cancel delay), greedily, until no simplification
// keeps the failure. It returns the smallest history found and how many
// histories it ran. The property suite and `simrun check` share it.
func Shrink(h History, fails func(History) bool) (History, int) {
	runs := 0
	for runs < maxShrinkRuns {
		improved := false
		for _, c := range candidates(h) {
			if runs >= maxShrinkRuns {
				break
			}
			runs++
			if fails(c) {
				h, improved = c, true
				break
			}
		}
		if !improved {
			break
		}
	}
	return h, runs
}

// candidates are one-step simplifications of h, the most radical first.
func candidates(h History) []History {
	var out []History
	with := func(f func(*History)) {
		c := h
		c.Schedules = slices.Clone(h.Schedules)
		c.Steps = slices.Clone(h.Steps)
		f(&c)
		out = append(out, c)
	}
	if len(h.Schedules) > 1 {
		for i := range h.Schedules {
			with(func(c *History) {
				id := c.Schedules[i].ID
				c.Schedules = slices.Delete(c.Schedules, i, i+1)
				c.Steps = slices.DeleteFunc(c.Steps, func(st Step) bool { return st.Schedule == id })
			})
		}
	}
	for i := range h.Steps {
		with(func(c *History) { c.Steps = slices.Delete(c.Steps, i, i+1) })
	}
	last := time.Duration(0)
	for _, s := range h.Schedules {
		last = max(last, s.CreateAt)
	}
	for _, st := range h.Steps {
		last = max(last, st.At)
	}
	for _, tail := range []time.Duration{time.Minute, 3 * time.Minute} {
		if end := (last + tail).Round(time.Minute); end < h.Horizon {
			with(func(c *History) { c.Horizon = end })
		}
	}
	for i, st := range h.Steps {
		if st.Duration > 10*time.Second && st.Kind != StepLate && st.Kind != StepJump {
			for _, d := range []time.Duration{0, 10 * time.Second} {
				with(func(c *History) { c.Steps[i].Duration = d })
			}
		}
		if st.Call != "" && st.Schedule != "" {
			with(func(c *History) { c.Steps[i].Schedule = "" })
		}
		if st.Kind == StepUpdate && st.Overlap != 0 && (st.CatchUp != 0 || st.Trigger != nil) {
			with(func(c *History) { c.Steps[i].CatchUp, c.Steps[i].Trigger = 0, nil })
		}
	}
	for i, s := range h.Schedules {
		if s.CreateAt > 0 {
			with(func(c *History) { c.Schedules[i].CreateAt = 0 })
		}
		if s.Window > 0 {
			with(func(c *History) { c.Schedules[i].Window = 0 })
		}
		if s.BufferLimit > 0 {
			with(func(c *History) { c.Schedules[i].BufferLimit = 0 })
		}
		if s.RemainingRuns > 0 {
			with(func(c *History) { c.Schedules[i].RemainingRuns = 0 })
		}
		if s.PauseOnFailure {
			with(func(c *History) { c.Schedules[i].PauseOnFailure = false })
		}
		if s.Jitter > 0 {
			with(func(c *History) { c.Schedules[i].Jitter = 0 })
		}
		if s.Fails {
			with(func(c *History) { c.Schedules[i].Fails = false })
		}
		if s.StartAt > 0 || s.EndAt > 0 {
			with(func(c *History) { c.Schedules[i].StartAt, c.Schedules[i].EndAt = 0, 0 })
		}
		if s.Trigger.Interval != evaluator.Duration(time.Minute) && s.BadTrigger == nil {
			with(func(c *History) {
				c.Schedules[i].Trigger = evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)}
			})
		}
	}
	if h.CancelDelay > 0 {
		with(func(c *History) { c.CancelDelay = 0 })
	}
	if !h.Start.Equal(sim.DefaultStart) {
		with(func(c *History) { c.Start = sim.DefaultStart })
	}
	return out
}

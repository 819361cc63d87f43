package sim

import (
	"hash/fnv"
	"strconv"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// DurationModel gives each execution's run time; Config.Duration takes one.
type DurationModel = func(evaluator.StartRequest) time.Duration

// Fixed runs every execution for d.
func Fixed(d time.Duration) DurationModel {
	return func(evaluator.StartRequest) time.Duration { return d }
}

// PerSchedule runs each schedule's executions for its own duration, others for def.
func PerSchedule(m map[string]time.Duration, def time.Duration) DurationModel {
	return func(r evaluator.StartRequest) time.Duration {
		if d, ok := m[r.ScheduleID]; ok {
			return d
		}
		return def
	}
}

// PerTick runs the execution of a given workflow id (see evaluator.WorkflowID)
// for its own duration, others as fallback says.
func PerTick(m map[string]time.Duration, fallback DurationModel) DurationModel {
	return func(r evaluator.StartRequest) time.Duration {
		if d, ok := m[r.WorkflowID]; ok {
			return d
		}
		return fallback(r)
	}
}

// Drawn draws each execution's run time from [lo, hi] with the seed. The draw
// depends only on the seed and the workflow id, so it does not change when
// crashes or retries reorder the starts.
func Drawn(seed int64, lo, hi time.Duration) DurationModel {
	return func(r evaluator.StartRequest) time.Duration {
		if hi <= lo {
			return lo
		}
		h := fnv.New64a()
		h.Write([]byte(strconv.FormatInt(seed, 10)))
		h.Write([]byte(r.WorkflowID))
		return lo + time.Duration(h.Sum64()%uint64(hi-lo+1))
	}
}

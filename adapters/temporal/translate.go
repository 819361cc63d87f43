package temporal

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/schedsim/schedsim/evaluator"
)

// overlaps maps schedsim's overlap policies to Temporal's.
var overlaps = map[evaluator.OverlapPolicy]enumspb.ScheduleOverlapPolicy{
	evaluator.OverlapSkip:              enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
	evaluator.OverlapBufferOne:         enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE,
	evaluator.OverlapBufferAll:         enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
	evaluator.OverlapCancelPrevious:    enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER,
	evaluator.OverlapTerminatePrevious: enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER,
	evaluator.OverlapAllowAll:          enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
}

// ErrUnsupported wraps what a schedsim config asks that Temporal's
// schedules cannot express.
var ErrUnsupported = fmt.Errorf("not expressible as a Temporal schedule")

// Translate turns a schedsim config into Temporal's spec, policies and
// state. Temporal has no catch-up policy of its own (its catch-up is the
// overlap policy applied to the burst, within the window) and a buffer of
// a fixed 1,000: a config that says otherwise is ErrUnsupported.
func Translate(c evaluator.Config) (*schedulepb.Schedule, error) {
	p, ok := overlaps[c.Overlap]
	if !ok {
		return nil, fmt.Errorf("%w: overlap policy %s", ErrUnsupported, c.Overlap)
	}
	if c.CatchUp != evaluator.CatchUpAll {
		return nil, fmt.Errorf("%w: catch-up %s (Temporal applies the overlap policy to every missed tick in the window)", ErrUnsupported, c.CatchUp)
	}
	if c.BufferLimit > 0 {
		return nil, fmt.Errorf("%w: buffer_limit (fixed at 1,000)", ErrUnsupported)
	}
	spec := &schedulepb.ScheduleSpec{}
	switch {
	case c.Trigger.Interval > 0:
		if time.Duration(c.Trigger.Interval)%time.Second != 0 {
			return nil, fmt.Errorf("%w: interval %s (whole seconds only)", ErrUnsupported, time.Duration(c.Trigger.Interval))
		}
		spec.Interval = []*schedulepb.IntervalSpec{{Interval: durationpb.New(time.Duration(c.Trigger.Interval))}}
	default:
		spec.CronString = []string{c.Trigger.Cron}
		spec.TimezoneName = c.Trigger.Timezone
	}
	if c.Jitter > 0 {
		spec.Jitter = durationpb.New(time.Duration(c.Jitter))
	}
	if !c.StartAt.IsZero() {
		spec.StartTime = timestamppb.New(c.StartAt)
	}
	if !c.EndAt.IsZero() {
		spec.EndTime = timestamppb.New(c.EndAt)
	}
	pol := &schedulepb.SchedulePolicies{OverlapPolicy: p, PauseOnFailure: c.PauseOnFailure}
	if c.CatchUpWindow != nil {
		pol.CatchupWindow = durationpb.New(time.Duration(*c.CatchUpWindow))
	}
	st := &schedulepb.ScheduleState{}
	if c.RemainingRuns > 0 {
		st.LimitedActions, st.RemainingActions = true, int64(c.RemainingRuns)
	}
	return &schedulepb.Schedule{Spec: spec, Policies: pol, State: st}, nil
}

package temporal

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	schedulespb "go.temporal.io/server/api/schedule/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// A mutant of the adapter reintroduces, from outside the workflow, what one
// of Temporal's fixed bugs looked like to a user, so that the test of that
// bug (fixedbugs_test.go) is shown able to fail. Only tests set one.
type mutant string

const (
	noMutant mutant = ""
	// bufferOneBuffersTwo: a second start waits behind a running one under
	// BUFFER_ONE (temporal #11530/#11555, in the V2 scheduler): BUFFER_ONE
	// is sent as BUFFER_ALL.
	bufferOneBuffersTwo mutant = "buffer-one-buffers-two"
	// triggerIgnoresBufferOne: a trigger-immediately starts at once beside a
	// running execution of a BUFFER_ONE schedule (sdk-typescript #1594: the
	// client sent ALLOW_ALL): the trigger's policy becomes ALLOW_ALL.
	triggerIgnoresBufferOne mutant = "trigger-ignores-buffer-one"
	// updateLosesTickInFlight: an update between a tick's nominal and
	// jittered times loses it (temporal #4866, fixed by #5381): the start of
	// a tick whose nominal time is before the last update is refused.
	updateLosesTickInFlight mutant = "update-loses-tick-in-flight"
	// jitterUnbounded: the last occurrence before an end time is jittered by
	// a negative bound taken as huge (temporal #3059, up to 50 days): the
	// spec's jitter is 50 days.
	jitterUnbounded mutant = "jitter-unbounded"
)

// schedule applies the mutant to the schedule the workflow starts with or
// is updated to.
func (m mutant) schedule(s *schedulepb.Schedule) {
	switch m {
	case bufferOneBuffersTwo:
		if s.Policies.GetOverlapPolicy() == enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE {
			s.Policies.OverlapPolicy = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL
		}
	case jitterUnbounded:
		s.Spec.Jitter = durationpb.New(50 * 24 * time.Hour)
	}
}

// op applies the mutant to an operation about to be signalled.
func (m mutant) op(op Op) Op {
	switch {
	case op.Update != nil && (m == bufferOneBuffersTwo || m == jitterUnbounded):
		u := &schedulespb.FullUpdateRequest{Schedule: cloneSchedule(op.Update.Schedule)}
		m.schedule(u.Schedule)
		op.Update = u
	case op.Patch.GetTriggerImmediately() != nil && m == triggerIgnoresBufferOne:
		tr := proto.Clone(op.Patch.TriggerImmediately).(*schedulepb.TriggerImmediatelyRequest) // not the caller's
		tr.OverlapPolicy = enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL
		op.Patch = &schedulepb.SchedulePatch{TriggerImmediately: tr}
	}
	return op
}

// refuses reports whether the mutant refuses a scheduled start of nominal
// time n once an update reached the workflow at lastUpdate.
func (m mutant) refuses(n, lastUpdate time.Time) bool {
	return m == updateLosesTickInFlight && !lastUpdate.IsZero() && n.Before(lastUpdate)
}

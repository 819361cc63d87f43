package temporal

import (
	"errors"

	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"
)

func cloneSchedule(s *schedulepb.Schedule) *schedulepb.Schedule {
	return proto.Clone(s).(*schedulepb.Schedule)
}

// isContinueAsNew: the run ends by the continue-as-new it was forced into.
func isContinueAsNew(err error) bool {
	var can *workflow.ContinueAsNewError
	return errors.As(err, &can)
}

package temporal

import (
	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/proto"
)

func cloneSchedule(s *schedulepb.Schedule) *schedulepb.Schedule {
	return proto.Clone(s).(*schedulepb.Schedule)
}

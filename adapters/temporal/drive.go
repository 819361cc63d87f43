package temporal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/stretchr/testify/mock"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	schedulespb "go.temporal.io/server/api/schedule/v1"
	"go.temporal.io/server/service/worker/scheduler"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Op is an operation on the schedule at a simulated instant: a patch
// (pause, unpause, trigger immediately) sent as the workflow's signal.
type Op struct {
	At    time.Time
	Patch *schedulepb.SchedulePatch
}

// Input is one schedule's run: its Temporal schedule, the operations, how
// long each execution runs (0: until cancelled or terminated), and the
// simulated span.
type Input struct {
	Schedule   *schedulepb.Schedule
	Ops        []Op
	RunFor     time.Duration
	Start, End time.Time
}

// Execution is what the schedule workflow started, and what became of it.
type Execution struct {
	WorkflowID  string
	Nominal     time.Time // the time Temporal appended to the workflow id
	StartedAt   time.Time
	ClosesAt    time.Time // zero: never by itself
	CancelledAt time.Time // when a cancel was asked (zero: never)
	Terminated  time.Time // when it was terminated (zero: never)
	Manual      bool      // a trigger-immediately or backfill start
}

// Observation is what one run of the schedule workflow did, in order.
type Observation struct {
	Executions []Execution
}

// Run drives Temporal's schedule workflow through in, in the SDK's test
// environment, and returns what it started. The environment owns the
// clock: operations are delayed callbacks, executions end through the
// watcher mocks, and the run ends with a forced continue-as-new at in.End.
func Run(in Input) (Observation, error) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(in.Start)
	// The activities' type is unexported: stand-ins with their names and
	// signatures are registered, and mocked.
	env.RegisterActivityWithOptions(func(context.Context, *schedulespb.StartWorkflowRequest) (*schedulespb.StartWorkflowResponse, error) {
		return nil, nil
	}, activity.RegisterOptions{Name: "StartWorkflow"})
	env.RegisterActivityWithOptions(func(context.Context, *schedulespb.WatchWorkflowRequest) (*schedulespb.WatchWorkflowResponse, error) {
		return nil, nil
	}, activity.RegisterOptions{Name: "WatchWorkflow"})
	env.RegisterActivityWithOptions(func(context.Context, *schedulespb.CancelWorkflowRequest) error { return nil }, activity.RegisterOptions{Name: "CancelWorkflow"})
	env.RegisterActivityWithOptions(func(context.Context, *schedulespb.TerminateWorkflowRequest) error { return nil }, activity.RegisterOptions{Name: "TerminateWorkflow"})
	var obs Observation
	byID := map[string]int{} // workflow id → index of its latest execution
	now := func() time.Time { return env.Now().UTC() }
	running := func(id string) bool {
		i, ok := byID[id]
		if !ok {
			return false
		}
		x := obs.Executions[i]
		return x.Terminated.IsZero() && (x.ClosesAt.IsZero() || now().Before(x.ClosesAt))
	}
	env.OnActivity("StartWorkflow", mock.Anything, mock.Anything).Return(
		func(_ context.Context, req *schedulespb.StartWorkflowRequest) (*schedulespb.StartWorkflowResponse, error) {
			id := req.Request.WorkflowId
			x := Execution{WorkflowID: id, Nominal: nominalOf(id), StartedAt: now(),
				Manual: req.Request.WorkflowIdReusePolicy == enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}
			if in.RunFor > 0 {
				x.ClosesAt = x.StartedAt.Add(in.RunFor)
			}
			obs.Executions = append(obs.Executions, x)
			byID[id] = len(obs.Executions) - 1
			return &schedulespb.StartWorkflowResponse{RunId: fmt.Sprintf("run-%d", len(obs.Executions)), RealStartTime: timestamppb.New(now())}, nil
		})
	status := func(id string) enumspb.WorkflowExecutionStatus {
		switch {
		case running(id):
			return enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		case !obs.Executions[byID[id]].Terminated.IsZero():
			return enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED
		case !obs.Executions[byID[id]].CancelledAt.IsZero():
			return enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
		}
		return enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}
	env.OnActivity("WatchWorkflow", mock.Anything, mock.MatchedBy(func(r *schedulespb.WatchWorkflowRequest) bool { return !r.LongPoll })).Return(
		func(_ context.Context, req *schedulespb.WatchWorkflowRequest) (*schedulespb.WatchWorkflowResponse, error) {
			return &schedulespb.WatchWorkflowResponse{Status: status(req.Execution.WorkflowId)}, nil
		})
	// A long poll returns when the execution closes: the mock's delay moves
	// the environment's clock there (forever, for one that never ends by
	// itself: the end of the run comes first).
	env.OnActivity("WatchWorkflow", mock.Anything, mock.MatchedBy(func(r *schedulespb.WatchWorkflowRequest) bool { return r.LongPoll })).
		AfterFn(func() time.Duration {
			// The mock cannot see which execution is watched: it returns at
			// the earliest close of any running one (a wakeup too early is
			// answered "running" and the watch begins again).
			until := in.End.Add(time.Hour)
			for _, x := range obs.Executions {
				if running(x.WorkflowID) && !x.ClosesAt.IsZero() && x.ClosesAt.Before(until) {
					until = x.ClosesAt
				}
			}
			return max(until.Sub(now()), 0)
		}).Return(
		func(_ context.Context, req *schedulespb.WatchWorkflowRequest) (*schedulespb.WatchWorkflowResponse, error) {
			return &schedulespb.WatchWorkflowResponse{Status: status(req.Execution.WorkflowId)}, nil
		})
	env.OnActivity("CancelWorkflow", mock.Anything, mock.Anything).Return(
		func(_ context.Context, req *schedulespb.CancelWorkflowRequest) error {
			if i, ok := byID[req.Execution.WorkflowId]; ok && obs.Executions[i].CancelledAt.IsZero() {
				obs.Executions[i].CancelledAt = now() // the execution ignores it and runs on (as the prototype's)
			}
			return nil
		})
	env.OnActivity("TerminateWorkflow", mock.Anything, mock.Anything).Return(
		func(_ context.Context, req *schedulespb.TerminateWorkflowRequest) error {
			if i, ok := byID[req.Execution.WorkflowId]; ok && running(req.Execution.WorkflowId) {
				obs.Executions[i].Terminated = now()
			}
			return nil
		})
	for _, op := range in.Ops {
		patch := op.Patch
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(scheduler.SignalNamePatch, patch) }, op.At.Sub(in.Start))
	}
	env.RegisterDelayedCallback(func() { env.SetCurrentHistoryLength(1 << 40) }, in.End.Sub(in.Start))
	sched := cloneSchedule(in.Schedule)
	sched.Action = &schedulepb.ScheduleAction{Action: &schedulepb.ScheduleAction_StartWorkflow{StartWorkflow: &workflowpb.NewWorkflowExecutionInfo{
		WorkflowId: "wf", WorkflowType: &commonpb.WorkflowType{Name: "workflow"}, TaskQueue: &taskqueuepb.TaskQueue{Name: "q"}}}}
	env.ExecuteWorkflow(scheduler.SchedulerWorkflow, &schedulespb.StartScheduleArgs{Schedule: sched,
		State: &schedulespb.InternalState{Namespace: "ns", NamespaceId: "nsid", ScheduleId: "s", ConflictToken: scheduler.InitialConflictToken}})
	if err := env.GetWorkflowError(); err != nil && !isContinueAsNew(err) {
		return obs, fmt.Errorf("schedule workflow: %w", err)
	}
	slices.SortStableFunc(obs.Executions, func(a, b Execution) int { return a.StartedAt.Compare(b.StartedAt) })
	return obs, nil
}

// nominalOf reads the nominal time Temporal appends to a scheduled
// workflow's id ("wf-2026-06-07T00:05:00Z"; zero when it has none).
func nominalOf(id string) time.Time {
	const layout = "2006-01-02T15:04:05Z"
	if len(id) < len(layout) {
		return time.Time{}
	}
	t, err := time.Parse(layout, id[len(id)-len(layout):])
	if err != nil {
		return time.Time{}
	}
	return t
}

package temporal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
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
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	schedulespb "go.temporal.io/server/api/schedule/v1"
	"go.temporal.io/server/common/payloads"
	"go.temporal.io/server/service/worker/scheduler"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Op is an operation on the schedule at a simulated instant, sent as the
// workflow's signal: a patch (pause, unpause, trigger immediately,
// backfill) or a full update.
type Op struct {
	At     time.Time
	Patch  *schedulepb.SchedulePatch
	Update *schedulespb.FullUpdateRequest
}

// Input is one schedule's run: its Temporal schedule, the operations, how
// long each execution runs (0: until cancelled or terminated), and the
// simulated span.
type Input struct {
	Schedule *schedulepb.Schedule
	Ops      []Op
	RunFor   time.Duration
	// RunsForNominal overrides RunFor for the executions of given nominal
	// times; Fails makes every execution that ends by itself fail.
	RunsForNominal map[time.Time]time.Duration
	Fails          bool
	Start, End     time.Time
	// AlreadyStarted: the starts of these nominal times take effect but
	// answer "already started" (as the retry of a start whose first attempt
	// took effect, under a new request id, is answered).
	AlreadyStarted []time.Time
	// Crashes: the scheduler's worker stops at each At, for Downtime. The
	// schedule workflow continues as new there (its state is what it
	// carries over) and the next incarnation starts after the downtime;
	// executions go on meanwhile, and operations wait for the restart.
	Crashes []Crash
	// mutant, in tests only, reintroduces one of Temporal's fixed bugs
	// from outside (mutant.go).
	mutant mutant
}

// Crash is a stop of the scheduler at At, for Downtime.
type Crash struct {
	At       time.Time
	Downtime time.Duration
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
	Failed      bool      // it failed when it ended by itself
}

// Observation is what one run of the schedule workflow did, in order.
type Observation struct {
	Executions []Execution
	// Delivered is when each of Input.Ops reached the workflow (zero:
	// never, the schedule had ended): its own instant, or the restart for
	// one asked while the scheduler was down.
	Delivered []time.Time
	// StartedBefore is, for each of Input.Ops, how many executions had
	// started when its signal was sent (the workflow receives it later, when
	// it next sleeps: RunScenario orders the starts of that instant).
	StartedBefore []int
	// Refused are the starts the engine refused because an earlier run had
	// the workflow id (REJECT_DUPLICATE, Temporal's policy for scheduled
	// starts): a schedule that asks twice for one tick.
	Refused []Refusal
}

// Refusal is a start refused as a duplicate of an earlier run's id.
type Refusal struct {
	WorkflowID string
	At         time.Time
}

// Run drives Temporal's schedule workflow through in, in the SDK's test
// environment, and returns what it started. The environment owns the
// clock: operations are delayed callbacks, executions end through the
// watcher mocks, and the run ends with a forced continue-as-new at in.End.
func Run(in Input) (Observation, error) {
	obs := Observation{Delivered: make([]time.Time, len(in.Ops)), StartedBefore: make([]int, len(in.Ops))}
	byID := map[string]int{} // workflow id → index of its latest execution
	sched := cloneSchedule(in.Schedule)
	sched.Action = actionOf()
	in.mutant.schedule(sched)
	args := &schedulespb.StartScheduleArgs{Schedule: sched,
		State: &schedulespb.InternalState{Namespace: "ns", NamespaceId: "nsid", ScheduleId: "s", ConflictToken: scheduler.InitialConflictToken}}
	// Only the crashes while the schedule exists stop its workflow.
	crashes := slices.DeleteFunc(slices.Clone(in.Crashes), func(c Crash) bool { return !c.At.After(in.Start) || !c.At.Before(in.End) })
	slices.SortStableFunc(crashes, func(a, b Crash) int { return a.At.Compare(b.At) })
	from := in.Start
	for {
		until, down := in.End, time.Duration(0)
		if len(crashes) > 0 && crashes[0].At.Before(in.End) {
			until, down = crashes[0].At, crashes[0].Downtime
			crashes = crashes[1:]
		}
		if until.Before(from) {
			until = from // a crash during the previous downtime: down until its own end
		}
		next, err := incarnation(in, &obs, byID, args, from, until)
		if err != nil {
			return obs, err
		}
		if until.Equal(in.End) || next == nil {
			break
		}
		args, from = next, until.Add(down)
		if !from.Before(in.End) {
			break
		}
	}
	slices.SortStableFunc(obs.Executions, func(a, b Execution) int { return a.StartedAt.Compare(b.StartedAt) })
	return obs, nil
}

// incarnation runs the schedule workflow from `from` until it is made to
// continue as new at until, and returns the arguments it continues with.
// The operations of [from, until) are delivered at their times (those of a
// downtime just before, at from).
func incarnation(in Input, obs *Observation, byID map[string]int, args *schedulespb.StartScheduleArgs, from, until time.Time) (*schedulespb.StartScheduleArgs, error) {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	// The environment's two wall-clock limits would make a verdict depend
	// on the machine's load: the deadlock detector fails a workflow task
	// that runs 1 s (the prototype saw ~1 run in 24 trip it; TEMPORAL_DEBUG
	// lifts it for the whole process), and a run with nothing to do for 3 s
	// panics. Neither is part of Temporal's scheduling: the detector is off,
	// and a stuck run still fails, after a minute.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: math.MaxInt64})
	env.SetTestTimeout(time.Minute)
	env.SetStartTime(from)
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
	now := func() time.Time { return env.Now().UTC() }
	var lastUpdate time.Time // when the last update reached the workflow
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
			if running(id) {
				// The engine dedups a workflow id that runs: the retry of a
				// start that took effect, with the same request id.
				return &schedulespb.StartWorkflowResponse{RunId: fmt.Sprintf("run-%d", byID[id]+1), RealStartTime: timestamppb.New(obs.Executions[byID[id]].StartedAt)}, nil
			}
			if _, used := byID[id]; used && req.Request.WorkflowIdReusePolicy == enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE {
				// REJECT_DUPLICATE refuses an id any earlier run had.
				obs.Refused = append(obs.Refused, Refusal{WorkflowID: id, At: now()})
				return nil, temporal.NewNonRetryableApplicationError("StartWorkflowExecution: workflow execution already started",
					"serviceerror.WorkflowExecutionAlreadyStarted", nil)
			}
			d := in.RunFor
			if o, ok := in.RunsForNominal[x.Nominal]; ok {
				d = o
			}
			if d > 0 {
				x.ClosesAt = x.StartedAt.Add(d)
			}
			// As schedsim's engine: a run asked to cancel does not fail.
			x.Failed = in.Fails
			if !x.Manual && in.mutant.refuses(x.Nominal, lastUpdate) {
				return nil, temporal.NewNonRetryableApplicationError("mutant: start refused", "mutant", nil)
			}
			obs.Executions = append(obs.Executions, x)
			byID[id] = len(obs.Executions) - 1
			if slices.ContainsFunc(in.AlreadyStarted, x.Nominal.Equal) {
				return nil, temporal.NewNonRetryableApplicationError("StartWorkflowExecution: workflow execution already started",
					"serviceerror.WorkflowExecutionAlreadyStarted", nil)
			}
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
		case obs.Executions[byID[id]].Failed:
			return enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
		}
		return enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}
	env.OnActivity("WatchWorkflow", mock.Anything, mock.MatchedBy(func(r *schedulespb.WatchWorkflowRequest) bool { return !r.LongPoll })).Return(
		func(_ context.Context, req *schedulespb.WatchWorkflowRequest) (*schedulespb.WatchWorkflowResponse, error) {
			return &schedulespb.WatchWorkflowResponse{Status: status(req.Execution.WorkflowId)}, nil
		})
	// A long poll returns when the execution closes: the mock's delay moves
	// the environment's clock there.
	env.OnActivity("WatchWorkflow", mock.Anything, mock.MatchedBy(func(r *schedulespb.WatchWorkflowRequest) bool { return r.LongPoll })).
		AfterFn(func() time.Duration {
			// The mock cannot see which execution is watched: it returns at
			// the earliest close of any running one (a wakeup too early is
			// answered "running" and the watch begins again).
			wake := until.Add(time.Hour)
			for _, x := range obs.Executions {
				if running(x.WorkflowID) && !x.ClosesAt.IsZero() && x.ClosesAt.Before(wake) {
					wake = x.ClosesAt
				}
			}
			return max(wake.Sub(now()), 0)
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
	// Operations asked while the scheduler was down reach the workflow
	// together at the restart, in one workflow task, as signals that
	// accumulated in its history do (temporal-5).
	for i, op := range in.Ops {
		if op.At.Before(from) && !op.At.Before(lastStop(in, from)) || !op.At.Before(from) && op.At.Before(until) {
			env.RegisterDelayedCallback(func() {
				obs.Delivered[i], obs.StartedBefore[i] = now(), len(obs.Executions)
				op := in.mutant.op(op)
				if op.Update != nil {
					lastUpdate = now()
					env.SignalWorkflow(scheduler.SignalNameUpdate, op.Update)
					return
				}
				env.SignalWorkflow(scheduler.SignalNamePatch, op.Patch)
			}, max(op.At.Sub(from), 0))
		}
	}
	// The workflow checks for a continue-as-new only when it wakes: the
	// refresh signal wakes it at the crash instant (else it would go on to
	// its next timer or watcher, and carry later state into the restart).
	env.RegisterDelayedCallback(func() {
		env.SetCurrentHistoryLength(1 << 40)
		env.SignalWorkflow(scheduler.SignalNameRefresh, nil)
	}, until.Sub(from))
	env.ExecuteWorkflow(scheduler.SchedulerWorkflow, args)
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		return nil, fmt.Errorf("schedule workflow: %v", err)
	}
	if now().After(until) {
		return nil, fmt.Errorf("adapter: the schedule workflow continued as new at %s, after the crash at %s", now().Format(time.RFC3339Nano), until.Format(time.RFC3339Nano))
	}
	var next *schedulespb.StartScheduleArgs
	if err := payloads.Decode(can.Input, &next); err != nil {
		return nil, fmt.Errorf("schedule workflow: its continue-as-new input: %w", err)
	}
	return next, nil
}

// lastStop is the instant the downtime that ends at from began (from when
// there was none): operations asked while the scheduler was down wait for it.
func lastStop(in Input, from time.Time) time.Time {
	for _, c := range in.Crashes {
		if c.At.Add(c.Downtime).Equal(from) {
			return c.At
		}
	}
	return from
}

// actionOf is every schedule's action: start the workflow "wf".
func actionOf() *schedulepb.ScheduleAction {
	return &schedulepb.ScheduleAction{Action: &schedulepb.ScheduleAction_StartWorkflow{StartWorkflow: &workflowpb.NewWorkflowExecutionInfo{
		WorkflowId: "wf", WorkflowType: &commonpb.WorkflowType{Name: "workflow"}, TaskQueue: &taskqueuepb.TaskQueue{Name: "q"}}}}
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

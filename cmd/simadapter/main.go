// Command simadapter serves schedsim's reference evaluator (or one of its
// mutants) over the process protocol of docs/protocol.md, on stdin and
// stdout. It keeps nothing durable: every seam is a call to the harness.
//
//	simrun run --impl 'go run ./cmd/simadapter' scenarios/library
//	simrun check --impl simadapter --seeds 200
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/sim"
)

func main() {
	fs := flag.NewFlagSet("simadapter", flag.ContinueOnError)
	mutant := fs.String("mutant", "", "serve this built-in mutant instead of the reference evaluator")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if _, ok := mutants.ByName(*mutant); *mutant != "" && !ok {
		fmt.Fprintf(os.Stderr, "simadapter: unknown mutant %q\n", *mutant)
		os.Exit(2)
	}
	// One request at a time: more Ps only add scheduler wake-ups, which
	// cost the harness's CPU (measured: 7.4k against 5.5k ticks/s).
	runtime.GOMAXPROCS(1)
	os.Exit(serve(protocol.NewStdin(), os.Stdout, os.Stderr, *mutant))
}

// adapter is one incarnation: the evaluator and the line-oriented link to
// the harness.
type adapter struct {
	mutant string // from the command line; init options may name one too
	in     *bufio.Reader
	out    *bufio.Writer
	clock  *clockwork.FakeClock
	proc   sim.Process
	nextID int64
}

func serve(stdin io.Reader, stdout, stderr io.Writer, mutant string) int {
	a := &adapter{mutant: mutant, in: bufio.NewReaderSize(stdin, 1<<16), out: bufio.NewWriterSize(stdout, 1<<16)}
	for {
		m, err := a.receive()
		if errors.Is(err, io.EOF) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "simadapter: %v\n", err)
			return 1
		}
		if m.ReplyTo != 0 || m.Type == protocol.TypeCall {
			fmt.Fprintf(stderr, "simadapter: expected a request, got %+v\n", m)
			return 1
		}
		result, err := a.handle(m)
		reply := protocol.Message{ReplyTo: m.ID, OK: err == nil}
		if err != nil {
			reply.Error = &protocol.Error{Code: protocol.CodeOf(err), Message: err.Error()}
		} else if result != nil {
			reply.Result, _ = json.Marshal(result)
		}
		if err := a.send(reply); err != nil {
			fmt.Fprintf(stderr, "simadapter: %v\n", err)
			return 1
		}
	}
}

func (a *adapter) receive() (protocol.Message, error) {
	line, err := a.in.ReadBytes('\n')
	if err != nil {
		return protocol.Message{}, err
	}
	return protocol.Decode(line)
}

func (a *adapter) send(m protocol.Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := a.out.Write(append(b, '\n')); err != nil {
		return err
	}
	return a.out.Flush()
}

// call makes one seam call and waits for its reply.
func (a *adapter) call(m protocol.Message, result any) error {
	a.nextID++
	m.ID, m.Type = a.nextID, protocol.TypeCall
	if err := a.send(m); err != nil {
		return err
	}
	r, err := a.receive()
	if err != nil {
		return err
	}
	if r.ReplyTo != m.ID {
		return fmt.Errorf("reply to %d while waiting for %d", r.ReplyTo, m.ID)
	}
	if !r.OK {
		return r.Error
	}
	if result != nil {
		return json.Unmarshal(r.Result, result)
	}
	return nil
}

func (a *adapter) handle(m protocol.Message) (any, error) {
	if m.Now != nil && a.clock != nil {
		if d := m.Now.Sub(a.clock.Now()); d > 0 {
			a.clock.Advance(d)
		}
	}
	ctx := context.Background()
	r := evaluator.Request{RequestID: m.RequestID, ScheduleID: m.ScheduleID}
	if m.Type != protocol.TypeInit && a.proc == nil {
		return nil, fmt.Errorf("%w: %s before init", evaluator.ErrInvalidRequest, m.Type)
	}
	switch m.Type {
	case protocol.TypeInit:
		return a.init(m)
	case protocol.TypeRecover:
		return nil, a.proc.Recover(ctx)
	case protocol.TypeCreate, protocol.TypeUpdate:
		if m.Config == nil {
			return nil, fmt.Errorf("%w: %s without config", evaluator.ErrInvalidRequest, m.Type)
		}
		if m.Type == protocol.TypeCreate {
			return nil, a.proc.Create(ctx, r, *m.Config)
		}
		return nil, a.proc.Update(ctx, r, *m.Config)
	case protocol.TypePause:
		return nil, a.proc.Pause(ctx, r)
	case protocol.TypeResume:
		return nil, a.proc.Resume(ctx, r)
	case protocol.TypeDelete:
		return nil, a.proc.Delete(ctx, r)
	case protocol.TypeGet:
		return a.proc.Get(ctx, m.ScheduleID, m.Upcoming)
	case protocol.TypeList:
		ds, err := a.proc.List(ctx, m.Upcoming)
		if ds == nil {
			ds = []evaluator.Description{}
		}
		return ds, err
	case protocol.TypeTimerFired:
		if m.At == nil {
			return nil, fmt.Errorf("%w: timer_fired without at", evaluator.ErrInvalidRequest)
		}
		out, err := a.proc.TimerFired(ctx, m.ScheduleID, *m.At)
		if err != nil {
			return nil, err
		}
		return protocol.OutcomeResult{Outcome: out.String()}, nil
	case protocol.TypeExecutionClosed:
		if m.Execution == nil {
			return nil, fmt.Errorf("%w: execution_closed without execution", evaluator.ErrInvalidRequest)
		}
		return nil, a.proc.ExecutionClosed(ctx, m.ScheduleID, *m.Execution)
	}
	return nil, fmt.Errorf("%w: unknown request %q", evaluator.ErrInvalidRequest, m.Type)
}

func (a *adapter) init(m protocol.Message) (any, error) {
	if m.Protocol != protocol.Version {
		return nil, fmt.Errorf("%w: protocol %d is not %d", evaluator.ErrInvalidRequest, m.Protocol, protocol.Version)
	}
	if m.Now == nil {
		return nil, fmt.Errorf("%w: init without now (the harness owns time)", evaluator.ErrInvalidRequest)
	}
	a.clock = clockwork.NewFakeClockAt(*m.Now)
	factory := sim.Reference(0)
	var retry time.Duration
	o := m.Options
	if o == nil {
		o = &protocol.InitOptions{}
	}
	if o.Mutant == "" {
		o.Mutant = a.mutant
	}
	{
		if o.RetryDelay != "" {
			d, err := time.ParseDuration(o.RetryDelay)
			if err != nil {
				return nil, fmt.Errorf("%w: retry_delay: %v", evaluator.ErrInvalidRequest, err)
			}
			retry = d
			factory = sim.Reference(d)
		}
		if o.Mutant != "" {
			mu, ok := mutants.ByName(o.Mutant)
			if !ok {
				return nil, fmt.Errorf("%w: unknown mutant %q", evaluator.ErrInvalidRequest, o.Mutant)
			}
			factory = mu.Factory(retry)
		}
	}
	seams := remote{a}
	p, err := factory(sim.Seams{Clock: a.clock, Timers: seams, Engine: seams, Log: seams})
	if err != nil {
		return nil, err
	}
	a.proc = p
	return protocol.Hello{Name: "schedsim-reference", Version: "1", Protocol: protocol.Version, Features: []string{"snapshots"}}, nil
}

// remote implements the evaluator's seams as calls to the harness.
type remote struct{ a *adapter }

func (r remote) Arm(_ context.Context, t evaluator.Timer) error {
	return r.a.call(protocol.Message{Seam: "timers.arm", Timer: &protocol.Timer{ID: t.ID, ScheduleID: t.ScheduleID, At: t.At}}, nil)
}

func (r remote) Disarm(_ context.Context, id string) error {
	return r.a.call(protocol.Message{Seam: "timers.disarm", TimerID: id}, nil)
}

func (r remote) Start(_ context.Context, s evaluator.StartRequest) (evaluator.StartResult, error) {
	var res protocol.StartResult
	err := r.a.call(protocol.Message{Seam: "engine.start", Start: &protocol.StartRequest{WorkflowID: s.WorkflowID, ScheduleID: s.ScheduleID,
		Nominal: s.Nominal, WorkflowType: s.WorkflowType, Input: s.Input, SearchAttributes: s.SearchAttributes}}, &res)
	return evaluator.StartResult{Execution: res.Execution, AlreadyStarted: res.AlreadyStarted}, err
}

func (r remote) Cancel(_ context.Context, x evaluator.Execution) error {
	return r.a.call(protocol.Message{Seam: "engine.cancel", Execution: &x}, nil)
}

func (r remote) Describe(_ context.Context, id string) (evaluator.WorkflowInfo, error) {
	var res protocol.WorkflowInfo
	err := r.a.call(protocol.Message{Seam: "engine.describe", WorkflowID: id}, &res)
	return evaluator.WorkflowInfo{Found: res.Found, Execution: res.Execution, Closed: res.Closed}, err
}

func (r remote) Append(_ context.Context, events []evaluator.Event) error {
	return r.a.call(protocol.Message{Seam: "log.append", Events: events}, nil)
}

func (r remote) Read(context.Context) (*evaluator.Snapshot, []evaluator.Event, error) {
	var res protocol.ReadResult
	err := r.a.call(protocol.Message{Seam: "log.read"}, &res)
	return res.Snapshot, res.Events, err
}

func (r remote) WriteSnapshot(_ context.Context, s *evaluator.Snapshot) error {
	return r.a.call(protocol.Message{Seam: "log.snapshot", Snapshot: s}, nil)
}

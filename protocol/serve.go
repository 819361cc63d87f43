package protocol

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// adapter is one incarnation: the evaluator and the line-oriented link to
// the harness.
type adapter struct {
	factory ServeFactory
	hello   Hello
	in      *bufio.Reader
	out     *bufio.Writer
	clock   *clockwork.FakeClock
	proc    sim.Process
	nextID  int64
}

// ServeFactory creates the evaluator of one incarnation on the seams Serve
// provides (each a call to the harness); o are the harness's init options.
type ServeFactory func(s sim.Seams, o InitOptions) (sim.Process, error)

// Serve speaks the process protocol (docs/md) on in and out for the
// Go evaluator that factory creates: it answers the harness's requests with
// the evaluator's API and turns the evaluator's seam calls into calls to the
// harness. It returns nil when in ends, and an error when the harness breaks
// the  A Go evaluator served this way can be checked by
// `simrun check --impl` with a main of a few lines (cmd/simadapter is one).
func Serve(in io.Reader, out io.Writer, hello Hello, factory ServeFactory) error {
	a := &adapter{factory: factory, hello: hello, in: bufio.NewReaderSize(in, 1<<16), out: bufio.NewWriterSize(out, 1<<16)}
	for {
		m, err := a.receive()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if m.ReplyTo != 0 || m.Type == TypeCall {
			return fmt.Errorf("expected a request, got %+v", m)
		}
		result, err := a.handle(m)
		reply := Message{ReplyTo: m.ID, OK: err == nil}
		if err != nil {
			reply.Error = &Error{Code: CodeOf(err), Message: err.Error()}
		} else if result != nil {
			reply.Result, _ = json.Marshal(result)
		}
		if err := a.send(reply); err != nil {
			return err
		}
	}
}

func (a *adapter) receive() (Message, error) {
	line, err := a.in.ReadBytes('\n')
	if err != nil {
		return Message{}, err
	}
	return Decode(line)
}

func (a *adapter) send(m Message) error {
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
func (a *adapter) call(m Message, result any) error {
	a.nextID++
	m.ID, m.Type = a.nextID, TypeCall
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

func (a *adapter) handle(m Message) (any, error) {
	if m.Now != nil && a.clock != nil {
		if d := m.Now.Sub(a.clock.Now()); d > 0 {
			a.clock.Advance(d)
		}
	}
	ctx := context.Background()
	r := evaluator.Request{RequestID: m.RequestID, ScheduleID: m.ScheduleID}
	if m.Type != TypeInit && a.proc == nil {
		return nil, fmt.Errorf("%w: %s before init", evaluator.ErrInvalidRequest, m.Type)
	}
	switch m.Type {
	case TypeInit:
		return a.init(m)
	case TypeRecover:
		return nil, a.proc.Recover(ctx)
	case TypeCreate, TypeUpdate:
		if m.Config == nil {
			return nil, fmt.Errorf("%w: %s without config", evaluator.ErrInvalidRequest, m.Type)
		}
		if m.Type == TypeCreate {
			return nil, a.proc.Create(ctx, r, *m.Config)
		}
		return nil, a.proc.Update(ctx, r, *m.Config)
	case TypePause:
		return nil, a.proc.Pause(ctx, r)
	case TypeResume:
		return nil, a.proc.Resume(ctx, r)
	case TypeDelete:
		return nil, a.proc.Delete(ctx, r)
	case TypeTriggerNow:
		t, ok := a.proc.(sim.Triggerer)
		if !ok {
			return nil, fmt.Errorf("%w: trigger_now is not implemented", evaluator.ErrInvalidRequest)
		}
		return nil, t.TriggerNow(ctx, r, m.Overlap)
	case TypeBackfill:
		b, ok := a.proc.(sim.Backfiller)
		if !ok {
			return nil, fmt.Errorf("%w: backfill is not implemented", evaluator.ErrInvalidRequest)
		}
		if m.From == nil || m.To == nil {
			return nil, fmt.Errorf("%w: backfill without from and to", evaluator.ErrInvalidRequest)
		}
		return nil, b.Backfill(ctx, r, *m.From, *m.To, m.Overlap)
	case TypeGet:
		return a.proc.Get(ctx, m.ScheduleID, m.Upcoming)
	case TypeList:
		ds, err := a.proc.List(ctx, m.Upcoming)
		if ds == nil {
			ds = []evaluator.Description{}
		}
		return ds, err
	case TypeTimerFired:
		if m.At == nil {
			return nil, fmt.Errorf("%w: timer_fired without at", evaluator.ErrInvalidRequest)
		}
		out, err := a.proc.TimerFired(ctx, m.ScheduleID, *m.At)
		if err != nil {
			return nil, err
		}
		return OutcomeResult{Outcome: out.String()}, nil
	case TypeExecutionClosed:
		if m.Execution == nil {
			return nil, fmt.Errorf("%w: execution_closed without execution", evaluator.ErrInvalidRequest)
		}
		return nil, a.proc.ExecutionClosed(ctx, m.ScheduleID, *m.Execution, m.Status)
	}
	return nil, fmt.Errorf("%w: unknown request %q", evaluator.ErrInvalidRequest, m.Type)
}

func (a *adapter) init(m Message) (any, error) {
	if m.Protocol != Version {
		return nil, fmt.Errorf("%w: protocol %d is not %d", evaluator.ErrInvalidRequest, m.Protocol, Version)
	}
	if m.Now == nil {
		return nil, fmt.Errorf("%w: init without now (the harness owns time)", evaluator.ErrInvalidRequest)
	}
	a.clock = clockwork.NewFakeClockAt(*m.Now)
	var o InitOptions
	if m.Options != nil {
		o = *m.Options
	}
	seams := remote{a}
	p, err := a.factory(sim.Seams{Clock: a.clock, Timers: seams, Engine: seams, Log: seams}, o)
	if err != nil {
		return nil, err
	}
	a.proc = p
	h := a.hello
	h.Protocol = Version
	return h, nil
}

// remote implements the evaluator's seams as calls to the harness.
type remote struct{ a *adapter }

func (r remote) Arm(_ context.Context, t evaluator.Timer) error {
	return r.a.call(Message{Seam: "timers.arm", Timer: &Timer{ID: t.ID, ScheduleID: t.ScheduleID, At: t.At}}, nil)
}

func (r remote) Disarm(_ context.Context, id string) error {
	return r.a.call(Message{Seam: "timers.disarm", TimerID: id}, nil)
}

func (r remote) Start(_ context.Context, s evaluator.StartRequest) (evaluator.StartResult, error) {
	var res StartResult
	err := r.a.call(Message{Seam: "engine.start", Start: &StartRequest{WorkflowID: s.WorkflowID, ScheduleID: s.ScheduleID,
		Nominal: s.Nominal, WorkflowType: s.WorkflowType, Input: s.Input, SearchAttributes: s.SearchAttributes, Origin: s.Origin}}, &res)
	return evaluator.StartResult{Execution: res.Execution, AlreadyStarted: res.AlreadyStarted}, err
}

func (r remote) Cancel(_ context.Context, x evaluator.Execution) error {
	return r.a.call(Message{Seam: "engine.cancel", Execution: &x}, nil)
}

func (r remote) Terminate(_ context.Context, x evaluator.Execution) error {
	return r.a.call(Message{Seam: "engine.terminate", Execution: &x}, nil)
}

func (r remote) Describe(_ context.Context, id string) (evaluator.WorkflowInfo, error) {
	var res WorkflowInfo
	err := r.a.call(Message{Seam: "engine.describe", WorkflowID: id}, &res)
	return evaluator.WorkflowInfo{Found: res.Found, Execution: res.Execution, Closed: res.Closed, Status: res.Status}, err
}

func (r remote) Append(_ context.Context, events []evaluator.Event) error {
	return r.a.call(Message{Seam: "log.append", Events: events}, nil)
}

func (r remote) Read(context.Context) (*evaluator.Snapshot, []evaluator.Event, error) {
	var res ReadResult
	err := r.a.call(Message{Seam: "log.read"}, &res)
	return res.Snapshot, res.Events, err
}

func (r remote) WriteSnapshot(_ context.Context, s *evaluator.Snapshot) error {
	return r.a.call(Message{Seam: "log.snapshot", Snapshot: s}, nil)
}

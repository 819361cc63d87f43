package protocol

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/schedsim/schedsim/profile"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// ErrProtocol is wrapped (with sim.ErrFatal) by every breach of the protocol:
// the case ends with it as its verdict.
var ErrProtocol = errors.New("protocol error")

// DefaultTimeout is how long the harness waits for one message from the
// program before it calls it hung. It is wall-clock time: the only place
// schedsim reads the wall clock, outside the simulation.
const DefaultTimeout = 10 * time.Second

// MaxCalls bounds the seam calls a program makes while handling one
// request: a program that loops (re-reading its log for ever, say) gets a
// verdict instead of crawling on, since its messages keep the watchdog quiet.
const MaxCalls = 100_000

// Options configure the external program.
type Options struct {
	Command    string        // run with sh -c
	RetryDelay time.Duration // passed in init
	Mutant     string        // passed in init (the reference adapter serves it)
	Timeout    time.Duration // per message; DefaultTimeout when zero
	// MaxCalls bounds the seam calls made while handling one request
	// (MaxCalls when zero).
	MaxCalls int
	// MaxBytes bounds what one incarnation exchanges with the harness, both
	// ways (DefaultMaxBytes when zero): a program that, say, re-reads its whole
	// log on every delivery gets a verdict instead of crawling for hours.
	MaxBytes int64
}

// DefaultMaxBytes is the default of Options.MaxBytes.
const DefaultMaxBytes = 1 << 30

// Factory returns a sim.Factory that starts the program for every
// incarnation and speaks the protocol with it.
func Factory(o Options) sim.Factory {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxCalls <= 0 {
		o.MaxCalls = MaxCalls
	}
	return func(s sim.Seams) (sim.Process, error) {
		return start(o, s)
	}
}

// Process is one incarnation of an external program, driven as a
// sim.Process: each method is one request; the seam calls the program makes
// meanwhile are served from the world's (fenced) seams.
type Process struct {
	o      Options
	seams  sim.Seams
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	// stdoutFile is the read end of the program's stdout, closed at Kill.
	stdoutFile *os.File
	lineNo     int
	bytes      int64 // exchanged so far, both ways
	// waiting is when the current read of the program's stdout began (Unix
	// nanoseconds), 0 between reads; hung is set when the watchdog killed it.
	waiting atomic.Int64
	hung    atomic.Bool
	stop    chan struct{} // closed at Kill: the watchdog ends
	stderr  *bytes.Buffer
	nextID  int64
	hello   Hello
	killed  bool
	mu      sync.Mutex
}

var _ sim.Process = (*Process)(nil)

func start(o Options, s sim.Seams) (*Process, error) {
	p := &Process{o: o, seams: s, stderr: &bytes.Buffer{}}
	p.cmd = exec.Command("sh", "-c", o.Command)
	// Its own process group, so a crash kills a pipeline, not just the shell.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stderr = &lockedWriter{w: p.stderr, mu: &p.mu}
	childIn, stdin, err := blockingPipe()
	if err != nil {
		return nil, err
	}
	stdout, childOut, err := blockingPipe()
	if err != nil {
		childIn.Close()
		stdin.Close()
		return nil, err
	}
	p.cmd.Stdin, p.cmd.Stdout = childIn, childOut
	err = p.cmd.Start()
	childIn.Close()
	childOut.Close()
	if err != nil {
		stdin.Close()
		stdout.Close()
		return nil, fmt.Errorf("%w: %w: starting %q: %v", sim.ErrFatal, ErrProtocol, o.Command, err)
	}
	p.stdin, p.stdoutFile = stdin, stdout
	p.stdout = bufio.NewReaderSize(stdout, 64<<10)
	p.stop = make(chan struct{})
	go p.watch()
	opts := &InitOptions{Mutant: o.Mutant}
	if o.RetryDelay > 0 {
		opts.RetryDelay = o.RetryDelay.String()
	}
	res, err := p.request(context.Background(), Message{Type: TypeInit, Protocol: Version, Options: opts})
	if err != nil {
		p.Kill()
		return nil, err
	}
	if err := json.Unmarshal(res, &p.hello); err != nil || p.hello.Name == "" {
		p.Kill()
		return nil, p.fatal(0, "init: the reply must carry name, version and protocol")
	}
	if p.hello.Protocol != Version {
		p.Kill()
		return nil, p.fatal(0, fmt.Sprintf("init: the program speaks protocol %d, the harness %d", p.hello.Protocol, Version))
	}
	if d := p.hello.Profile; d != nil {
		if _, err := d.Resolve(); err != nil {
			p.Kill()
			return nil, p.fatal(0, "init: profile: "+err.Error())
		}
	}
	return p, nil
}

// Profile returns the profile the program declared in its init reply
// (schedsim's, whole, when it declared none), without the optional config
// features its reply does not list (FeatureBounds): a program written before
// a feature existed is never sent it.
func (p *Process) Profile() profile.Profile {
	prof := profile.Schedsim()
	if p.hello.Profile != nil {
		prof, _ = p.hello.Profile.Resolve() // checked at init
	}
	prof.Bounds = prof.Bounds && slices.Contains(p.hello.Features, FeatureBounds)
	prof.LimitedRuns = prof.LimitedRuns && slices.Contains(p.hello.Features, FeatureLimitedRuns)
	prof.TriggerNow = prof.TriggerNow && slices.Contains(p.hello.Features, FeatureTriggerNow)
	prof.PauseOnFailure = prof.PauseOnFailure && slices.Contains(p.hello.Features, FeaturePauseOnFailure)
	prof.Jitter = prof.Jitter && slices.Contains(p.hello.Features, FeatureJitter)
	prof.Backfill = prof.Backfill && slices.Contains(p.hello.Features, FeatureBackfill)
	return prof
}

// readLine reads the next line of the program's stdout (without its
// newline). The watchdog kills a program that stays silent, which ends the read.
func (p *Process) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := p.stdout.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > MaxLine {
			return nil, fmt.Errorf("line over the limit of %d bytes", MaxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return nil, err
		}
		p.lineNo++
		p.bytes += int64(len(buf))
		return bytes.TrimRight(buf, "\r\n"), nil
	}
}

// watch kills the program when one read waits longer than the timeout: one
// goroutine with a coarse ticker per incarnation, so that a message costs two
// atomic stores rather than arming and stopping a timer.
func (p *Process) watch() {
	t := time.NewTicker(max(p.o.Timeout/10, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			if w := p.waiting.Load(); w != 0 && now.UnixNano()-w > int64(p.o.Timeout) {
				p.hung.Store(true)
				p.killGroup()
				return
			}
		}
	}
}

// Hello returns what the program said of itself.
func (p *Process) Hello() Hello { return p.hello }

// Stderr returns what the program wrote on stderr (kept out of traces, which
// must be deterministic).
func (p *Process) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// Kill kills the program (SIGKILL) and reaps it.
func (p *Process) Kill() {
	if p.killed {
		return
	}
	p.killed = true
	close(p.stop)
	_ = p.stdin.Close()
	p.killGroup()
	_ = p.cmd.Wait()
	_ = p.stdoutFile.Close()
}

// killGroup sends SIGKILL to the program's process group.
func (p *Process) killGroup() {
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		_ = p.cmd.Process.Kill()
	}
}

func (p *Process) fatal(n int, msg string) error {
	where := ""
	if n > 0 {
		where = fmt.Sprintf("stdout line %d: ", n)
	}
	return fmt.Errorf("%w: %w: %s: %s%s", sim.ErrFatal, ErrProtocol, p.o.Command, where, msg)
}

// request sends one request and serves the program's seam calls until its
// reply comes. A seam call that crashes the process (the world fenced it)
// kills the program, and the request fails with that error.
func (p *Process) request(ctx context.Context, m Message) (json.RawMessage, error) {
	if p.killed {
		return nil, fakes.ErrFenced
	}
	p.nextID++
	m.ID = p.nextID
	now := p.seams.Clock.Now().UTC()
	m.Now = &now
	if err := p.send(m); err != nil {
		return nil, err
	}
	for calls := 0; ; calls++ {
		if calls > p.o.MaxCalls {
			p.Kill()
			return nil, p.fatal(p.lineNo, fmt.Sprintf("more than %d seam calls while handling %s (id %d)", p.o.MaxCalls, m.Type, m.ID))
		}
		// The watchdog kills a program silent for longer than the timeout,
		// which ends the read.
		p.waiting.Store(time.Now().UnixNano())
		text, err := p.readLine()
		p.waiting.Store(0)
		if p.hung.Load() {
			p.Kill()
			return nil, p.fatal(0, fmt.Sprintf("no answer to %s (id %d) within %s", m.Type, m.ID, p.o.Timeout))
		}
		if err != nil {
			p.Kill()
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
				code := ""
				if st := p.cmd.ProcessState; st != nil {
					code = " (" + st.String() + ")"
				}
				return nil, p.fatal(0, fmt.Sprintf("the program exited while handling %s (id %d)%s; stderr: %s", m.Type, m.ID, code, tail(p.Stderr())))
			}
			return nil, p.fatal(p.lineNo+1, err.Error())
		}
		msg, err := Decode(text)
		if err != nil {
			p.Kill()
			return nil, p.fatal(p.lineNo, fmt.Sprintf("%v: %s", err, clip(text)))
		}
		if msg.ReplyTo != 0 {
			if msg.ReplyTo != m.ID {
				p.Kill()
				return nil, p.fatal(p.lineNo, fmt.Sprintf("a reply to %d, but the request in flight is %d", msg.ReplyTo, m.ID))
			}
			if !msg.OK {
				return nil, msg.Error
			}
			return msg.Result, nil
		}
		if msg.Type != TypeCall {
			p.Kill()
			return nil, p.fatal(p.lineNo, fmt.Sprintf("the program sent a %s request; only calls and replies go that way", msg.Type))
		}
		reply, crashed := p.serve(ctx, msg)
		if crashed != nil {
			p.Kill()
			return nil, crashed
		}
		if err := p.send(reply); err != nil {
			return nil, err
		}
	}
}

func (p *Process) send(m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("%w: %w: encoding %s: %v", sim.ErrFatal, ErrProtocol, m.Type, err)
	}
	p.bytes += int64(len(b)) + 1
	if p.bytes > p.o.MaxBytes {
		p.Kill()
		what := m.Type
		if what == "" {
			what = fmt.Sprintf("the reply to call %d", m.ReplyTo)
		}
		return p.fatal(0, fmt.Sprintf("more than %d bytes exchanged by one incarnation (while sending %s)", p.o.MaxBytes, what))
	}
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		p.Kill()
		return p.fatal(0, fmt.Sprintf("the program exited or closed its stdin before %s (id %d) was sent: %v; stderr: %s", m.Type, m.ID, err, tail(p.Stderr())))
	}
	return nil
}

// serve performs one seam call on the world's seams. A crash (the world
// fenced this incarnation) is returned as crashed: the program is killed
// instead of answered.
func (p *Process) serve(ctx context.Context, m Message) (Message, error) {
	var result any
	var err error
	switch m.Seam {
	case "timers.arm":
		err = p.seams.Timers.Arm(ctx, evaluator.Timer{ID: m.Timer.ID, ScheduleID: m.Timer.ScheduleID, At: m.Timer.At})
	case "timers.disarm":
		err = p.seams.Timers.Disarm(ctx, m.TimerID)
	case "engine.start":
		s := m.Start
		var res evaluator.StartResult
		res, err = p.seams.Engine.Start(ctx, evaluator.StartRequest{WorkflowID: s.WorkflowID, ScheduleID: s.ScheduleID, Nominal: s.Nominal,
			WorkflowType: s.WorkflowType, Input: s.Input, SearchAttributes: s.SearchAttributes, Origin: s.Origin})
		result = StartResult{Execution: res.Execution, AlreadyStarted: res.AlreadyStarted}
	case "engine.cancel":
		err = p.seams.Engine.Cancel(ctx, *m.Execution)
	case "engine.terminate":
		err = p.seams.Engine.Terminate(ctx, *m.Execution)
	case "engine.describe":
		var info evaluator.WorkflowInfo
		info, err = p.seams.Engine.Describe(ctx, m.WorkflowID)
		result = WorkflowInfo{Found: info.Found, Execution: info.Execution, Closed: info.Closed, Status: info.Status}
	case "log.append":
		err = p.seams.Log.Append(ctx, m.Events)
	case "log.read":
		var snap *evaluator.Snapshot
		var events []evaluator.Event
		snap, events, err = p.seams.Log.Read(ctx)
		if events == nil {
			events = []evaluator.Event{}
		}
		result = ReadResult{Snapshot: snap, Events: events}
	case "log.snapshot":
		err = p.seams.Log.WriteSnapshot(ctx, m.Snapshot)
	}
	reply := Message{ReplyTo: m.ID}
	switch {
	case err == nil:
		reply.OK = true
		if result != nil {
			reply.Result, _ = json.Marshal(result)
		}
	case errors.Is(err, sim.ErrCrash), errors.Is(err, fakes.ErrFenced):
		return Message{}, err
	case errors.Is(err, sim.ErrTookEffect):
		reply.Error = &Error{Code: CodeIndefinite, Message: err.Error()}
	default:
		reply.Error = &Error{Code: CodeDefinite, Message: err.Error()}
	}
	return reply, nil
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 400 {
		s = "..." + s[len(s)-400:]
	}
	if s == "" {
		return "(empty)"
	}
	return s
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// blockingPipe is os.Pipe with blocking ends, outside the runtime's poller:
// a read blocks its thread in read(2) and the peer's write wakes it directly.
// Through the poller each message cost an extra hand-off between threads
// (epoll, then a futex), which on the CI's virtual machine is most of a round
// trip: blocking pipes made the reference adapter 1.2× faster, where polling
// the pipe for up to 200 µs before sleeping had made no difference (measured
// 2026-11-29, docs/protocol.md). The program inherits blocking descriptors.
func blockingPipe() (*os.File, *os.File, error) {
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}

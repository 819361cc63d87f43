package fakes

import (
	"context"
	"slices"
	"sync"

	"github.com/schedsim/schedsim/evaluator"
)

// Log is an in-memory, append-only event log with snapshots. It survives the
// crash of any evaluator process.
type Log struct {
	Hook Hook
	// Truncate drops the events a snapshot covers (Events then returns only
	// those after it). A knob for long runs; by default all are kept.
	Truncate bool

	mu     sync.Mutex
	events []evaluator.Event
	snap   *evaluator.Snapshot
	snapAt int // events[snapAt:] follow the snapshot
}

var _ evaluator.EventLog = (*Log)(nil)

// Append implements evaluator.EventLog.
func (l *Log) Append(ctx context.Context, events []evaluator.Event) error {
	return l.append(ctx, nil, events)
}

func (l *Log) append(_ context.Context, g *Gate, events []evaluator.Event) error {
	c := Call{Name: "log.append"}
	if len(events) > 0 {
		c.ScheduleID, c.Nominal = events[0].ScheduleID, events[0].Nominal
	}
	if err := errorsOr(g.check(), l.Hook.call(c, Before)); err != nil {
		return err
	}
	l.mu.Lock()
	for _, e := range events {
		e.Ranges = slices.Clone(e.Ranges)
		l.events = append(l.events, e)
	}
	l.mu.Unlock()
	return errorsOr(l.Hook.call(c, After), g.check())
}

// Read implements evaluator.EventLog.
func (l *Log) Read(ctx context.Context) (*evaluator.Snapshot, []evaluator.Event, error) {
	return l.read(ctx, nil)
}

func (l *Log) read(_ context.Context, g *Gate) (*evaluator.Snapshot, []evaluator.Event, error) {
	c := Call{Name: "log.read"}
	if err := errorsOr(g.check(), l.Hook.call(c, Before)); err != nil {
		return nil, nil, err
	}
	l.mu.Lock()
	snap, events := l.snap, slices.Clone(l.events[l.snapAt:])
	l.mu.Unlock()
	if err := errorsOr(l.Hook.call(c, After), g.check()); err != nil {
		return nil, nil, err
	}
	return snap, events, nil
}

// WriteSnapshot implements evaluator.EventLog.
func (l *Log) WriteSnapshot(ctx context.Context, snap *evaluator.Snapshot) error {
	return l.writeSnapshot(ctx, nil, snap)
}

func (l *Log) writeSnapshot(_ context.Context, g *Gate, snap *evaluator.Snapshot) error {
	c := Call{Name: "log.snapshot"}
	if err := errorsOr(g.check(), l.Hook.call(c, Before)); err != nil {
		return err
	}
	l.mu.Lock()
	l.snap, l.snapAt = snap, len(l.events)
	if l.Truncate { // keep the array: the log grows back to the same size
		n := copy(l.events, l.events[l.snapAt:])
		clear(l.events[n:])
		l.events, l.snapAt = l.events[:n], 0
	}
	l.mu.Unlock()
	return errorsOr(l.Hook.call(c, After), g.check())
}

// For returns a view of the log for one process incarnation: once g is
// closed, every call through it fails with ErrFenced.
func (l *Log) For(g *Gate) evaluator.EventLog { return logView{l, g} }

type logView struct {
	l *Log
	g *Gate
}

func (v logView) Append(ctx context.Context, e []evaluator.Event) error {
	return v.l.append(ctx, v.g, e)
}
func (v logView) Read(ctx context.Context) (*evaluator.Snapshot, []evaluator.Event, error) {
	return v.l.read(ctx, v.g)
}
func (v logView) WriteSnapshot(ctx context.Context, s *evaluator.Snapshot) error {
	return v.l.writeSnapshot(ctx, v.g, s)
}

// Events returns every event ever appended, snapshots notwithstanding.
func (l *Log) Events() []evaluator.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// Len returns the number of events appended.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// errorsOr returns the first non-nil error.
func errorsOr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

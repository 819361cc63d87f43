package fakes

import (
	"context"
	"slices"
	"sync"

	"github.com/schedsim/schedsim/evaluator"
)

// Log is an in-memory, append-only event log with snapshots.
type Log struct {
	Hook Hook

	mu       sync.Mutex
	events   []evaluator.Event
	snap     *evaluator.Snapshot
	snapAt   int // events[snapAt:] follow the snapshot
	appended int // batches appended
}

var _ evaluator.EventLog = (*Log)(nil)

// Append implements evaluator.EventLog.
func (l *Log) Append(_ context.Context, events []evaluator.Event) error {
	if err := l.Hook.call("log.append", Before); err != nil {
		return err
	}
	l.mu.Lock()
	for _, e := range events {
		e.Ranges = slices.Clone(e.Ranges)
		l.events = append(l.events, e)
	}
	l.appended++
	l.mu.Unlock()
	return l.Hook.call("log.append", After)
}

// Read implements evaluator.EventLog.
func (l *Log) Read(context.Context) (*evaluator.Snapshot, []evaluator.Event, error) {
	if err := l.Hook.call("log.read", Before); err != nil {
		return nil, nil, err
	}
	l.mu.Lock()
	snap, events := l.snap, slices.Clone(l.events[l.snapAt:])
	l.mu.Unlock()
	if err := l.Hook.call("log.read", After); err != nil {
		return nil, nil, err
	}
	return snap, events, nil
}

// WriteSnapshot implements evaluator.EventLog.
func (l *Log) WriteSnapshot(_ context.Context, snap *evaluator.Snapshot) error {
	if err := l.Hook.call("log.snapshot", Before); err != nil {
		return err
	}
	l.mu.Lock()
	l.snap, l.snapAt = snap, len(l.events)
	l.mu.Unlock()
	return l.Hook.call("log.snapshot", After)
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

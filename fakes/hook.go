package fakes

import (
	"errors"
	"sync/atomic"
	"time"
)

// Phase says whether a hook runs before a call takes effect or after.
type Phase int

// Hook phases.
const (
	// Before: an error returned now means the call did not happen.
	Before Phase = 1 + iota
	// After: an error returned now means the call happened but reports failure.
	After
)

func (p Phase) String() string {
	switch p {
	case Before:
		return "before"
	case After:
		return "after"
	}
	return "phase?"
}

// Call describes a seam call to a Hook.
type Call struct {
	// Name is the seam call: "timers.arm", "timers.disarm", "engine.start",
	// "engine.cancel", "engine.terminate", "engine.describe", "log.append",
	// "log.read", "log.snapshot".
	Name string
	// ScheduleID is the schedule the call concerns, when the call names one.
	ScheduleID string
	// Nominal is the tick a call concerns: the one an engine.start starts, the
	// one of the execution an engine.cancel cancels (or engine.terminate terminates), the time a timers.arm
	// arms, the nominal time of the first event a log.append appends.
	Nominal time.Time
}

// Calls lists every call name a Hook can see.
var Calls = []string{"timers.arm", "timers.disarm", "engine.start", "engine.cancel", "engine.terminate",
	"engine.describe", "log.append", "log.read", "log.snapshot"}

// Hook is called around every seam call; a non-nil error is returned to the
// caller. A nil Hook never fails.
type Hook func(c Call, phase Phase) error

func (h Hook) call(c Call, phase Phase) error {
	if h == nil {
		return nil
	}
	return h(c, phase)
}

// ErrFenced is returned to a process incarnation whose Gate is closed: it
// crashed, and nothing it does may take effect any more.
var ErrFenced = errors.New("fenced: the calling process has crashed")

// Gate fences one process incarnation. Views obtained with For(gate) reject
// every call once the gate is closed.
type Gate struct {
	closed atomic.Bool // checked twice per seam call: no mutex
}

// Close fences the incarnation for good.
func (g *Gate) Close() { g.closed.Store(true) }

// Closed reports whether the gate is closed.
func (g *Gate) Closed() bool { return g != nil && g.closed.Load() }

func (g *Gate) check() error {
	if g.Closed() {
		return ErrFenced
	}
	return nil
}

package fakes

import (
	"slices"

	"github.com/schedsim/schedsim/evaluator"
)

// Status is how a closed run ended: terminated, failed, cancelled (a cancel
// was asked), else completed; zero while it runs.
func (r Run) Status() evaluator.Status {
	switch {
	case !r.Closed:
		return 0
	case r.Terminated:
		return evaluator.StatusTerminated
	case r.Failed:
		return evaluator.StatusFailed
	case r.CancelRequested:
		return evaluator.StatusCancelled
	}
	return evaluator.StatusCompleted
}

// Notices returns the closure notices not yet acknowledged, in closing order.
func (g *Engine) Notices() []Notice { return g.AppendNotices(nil) }

// AppendNotices appends the notices not yet acknowledged to dst, in closing
// order, so that a caller polling every instant can reuse one buffer.
func (g *Engine) AppendNotices(dst []Notice) []Notice {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append(dst, g.notices.live()...)
}

// PendingNotices returns how many notices are not yet acknowledged.
func (g *Engine) PendingNotices() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.notices.len()
}

// AckNotice removes a delivered notice.
func (g *Engine) AckNotice(n Notice) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if i := slices.Index(g.notices.live(), n); i >= 0 {
		g.notices.remove(i)
	}
}

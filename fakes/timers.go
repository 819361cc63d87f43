package fakes

import (
	"container/heap"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Timers is an in-memory durable timer store: upsert by id, disarm, and
// at-least-once delivery. A timer is due when the clock reaches its delivery
// time, which is its time unless a failed delivery or a fault moved it.
type Timers struct {
	Hook Hook

	mu     sync.Mutex
	timers map[string]*armedTimer
	queue  timerQueue // by delivery time, so finding what is due is O(log n)
}

type armedTimer struct {
	evaluator.Timer
	deliverAt time.Time
	index     int // in queue
}

type timerQueue []*armedTimer

func (q timerQueue) Len() int           { return len(q) }
func (q timerQueue) Less(i, j int) bool { return q[i].deliverAt.Before(q[j].deliverAt) }
func (q timerQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *timerQueue) Push(x any) {
	t := x.(*armedTimer)
	t.index = len(*q)
	*q = append(*q, t)
}
func (q *timerQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return t
}

var _ evaluator.TimerStore = (*Timers)(nil)

// Arm implements evaluator.TimerStore.
func (s *Timers) Arm(ctx context.Context, t evaluator.Timer) error { return s.arm(ctx, nil, t) }

func (s *Timers) arm(_ context.Context, g *Gate, t evaluator.Timer) error {
	c := Call{Name: "timers.arm", ScheduleID: t.ScheduleID, Nominal: t.At}
	if err := errorsOr(g.check(), s.Hook.call(c, Before)); err != nil {
		return err
	}
	s.mu.Lock()
	if s.timers == nil {
		s.timers = map[string]*armedTimer{}
	}
	// Re-arming a timer at the time it already holds changes nothing: a delivery
	// that is late or awaiting redelivery stays so.
	switch cur, ok := s.timers[t.ID]; {
	case !ok:
		a := &armedTimer{Timer: t, deliverAt: t.At}
		s.timers[t.ID] = a
		heap.Push(&s.queue, a)
	case !cur.At.Equal(t.At):
		cur.Timer, cur.deliverAt = t, t.At
		heap.Fix(&s.queue, cur.index)
	}
	s.mu.Unlock()
	return errorsOr(s.Hook.call(c, After), g.check())
}

// Disarm implements evaluator.TimerStore.
func (s *Timers) Disarm(ctx context.Context, id string) error { return s.disarm(ctx, nil, id) }

func (s *Timers) disarm(_ context.Context, g *Gate, id string) error {
	c := Call{Name: "timers.disarm", ScheduleID: strings.TrimPrefix(id, "schedule:")}
	if err := errorsOr(g.check(), s.Hook.call(c, Before)); err != nil {
		return err
	}
	s.mu.Lock()
	s.remove(id)
	s.mu.Unlock()
	return errorsOr(s.Hook.call(c, After), g.check())
}

// For returns a view of the store for one process incarnation: once g is
// closed, every call through it fails with ErrFenced.
func (s *Timers) For(g *Gate) evaluator.TimerStore { return timersView{s, g} }

type timersView struct {
	s *Timers
	g *Gate
}

func (v timersView) Arm(ctx context.Context, t evaluator.Timer) error { return v.s.arm(ctx, v.g, t) }
func (v timersView) Disarm(ctx context.Context, id string) error      { return v.s.disarm(ctx, v.g, id) }

// Armed returns the armed timers sorted by time, then schedule id.
func (s *Timers) Armed() []evaluator.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]evaluator.Timer, 0, len(s.timers))
	for _, t := range s.timers {
		out = append(out, t.Timer)
	}
	slices.SortFunc(out, func(a, b evaluator.Timer) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ScheduleID, b.ScheduleID)
	})
	return out
}

// Get returns the timer armed under id.
func (s *Timers) Get(id string) (evaluator.Timer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.timers[id]
	if !ok {
		return evaluator.Timer{}, false
	}
	return t.Timer, true
}

func (s *Timers) remove(id string) {
	if t, ok := s.timers[id]; ok {
		heap.Remove(&s.queue, t.index)
		delete(s.timers, id)
	}
}

// Due returns the timers whose delivery time is not after now, in delivery
// order: by schedule id, then time (the order within one instant, docs/semantics.md).
func (s *Timers) Due(now time.Time) []evaluator.Timer { return s.AppendDue(nil, now) }

// AppendDue is Due appending to dst, so that a caller polling every instant
// can reuse one buffer.
func (s *Timers) AppendDue(dst []evaluator.Timer, now time.Time) []evaluator.Timer {
	s.mu.Lock()
	n := len(dst)
	dst = s.queue.appendDue(dst, 0, now)
	s.mu.Unlock()
	if due := dst[n:]; len(due) > 1 {
		slices.SortFunc(due, func(a, b evaluator.Timer) int {
			if c := strings.Compare(a.ScheduleID, b.ScheduleID); c != 0 {
				return c
			}
			return a.At.Compare(b.At)
		})
	}
	return dst
}

// appendDue walks the heap below node i, pruning every subtree whose root is
// not due: O(due) without popping and pushing back.
func (q timerQueue) appendDue(dst []evaluator.Timer, i int, now time.Time) []evaluator.Timer {
	if i >= len(q) || q[i].deliverAt.After(now) {
		return dst
	}
	dst = append(dst, q[i].Timer)
	return q.appendDue(q.appendDue(dst, 2*i+1, now), 2*i+2, now)
}

// IsDue reports whether t is still armed at its time and due at now (a
// delivery may have moved or replaced it since Due listed it).
func (s *Timers) IsDue(t evaluator.Timer, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.timers[t.ID]
	return ok && cur.At.Equal(t.At) && !cur.deliverAt.After(now)
}

// DeliverAt returns when the timer of id will be delivered: its time, or
// later when a delivery is late or being retried.
func (s *Timers) DeliverAt(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.timers[id]
	if !ok {
		return time.Time{}, false
	}
	return t.deliverAt, true
}

// NextDelivery returns the earliest delivery time of any armed timer.
func (s *Timers) NextDelivery() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return time.Time{}, false
	}
	return s.queue[0].deliverAt, true
}

// Ack removes a delivered timer, unless it was re-armed at another time.
func (s *Timers) Ack(t evaluator.Timer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.timers[t.ID]; ok && cur.At.Equal(t.At) {
		s.remove(t.ID)
	}
}

// Redeliver makes a delivered timer due again at `at` (a failed delivery, or a
// late-delivery fault), unless it was re-armed at another time meanwhile.
func (s *Timers) Redeliver(t evaluator.Timer, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.timers[t.ID]; ok && cur.At.Equal(t.At) {
		cur.deliverAt = at
		heap.Fix(&s.queue, cur.index)
	}
}

package fakes

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Timers is an in-memory durable timer store: upsert by id, disarm, and
// delivery of due timers in (time, schedule id) order.
type Timers struct {
	Hook Hook

	mu     sync.Mutex
	timers map[string]evaluator.Timer
	arms   int
}

var _ evaluator.TimerStore = (*Timers)(nil)

// Arm implements evaluator.TimerStore.
func (s *Timers) Arm(_ context.Context, t evaluator.Timer) error {
	if err := s.Hook.call("timers.arm", Before); err != nil {
		return err
	}
	s.mu.Lock()
	if s.timers == nil {
		s.timers = map[string]evaluator.Timer{}
	}
	s.timers[t.ID] = t
	s.arms++
	s.mu.Unlock()
	return s.Hook.call("timers.arm", After)
}

// Disarm implements evaluator.TimerStore.
func (s *Timers) Disarm(_ context.Context, id string) error {
	if err := s.Hook.call("timers.disarm", Before); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.timers, id)
	s.mu.Unlock()
	return s.Hook.call("timers.disarm", After)
}

// Armed returns the armed timers sorted by time, then schedule id.
func (s *Timers) Armed() []evaluator.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]evaluator.Timer, 0, len(s.timers))
	for _, t := range s.timers {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b evaluator.Timer) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ScheduleID, b.ScheduleID)
	})
	return out
}

// Due returns the armed timers whose time is not after now, in delivery order.
func (s *Timers) Due(now time.Time) []evaluator.Timer {
	all := s.Armed()
	i := 0
	for i < len(all) && !all[i].At.After(now) {
		i++
	}
	return all[:i]
}

// Ack removes a delivered timer, unless it was re-armed at another time.
func (s *Timers) Ack(t evaluator.Timer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.timers[t.ID]; ok && cur.At.Equal(t.At) {
		delete(s.timers, t.ID)
	}
}

// Arms returns how many Arm calls took effect.
func (s *Timers) Arms() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arms
}

// Get returns the timer armed under id.
func (s *Timers) Get(id string) (evaluator.Timer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.timers[id]
	return t, ok
}

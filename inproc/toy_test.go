package inproc_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/inproc"
)

// toy is a small goroutine scheduler, written the way such schedulers are: a
// goroutine per job sleeping until its next tick, a run per tick on a
// goroutine of its own, skip by a running count; crons through robfig's
// parser, as gocron and robfig's runner read them. It lets inproc be tested
// without a third-party scheduler; ignoreSkip breaks it on purpose.
type toy struct {
	ignoreSkip bool
	mu         sync.Mutex
	jobs       map[string]*toyJob
}

type toyJob struct {
	stop    chan struct{}
	next    atomic.Int64 // unix nanoseconds
	running atomic.Int32
}

func newToy(ignoreSkip bool) inproc.NewScheduler {
	return func() (inproc.Scheduler, error) { return &toy{ignoreSkip: ignoreSkip, jobs: map[string]*toyJob{}}, nil }
}

var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// schedule is the trigger's next-tick function, anchored at start.
func schedule(t evaluator.TriggerSpec, start time.Time) (func(time.Time) time.Time, error) {
	if t.Interval > 0 {
		d := time.Duration(t.Interval)
		return func(after time.Time) time.Time { return after.Add(d - after.Sub(start)%d) }, nil
	}
	spec := t.Cron
	if t.Timezone != "" {
		spec = "CRON_TZ=" + t.Timezone + " " + spec
	}
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		d, err := time.ParseDuration(rest)
		if err != nil || d <= 0 {
			return nil, errors.New("toy: bad @every")
		}
		return func(after time.Time) time.Time { return after.Add(d - after.Sub(start)%d) }, nil
	}
	sch, err := parser.Parse(spec)
	if err != nil {
		return nil, err
	}
	if sch.Next(start).IsZero() {
		return nil, errors.New("toy: never fires")
	}
	return sch.Next, nil
}

func (s *toy) Check(c evaluator.Config) error {
	if _, err := schedule(c.Trigger, time.Now()); err != nil {
		return &evaluator.ConfigError{Field: "trigger", Err: err}
	}
	return nil
}

func (s *toy) Add(id string, c evaluator.Config, job func()) error {
	if err := s.Check(c); err != nil {
		return err
	}
	j := &toyJob{stop: make(chan struct{})}
	start, skip := time.Now(), c.Overlap == evaluator.OverlapSkip && !s.ignoreSkip
	next, err := schedule(c.Trigger, start)
	if err != nil {
		return err
	}
	j.next.Store(next(start).UnixNano())
	s.mu.Lock()
	s.jobs[id] = j
	s.mu.Unlock()
	go func() {
		for at := next(start); !at.IsZero(); at = next(at) {
			j.next.Store(at.UnixNano())
			select {
			case <-time.After(time.Until(at)):
			case <-j.stop:
				return
			}
			if skip && j.running.Load() > 0 {
				continue
			}
			j.running.Add(1)
			go func() {
				defer j.running.Add(-1)
				job()
			}()
		}
	}()
	return nil
}

func (s *toy) Remove(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[id]; ok {
		close(j.stop)
		delete(s.jobs, id)
	}
	return nil
}

func (s *toy) Next(id string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[id]; ok {
		return time.Unix(0, j.next.Load()).UTC()
	}
	return time.Time{}
}

func (s *toy) Upcoming(id string) time.Time { return s.Next(id) }

func (s *toy) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, j := range s.jobs {
		close(j.stop)
		delete(s.jobs, id)
	}
}

// Package gocron runs go-co-op/gocron v2 under schedsim: a gocron.Scheduler
// wrapped as an inproc.Scheduler, judged in the gocron-v2 profile.
//
// A schedule becomes one gocron job: an interval (or @every) a DurationJob,
// a cron a CronJob with the optional seconds field (CRON_TZ= for a zone);
// skip is WithSingletonMode(LimitModeReschedule), buffer_all
// WithSingletonMode(LimitModeWait), allow_all no limit mode.
// gocron has no pause: inproc removes the job and registers it again.
package gocron

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/inproc"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Factory returns the factory of gocron processes, for a world run inside
// synctest.Test.
func Factory() sim.Factory { return inproc.Factory(profile.GocronV2(), New) }

// Scheduler is a started gocron scheduler.
type Scheduler struct {
	s    gocron.Scheduler
	jobs map[string]gocron.Job
}

// New creates and starts a gocron scheduler on the runtime's clock (the
// bubble's, under synctest), in UTC.
func New() (inproc.Scheduler, error) {
	s, err := gocron.NewScheduler(gocron.WithLocation(time.UTC))
	if err != nil {
		return nil, err
	}
	s.Start()
	return &Scheduler{s: s, jobs: map[string]gocron.Job{}}, nil
}

// definition translates a trigger: an interval (or @every) to a DurationJob,
// a cron to a CronJob with optional seconds and the zone as CRON_TZ=.
func definition(t evaluator.TriggerSpec) (gocron.JobDefinition, error) {
	if t.Interval > 0 {
		return gocron.DurationJob(time.Duration(t.Interval)), nil
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(t.Cron), "@every"); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil || d <= 0 {
			return nil, &evaluator.ConfigError{Field: "trigger", Err: fmt.Errorf("%w: @every %q", evaluator.ErrInvalidTrigger, rest)}
		}
		return gocron.DurationJob(d), nil
	}
	return gocron.CronJob(cronSpec(t), true), nil
}

// cronSpec is the cron expression with its zone as a CRON_TZ= prefix.
func cronSpec(t evaluator.TriggerSpec) string {
	if t.Timezone != "" {
		return "CRON_TZ=" + t.Timezone + " " + t.Cron
	}
	return t.Cron
}

func options(id string, c evaluator.Config) []gocron.JobOption {
	opts := []gocron.JobOption{gocron.WithName(id)}
	switch c.Overlap {
	case evaluator.OverlapSkip:
		opts = append(opts, gocron.WithSingletonMode(gocron.LimitModeReschedule))
	case evaluator.OverlapBufferAll:
		opts = append(opts, gocron.WithSingletonMode(gocron.LimitModeWait))
	}
	return opts
}

// Check parses the trigger as gocron would, without registering a job.
func (g *Scheduler) Check(c evaluator.Config) error {
	if _, err := definition(c.Trigger); err != nil || c.Trigger.Interval > 0 || strings.HasPrefix(strings.TrimSpace(c.Trigger.Cron), "@every") {
		return err
	}
	if err := gocron.NewDefaultCron(true).IsValid(cronSpec(c.Trigger), time.UTC, time.Now()); err != nil {
		return &evaluator.ConfigError{Field: "trigger", Err: fmt.Errorf("%w: %w", evaluator.ErrInvalidTrigger, err)}
	}
	return nil
}

// Add registers the schedule's job.
func (g *Scheduler) Add(id string, c evaluator.Config, job func()) error {
	def, err := definition(c.Trigger)
	if err != nil {
		return err
	}
	j, err := g.s.NewJob(def, gocron.NewTask(job), options(id, c)...)
	if err != nil {
		return &evaluator.ConfigError{Field: "trigger", Err: fmt.Errorf("%w: %w", evaluator.ErrInvalidTrigger, err)}
	}
	g.jobs[id] = j
	return nil
}

// Remove removes the schedule's job.
func (g *Scheduler) Remove(id string) error {
	j, ok := g.jobs[id]
	if !ok {
		return nil
	}
	delete(g.jobs, id)
	return g.s.RemoveJob(j.ID())
}

// Next is the job's next run as gocron reports it: Job.NextRun.
func (g *Scheduler) Next(id string) time.Time {
	j, ok := g.jobs[id]
	if !ok {
		return time.Time{}
	}
	t, err := j.NextRun()
	if err != nil {
		return time.Time{}
	}
	return t
}

// Upcoming is the job's first run after now. NextRun and NextRuns can name
// runs already skipped or still running (docs/findings.md): the adapter asks
// for more runs until one is in the future, since it must not wait for a past
// one.
func (g *Scheduler) Upcoming(id string) time.Time {
	j, ok := g.jobs[id]
	if !ok {
		return time.Time{}
	}
	now := time.Now()
	for n := 2; n <= 1<<12; n *= 4 {
		runs, err := j.NextRuns(n)
		if err != nil {
			return time.Time{}
		}
		for _, t := range runs {
			if t.After(now) {
				return t
			}
		}
		if len(runs) < n {
			return time.Time{}
		}
	}
	return time.Time{}
}

// Stop shuts gocron down (every job has returned: inproc released them).
// Shutdown's error can only be a timeout waiting for jobs, which cannot
// happen then; a dying application would ignore it anyway.
func (g *Scheduler) Stop() { _ = g.s.Shutdown() }

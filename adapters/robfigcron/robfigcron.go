// Package robfigcron runs robfig/cron v3's runner (cron.Cron) under
// schedsim: a cron.Cron wrapped as an inproc.Scheduler, judged in the
// robfig-cron-v3 profile.
//
// A schedule becomes one entry: a cron spec parsed with an optional seconds
// field and descriptors (a zone as CRON_TZ=), an interval "@every D"; skip is
// the job wrapper SkipIfStillRunning, allow_all no wrapper. The runner has no
// pause or update: inproc removes the entry and adds it again.
package robfigcron

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/inproc"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Factory returns the factory of robfig/cron processes, for a world run
// inside synctest.Test.
func Factory() sim.Factory { return inproc.Factory(profile.RobfigCronV3(), New) }

// parser reads schedsim's cron dialect: robfig's, seconds optional.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Scheduler is a started cron.Cron.
type Scheduler struct {
	c       *cron.Cron
	entries map[string]cron.EntryID
}

// New creates and starts a runner on the runtime's clock (the bubble's,
// under synctest), in UTC.
func New() (inproc.Scheduler, error) {
	c := cron.New(cron.WithLocation(time.UTC), cron.WithParser(parser))
	c.Start()
	return &Scheduler{c: c, entries: map[string]cron.EntryID{}}, nil
}

// spec translates a trigger to the runner's spec.
func spec(t evaluator.TriggerSpec) string {
	switch {
	case t.Interval > 0:
		return "@every " + time.Duration(t.Interval).String()
	case t.Timezone != "":
		return "CRON_TZ=" + t.Timezone + " " + t.Cron
	}
	return t.Cron
}

// Check parses the spec as the runner would, and refuses one that never fires.
func (r *Scheduler) Check(c evaluator.Config) error {
	s, err := parser.Parse(spec(c.Trigger))
	if err != nil {
		return &evaluator.ConfigError{Field: "trigger", Err: fmt.Errorf("%w: %w", evaluator.ErrInvalidTrigger, err)}
	}
	if s.Next(time.Now()).IsZero() {
		return &evaluator.ConfigError{Field: "trigger", Err: evaluator.ErrNeverFires}
	}
	return nil
}

// Add adds the schedule's entry, wrapped for its overlap policy.
func (r *Scheduler) Add(id string, c evaluator.Config, job func()) error {
	var j cron.Job = cron.FuncJob(job)
	if c.Overlap == evaluator.OverlapSkip {
		j = cron.NewChain(cron.SkipIfStillRunning(cron.DiscardLogger)).Then(j)
	}
	eid, err := r.c.AddJob(spec(c.Trigger), j)
	if err != nil {
		return &evaluator.ConfigError{Field: "trigger", Err: fmt.Errorf("%w: %w", evaluator.ErrInvalidTrigger, err)}
	}
	r.entries[id] = eid
	return nil
}

// Remove removes the schedule's entry.
func (r *Scheduler) Remove(id string) error {
	if eid, ok := r.entries[id]; ok {
		r.c.Remove(eid)
		delete(r.entries, id)
	}
	return nil
}

// Next is the entry's next time, as Entry.Next reports it.
func (r *Scheduler) Next(id string) time.Time {
	eid, ok := r.entries[id]
	if !ok {
		return time.Time{}
	}
	return r.c.Entry(eid).Next
}

// Upcoming is the entry's next time: the runner computes it from the
// present after each run, so it is never in the past.
func (r *Scheduler) Upcoming(id string) time.Time { return r.Next(id) }

// Stop stops the runner (every job has returned: inproc released them).
func (r *Scheduler) Stop() { <-r.c.Stop().Done() }

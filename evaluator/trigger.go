package evaluator

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones resolve even on machines without a tz database

	"github.com/robfig/cron/v3"
)

// TriggerSpec is the declarative form of a trigger, as written in a schedule's
// configuration. Exactly one of Cron and Interval is set.
type TriggerSpec struct {
	// Cron is a robfig/cron expression: 5 fields, 6 with leading seconds,
	// a descriptor (@hourly, @daily, ...), optionally prefixed by CRON_TZ= or TZ=.
	// "@every D" is accepted and means Interval D.
	Cron string `json:"cron,omitempty"`
	// Timezone is the IANA zone a cron expression is evaluated in (default UTC).
	// It may not be combined with a CRON_TZ=/TZ= prefix.
	Timezone string `json:"timezone,omitempty"`
	// Interval is a positive period; ticks are anchored to the schedule's
	// reference time (created, updated or resumed), never to when a tick was handled.
	Interval Duration `json:"interval,omitempty"`
}

func (s TriggerSpec) String() string {
	if s.Interval > 0 {
		return "every " + time.Duration(s.Interval).String()
	}
	if s.Timezone != "" {
		return s.Timezone + " " + s.Cron
	}
	return s.Cron
}

// Trigger is a parsed, validated TriggerSpec. It is immutable and safe for concurrent use.
type Trigger struct {
	spec     TriggerSpec
	cron     *calendar // nil for an interval
	interval time.Duration
	zone     *time.Location
}

// cronParser accepts 5 fields, 6 with leading seconds, and descriptors.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseTrigger validates spec and returns the trigger it describes. Every
// rejection is a *TriggerError wrapping one of ErrInvalidTrigger, ErrUnknownZone
// or ErrNeverFires. It never panics, whatever the input.
func ParseTrigger(spec TriggerSpec) (*Trigger, error) {
	t, err := parseTrigger(spec)
	if err != nil {
		return nil, &TriggerError{Spec: spec, Err: err}
	}
	return t, nil
}

func parseTrigger(spec TriggerSpec) (*Trigger, error) {
	expr := strings.TrimSpace(spec.Cron)
	if spec.Interval != 0 {
		if expr != "" {
			return nil, fmt.Errorf("%w: both cron and interval are set", ErrInvalidTrigger)
		}
		if spec.Timezone != "" {
			return nil, fmt.Errorf("%w: a timezone applies to cron triggers only", ErrInvalidTrigger)
		}
		return newInterval(spec, time.Duration(spec.Interval))
	}
	if expr == "" {
		return nil, fmt.Errorf("%w: neither cron nor interval is set", ErrInvalidTrigger)
	}
	zoneName := spec.Timezone
	if name, rest, ok := cutZonePrefix(expr); ok {
		if zoneName != "" {
			return nil, fmt.Errorf("%w: time zone given twice (timezone %q and prefix %q)", ErrInvalidTrigger, zoneName, name)
		}
		if rest == "" {
			return nil, fmt.Errorf("%w: nothing follows the time zone prefix", ErrInvalidTrigger)
		}
		zoneName, expr = name, rest
	}
	if d, ok := strings.CutPrefix(expr, "@every"); ok {
		if zoneName != "" {
			return nil, fmt.Errorf("%w: a time zone does not apply to @every", ErrInvalidTrigger)
		}
		period, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return nil, fmt.Errorf("%w: @every: %v", ErrInvalidTrigger, err)
		}
		return newInterval(spec, period)
	}
	zone, err := loadZone(zoneName)
	if err != nil {
		return nil, err
	}
	sched, err := parseCron(expr)
	if err != nil {
		return nil, err
	}
	// robfig parses; our calendar computes the ticks (calendar.go).
	s, ok := sched.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a calendar expression", ErrInvalidTrigger, expr)
	}
	t := &Trigger{spec: spec, cron: newCalendar(s, zone), zone: zone}
	// Nothing within five years of 2000 (the calendar's limit, and robfig's):
	// a cron expression has no year field, so that means "never".
	if t.cron.next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("%w: %q matches no date", ErrNeverFires, expr)
	}
	return t, nil
}

func newInterval(spec TriggerSpec, period time.Duration) (*Trigger, error) {
	if period <= 0 {
		return nil, fmt.Errorf("%w: interval must be positive, got %s", ErrInvalidTrigger, period)
	}
	return &Trigger{spec: spec, interval: period}, nil
}

// cutZonePrefix splits "CRON_TZ=Zone rest" or "TZ=Zone rest". robfig panics
// when no space follows the zone, so the prefix is handled here.
func cutZonePrefix(expr string) (zone, rest string, ok bool) {
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if after, found := strings.CutPrefix(expr, p); found {
			zone, rest, _ = strings.Cut(after, " ")
			return zone, strings.TrimSpace(rest), true
		}
	}
	return "", "", false
}

func loadZone(name string) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		return nil, fmt.Errorf("%w: %q is the machine's zone; name an IANA zone", ErrUnknownZone, name)
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrUnknownZone, name, err)
	}
	zones.Store(name, loc)
	return loc, nil
}

// zones caches loaded zones: time.LoadLocation reads and parses the zone file
// at every call, and a recovery parses every schedule's trigger.
var zones sync.Map // name → *time.Location

// parseCron calls robfig's parser, turning a panic on malformed input into an error.
func parseCron(expr string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%w: %q: %v", ErrInvalidTrigger, expr, r)
		}
	}()
	s, err = cronParser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidTrigger, expr, err)
	}
	return s, nil
}

// Spec returns the specification the trigger was parsed from.
func (t *Trigger) Spec() TriggerSpec { return t.spec }

// IsInterval reports whether ticks are anchored to a reference time.
func (t *Trigger) IsInterval() bool { return t.cron == nil }

// Period returns the interval, or 0 for a cron trigger.
func (t *Trigger) Period() time.Duration { return t.interval }

// Zone returns the zone a cron trigger is evaluated in (UTC for intervals).
func (t *Trigger) Zone() *time.Location {
	if t.zone == nil {
		return time.UTC
	}
	return t.zone
}

// Grid returns the tick sequence of the trigger anchored at reference: for an
// interval, reference+period, reference+2·period, ...; for a cron, every
// matching instant (reference is ignored).
func (t *Trigger) Grid(reference time.Time) Grid {
	return Grid{t: t, ref: reference.UTC()}
}

// Grid is a trigger's tick sequence. Its zero value has no ticks.
type Grid struct {
	t   *Trigger
	ref time.Time
	// from and to bound the ticks, both inclusive (zero: unbounded): the
	// config's start_at and end_at.
	from, to time.Time
	// back: an interval's ticks reach before the reference too (ref + k·p
	// for every integer k): the grid a backfill reads.
	back bool
}

// Backwards returns the grid whose interval ticks are reference + k·period
// for every integer k, before the reference too (a cron's are unchanged):
// the ticks a backfill of a past range finds.
func (g Grid) Backwards() Grid {
	g.back = true
	return g
}

// Within keeps only the ticks in [from, to] (a zero bound: none on that side).
func (g Grid) Within(from, to time.Time) Grid {
	g.from, g.to = from, to
	return g
}

// Next returns the first tick strictly after `after`, in UTC, or the zero time
// when there is none (a cron whose dates ran out, or an interval past year 2262's
// arithmetic range).
func (g Grid) Next(after time.Time) time.Time {
	if g.from.IsZero() && g.to.IsZero() {
		return g.next(after) // the common case costs nothing more
	}
	if !g.from.IsZero() && after.Before(g.from) {
		after = g.from.Add(-time.Nanosecond)
	}
	t := g.next(after)
	if !g.to.IsZero() && t.After(g.to) {
		return time.Time{}
	}
	return t
}

// next is Next without the bounds.
func (g Grid) next(after time.Time) time.Time {
	if g.t == nil {
		return time.Time{}
	}
	if g.t.cron != nil {
		return g.t.cron.next(after)
	}
	p := g.t.interval
	first := g.ref.Add(p)
	if g.back && after.Before(g.ref) {
		// ref - k·p for the smallest k ≥ 0 with ref - k·p > after.
		k := (g.ref.Sub(after) - 1) / p // Sub saturates ~292 years back: fine, backfills are bounded
		return g.ref.Add(-k * p)
	}
	if after.Before(first) {
		return first
	}
	d := after.Sub(g.ref) // saturates at ~292 years; then k*p can overflow
	k := d/p + 1
	if k > (1<<63-1)/p {
		return time.Time{}
	}
	next := g.ref.Add(k * p)
	if !next.After(after) {
		return time.Time{} // saturated
	}
	return next
}

// CountIn returns the number of ticks in [from, until). Intervals are counted in
// O(1); crons are walked tick by tick (callers use it only where streaming is allowed).
func (g Grid) CountIn(from, until time.Time) int64 {
	if g.t == nil || !from.Before(until) {
		return 0
	}
	if !g.to.IsZero() && until.After(g.to) {
		until = g.to.Add(time.Nanosecond)
	}
	if g.t.cron == nil {
		first := g.Next(from.Add(-time.Nanosecond))
		if first.IsZero() || !first.Before(until) {
			return 0
		}
		return int64((until.Sub(first)-1)/g.t.interval) + 1
	}
	var n int64
	for t := g.Next(from.Add(-time.Nanosecond)); !t.IsZero() && t.Before(until); t = g.Next(t) {
		n++
	}
	return n
}

// Package profile describes the dialect of one scheduler implementation: the
// policies it offers and what they are called there, where its interval grid
// is anchored, what a crash means to it, what can be observed of it, and
// which of schedsim's invariants therefore apply. The reference model, the
// checkers, the generators and the adapters all read the same profile, so a
// real scheduler is judged by the rules it documents, not by schedsim's.
//
// Four profiles are built in (see Builtin): schedsim (the reference
// evaluator's semantics, the default), gocron-v2, robfig-cron-v3 and
// temporal-v1.
// docs/profiles.md documents each field and each profile, with the sources
// of each rule.
package profile

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Anchor is where an interval trigger's grid starts.
type Anchor string

// Interval anchors.
const (
	// AnchorOperation: the instant of the create, update or resume that
	// configured it (schedsim).
	AnchorOperation Anchor = "operation"
	// AnchorOperationSecond: that instant truncated to the whole second
	// (robfig/cron's ConstantDelaySchedule rounds every next time down to
	// the second).
	AnchorOperationSecond Anchor = "operation-second"
	// AnchorEpoch: the Unix epoch, whatever the operations (Temporal's
	// IntervalSpec with phase 0: ticks at every whole multiple of the
	// period since 1970-01-01T00:00:00Z; create, update and resume never
	// move them).
	AnchorEpoch Anchor = "epoch"
)

// Durability is what survives a crash of the scheduler's process.
type Durability string

// Durability classes.
const (
	// DurabilityLog: every decision is in a durable event log; a restart
	// recovers the schedules with their grids, running sets and buffers.
	DurabilityLog Durability = "event-log"
	// DurabilityNone: nothing survives but the application's own
	// configuration, which it registers again at boot: every grid is
	// re-anchored at the restart, running executions are forgotten (they go
	// on), and the ticks of the downtime are never started.
	DurabilityNone Durability = "none"
)

// Identity is how a start names the tick it belongs to.
type Identity string

// Identities.
const (
	// IdentityNominal: the start carries its nominal time (schedsim's
	// workflow id schedule@nominal).
	IdentityNominal Identity = "nominal"
	// IdentityStartInstant: the scheduler passes nothing to the job; the
	// adapter names a start by the instant the job began, which is the
	// tick's nominal time whenever the job starts on time.
	IdentityStartInstant Identity = "start-instant"
)

// Policy is an overlap policy the implementation offers, under its own name.
type Policy struct {
	Ours   evaluator.OverlapPolicy
	Theirs string // the implementation's name or option for it
}

// CatchUp is a catch-up policy the implementation offers, under its own name.
type CatchUp struct {
	Ours   evaluator.CatchUpPolicy
	Theirs string
}

// Inapplicable is an invariant that does not apply under a profile, and why.
type Inapplicable struct {
	Invariant string
	Why       string
}

// Source is where a rule of a profile comes from.
type Source struct {
	Rule string // the field or behaviour
	Ref  string // the scheduler's doc or code, by version
}

// Profile is one implementation's dialect. The fields the model, checkers and
// generators read are typed; the others document the dialect for people.
type Profile struct {
	Name      string // as --profile takes it
	Scheduler string // the implementation, with its module path
	Version   string // the version the rules were read from

	Overlaps []Policy  // the overlap policies offered, in our names and theirs
	CatchUps []CatchUp // the catch-up policies offered
	// Window: a catch-up window can be set.
	Window bool
	// Bounds: start_at and end_at can be set.
	Bounds bool
	// LimitedRuns: remaining_runs can be set; BufferLimit: buffer_all's
	// bound can be set (else it is fixed, as gocron's channel of 1,000).
	LimitedRuns, BufferLimit bool
	// TriggerNow: a manual start (the operation trigger_now) can be asked.
	TriggerNow bool
	// PauseOnFailure: a config's pause_on_failure can be set.
	PauseOnFailure bool
	// Jitter: a config's jitter can be set (the delay is the documented
	// function of the tick, docs/semantics.md).
	Jitter bool
	// Backfill: the operation backfill can be asked.
	Backfill bool
	// IntervalAnchor is where an interval's grid starts; IntervalUnit, when
	// set, is the granularity an interval must be a multiple of.
	IntervalAnchor Anchor
	IntervalUnit   time.Duration
	// Reregisters: update and resume register the schedule anew, and the new
	// registration does not see the runs of the old one (a skip may then
	// start while a run from before the update or pause goes on).
	Reregisters bool
	// UntrackedAllowAll: a run started under allow_all (the schedule's
	// policy or a manual start's override) is never counted as running by a
	// later policy, so a skip may start beside it (Temporal's recordAction).
	UntrackedAllowAll bool
	// TicksFirst: at one instant, the ticks due then are handled before the
	// operations (schedsim: operations first), and a tick an update makes
	// due at its own instant is the update's. S5 and S6 read it.
	TicksFirst bool
	// Durability decides what a crash means (see Durability).
	Durability Durability
	// Identity is how a start is named (see Identity).
	Identity Identity
	// Faults are the fault kinds (properties.FaultKinds) that make sense for
	// the implementation; the generator draws only these.
	Faults []string
	// Inapplicable are the invariants that do not apply at all, and why.
	// Run reports them as not applicable, whatever the history.
	Inapplicable []Inapplicable

	// Documentation of the dialect (docs/profiles.md).
	Cron        string // the cron dialect
	DST         string // what a zoned cron does at a DST change
	CatchUpRule string // what happens to ticks missed while down or late
	Cancel      string // what cancel_previous does, if offered
	Buffer      string // how many ticks wait while a run is running
	Pause       string // what pause, resume and update do to the grid
	SameInstant string // the order of closures, operations and ticks at one instant
	Observes    string // what the harness can observe: identity, running set, next run
	Sources     []Source
}

// ErrUnknown is wrapped by Lookup's error for a name no profile has.
var ErrUnknown = errors.New("unknown profile")

// Lookup returns the built-in profile with that name.
func Lookup(name string) (Profile, error) {
	for _, p := range Builtin() {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("%w %q (want %s)", ErrUnknown, name, strings.Join(Names(), ", "))
}

// Names lists the built-in profiles, the default first.
func Names() []string {
	var out []string
	for _, p := range Builtin() {
		out = append(out, p.Name)
	}
	return out
}

// OverlapPolicies returns the overlap policies the profile offers, in our names.
func (p Profile) OverlapPolicies() []evaluator.OverlapPolicy {
	var out []evaluator.OverlapPolicy
	for _, o := range p.Overlaps {
		out = append(out, o.Ours)
	}
	return out
}

// CatchUpPolicies returns the catch-up policies the profile offers.
func (p Profile) CatchUpPolicies() []evaluator.CatchUpPolicy {
	var out []evaluator.CatchUpPolicy
	for _, c := range p.CatchUps {
		out = append(out, c.Ours)
	}
	return out
}

// Theirs returns the implementation's name for an overlap policy, and false
// when it does not offer it.
func (p Profile) Theirs(o evaluator.OverlapPolicy) (string, bool) {
	for _, x := range p.Overlaps {
		if x.Ours == o {
			return x.Theirs, true
		}
	}
	return "", false
}

// InapplicableWhy reports why an invariant does not apply under the profile
// ("" when it does).
func (p Profile) InapplicableWhy(invariant string) string {
	for _, x := range p.Inapplicable {
		if x.Invariant == invariant {
			return x.Why
		}
	}
	return ""
}

// Supports reports why the profile cannot run a config ("" when it can): a
// policy it does not offer, a window it has no notion of, an interval off
// its unit.
func (p Profile) Supports(c evaluator.Config) string {
	switch {
	case !slices.Contains(p.OverlapPolicies(), c.Overlap):
		return fmt.Sprintf("%s offers no overlap policy %s", p.Name, c.Overlap)
	case !slices.Contains(p.CatchUpPolicies(), c.CatchUp):
		return fmt.Sprintf("%s offers no catch-up policy %s", p.Name, c.CatchUp)
	case c.CatchUpWindow != nil && !p.Window:
		return fmt.Sprintf("%s has no catch-up window", p.Name)
	case (!c.StartAt.IsZero() || !c.EndAt.IsZero()) && !p.Bounds:
		return fmt.Sprintf("%s has no start_at/end_at bounds", p.Name)
	case c.RemainingRuns > 0 && !p.LimitedRuns:
		return fmt.Sprintf("%s has no remaining_runs", p.Name)
	case c.PauseOnFailure && !p.PauseOnFailure:
		return fmt.Sprintf("%s has no pause_on_failure", p.Name)
	case c.Jitter > 0 && !p.Jitter:
		return fmt.Sprintf("%s has no jitter (or not the documented delay)", p.Name)
	case c.BufferLimit > 0 && !p.BufferLimit:
		return fmt.Sprintf("%s has no buffer_limit (its queue's bound is fixed)", p.Name)
	case c.Trigger.Interval > 0 && p.IntervalUnit > 0 && time.Duration(c.Trigger.Interval)%p.IntervalUnit != 0:
		return fmt.Sprintf("%s takes intervals in whole multiples of %s, not %s", p.Name, p.IntervalUnit, time.Duration(c.Trigger.Interval))
	}
	return ""
}

// ErrNarrow is wrapped by Narrow's error for a policy or fault kind the
// profile does not offer.
var ErrNarrow = errors.New("cannot narrow the profile")

// Narrow returns the profile with only the named overlap policies, catch-up
// policies and fault kinds (an empty list keeps them all): what an
// implementation of the dialect that offers less declares. Naming one the
// profile does not offer is an error.
func (p Profile) Narrow(overlaps, catchUps, faults []string) (Profile, error) {
	var err error
	if len(overlaps) > 0 {
		p.Overlaps, err = narrow(p.Name, "overlap policy", p.Overlaps, overlaps, func(x Policy) string { return x.Ours.String() })
		if err != nil {
			return Profile{}, err
		}
	}
	if len(catchUps) > 0 {
		p.CatchUps, err = narrow(p.Name, "catch-up policy", p.CatchUps, catchUps, func(x CatchUp) string { return x.Ours.String() })
		if err != nil {
			return Profile{}, err
		}
	}
	if len(faults) > 0 {
		p.Faults, err = narrow(p.Name, "fault kind", p.Faults, faults, func(x string) string { return x })
		if err != nil {
			return Profile{}, err
		}
	}
	return p, nil
}

func narrow[T any](profile, what string, offered []T, names []string, name func(T) string) ([]T, error) {
	var out []T
	for _, n := range names {
		i := slices.IndexFunc(offered, func(x T) bool { return name(x) == n })
		if i < 0 {
			var all []string
			for _, x := range offered {
				all = append(all, name(x))
			}
			return nil, fmt.Errorf("%w: %s offers no %s %q (it offers %s)", ErrNarrow, profile, what, n, strings.Join(all, ", "))
		}
		if !slices.ContainsFunc(out, func(x T) bool { return name(x) == n }) {
			out = append(out, offered[i])
		}
	}
	return out, nil
}

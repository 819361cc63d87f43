package sim

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/schedsim/schedsim/fakes"
)

// FaultKind names a fault.
type FaultKind int

// Fault kinds.
const (
	// Crash kills the process at a seam call (before or after it takes
	// effect); it restarts after Downtime.
	Crash FaultKind = 1 + iota
	// Error makes a seam call fail: before it takes effect (Phase Before) or
	// after (Phase After: it happened but reports failure, e.g. an ambiguous append).
	Error
	// Late delivers the timer of Schedule at Nominal Late after its time.
	Late
	// DuplicateDelivery delivers the timer of Schedule at Nominal a second time.
	DuplicateDelivery
	// DuplicateNotice delivers the closure notice of Schedule's execution for
	// Nominal a second time.
	DuplicateNotice
	// Jump moves the clock forward by Jump at At, while the process is up.
	Jump
)

var faultNames = [...]string{"", "crash", "error", "late", "duplicate_delivery", "duplicate_notice", "jump"}

// FaultKinds lists every fault kind, in order: the one table that the
// scenario loader, the generators and the reference model follow.
func FaultKinds() []FaultKind {
	out := make([]FaultKind, 0, len(faultNames)-1)
	for k := Crash; int(k) < len(faultNames); k++ {
		out = append(out, k)
	}
	return out
}

// ParseFaultKind returns the kind named s (as String spells it).
func ParseFaultKind(s string) (FaultKind, bool) {
	for _, k := range FaultKinds() {
		if faultNames[k] == s {
			return k, true
		}
	}
	return 0, false
}

func (k FaultKind) String() string {
	if k >= Crash && int(k) < len(faultNames) {
		return faultNames[k]
	}
	return fmt.Sprintf("fault(%d)", int(k))
}

// AtSeam reports whether the fault strikes at a seam call (a crash may also
// strike at a time).
func (k FaultKind) AtSeam() bool { return k == Crash || k == Error }

// TickKeyed reports whether the fault concerns one tick (Schedule, Nominal)
// and happens when that tick's timer or execution does.
func (k FaultKind) TickKeyed() bool {
	return k == Late || k == DuplicateDelivery || k == DuplicateNotice
}

// Fault is one scripted fault. Crash and Error faults match a seam call: by
// name (Call), phase, and optionally its ordinal among calls of that name
// (Nth, from 1), its schedule and its nominal time (for engine.start). With no
// Call, Nth counts every seam call. Each scripted fault fires at most once.
type Fault struct {
	Kind     FaultKind
	Call     string
	Phase    fakes.Phase
	Nth      int
	Schedule string
	Nominal  time.Time
	Downtime time.Duration // Crash
	Late     time.Duration // Late
	At       time.Time     // Jump; or a Crash between calls, with no Call or Nth
	// After, for a Crash or Error at a seam call: only calls made at or after
	// this time match (Nth still counts calls from the start of the run).
	After time.Time
	Jump  time.Duration // Jump
}

// Rates draw faults from the seed: each seam call crashes the process with
// probability Crash (down for a duration drawn from [0, MaxDowntime]) or fails
// with probability Error, before or after it takes effect at even odds; each
// timer delivery is late by up to MaxLate with probability Late, or repeated
// with probability Duplicate; each closure notice is repeated with
// probability Duplicate.
type Rates struct {
	Crash, Error, Late, Duplicate float64
	MaxDowntime, MaxLate          time.Duration
}

// Plan is the faults of a run: scripted ones and seeded ones.
type Plan struct {
	Faults []Fault
	Rates  Rates
}

// ErrInvalidPlan is wrapped by every fault plan rejection.
var ErrInvalidPlan = errors.New("invalid fault plan")

// Validate reports the first problem of the plan, naming the fault.
func (p Plan) Validate() error {
	bad := func(i int, format string, args ...any) error {
		return fmt.Errorf("%w: faults[%d]: %s", ErrInvalidPlan, i, fmt.Sprintf(format, args...))
	}
	for i, f := range p.Faults {
		switch f.Kind {
		case Crash, Error:
			if f.Call == "" && f.Nth == 0 && (f.Kind == Error || f.At.IsZero()) {
				return bad(i, "%s needs a seam call, an ordinal or (for a crash) a time", f.Kind)
			}
			if f.Call != "" && !slices.Contains(fakes.Calls, f.Call) {
				return bad(i, "unknown seam call %q (want one of %v)", f.Call, fakes.Calls)
			}
			if timed := f.Call == "" && f.Nth == 0; !timed && f.Phase != fakes.Before && f.Phase != fakes.After {
				return bad(i, "phase must be before or after")
			}
			if f.Nth < 0 {
				return bad(i, "nth must be positive, got %d", f.Nth)
			}
			if f.Downtime < 0 {
				return bad(i, "negative downtime %s", f.Downtime)
			}
			if f.Kind == Error && f.Downtime != 0 {
				return bad(i, "an error has no downtime")
			}
		case Late, DuplicateDelivery, DuplicateNotice: // TickKeyed
			if f.Schedule == "" || f.Nominal.IsZero() {
				return bad(i, "%s needs a schedule and a nominal time", f.Kind)
			}
			if f.Kind == Late && f.Late <= 0 {
				return bad(i, "late must be positive, got %s", f.Late)
			}
		case Jump:
			if f.Jump <= 0 || f.At.IsZero() {
				return bad(i, "a jump needs a time and a positive duration")
			}
		default:
			return bad(i, "unknown kind %s", f.Kind)
		}
	}
	r := p.Rates
	for _, rate := range []struct {
		name string
		v    float64
	}{{"crash", r.Crash}, {"error", r.Error}, {"late", r.Late}, {"duplicate", r.Duplicate}} {
		if rate.v < 0 || rate.v >= 1 {
			return fmt.Errorf("%w: rates.%s must be in [0, 1), got %v", ErrInvalidPlan, rate.name, rate.v)
		}
	}
	if r.MaxDowntime < 0 || r.MaxLate < 0 {
		return fmt.Errorf("%w: rates: negative duration", ErrInvalidPlan)
	}
	if r.Late > 0 && r.MaxLate == 0 {
		return fmt.Errorf("%w: rates.late needs max_late", ErrInvalidPlan)
	}
	return nil
}

// matches reports whether scripted fault f fires at this seam call; nth is the
// call's ordinal among calls of its name, total among all calls.
func (f Fault) matches(c fakes.Call, phase fakes.Phase, nth, total int) bool {
	if f.Call == "" {
		if f.Nth == 0 {
			return false // a timed crash
		}
		nth = total
	}
	return (f.Kind == Crash || f.Kind == Error) && (f.Call == "" || f.Call == c.Name) && f.Phase == phase &&
		(f.Nth == 0 || f.Nth == nth) &&
		(f.Schedule == "" || f.Schedule == c.ScheduleID) &&
		(f.Nominal.IsZero() || f.Nominal.Equal(c.Nominal))
}

package properties

import (
	"fmt"
	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
	"slices"
	"strings"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
)

// Fault kinds a mix turns on: the simulated world's (sim.FaultKinds),
// with crashes split in two, at a time and at a seam call, since the
// generator places them differently.
const (
	FaultCrash             = "crash"         // the process crashes at a time, with downtime
	FaultCrashAtCall       = "crash_at_call" // the process crashes before or after a seam call
	FaultError             = "error"         // a seam call fails, before or after taking effect
	FaultLate              = "late"          // a timer is delivered late
	FaultDuplicateDelivery = "duplicate_delivery"
	FaultDuplicateNotice   = "duplicate_notice"
	FaultJump              = "jump" // the clock jumps forward
)

// FaultKinds lists every fault kind a mix can turn on.
var FaultKinds = faultKinds()

func faultKinds() []string {
	var out []string
	for _, k := range sim.FaultKinds() {
		out = append(out, k.String())
		if k == sim.Crash {
			out = append(out, FaultCrashAtCall)
		}
	}
	return out
}

// Fault modes of Options.Faults.
const (
	ModeAll     = "all"     // every fault kind, every policy
	ModeNone    = "none"    // no faults
	ModeCrashes = "crashes" // crashes only
	ModeSwarm   = "swarm"   // each case draws its fault kinds and policy mix
)

// Modes lists the fault modes.
var Modes = []string{ModeSwarm, ModeAll, ModeCrashes, ModeNone}

// Mix is what a case may contain: the fault kinds on and the policies
// drawn from. Swarm testing draws one per case, so that some cases are
// dense in a few faults rather than all cases thin in every fault. (The
// dialect of the implementation is its profile: Options.Profile bounds
// every mix.)
type Mix struct {
	Faults   []string
	Overlaps []evaluator.OverlapPolicy
	CatchUps []evaluator.CatchUpPolicy
	// NoWindow: the implementation has no catch-up window to set.
	NoWindow bool
	// NoBounds: it has no start_at/end_at; NoLimit: no remaining_runs.
	NoBounds, NoLimit bool
	// NoBufferLimit: buffer_all's bound cannot be set.
	NoBufferLimit bool
	// NoTrigger: the implementation takes no trigger_now.
	NoTrigger bool
	// NoPauseOnFailure: it has no pause_on_failure.
	NoPauseOnFailure bool
	// NoJitter: it has no jitter; NoBackfill: it takes no backfill.
	NoJitter, NoBackfill bool
}

func (p Mix) String() string {
	faults := strings.Join(p.Faults, ",")
	if faults == "" {
		faults = "none"
	}
	return fmt.Sprintf("faults=%s overlap=%s catch_up=%s", faults, strings.Join(names(p.Overlaps), ","), strings.Join(names(p.CatchUps), ","))
}

// genMix draws a case's mix for a fault mode, within what the profile offers
// and makes sense of.
func genMix(mode string, prof profile.Profile) gopter.Gen {
	overlaps := prof.OverlapPolicies()
	catchUps := prof.CatchUpPolicies()
	faults := slices.DeleteFunc(slices.Clone(FaultKinds), func(k string) bool { return !slices.Contains(prof.Faults, k) })
	mix := genMixIn(mode, faults, overlaps, catchUps)
	return mix.Map(func(m Mix) Mix {
		m.NoWindow = !prof.Window
		m.NoBounds = !prof.Bounds
		m.NoLimit = !prof.LimitedRuns
		m.NoBufferLimit = !prof.BufferLimit
		m.NoTrigger = !prof.TriggerNow
		m.NoPauseOnFailure = !prof.PauseOnFailure
		m.NoJitter = !prof.Jitter
		m.NoBackfill = !prof.Backfill
		return m
	})
}

func genMixIn(mode string, faults []string, overlaps []evaluator.OverlapPolicy, catchUps []evaluator.CatchUpPolicy) gopter.Gen {
	switch mode {
	case ModeNone:
		return gen.Const(Mix{Overlaps: overlaps, CatchUps: catchUps})
	case ModeCrashes:
		crashes := slices.DeleteFunc([]string{FaultCrash, FaultCrashAtCall}, func(k string) bool { return !slices.Contains(faults, k) })
		return gen.Const(Mix{Faults: crashes, Overlaps: overlaps, CatchUps: catchUps})
	case ModeSwarm:
		return gopter.CombineGens(subset(faults), subset(overlaps), subset(catchUps)).Map(func(v []any) Mix {
			return Mix{Faults: v[0].([]string), Overlaps: nonEmpty(v[1].([]evaluator.OverlapPolicy), overlaps),
				CatchUps: nonEmpty(v[2].([]evaluator.CatchUpPolicy), catchUps)}
		})
	default:
		return gen.Const(Mix{Faults: faults, Overlaps: overlaps, CatchUps: catchUps})
	}
}

// subset draws each element with even odds, keeping their order.
func subset[T any](xs []T) gopter.Gen {
	return gen.SliceOfN(len(xs), gen.Bool()).Map(func(in []bool) []T {
		var out []T
		for i, b := range in {
			if b {
				out = append(out, xs[i])
			}
		}
		return out
	})
}

func nonEmpty[T any](xs, all []T) []T {
	if len(xs) == 0 {
		return slices.Clone(all[:1])
	}
	return xs
}

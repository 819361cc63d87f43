package properties

import (
	"fmt"
	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
	"slices"
	"strings"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
)

// Fault kinds a profile turns on: the simulated world's (sim.FaultKinds),
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

// FaultKinds lists every fault kind a profile can turn on.
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

// Profile is what a case may contain: the fault kinds on and the policies
// in the mix. Swarm testing draws one per case, so that some cases are
// dense in a few faults rather than all cases thin in every fault.
type Profile struct {
	Faults   []string
	Overlaps []evaluator.OverlapPolicy
	CatchUps []evaluator.CatchUpPolicy
}

func (p Profile) String() string {
	faults := strings.Join(p.Faults, ",")
	if faults == "" {
		faults = "none"
	}
	return fmt.Sprintf("faults=%s overlap=%s catch_up=%s", faults, strings.Join(names(p.Overlaps), ","), strings.Join(names(p.CatchUps), ","))
}

func genProfile(mode string) gopter.Gen {
	switch mode {
	case ModeNone:
		return gen.Const(Profile{Overlaps: Overlaps, CatchUps: CatchUps})
	case ModeCrashes:
		return gen.Const(Profile{Faults: []string{FaultCrash, FaultCrashAtCall}, Overlaps: Overlaps, CatchUps: CatchUps})
	case ModeSwarm:
		return gopter.CombineGens(subset(FaultKinds), subset(Overlaps), subset(CatchUps)).Map(func(v []any) Profile {
			return Profile{Faults: v[0].([]string), Overlaps: nonEmpty(v[1].([]evaluator.OverlapPolicy), Overlaps),
				CatchUps: nonEmpty(v[2].([]evaluator.CatchUpPolicy), CatchUps)}
		})
	default:
		return gen.Const(Profile{Faults: FaultKinds, Overlaps: Overlaps, CatchUps: CatchUps})
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

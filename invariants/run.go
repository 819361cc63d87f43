package invariants

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// Report is what Run found in one run: the invariants it judged, the
// violations, and the invariants it could not judge, each with why. A check
// that did not apply is never reported as passed.
type Report struct {
	Checked       []string // judged, in catalogue order
	Violations    []Violation
	NotApplicable []NotApplicable
	// M1Until is, when M1 judged only part of the run, the instant it
	// compared up to (the first seam fault); zero when it judged all of it
	// or none.
	M1Until time.Time
}

// NotApplicable is an invariant Run could not judge, and why.
type NotApplicable struct {
	Invariant string
	Why       string
}

func (n NotApplicable) String() string { return n.Invariant + " not applicable: " + n.Why }

// Run is the one place that chooses the checks of one run, for the scenario
// runner, the property suite, simrun check and selfcheck alike: the history
// invariants (S1–S7, C1, C3, R4, B1, the log's accounting A1–A2, liveness
// L1–L3), replay equivalence (R1 against the log for a process that exposes
// its state, R1 through a fresh incarnation for any other), and the reference
// model (M1, and C2 for its catch-up ticks) against the world's config, up to
// the first seam fault when there is one (Report.M1Until). R2 and R3 compare
// several runs and are the property suite's.
func Run(w *sim.World, cfg sim.Config) Report { return RunIn(profile.Schedsim(), w, cfg) }

// RunIn is Run under a profile: the model predicts in its dialect, the
// checkers anchor grids by its rules, and the invariants it does not allow
// (profile.Profile.Inapplicable, and S1 across a restart of a scheduler
// without durability) are reported as not applicable instead of judged.
func RunIn(prof profile.Profile, w *sim.World, cfg sim.Config) Report {
	h := Observe(w)
	h.Restarts = w.Restarts()
	h.follow(prof)
	rep, judged := h.checkAlone()
	if len(h.Events) == 0 {
		rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"A2", emptyLog})
	}
	if why := h.l3Unsettled(); why != "" {
		rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"L3", why})
	} else {
		judged["L3"] = true // its first clause needs the log, its second the description only
	}
	quiet := false // some schedule is at a quiet point
	for _, q := range h.Quiet {
		quiet = quiet || q
	}
	if quiet {
		judged["C3"], judged["C4"], judged["R4"] = true, true, true
		if len(h.Events) > 0 {
			judged["A2"] = true
		}
		vs, c1Judged, tooMany := c1(h)
		rep.Violations = append(rep.Violations, vs...)
		switch {
		case len(tooMany) > 0:
			rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"C1", fmt.Sprintf("more than %d ticks to list for %s", maxC1Ticks, strings.Join(tooMany, ", "))})
		case c1Judged:
			judged["C1"] = true
		default:
			rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"C1", "no quiet schedule has had only allow_all, catch-up all, no window"})
		}
	} else {
		why := "no schedule is at a quiet point"
		if len(h.Quiet) == 0 {
			why = "no schedule exists"
		}
		for _, inv := range []string{"C1", "C3", "C4", "R4", "A2"} {
			rep.NotApplicable = append(rep.NotApplicable, NotApplicable{inv, why})
		}
	}
	na := inapplicable(prof, h)
	skip := func(inv string) bool {
		return slices.ContainsFunc(na, func(x profile.Inapplicable) bool { return x.Invariant == inv })
	}
	if skip("R1") {
		// Not run at all: a fresh incarnation of a process without
		// durability registers its schedules again, which is not a read.
	} else if _, ok := w.Process().(Stater); ok {
		rep.Violations = append(rep.Violations, R1(w, h)...)
		if quiet {
			judged["R1"] = true
		} else {
			rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"R1", "no schedule is at a quiet point"})
		}
	} else {
		vs, why := r1Fresh(w, h)
		rep.Violations = append(rep.Violations, vs...)
		if why == "" {
			judged["R1"] = true
		} else {
			rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"R1", why})
		}
	}
	vs, until, err := m1(prof, cfg, h)
	rep.Violations = h.Explain(append(rep.Violations, vs...))
	if err == nil {
		judged["M1"], judged["C2"] = true, true
		rep.M1Until = until
	} else {
		why := strings.TrimPrefix(err.Error(), ErrUnsupported.Error()+": ")
		rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"M1", why}, NotApplicable{"C2", why})
	}
	rep.exclude(judged, na)
	for _, e := range Catalogue {
		if judged[e.ID] {
			rep.Checked = append(rep.Checked, e.ID)
		}
	}
	slices.SortStableFunc(rep.NotApplicable, func(a, b NotApplicable) int { return order(a.Invariant) - order(b.Invariant) })
	return rep
}

// follow sets the history's reading of grids and overlaps from the profile.
func (h *History) follow(prof profile.Profile) {
	h.lives = nil // built from the flags below
	h.Reanchor = prof.Durability == profile.DurabilityNone
	h.Anchor = prof.IntervalAnchor
	h.Reregisters = prof.Reregisters
	h.UntrackedAllowAll = prof.UntrackedAllowAll
	h.TicksFirst = prof.TicksFirst
	h.IdentityStart = prof.Identity == profile.IdentityStartInstant
}

// Judge is Run for a history an adapter built without a world (Temporal's
// workflow runs in its SDK's test environment, which owns the clock): the
// checks of a history alone (S1–S9, B1; A1, L1, L2 when it has a log),
// under the profile's reading of grids and overlaps. What needs a world or
// a quiet point (R1, M1, C1–C4, R4, A2, L3) is reported not applicable, as
// is what the profile rules out.
func Judge(prof profile.Profile, h *History) Report {
	h.follow(prof)
	rep, judged := h.checkAlone()
	for _, inv := range []string{"C1", "C2", "C3", "C4", "R4", "A2", "L3", "M1", "R1"} {
		rep.NotApplicable = append(rep.NotApplicable, NotApplicable{inv, "judged only in a simulated world (the adapter gives a history)"})
	}
	rep.exclude(judged, prof.Inapplicable)
	rep.Violations = h.Explain(slices.DeleteFunc(rep.Violations, func(v Violation) bool { return !judged[v.Invariant] }))
	for _, e := range Catalogue {
		if judged[e.ID] {
			rep.Checked = append(rep.Checked, e.ID)
		}
	}
	slices.SortStableFunc(rep.NotApplicable, func(a, b NotApplicable) int { return order(a.Invariant) - order(b.Invariant) })
	return rep
}

const emptyLog = "the log is empty (nothing recorded, or the process keeps its own)"

// checkAlone runs the history checks and says which of them judged: the
// safety checks and B1 always, S9 when some configuration has a jitter, A1,
// L1 and L2 when there is a log.
func (h *History) checkAlone() (Report, map[string]bool) {
	var rep Report
	for _, check := range historyChecks {
		rep.Violations = append(rep.Violations, check(h)...)
	}
	judged := map[string]bool{"S1": true, "S2": true, "S3": true, "S4": true, "S5": true, "S6": true, "S7": true, "S8": true, "B1": true}
	if h.jittered() {
		judged["S9"] = true
	} else {
		rep.NotApplicable = append(rep.NotApplicable, NotApplicable{"S9", "no configuration has a jitter"})
	}
	if len(h.Events) > 0 {
		judged["A1"], judged["L1"], judged["L2"] = true, true, true
	} else {
		for _, inv := range []string{"A1", "L1", "L2"} {
			rep.NotApplicable = append(rep.NotApplicable, NotApplicable{inv, emptyLog})
		}
	}
	return rep, judged
}

// inapplicable lists what the profile does not allow judging in this history.
func inapplicable(prof profile.Profile, h *History) []profile.Inapplicable {
	out := slices.Clone(prof.Inapplicable)
	if h.Reanchor && len(h.Restarts) > 0 {
		why := fmt.Sprintf("no durability: a restart (%d in this run) forgets the running executions, which go on", len(h.Restarts))
		for _, x := range []profile.Inapplicable{{Invariant: "S1", Why: why}, {Invariant: "S2", Why: why},
			{Invariant: "C1", Why: "no durability: the ticks of a restart's downtime are never started"}} {
			if prof.InapplicableWhy(x.Invariant) == "" { // else the profile's own reason stands
				out = append(out, x)
			}
		}
	}
	return out
}

// exclude reports the inapplicable invariants as such: their violations are
// dropped, they are not judged, and each is listed once with the profile's why.
func (rep *Report) exclude(judged map[string]bool, na []profile.Inapplicable) {
	for _, x := range na {
		rep.NotApplicable = slices.DeleteFunc(rep.NotApplicable, func(n NotApplicable) bool { return n.Invariant == x.Invariant })
		rep.NotApplicable = append(rep.NotApplicable, NotApplicable{x.Invariant, x.Why})
		delete(judged, x.Invariant)
		rep.Violations = slices.DeleteFunc(rep.Violations, func(v Violation) bool { return v.Invariant == x.Invariant })
	}
}

// All runs every checker of a history: the safety invariants and B1 always,
// C1, C3 and R4 for the schedules at a quiet point. (R1 needs the world, M1 the
// world's config, R2 and R3 several runs.)
func All(h *History) []Violation {
	var out []Violation
	for _, check := range historyChecks {
		out = append(out, check(h)...)
	}
	return h.Explain(append(out, C1(h)...))
}

// historyChecks are the checkers of a history alone but C1 (which Run judges
// apart, to say when it does not apply).
var historyChecks = []func(*History) []Violation{S1, S2, S3, S4, S5, S6, S7, S8, S9, C3, C4, R4, B1, A1, A2, L1, L2, L3}

// Check observes a world and runs every checker one run allows (see Run).
// It returns nil or the violations joined, each an error naming the
// invariant, the schedule, the tick and the trace lines involved.
func Check(w *sim.World, cfg sim.Config) error {
	vs := Run(w, cfg).Violations
	errs := make([]error, len(vs))
	for i, v := range vs {
		errs[i] = v
	}
	return errors.Join(errs...)
}

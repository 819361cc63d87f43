package invariants

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"
)

// M1 compares the executions started, the cancels asked and the executions
// terminated in a world with
// the model's prediction of its config up to the world's present. A start
// the model calls a catch-up is reported as C2.
func M1(cfg sim.Config, h *History) []Violation {
	vs, _, _ := m1(profile.Schedsim(), cfg, h)
	return vs
}

// m1 is M1; until is the instant it compared up to (before), zero for the
// whole history; err is what put the world out of the model's domain.
//
// Seam errors and crashes with downtime at seam calls make the timing of
// what follows depend on the implementation's calls, but until the first of
// them fires the world runs as if it had none: M1 then compares what
// happened strictly before that instant with the model of the world without
// them (the liveness invariants L1–L3 judge what follows).
func m1(prof profile.Profile, cfg sim.Config, h *History) (vs []Violation, until time.Time, err error) {
	cfg, seam := withoutSeamFaults(cfg)
	end := h.Now
	if seam && !h.SeamFault.IsZero() {
		until, end = h.SeamFault, h.SeamFault
	}
	p, err := PredictIn(prof, cfg, end)
	if err != nil {
		return nil, time.Time{}, err // out of the model's domain: the other invariants still apply
	}
	before := func(ps []Predicted) []Predicted {
		if until.IsZero() {
			return ps
		}
		return slices.DeleteFunc(ps, func(x Predicted) bool { return !x.At.Before(until) })
	}
	var got []Predicted
	for _, r := range h.Runs {
		got = append(got, Predicted{ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal.UTC(), At: r.StartedAt.UTC(), Manual: isManual(r), Origin: r.Request.Origin})
	}
	out := compare("starts", before(p.Starts), before(got), p.CatchUp)
	var cancels, terminates []Predicted
	for _, r := range h.Runs {
		if r.CancelRequested {
			cancels = append(cancels, Predicted{ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal.UTC(), At: r.CancelledAt.UTC()})
		}
		if r.Terminated {
			terminates = append(terminates, Predicted{ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal.UTC(), At: r.ClosedAt.UTC()})
		}
	}
	byTime := func(a, b Predicted) int { return a.At.Compare(b.At) }
	slices.SortStableFunc(cancels, byTime)
	slices.SortStableFunc(terminates, byTime)
	out = append(out, compare("cancels", before(p.Cancels), before(cancels), nil)...)
	return append(out, compare("terminates", before(p.Terminates), before(terminates), nil)...), until, nil
}

// compare reports, per schedule, the first difference between predicted and
// observed lists.
func compare(what string, want, got []Predicted, catchUp func(string, time.Time) bool) []Violation {
	by := func(ps []Predicted) map[string][]Predicted {
		out := map[string][]Predicted{}
		for _, p := range ps {
			out[p.ScheduleID] = append(out[p.ScheduleID], p)
		}
		return out
	}
	w, g := by(want), by(got)
	ids := map[string]bool{}
	for id := range w {
		ids[id] = true
	}
	for id := range g {
		ids[id] = true
	}
	var out []Violation
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range ids {
			if !yield(id) {
				return
			}
		}
	}) {
		ws, gs := w[id], g[id]
		for i := 0; i < max(len(ws), len(gs)); i++ {
			if i < len(ws) && i < len(gs) && ws[i] == gs[i] {
				continue
			}
			v := Violation{Invariant: "M1", ScheduleID: id}
			var parts []string
			if i < len(ws) {
				v.Nominal = ws[i].Nominal
				parts = append(parts, "model: "+ws[i].String())
			} else {
				parts = append(parts, "model: nothing more")
			}
			if i < len(gs) {
				if v.Nominal.IsZero() {
					v.Nominal = gs[i].Nominal
				}
				parts = append(parts, "observed: "+gs[i].String())
			} else {
				parts = append(parts, "observed: nothing more")
			}
			if catchUp != nil && catchUp(id, v.Nominal) {
				v.Invariant = "C2"
			}
			v.Detail = fmt.Sprintf("%s differ at #%d: %s", what, i+1, strings.Join(parts, "; "))
			out = append(out, v)
			break
		}
	}
	return out
}

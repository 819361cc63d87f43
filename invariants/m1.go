package invariants

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/sim"
)

// M1 compares the executions started and the cancels asked in a world with
// the model's prediction of its config up to the world's present. A start
// the model calls a catch-up is reported as C2.
func M1(cfg sim.Config, h *History) []Violation {
	vs, _ := m1(cfg, h)
	return vs
}

// m1 is M1, and the error that put the world out of the model's domain.
func m1(cfg sim.Config, h *History) ([]Violation, error) {
	p, err := Predict(cfg, h.Now)
	if err != nil {
		return nil, err // out of the model's domain: the other invariants still apply
	}
	var got []Predicted
	for _, r := range h.Runs {
		got = append(got, Predicted{ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal.UTC(), At: r.StartedAt.UTC()})
	}
	out := compare("starts", p.Starts, got, p.CatchUp)
	var cancels []Predicted
	for _, r := range h.Runs {
		if r.CancelRequested {
			cancels = append(cancels, Predicted{ScheduleID: r.Request.ScheduleID, Nominal: r.Request.Nominal.UTC(), At: r.CancelledAt.UTC()})
		}
	}
	slices.SortStableFunc(cancels, func(a, b Predicted) int { return a.At.Compare(b.At) })
	return append(out, compare("cancels", p.Cancels, cancels, nil)...), nil
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

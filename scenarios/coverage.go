package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
	"github.com/schedsim/schedsim/sim"
)

// The fault matrix: which scenarios make a seam call fail, in which way,
// while the schedule it concerns has which overlap policy. A cell counts
// the faults that fired in a run (from its records), not the steps written,
// so a fault whose call never came covers nothing.

// FaultWays are the ways a seam call can fail, as the matrix names them.
var FaultWays = []string{"crash before", "crash after", "error before", "error after"}

// Cell is one cell of the fault matrix: a seam call failing one way while
// its schedule had an overlap policy ("" for calls about no schedule, such
// as the recovery's log.read).
type Cell struct {
	Call, Way string
	Overlap   string
}

// Coverage maps each cell to the scenarios (by name) whose runs fired a
// fault there.
type Coverage map[Cell][]string

// Add records the cells the run of res fired faults in.
func (c Coverage) Add(res *Result) {
	for _, r := range res.Records {
		call, way, ok := seamFault(r)
		if !ok {
			continue
		}
		cell := Cell{Call: call, Way: way}
		if r.ScheduleID != "" {
			if p := res.Scenario.overlapAt(r.ScheduleID, r.At); p != 0 {
				cell.Overlap = p.String()
			}
		}
		if !slices.Contains(c[cell], res.Scenario.Name) {
			c[cell] = append(c[cell], res.Scenario.Name)
		}
	}
}

// seamFault reads a record of a fault injected at a seam call: its call and
// way ("error before", "crash after", ...).
func seamFault(r sim.Record) (call, way string, ok bool) {
	if r.Kind != sim.KindFault && r.Kind != sim.KindCrash {
		return "", "", false
	}
	f := strings.Fields(r.Detail) // "error before engine.start", "crash after log.append downtime=1m0s"
	if len(f) < 3 || (f[0] != "error" && f[0] != "crash") || !slices.Contains(fakes.Calls, f[2]) {
		return "", "", false
	}
	return f[2], f[0] + " " + f[1], true
}

// overlapAt is the overlap policy schedule id had at t: that of its last
// create or update applied by then.
func (s *Scenario) overlapAt(id string, t time.Time) evaluator.OverlapPolicy {
	var p evaluator.OverlapPolicy
	for _, sc := range s.Schedules {
		if sc.ID == id && !s.CreatedByStep(id) {
			p = sc.Config.Overlap
		}
	}
	for _, st := range s.Steps {
		if op := st.Op; op != nil && op.ScheduleID == id && !op.At.After(t) && (op.Kind == sim.OpCreate || op.Kind == sim.OpUpdate) && op.Config.Overlap != 0 {
			p = op.Config.Overlap
		}
	}
	return p
}

// Unreachable says why no scenario can cover a cell, or "".
func Unreachable(c Cell) string {
	global := c.Call == "log.read" || c.Call == "log.snapshot"
	switch {
	case global && c.Overlap != "":
		return "the call concerns every schedule, none in particular"
	case !global && c.Overlap == "":
		return "the call concerns one schedule"
	case c.Call == "engine.cancel" && c.Overlap != evaluator.OverlapCancelPrevious.String():
		return "only cancel_previous cancels"
	case c.Call == "engine.terminate" && c.Overlap != evaluator.OverlapTerminatePrevious.String():
		return "only terminate_previous terminates"
	}
	return ""
}

// Table renders the matrix: a row per seam call and way, a column per
// overlap policy and one for calls about no schedule; a cell gives the
// number of scenarios covering it, "·" for none, "n/a" where no scenario
// can. It returns the table and the cells no scenario covers.
func (c Coverage) Table() (string, []Cell) {
	cols := []string{}
	for _, p := range evaluator.OverlapPolicies() {
		cols = append(cols, p.String())
	}
	cols = append(cols, "")
	var b strings.Builder
	b.WriteString("| seam call | fault |")
	for _, col := range cols {
		b.WriteString(" " + orDash(col, "no schedule") + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(cols)) + "\n")
	var missing []Cell
	for _, call := range fakes.Calls {
		for _, way := range FaultWays {
			fmt.Fprintf(&b, "| %s | %s |", call, way)
			for _, col := range cols {
				cell := Cell{Call: call, Way: way, Overlap: col}
				n := len(c[cell])
				switch {
				case n > 0:
					fmt.Fprintf(&b, " %d |", n)
				case Unreachable(cell) != "":
					b.WriteString(" n/a |")
				default:
					b.WriteString(" · |")
					missing = append(missing, cell)
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String(), missing
}

func orDash(s, dash string) string {
	if s == "" {
		return dash
	}
	return s
}

func (c Cell) String() string {
	return fmt.Sprintf("%s %s under %s", c.Way, c.Call, orDash(c.Overlap, "no schedule"))
}

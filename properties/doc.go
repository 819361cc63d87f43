// Package properties is schedsim's property suite: it generates histories
// (schedules created by steps, lifecycle operations, executions shorter and
// longer than their period, crashes with and without downtime, seam errors,
// ambiguous appends, late and duplicate deliveries, duplicate notices, clock
// jumps, invalid configurations), runs each in the simulated world and checks
// every invariant of docs/invariants.md with package invariants — S1–S7, C1–C3, R1,
// R4, M1 against the reference model, R2 by rerunning without the crashes that
// had no downtime, R3 by rerunning — and B1, refused input leaves the log
// unchanged.
//
// Generation uses gopter (seeded with DefaultTestParametersWithSeed; case i
// of seed s has gopter seed s+i, so any case replays alone). Shrinking is our
// own greedy Shrink, shared with `simrun check`: it removes schedules and
// steps and simplifies what is left while the same invariant still fails, and
// the failure prints the result as a scenario file that `simrun run` replays.
//
// Check runs the suite against any evaluator that plugs into the seams
// (a sim.Factory); Test is the same for go test. Package mutants holds broken
// evaluators the suite must kill.
package properties

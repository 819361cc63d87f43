// Package invariants checks what a simulated run did against the invariants
// of docs/invariants.md: S1–S7, C1–C3 (C2 through the model), liveness L1–L3
// and the log's accounting A1–A2 (judged from the log and the world, not from
// the schedule's description), R1, R4, M1, and B1 (refused input leaves the
// log unchanged). Each checker is a plain function of a History (or of the
// world, for R1; of the world's config, for M1) that returns the violations it
// saw. Run is the one place that chooses the checks of a run and says which
// could not apply; Check returns its violations as one error, in the manner of
// testing/fstest.TestFS. Catalogue describes every invariant, for `simrun
// explain` and docs/invariants.md. The scenario runner, the property suite and
// simrun share them; R2 and R3 compare several runs and live in package
// properties.
//
// The checkers call no evaluator function (internal/boundaries checks it):
// ticks come from their own calculator (package ticks), config rules from
// config.go, so a defect in the evaluator's trigger or config code cannot
// hide by being shared.
//
// The reference model (Predict) is a separate, small simulation of the
// semantics that predicts the starts and cancels of a world from its config
// alone; M1 compares them with what happened.
//
// The checkers judge behaviour — starts, cancels, timers, descriptions — not
// traces, so they apply to any implementation that plugs into sim.World.
// Where the history is ambiguous (an operation interrupted by a crash took
// effect at one of its attempts), they give the implementation the benefit of
// the doubt rather than report a violation that may be false.
package invariants

// Package invariants checks what a simulated run did against the invariants
// of DESIGN §6. Each checker is a plain function of a History (or of the
// world, for R1) that returns the violations it saw, so the scenario runner,
// the property suite and simrun share them.
//
// The checkers judge behaviour — starts, cancels, timers, descriptions — not
// traces, so they apply to any implementation that plugs into sim.World.
// Where the history is ambiguous (an operation interrupted by a crash took
// effect at one of its attempts), they give the implementation the benefit of
// the doubt rather than report a violation that may be false.
package invariants

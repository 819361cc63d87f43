// Package scenarios loads, validates and replays YAML scenario files: a
// scheduling situation stated in a file (schedules, a timeline of operations,
// execution events and faults, and expectations), replayed on a sim.World
// and judged by what the evaluator did.
//
// The format is documented in docs/scenarios.md, with a JSON Schema for
// editors in docs/scenario.schema.json. Decoding walks yaml.Node trees so
// that every problem is reported as file:line:column; a file that does not
// load never runs. Expectations are about observable behaviour (starts,
// cancels, dispositions, descriptions, timers, invariants), so another
// implementation can be judged by them; the sibling .golden file pins our
// evaluator's whole trace.
//
// The bundled library (Library) is embedded, so `simrun run` replays it from
// any directory.
package scenarios

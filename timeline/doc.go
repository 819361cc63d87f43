// Package timeline draws what a scenario's replay did, for people: one
// self-contained HTML page per run, with a lane per schedule (its ticks by
// disposition, its executions as bars from start to close, its operations,
// cancels and timers), the process's downtime as shaded bands, the injected
// faults, and the broken invariants at their instants with what they say.
//
// Build turns a scenarios.Result into a Timeline, the data of the page,
// whose instants are milliseconds after the scenario's start; WriteJSON
// writes it for other tools (schema in docs/timeline.md and
// docs/timeline.schema.json). WriteHTML writes the page: a static SVG drawn
// by Draw through html/template, readable without JavaScript (every mark has
// a tooltip), and page.js, which redraws the same layout for any span the
// reader zooms or pans to, with a readout of the pointer's instant as an
// offset, in UTC and in each schedule's zone. The page loads nothing: no
// framework, no font, no network.
//
// Marks closer than 3 pixels are drawn as one range that counts them, so a
// week of one-minute ticks is a few hundred shapes, not ten thousand; zoom
// in and they part.
package timeline

// Package temporal drives Temporal's schedule workflow (the V1 scheduler of
// go.temporal.io/server, service/worker/scheduler, unmodified) in the Go
// SDK's test workflow environment, and judges what it starts under the
// temporal-v1 profile (profile.TemporalV1, invariants.Judge): Run drives one
// schedule through its inputs, RunScenario translates a schedsim scenario or
// generated history and gives a verdict. What it found is in
// docs/findings.md (temporal-1 to temporal-5). It is a module of its own:
// its dependencies are heavy, and the main module's tests never download
// them.
package temporal

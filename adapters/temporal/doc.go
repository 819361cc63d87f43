// Package temporal drives Temporal's schedule workflow (the V1 scheduler of
// go.temporal.io/server, service/worker/scheduler) deterministically in the
// Go SDK's test workflow environment, so that schedsim's checkers can judge
// what it starts. It is a module of its own: its dependencies are heavy, and
// the main module's tests never download them.
package temporal

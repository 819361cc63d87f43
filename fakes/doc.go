// Package fakes holds working in-memory implementations of the evaluator's
// seams: a durable timer store, an event log and a workflow engine. They keep
// real state (no mocks), order everything deterministically, read no clock of
// their own, and take a Hook that can fail any call before or after it takes
// effect, which is how tests inject seam errors and ambiguous outcomes.
package fakes

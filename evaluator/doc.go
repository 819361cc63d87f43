// Package evaluator is schedsim's reference schedule evaluator: it starts
// workflow executions from cron or interval triggers, with overlap policies
// (skip, buffer_one, cancel_previous, allow_all), catch-up policies after
// downtime (all, one, skip) and an optional catch-up window, and supports
// pause, resume, update and delete.
//
// It is a Go port of the design of aion's ScheduleEvaluator without its
// defects. Its state is event-sourced: every decision is an event in the log
// before it is acted on as done, the live state changes only by applying the
// events it records, and Project rebuilds exactly that state from the log.
//
// The evaluator talks to the world through small seams: TimerStore (one
// durable timer per schedule, upserted by id), Engine (start with a
// deterministic workflow id, idempotent cancel, describe) and EventLog
// (append, read from the latest snapshot, write a snapshot). Time comes only
// from a clockwork.Clock. The package fakes holds in-memory implementations.
//
// A process uses it as follows: New, then Recover, then serve API operations
// (Create, Update, Pause, Resume, Delete, Get, List), timer deliveries
// (TimerFired) and closure notices (ExecutionClosed), in any order and from any
// goroutine; the operations on one schedule are serialised.
//
// The exact semantics, and each choice made where the rules left room, are in
// docs/semantics.md at the root of the module.
package evaluator

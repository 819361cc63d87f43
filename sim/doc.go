// Package sim is schedsim's deterministic simulated world: a clockwork fake
// clock, the durable fakes (timer store, event log, workflow engine), and an
// evaluator process created by a Factory, so any implementation can be run.
//
// A World advances time itself, without goroutines: it repeatedly finds the
// next thing due — a restart after downtime, an execution closing, a
// scripted operation, a timer delivery — moves the clock there and handles
// everything due at that instant in the order of docs/semantics.md (restart, closures and
// their notices, operations, timers; ties by schedule id, then nominal time).
//
// Faults come from a Plan: scripted (crash or fail the n-th seam call, or a
// named one such as "engine.start of schedule S at T", before or after it
// takes effect; late or duplicate timer deliveries; duplicate closure
// notices; forward clock jumps) or drawn from the seed with per-kind rates. A
// crash fences the process incarnation (every durable fake rejects its
// calls), keeps everything durable, and after the downtime starts a new
// incarnation and recovers it. Interrupted operations are retried with their
// request id; deliveries and notices are at least once.
//
// Everything that happens is a Record, rendered as a text trace or JSON lines;
// the same Config gives the same records, byte for byte.
package sim

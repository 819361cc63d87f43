// Package inproc drives an in-process, goroutine-based scheduler (gocron,
// robfig/cron's runner) as a sim.Process, deterministically, inside a
// testing/synctest bubble.
//
// Such a scheduler keeps its own timers on the Go runtime's clock, runs its
// jobs on goroutines, and has no durability. Inside a synctest bubble the
// runtime's clock is fake and moves only when every goroutine of the bubble is
// blocked, so the process keeps the bubble's clock on the world's: before
// handling a call at world time T it sleeps the bubble to T (the scheduler's
// timers fire on the way, each at its own instant), then waits for the
// scheduler's goroutines to settle (synctest.Wait). A job, when the scheduler
// runs it, asks the process to start an execution on the world's engine — the
// process makes the seam call on the world's goroutine, never the job's — and
// then blocks until the world notices the execution closed. So the scheduler
// sees a job "running" exactly while its execution runs.
//
// The order at one instant follows docs/semantics.md, as far as an adapter can
// make it: closure notices and removals (pause, delete, the first half of an
// update) take effect 1 ns before the instant's ticks; registrations (create,
// resume, the second half of an update) take effect at the instant, after its
// ticks, through a timer the process arms at the instant itself. A
// registration anchors an interval at its instant, as the scheduler does.
//
// A crash is what happens to a real application: the process dies (its jobs
// and scheduler stop; the executions they started go on), and the next
// incarnation registers every active schedule again from the application's
// configuration, which survives (App). Operations are idempotent by request
// id through that configuration, as an application would make them.
//
// A start is named by the instant the job began (the scheduler passes the
// job no tick): the nominal time of its workflow id. Everything runs on the
// world's goroutine or is waited for by it, so a world with an inproc process
// is as deterministic as the scheduler is under synctest; the adapters test
// that (the same history 20 times, the same trace).
//
// A world using this package must run inside synctest.Test, and be closed
// (World.Close) before the bubble ends, so that the scheduler's goroutines
// exit.
package inproc

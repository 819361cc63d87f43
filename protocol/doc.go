// Package protocol lets an evaluator written in any language be checked by
// schedsim: it is the harness side of the process protocol of
// docs/protocol.md (newline-delimited JSON on the program's stdin and
// stdout), and its wire format, which the reference adapter
// (cmd/simadapter) shares.
//
// Factory returns a sim.Factory: every incarnation of the evaluator is a
// child process. Its seam calls are served from the world's fenced seams, so
// the program keeps nothing durable; an injected crash kills its process
// group, and the world starts it again and sends recover. A program that
// breaks the protocol ends the run with an error wrapping ErrProtocol and
// sim.ErrFatal, naming the line and what was wrong.
package protocol

//go:build race

package sim_test

// raceEnabled: under the race detector (about 8x slower) the crash tests
// sample the crash points, as with -short, so `go test -race ./sim/...`
// finishes in about a minute.
const raceEnabled = true

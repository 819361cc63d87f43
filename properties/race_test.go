//go:build race

package properties_test

// raceEnabled: under the race detector (several times slower) the tests
// that explore the whole budget for several mutants are skipped, as with
// -short; the race run checks the concurrency of Explore, which the other
// tests exercise.
const raceEnabled = true

//go:build race

package robfigcron

// raceEnabled: the race detector slows the scheduler's goroutines tenfold;
// the replays that only count (a race found in N runs) are left to the plain
// go test.
const raceEnabled = true

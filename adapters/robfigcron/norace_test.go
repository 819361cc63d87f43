//go:build !race

package robfigcron

const raceEnabled = false

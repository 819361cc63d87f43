//go:build !race

package gocron

const raceEnabled = false

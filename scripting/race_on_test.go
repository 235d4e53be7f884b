//go:build race

package scripting

// The race detector slows native built-ins and large allocations ~10x.
const raceEnabled = true

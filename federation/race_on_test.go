//go:build race

package federation

// raceEnabled: the race detector multiplies memory, so the peak-RSS
// tests, which measure the node's own, are skipped under it.
const raceEnabled = true

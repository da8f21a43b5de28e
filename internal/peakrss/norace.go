//go:build !race

package peakrss

// Race is true under the race detector, which multiplies memory: the
// peak-RSS tests skip then.
const Race = false

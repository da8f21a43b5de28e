// Package peakrss reads a process's resident memory and its peak from
// /proc/self/status (Linux), for the tests that bound how much memory the
// node may take while it decodes pictures.
package peakrss

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// TB is the part of testing.TB the helpers use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// Read returns the "Vm…" line key of /proc/self/status (VmRSS, VmHWM …)
// in bytes, failing t when it cannot.
func Read(t TB, key string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s in /proc/self/status: %v", key, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", key)
	return 0
}

// Reset starts the peak (VmHWM) again from the present RSS (Linux ≥ 4.0),
// so that what came before (the node's start-up) does not hide what is
// measured, and returns the base to measure the rise from. Where the
// peak cannot be reset, the rise is measured from the earlier peak.
func Reset(t TB) int64 {
	t.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak (%v): measuring from the start-up peak", err)
	}
	return max(Read(t, "VmRSS"), Read(t, "VmHWM"))
}

// Rise says how far the peak rose above base, in MB, for logs.
func Rise(t TB, base int64) string {
	t.Helper()
	return fmt.Sprintf("peak %+.1f MB, now %+.1f MB", float64(Read(t, "VmHWM")-base)/(1<<20), float64(Read(t, "VmRSS")-base)/(1<<20))
}

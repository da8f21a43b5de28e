package federation

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestHostLimiter: a host gets maxFetchesPerHost slots at once, another
// host is not held up by it, and the limiter forgets a host whose fetches
// ended.
func TestHostLimiter(t *testing.T) {
	var l hostLimiter
	ctx := context.Background()
	var held []func()
	for i := 0; i < maxFetchesPerHost; i++ {
		release, err := l.acquire(ctx, "slow.example")
		if err != nil {
			t.Fatalf("slot %d: %v", i, err)
		}
		held = append(held, release)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.acquire(cancelled, "slow.example"); err == nil {
		t.Fatal("a fifth fetch of the same host got a slot")
	}
	other, err := l.acquire(ctx, "other.example")
	if err != nil {
		t.Fatalf("another host: %v", err)
	}
	other()
	held[0]()
	held[0]() // releasing twice frees one slot only
	release, err := l.acquire(cancelled, "slow.example")
	if err != nil {
		// A cancelled context may lose the race with a free slot; ask
		// again with a live one.
		if release, err = l.acquire(ctx, "slow.example"); err != nil {
			t.Fatalf("after a release: %v", err)
		}
	}
	if _, err := l.acquire(cancelled, "slow.example"); err == nil {
		t.Fatal("a double release freed two slots")
	}
	release()
	for _, r := range held[1:] {
		r()
	}
	if n := len(l.hosts); n != 0 {
		t.Fatalf("the limiter still holds %d hosts", n)
	}
}

// TestExpiringBounded: remembered failures expire, and a flood of new
// keys never grows the set past its bound.
func TestExpiringBounded(t *testing.T) {
	var e expiring
	now := time.Now()
	e.add("a", now, time.Minute)
	if !e.has("a", now.Add(59*time.Second)) || e.has("a", now.Add(time.Minute)) {
		t.Fatal("a failure is not remembered for its lifetime only")
	}
	for i := range 3 * maxFailures {
		e.add(fmt.Sprint(i), now, time.Minute)
	}
	if n := e.len(); n > maxFailures {
		t.Fatalf("%d keys remembered, bound %d", n, maxFailures)
	}
	if !e.has(fmt.Sprint(3*maxFailures-1), now) {
		t.Fatal("the newest key was dropped")
	}
}

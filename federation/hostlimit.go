package federation

import (
	"context"
	"io"
	"strings"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Bounds of the node's fetches from one host. Anyone can make the node
// fetch (a signed request names the key to fetch), so a host gets at most
// maxFetchesPerHost GETs at once, and a host that failed at the network
// level (refused, timed out, dropped the connection, TLS) is not asked
// again by key lookups for failureTTL.
const (
	maxFetchesPerHost = 4
	failureTTL        = 5 * time.Minute
	maxFailures       = 4096
)

// hostLimiter holds one semaphore per host with fetches in flight; a
// host's entry goes when its last fetch ends, so the map stays as small
// as the number of fetches running.
type hostLimiter struct {
	mu    sync.Mutex
	hosts map[string]*hostSlots
}

type hostSlots struct {
	sem   chan struct{}
	users int
}

// acquire waits for a slot of host, or for ctx to end; release frees it.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	if l.hosts == nil {
		l.hosts = map[string]*hostSlots{}
	}
	s := l.hosts[host]
	if s == nil {
		s = &hostSlots{sem: make(chan struct{}, maxFetchesPerHost)}
		l.hosts[host] = s
	}
	s.users++
	l.mu.Unlock()
	leave := func() {
		l.mu.Lock()
		if s.users--; s.users == 0 {
			delete(l.hosts, host)
		}
		l.mu.Unlock()
	}
	select {
	case s.sem <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-s.sem; leave() }) }, nil
	case <-ctx.Done():
		leave()
		return nil, shrooms.Errorf(shrooms.EUNAVAILABLE, "too many requests to %s in flight", host).Keyed("federation.error.host_busy", "Host", host)
	}
}

// expiring is a bounded set of keys that expire: failures remembered for a
// while. When full, expired keys go first, then arbitrary ones (a flood
// of new keys cannot grow it).
type expiring struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// has reports whether key was added less than its lifetime ago.
func (e *expiring) has(key string, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.until[key]
	if ok && !now.Before(t) {
		delete(e.until, key)
		return false
	}
	return ok
}

// add remembers key until now+ttl.
func (e *expiring) add(key string, now time.Time, ttl time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.until == nil {
		e.until = map[string]time.Time{}
	}
	if len(e.until) >= maxFailures {
		for k, t := range e.until {
			if !now.Before(t) {
				delete(e.until, k)
			}
		}
		for k := range e.until {
			if len(e.until) < maxFailures {
				break
			}
			delete(e.until, k)
		}
	}
	e.until[key] = now.Add(ttl)
}

// len is how many keys are remembered, expired or not.
func (e *expiring) len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.until)
}

// hostKey is the key of a URL's host in the limiter and the failure sets.
func hostKey(host string) string { return strings.ToLower(host) }

// releasingBody frees the host's slot when the body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

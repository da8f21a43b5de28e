package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// signatureRefused is the whole body of the inbox's answer to a signature
// it cannot verify, whatever the reason.
const signatureRefused = `{"error":"signature not accepted"}` + "\n"

// countingServer is a peer on 127.0.0.1 that counts the requests it
// receives and how many it holds at once; handle decides the answer.
type countingServer struct {
	srv            *httptest.Server
	hits, inFlight atomic.Int32
	mu             sync.Mutex
	maxInFlight    int32
}

func newCountingServer(t *testing.T, handle http.HandlerFunc) *countingServer {
	t.Helper()
	c := &countingServer{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		n := c.inFlight.Add(1)
		defer c.inFlight.Add(-1)
		c.mu.Lock()
		c.maxInFlight = max(c.maxInFlight, n)
		c.mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *countingServer) max() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxInFlight
}

// postWithKey POSTs a Follow to n's inbox signed by mallory's key under
// keyID, from any goroutine, and returns status and body.
func postWithKey(n *testNode, mallory *remoteActor, keyID string) (int, string, error) {
	req, err := mallory.sign(http.MethodPost, n.url()+"/inbox", mallory.activity("Follow", n.org().IRI), signOpts{keyID: keyID})
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// TestInboxRefusalSaysLittle: however the signer's key fetch fails — a
// closed port, TLS, DNS, a 404 — or the signature does not verify, a
// stranger reads the same short 401, nothing of the node's network; the
// admin finds the detail in the log.
func TestInboxRefusalSaysLittle(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	mallory := newRemoteActor(t, clock, "mallory")
	closed := listenLoopback(t)
	closedAddr := closed.Addr().String()
	closed.Close()
	other := newRemoteActor(t, clock, "trent")
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()

	for _, tc := range []struct {
		name, keyID, logged string
		opts                signOpts
	}{
		{"closed port", "http://" + closedAddr + "/users/x#main-key", "connection refused", signOpts{}},
		{"TLS to a plain server", "https://" + shrooms.HostOf(plain.URL) + "/users/mallory#main-key", "HTTPS", signOpts{}},
		{"name that does not resolve", "http://shrooms-test.invalid/users/x#main-key", "shrooms-test.invalid", signOpts{}},
		{"no such key", mallory.srv.URL + "/users/nobody#main-key", "404", signOpts{}},
		{"signed with another key", "", "does not verify", signOpts{key: other.actor.PrivateKeyPEM}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.keyID = tc.keyID
			status, reply := mallory.post(b.url()+"/inbox", mallory.activity("Follow", b.org().IRI), o)
			if status != http.StatusUnauthorized || reply != signatureRefused {
				t.Fatalf("%d %q, want 401 %q", status, reply, signatureRefused)
			}
			if !strings.Contains(b.logs.String(), tc.logged) {
				t.Fatalf("the log does not tell %q:\n%s", tc.logged, b.logs.String())
			}
		})
	}
}

// TestKeyFetchFailuresCached: an unknown keyId costs one fetch, not two;
// asking again with it costs none for a few minutes; after a network
// failure no other key of that host is fetched for a while either.
func TestKeyFetchFailuresCached(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	mallory := newRemoteActor(t, clock, "mallory")
	missing := newCountingServer(t, http.NotFound)
	post := func(keyID string) {
		t.Helper()
		status, reply, err := postWithKey(b, mallory, keyID)
		if err != nil || status != http.StatusUnauthorized {
			t.Fatalf("keyId %s: %d %s %v", keyID, status, reply, err)
		}
	}
	wantHits := func(what string, c *countingServer, want int32) {
		t.Helper()
		if got := c.hits.Load(); got != want {
			t.Fatalf("%s: the peer received %d requests, want %d", what, got, want)
		}
	}

	post(missing.srv.URL + "/users/a#main-key")
	wantHits("an unknown keyId", missing, 1)
	for range 3 {
		post(missing.srv.URL + "/users/a#main-key")
	}
	wantHits("the same keyId again", missing, 1)
	post(missing.srv.URL + "/users/b#main-key")
	wantHits("another keyId of a host that answers", missing, 2)
	clock.Advance(6 * time.Minute)
	post(missing.srv.URL + "/users/a#main-key")
	wantHits("the same keyId minutes later", missing, 3)

	// A peer that accepts connections and drops them: a network failure.
	dropping := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	post(dropping.srv.URL + "/users/a#main-key")
	wantHits("a network failure", dropping, 1)
	post(dropping.srv.URL + "/users/b#main-key")
	post(dropping.srv.URL + "/users/c#main-key")
	wantHits("other keys of a host that just failed", dropping, 1)
	clock.Advance(6 * time.Minute)
	post(dropping.srv.URL + "/users/b#main-key")
	wantHits("the host minutes later", dropping, 2)
}

// TestKeyFetchesBoundedPerHost: twelve signed requests at once, each with
// another unknown keyId of one peer that never answers. The node fetches
// at most a few of them at a time, and once they time out it fetches no
// more from that host.
func TestKeyFetchesBoundedPerHost(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock, func(n *testNode) {
		n.config(func(c *Config) { c.Federation.HTTPTimeout = 300 * time.Millisecond })
	})
	mallory := newRemoteActor(t, clock, "mallory")
	hanging := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	var wg sync.WaitGroup
	errs := make(chan string, 24)
	round := func(tag string) {
		for i := range 12 {
			wg.Go(func() {
				keyID := hanging.srv.URL + "/users/" + tag + itoa(int64(i)) + "#main-key"
				if status, reply, err := postWithKey(b, mallory, keyID); err != nil || status != http.StatusUnauthorized {
					errs <- keyID + ": " + reply
				}
			})
		}
		wg.Wait()
	}
	round("a")
	if got := hanging.max(); got > 4 {
		t.Fatalf("the node held %d requests to one host at once, want at most 4", got)
	}
	hits := hanging.hits.Load()
	if hits < 1 || hits > 4 {
		t.Fatalf("twelve keys of a hanging host cost %d fetches, want 1 to 4", hits)
	}
	round("b")
	if got := hanging.hits.Load(); got != hits {
		t.Fatalf("twelve more keys of the host that timed out cost %d more fetches", got-hits)
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestKeyDocumentNamesItsOwner: a keyId whose URL serves the key alone,
// naming its owner on the same host, costs one fetch of the key and one
// of the owner, and the request verifies.
func TestKeyDocumentNamesItsOwner(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	kim := newRemoteActor(t, clock, "kim")
	kim.mu.Lock()
	kim.actor.KeyID = kim.srv.URL + "/keys/kim"
	kim.mu.Unlock()
	if status, reply := kim.post(b.url()+"/inbox", kim.activity("Follow", b.org().IRI), signOpts{}); status != http.StatusAccepted {
		t.Fatalf("Follow signed with a key document: %d %s", status, reply)
	}
	kim.mu.Lock()
	defer kim.mu.Unlock()
	if kim.keyFetches != 1 {
		t.Fatalf("the key document was fetched %d times, want 1", kim.keyFetches)
	}
}

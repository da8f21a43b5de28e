package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestInboxRefusals: every refusal of the inbox pipeline answers a clear
// 4xx and stores nothing.
func TestInboxRefusals(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	mallory := newRemoteActor(t, clock, "mallory")
	other := newRemoteActor(t, clock, "trent")
	inbox := b.url() + "/inbox"
	org := b.org().IRI

	follow := mallory.activity("Follow", org)
	otherKey := func() string { other.mu.Lock(); defer other.mu.Unlock(); return other.actor.PrivateKeyPEM }()
	deep := "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":\"" + mallory.iri() + "/x\",\"type\":\"Follow\",\"actor\":\"" + mallory.iri() + "\",\"object\":" +
		strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}"

	tests := []struct {
		name   string
		url    string
		body   []byte
		opts   signOpts
		status int
		reason string
	}{
		{"no signature", inbox, follow, signOpts{mutate: func(r *http.Request) { r.Header.Del("Signature") }}, 401, "missing Signature"},
		{"digest not signed", inbox, follow, signOpts{headers: []string{httpsig.RequestTarget, "host", "date"}}, 401, "signature must cover"},
		{"host not signed", inbox, follow, signOpts{headers: []string{httpsig.RequestTarget, "date", "digest"}}, 401, "signature must cover"},
		{"only date signed", inbox, follow, signOpts{headers: []string{"date"}}, 401, "signature must cover"},
		{"body swapped after signing", inbox, follow, signOpts{body: mallory.activity("Follow", org)}, 401, "Digest"},
		{"digest header removed", inbox, follow, signOpts{mutate: func(r *http.Request) { r.Header.Del("Digest") }}, 401, "Digest"},
		{"date two hours old", inbox, follow, signOpts{date: clock.Now().Add(-2 * time.Hour)}, 401, "Date"},
		{"date two hours ahead", inbox, follow, signOpts{date: clock.Now().Add(2 * time.Hour)}, 401, "Date"},
		{"date header tampered", inbox, follow, signOpts{mutate: func(r *http.Request) {
			r.Header.Set("Date", clock.Now().Add(time.Minute).UTC().Format(http.TimeFormat))
		}}, 401, "signature not accepted"},
		{"signed with another key", inbox, follow, signOpts{key: otherKey}, 401, "signature not accepted"},
		{"unknown key", inbox, follow, signOpts{keyID: mallory.srv.URL + "/users/nobody#main-key"}, 401, "signature not accepted"},
		{"signed by an actor of another host", inbox, follow, signOpts{keyID: other.actor.KeyID, key: otherKey}, 403, "signed by"},
		{"signer is not the actor", inbox, []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Follow","actor":%q,"object":%q}`,
			mallory.iri()+"/a/1", mallory.srv.URL+"/users/someone-else", org)), signOpts{}, 403, "signed by"},
		{"activity id on another host", inbox, []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Follow","actor":%q,"object":%q}`,
			other.iri()+"/a/1", mallory.iri(), org)), signOpts{}, 403, "activity id"},
		{"embedded object from a third host", inbox, []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Create","actor":%q,"object":{"id":%q,"type":"Note","content":"forged"}}`,
			mallory.iri()+"/a/2", mallory.iri(), other.iri()+"/notes/1")), signOpts{}, 403, "embedded object"},
		{"no @context", inbox, []byte(fmt.Sprintf(`{"id":%q,"type":"Follow","actor":%q,"object":%q}`, mallory.iri()+"/a/3", mallory.iri(), org)), signOpts{}, 400, "@context"},
		{"no id", inbox, []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","actor":%q,"object":%q}`, mallory.iri(), org)), signOpts{}, 400, ""},
		{"invalid JSON", inbox, []byte(`{"@context":`), signOpts{}, 400, ""},
		{"JSON nested too deeply", inbox, []byte(deep), signOpts{}, 400, "deep"},
		{"body too large", inbox, []byte(`{"pad":"` + strings.Repeat("x", 2<<20) + `"}`), signOpts{}, 413, "larger"},
		{"wrong content type", inbox, follow, signOpts{ctype: "text/plain"}, 415, "Content-Type"},
		{"unknown personal inbox", b.url() + "/actors/nobody/inbox", follow, signOpts{}, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, reply := mallory.post(tc.url, tc.body, tc.opts)
			if status != tc.status {
				t.Fatalf("status %d (%s), want %d", status, reply, tc.status)
			}
			var msg struct{ Error string }
			if err := json.Unmarshal([]byte(reply), &msg); err != nil || msg.Error == "" {
				t.Fatalf("reply %q has no error message", reply)
			}
			if !strings.Contains(msg.Error, tc.reason) {
				t.Fatalf("reason %q does not mention %q", msg.Error, tc.reason)
			}
		})
	}
	if _, total, _ := b.m.DB.Inbox.FindInboxActivities(context.Background(), shrooms.InboxFilter{}); total != 0 {
		t.Fatalf("refused requests stored %d activities", total)
	}

	// The same request, signed properly, is accepted: the refusals above
	// are about what they changed.
	if status, reply := mallory.post(inbox, follow, signOpts{}); status != 202 {
		t.Fatalf("valid Follow: %d %s", status, reply)
	}
}

// TestDuplicateDeliveryProcessedOnce: a peer that delivers the same
// activity again (it did not see our 202) changes nothing the second time.
func TestDuplicateDeliveryProcessedOnce(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	mallory := newRemoteActor(t, clock, "mallory")
	follow := mallory.activity("Follow", b.org().IRI)
	for i := 0; i < 3; i++ {
		if status, reply := mallory.post(b.url()+"/inbox", follow, signOpts{}); status != 202 {
			t.Fatalf("delivery %d: %d %s", i, status, reply)
		}
		drain(t, b)
	}
	if _, total, _ := b.m.DB.Inbox.FindInboxActivities(context.Background(), shrooms.InboxFilter{}); total != 1 {
		t.Fatalf("stored %d activities, want 1", total)
	}
	if got := b.follows(true, shrooms.FollowAccepted); len(got) != 1 {
		t.Fatalf("followers = %d, want 1", len(got))
	}
	got := mallory.deliveries()
	if len(got) != 1 || !strings.Contains(string(got[0]), `"Accept"`) {
		t.Fatalf("mallory received %d deliveries, want one Accept: %s", len(got), got)
	}
}

// TestKeyRotation: when a known actor's key changes, the cached key fails,
// the actor is fetched again (at most once per interval) and the request
// verifies.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	mallory := newRemoteActor(t, clock, "mallory")
	inbox := b.url() + "/inbox"
	if status, reply := mallory.post(inbox, mallory.activity("Follow", b.org().IRI), signOpts{}); status != 202 {
		t.Fatalf("first Follow: %d %s", status, reply)
	}
	mallory.rotate()
	// Just fetched: a failing signature does not trigger another fetch yet,
	// so a flood of bad signatures cannot make the node fetch in a loop.
	if status, _ := mallory.post(inbox, mallory.activity("Follow", b.org().IRI), signOpts{}); status != 401 {
		t.Fatalf("rotated key right after a fetch: %d, want 401", status)
	}
	clock.Advance(time.Minute)
	if status, reply := mallory.post(inbox, mallory.activity("Follow", b.org().IRI), signOpts{}); status != 202 {
		t.Fatalf("rotated key after the refetch interval: %d %s", status, reply)
	}
}

// TestAuthorizedFetch: an activity that is not public is served only to a
// signer it is addressed to; everyone else gets 404.
func TestAuthorizedFetch(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	mallory := newRemoteActor(t, clock, "mallory")
	trent := newRemoteActor(t, clock, "trent")
	if status, _ := mallory.post(b.url()+"/inbox", mallory.activity("Follow", b.org().IRI), signOpts{}); status != 202 {
		t.Fatal("follow refused")
	}
	drain(t, b)
	var accept struct{ ID string }
	if d := mallory.deliveries(); len(d) != 1 || json.Unmarshal(d[0], &accept) != nil || accept.ID == "" {
		t.Fatalf("no Accept delivered: %s", d)
	}
	if status, _, _ := b.get(strings.TrimPrefix(accept.ID, b.url()), "application/activity+json"); status != 404 {
		t.Fatalf("unsigned fetch of a private activity: %d, want 404", status)
	}
	if status, reply := trent.get(accept.ID); status != 404 {
		t.Fatalf("fetch by a non-recipient: %d %s, want 404", status, reply)
	}
	if status, reply := mallory.get(accept.ID); status != 200 || !strings.Contains(reply, `"Accept"`) {
		t.Fatalf("fetch by the recipient: %d %s", status, reply)
	}
}

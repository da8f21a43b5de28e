package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// openRedirect is host V of the attack: an ordinary web server on
// 127.0.0.1 with an open redirect (/go?to=URL answers 307 to URL). It
// counts what it serves.
type openRedirect struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits int
}

func newOpenRedirect(t *testing.T) *openRedirect {
	t.Helper()
	o := &openRedirect{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.hits++
		o.mu.Unlock()
		if r.URL.Path == "/go" {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusTemporaryRedirect)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// via is V's URL that redirects to target.
func (o *openRedirect) via(target string) string {
	return o.srv.URL + "/go?to=" + url.QueryEscape(target)
}

// impostor returns an attacker's server whose organisation document,
// served at its own /users/org, claims an id on V that redirects there.
func impostor(t *testing.T, clock *testClock, v *openRedirect) *remoteActor {
	t.Helper()
	m := newRemoteActor(t, clock, "org")
	m.mu.Lock()
	defer m.mu.Unlock()
	forged := v.via(m.actor.IRI)
	m.actor.IRI, m.actor.Host, m.actor.Kind = forged, shrooms.HostOf(forged), shrooms.KindOrganization
	m.actor.KeyID, m.actor.URL = forged+"#main-key", forged
	// Its inbox goes through V too, so that the victim's deliveries
	// reach it (307 keeps the POST).
	m.actor.Inbox = v.via(m.actor.Inbox)
	return m
}

// TestRedirectDoesNotLendAHost: host V has an open redirect. An attacker
// signs with a keyId on V that redirects to its own server, which serves
// an actor document whose id is that URL of V. The node must not believe
// the document for V: the signature is refused, no actor of V is stored,
// no follow request shows as org@V, the admin cannot link it, and the
// attacker never reads a partners-only item — even if the admin tried to
// approve and share with whatever arrived.
func TestRedirectDoesNotLendAHost(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	victim := startNode(t, clock, manualApproval)
	v := newOpenRedirect(t)
	m := impostor(t, clock, v)
	forged := m.iri()
	secret := newItem(t, victim, "Thermal camera", shrooms.AudiencePartners)
	drain(t, victim)

	status, reply := m.post(victim.url()+"/inbox", m.activity("Follow", victim.org().IRI), signOpts{})
	if status != http.StatusUnauthorized {
		t.Errorf("the impostor's Follow: %d %s, want 401", status, reply)
	}
	drain(t, victim)
	if a, err := victim.m.DB.Actors.FindActorByIRI(systemCtx, forged); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Errorf("the victim stored the impostor as an actor of V: %+v %v", a, err)
	}
	list := victim.mustCLI("admin", "follow-requests", "list")
	if strings.Contains(list, shrooms.HostOf(forged)) {
		t.Errorf("a follow request shows as an actor of V:\n%s", list)
	}
	if _, err := victim.cli("admin", "partner", "link", forged); err == nil {
		t.Error("the admin could link the impostor as an actor of V")
	}

	// The rest of the attack, as it went before the fix: the admin
	// approves what looks like org@V, the impostor accepts the follow
	// back, the admin shares the inventory with it.
	for _, f := range victim.follows(true, shrooms.FollowPending) {
		victim.mustCLI("admin", "follow-requests", "approve", itoa(f.ID))
	}
	drain(t, victim)
	for _, d := range m.deliveries() {
		var follow struct{ ID, Type string }
		if json.Unmarshal(d, &follow) == nil && follow.Type == "Follow" {
			accept := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Accept","actor":%q,"object":%q}`,
				forged+"/accept/1", forged, follow.ID)
			m.post(victim.url()+"/inbox", []byte(accept), signOpts{})
		}
	}
	drain(t, victim)
	_, _ = victim.cli("admin", "partner", "share", forged, "--modules", "inventory")
	drain(t, victim)
	if status, body := m.get(secret.IRI); status != http.StatusNotFound || strings.Contains(body, "Thermal camera") {
		t.Fatalf("the impostor read the partners-only item: %d %s", status, body)
	}
}

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Update of actors: a renamed organisation or member reaches the nodes
// that follow it, which fetch the actor again rather than trust the copy.

// inboxNote returns the note n recorded for the received activity iri.
func inboxNote(t *testing.T, n *testNode, iri string) (shrooms.InboxState, string) {
	t.Helper()
	acts, _, err := n.m.DB.Inbox.FindInboxActivities(context.Background(), shrooms.InboxFilter{ActivityIRI: iri})
	if err != nil || len(acts) != 1 {
		t.Fatalf("%s's inbox holds %d activities %s: %v", n.addr, len(acts), iri, err)
	}
	return acts[0].State, acts[0].Note
}

// actorUpdatesIn counts the Updates of actor iri in n's inbox.
func actorUpdatesIn(t *testing.T, n *testNode, iri string) int {
	t.Helper()
	k := 0
	for _, act := range inboxActivities(t, n) {
		if act.Type == shrooms.ActivityUpdate && act.Object == iri {
			k++
		}
	}
	return k
}

// orgNameInSearch is the organisation name n's search API gives the hit
// iri, "" when the search does not find it.
func orgNameInSearch(t *testing.T, n *testNode, token, q, iri string) string {
	t.Helper()
	for _, h := range search(t, n, token, q) {
		if h.IRI == iri {
			return h.Organization.Name
		}
	}
	return ""
}

// TestActorUpdateRenamesPartner: A's admin renames the organisation on the
// settings page; B's partner list and search results show the new name.
// Saving unchanged settings sends nothing; a forged copy embedded by A's
// own key is not trusted, the document is fetched again.
func TestActorUpdateRenamesPartner(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	linkByInvite(t, a, b, a, b)
	sander := newItem(t, a, "Orbital sander", shrooms.AudiencePartners)
	drain(t, a, b)
	token := memberToken(t, b, "bea")
	old := partnerOf(t, b, a.org().IRI).Actor.Name
	if got := orgNameInSearch(t, b, token, "sander", sander.IRI); got == "" || got != old {
		t.Fatalf("before: search names %q, want %q", got, old)
	}

	admin := loginAs(t, a, "admin", adminPassword)
	wantStatus(t, "rename", admin.post("/admin/settings", settingsForm("Atelier Vélo Nord", shrooms.Modules...)), 200)
	drain(t, a, b)
	if got := partnerOf(t, b, a.org().IRI).Actor; got.Name != "Atelier Vélo Nord" || got.Summary != "We fix things" {
		t.Fatalf("B's partner after the rename: name %q summary %q", got.Name, got.Summary)
	}
	if p := loginAs(t, b, "admin", adminPassword).get("/admin/partners"); !p.Has("Atelier Vélo Nord") || p.Has(">"+old+"<") {
		t.Fatalf("B's partner page after the rename:\n%s", p.Body)
	}
	if got := orgNameInSearch(t, b, token, "sander", sander.IRI); got != "Atelier Vélo Nord" {
		t.Fatalf("search holder after the rename: %q", got)
	}
	createUser(t, b, "mia", shrooms.RoleMember, memberPassword)
	if p := loginAs(t, b, "mia", memberPassword).get("/search?q=sander"); !p.Has("Atelier Vélo Nord") {
		t.Fatalf("B's search page does not show the new name:\n%s", p.Body)
	}
	updates := actorUpdatesIn(t, b, a.org().IRI)
	if updates != 1 {
		t.Fatalf("B received %d Updates of A, want 1", updates)
	}
	for _, act := range inboxActivities(t, b) {
		if act.Type == shrooms.ActivityUpdate && act.Object == a.org().IRI {
			obj, _ := act.raw["object"].(map[string]any)
			if obj == nil || obj["name"] != "Atelier Vélo Nord" || obj["type"] != "Organization" {
				t.Fatalf("the Update does not embed the actor: %v", act.raw)
			}
			if st, note := inboxNote(t, b, act.IRI); st != shrooms.InboxDone || note != "" {
				t.Fatalf("B's inbox: %s %q", st, note)
			}
		}
	}

	// The same settings again: nothing the actor shows changed.
	wantStatus(t, "same settings", admin.post("/admin/settings", settingsForm("Atelier Vélo Nord", shrooms.Modules...)), 200)
	drain(t, a, b)
	if got := actorUpdatesIn(t, b, a.org().IRI); got != updates {
		t.Fatalf("an unchanged save sent an Update: %d, want %d", got, updates)
	}

	// A's key signs an Update embedding a forged document: B fetches the
	// real one, which still says Atelier Vélo Nord.
	forged := fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],
		"id":%q,"type":"Update","actor":%q,"to":["https://www.w3.org/ns/activitystreams#Public"],
		"object":{"id":%q,"type":"Organization","preferredUsername":"org","name":"Forged name","inbox":%q}}`,
		a.url()+"/activities/forged-1", a.org().IRI, a.org().IRI, a.org().Inbox)
	if status, reply := orgSigner(t, a).post(b.url()+"/inbox", []byte(forged), signOpts{}); status != http.StatusAccepted {
		t.Fatalf("A's signed Update: %d %s", status, reply)
	}
	drain(t, b)
	if got := partnerOf(t, b, a.org().IRI).Actor.Name; got != "Atelier Vélo Nord" {
		t.Fatalf("B trusted the embedded copy: %q", got)
	}
}

// TestActorUpdateOfMember: B follows A's member; her new name and public
// bio reach B's cached actor, a bio for members only does not.
func TestActorUpdateOfMember(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	alice := createUser(t, a, "alice", shrooms.RoleMember, memberPassword)
	b.mustCLI("admin", "follow", "alice@"+a.addr)
	drain(t, a, b)
	iri := a.url() + "/actors/alice"
	if f := a.follows(true, shrooms.FollowAccepted); len(f) != 0 {
		t.Fatalf("the organisation got followers: %+v", f)
	}
	ctx := shrooms.NewContextWithUser(context.Background(), alice)
	prof, err := a.m.DB.Profiles.FindProfile(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	prof.Name, prof.Bio, prof.BioAudience = "Alice Liddell", "Fixes radios.", shrooms.AudiencePublic
	if err := a.m.DB.Profiles.UpdateProfile(ctx, prof); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	cachedAlice := func() *shrooms.Actor {
		t.Helper()
		got, err := b.m.DB.Actors.FindActorByIRI(systemCtx, iri)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := cachedAlice(); got.Name != "Alice Liddell" || got.Summary != "Fixes radios." {
		t.Fatalf("B's copy of alice: name %q summary %q", got.Name, got.Summary)
	}

	// Members only: the actor loses its summary, and the secret never
	// leaves A, in the Update or anywhere else.
	prof.Bio, prof.BioAudience = "Lives above the workshop.", shrooms.AudienceMembers
	if err := a.m.DB.Profiles.UpdateProfile(ctx, prof); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	if got := cachedAlice(); got.Name != "Alice Liddell" || got.Summary != "" {
		t.Fatalf("B's copy of alice after the private bio: name %q summary %q", got.Name, got.Summary)
	}
	for _, act := range inboxActivities(t, b) {
		if raw, _ := json.Marshal(act.raw); strings.Contains(string(raw), "workshop") {
			t.Fatalf("the members-only bio left A: %s", raw)
		}
	}
	if got := actorUpdatesIn(t, b, iri); got != 2 {
		t.Fatalf("B received %d Updates of alice, want 2", got)
	}
}

// TestActorUpdateHostile: an Update naming another actor changes nothing,
// an embedded copy of another host's actor and an unsigned Update are
// refused at the inbox; an actor's own Update after a key rotation
// refreshes its name and key.
func TestActorUpdateHostile(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	linkByInvite(t, a, b, a, b)
	mallory := newRemoteActor(t, clock, "mallory")
	inbox := b.url() + "/inbox"
	orgA := a.org()
	before := partnerOf(t, b, orgA.IRI).Actor
	doc := func(name string) string {
		return fmt.Sprintf(`{"id":%q,"type":"Organization","preferredUsername":"org","name":%q,"inbox":%q}`, orgA.IRI, name, orgA.Inbox)
	}
	update := func(id, object string) []byte {
		return []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Update","actor":%q,"object":%s}`,
			id, mallory.iri(), object))
	}

	// Mallory names A's actor: stored, then ignored.
	byIRI := mallory.iri() + "/activities/u1"
	if status, reply := mallory.post(inbox, update(byIRI, fmt.Sprintf("%q", orgA.IRI)), signOpts{}); status != http.StatusAccepted {
		t.Fatalf("Update of another actor by IRI: %d %s", status, reply)
	}
	drain(t, a, b)
	if st, note := inboxNote(t, b, byIRI); st != shrooms.InboxDone || note != "ignored: Update of another actor" {
		t.Fatalf("Update of another actor: %s %q", st, note)
	}
	// An embedded copy of A from Mallory, and an unsigned Update.
	if status, reply := mallory.post(inbox, update(mallory.iri()+"/activities/u2", doc("Pwned")), signOpts{}); status != http.StatusForbidden {
		t.Fatalf("embedded actor of another host: %d %s", status, reply)
	}
	unsigned := update(mallory.iri()+"/activities/u3", fmt.Sprintf("%q", mallory.iri()))
	if status, reply := mallory.post(inbox, unsigned, signOpts{mutate: func(r *http.Request) { r.Header.Del("Signature") }}); status != http.StatusUnauthorized {
		t.Fatalf("unsigned Update: %d %s", status, reply)
	}
	drain(t, a, b)
	if got := partnerOf(t, b, orgA.IRI).Actor; got.Name != before.Name || got.PublicKeyPEM != before.PublicKeyPEM {
		t.Fatalf("A's actor at B changed: %q → %q", before.Name, got.Name)
	}

	// Mallory's own Update, after a new name and a new key: fetched
	// again, both replace the cached ones.
	mallory.mu.Lock()
	mallory.actor.Name = "Mallory the Honest"
	mallory.mu.Unlock()
	mallory.rotate()
	clock.Advance(time.Minute)
	own := mallory.iri() + "/activities/u4"
	if status, reply := mallory.post(inbox, update(own, fmt.Sprintf("%q", mallory.iri())), signOpts{}); status != http.StatusAccepted {
		t.Fatalf("own Update: %d %s", status, reply)
	}
	drain(t, a, b)
	if st, note := inboxNote(t, b, own); st != shrooms.InboxDone || note != "" {
		t.Fatalf("own Update: %s %q", st, note)
	}
	got, err := b.m.DB.Actors.FindActorByIRI(systemCtx, mallory.iri())
	if err != nil {
		t.Fatal(err)
	}
	mallory.mu.Lock()
	pem := mallory.actor.PublicKeyPEM
	mallory.mu.Unlock()
	if got.Name != "Mallory the Honest" || got.PublicKeyPEM != pem {
		t.Fatalf("B's copy of mallory: name %q, key rotated %v", got.Name, got.PublicKeyPEM == pem)
	}
}

// TestActorDeleteItself: an actor's Delete of itself counts only once its
// document is gone; then its follow of our organisation goes.
func TestActorDeleteItself(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	b := startNode(t, clock)
	mallory := newRemoteActor(t, clock, "mallory")
	inbox := b.url() + "/inbox"
	if status, reply := mallory.post(inbox, mallory.activity("Follow", b.org().IRI), signOpts{}); status != http.StatusAccepted {
		t.Fatalf("Follow: %d %s", status, reply)
	}
	drain(t, b)
	if got := b.follows(true, shrooms.FollowAccepted); len(got) != 1 {
		t.Fatalf("B's followers: %d, want mallory", len(got))
	}

	// Still served: a Delete of itself is not believed.
	early := mallory.activity("Delete", mallory.iri())
	if status, reply := mallory.post(inbox, early, signOpts{}); status != http.StatusAccepted {
		t.Fatalf("early Delete: %d %s", status, reply)
	}
	drain(t, b)
	var id struct{ ID string }
	_ = json.Unmarshal(early, &id)
	if _, note := inboxNote(t, b, id.ID); note != "ignored: Delete of an actor that still exists" {
		t.Fatalf("early Delete: %q", note)
	}
	if got := b.follows(true, shrooms.FollowAccepted); len(got) != 1 {
		t.Fatalf("an actor still served lost its follow: %d", len(got))
	}

	// The account is gone (its document answers 404): the follow goes.
	mallory.mu.Lock()
	mallory.actor.Handle = "gone"
	mallory.mu.Unlock()
	if status, reply := mallory.post(inbox, mallory.activity("Delete", mallory.iri()), signOpts{}); status != http.StatusAccepted {
		t.Fatalf("Delete: %d %s", status, reply)
	}
	drain(t, b)
	if got := b.follows(true, ""); len(got) != 0 {
		t.Fatalf("B's followers after the Delete: %d, want none", len(got))
	}
	if q := b.queue(); q.InboxFailed != 0 || q.InboxPending != 0 {
		t.Fatalf("B's inbox: %+v", q)
	}
}

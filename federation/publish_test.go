package federation

import (
	"context"
	"sort"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestAddressCollapsesSharedInboxes: an activity for the public, the
// followers collection and a follower named again gets one delivery per
// inbox: followers on one host share its shared inbox; local actors and the
// public collection need none.
func TestAddressCollapsesSharedInboxes(t *testing.T) {
	ctx := context.Background()
	db, org := openNodeDB(t, "https://node.example")
	_, pub, _ := shrooms.NewKeyPair()
	remote := func(host, handle string, shared bool) *shrooms.Actor {
		iri := "https://" + host + "/users/" + handle
		a := &shrooms.Actor{IRI: iri, Kind: shrooms.KindPerson, Handle: handle, Host: host, Inbox: iri + "/inbox",
			KeyID: iri + "#main-key", PublicKeyPEM: pub}
		if shared {
			a.SharedInbox = "https://" + host + "/inbox"
		}
		if err := db.Actors.UpsertRemoteActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Follows.ReceiveFollow(ctx, iri+"/follows/1", iri, org.IRI, ""); err != nil {
			t.Fatal(err)
		}
		return a
	}
	remote("mastodon.example", "alice", true)
	remote("mastodon.example", "bob", true)
	carol := remote("small.example", "carol", false)

	f := New(Config{IRIs: shrooms.IRIs{Base: "https://node.example"}}, Services{Nodes: db.Nodes, Actors: db.Actors, Follows: db.Follows, Outbox: db.Outbox, Inbox: db.Inbox})
	entry := &shrooms.OutboxEntry{ActorID: org.ID, Activity: shrooms.Activity{
		IRI: "https://node.example/activities/1", Type: shrooms.ActivityCreate, Actor: org.IRI,
		To: []string{shrooms.PublicAudience},
		CC: []string{org.Followers, carol.IRI, "https://node.example/actors/someone-local"},
	}}
	ds, err := f.address(ctx, entry)
	if err != nil {
		t.Fatal(err)
	}
	var inboxes []string
	for _, d := range ds {
		inboxes = append(inboxes, d.Inbox)
	}
	sort.Strings(inboxes)
	want := []string{"https://mastodon.example/inbox", "https://small.example/users/carol/inbox"}
	if len(inboxes) != 2 || inboxes[0] != want[0] || inboxes[1] != want[1] {
		t.Fatalf("inboxes = %v, want %v", inboxes, want)
	}
}

// TestAddressSkipsExcept: followers listed in Except get no delivery when
// the followers collection is expanded (partners keeping a partners copy
// of an object whose public copy is deleted).
func TestAddressSkipsExcept(t *testing.T) {
	ctx := context.Background()
	db, org := openNodeDB(t, "https://node.example")
	_, pub, _ := shrooms.NewKeyPair()
	var iris []string
	for _, host := range []string{"keep.example", "other.example"} {
		iri := "https://" + host + "/users/x"
		a := &shrooms.Actor{IRI: iri, Kind: shrooms.KindPerson, Handle: "x", Host: host, Inbox: iri + "/inbox",
			KeyID: iri + "#main-key", PublicKeyPEM: pub}
		if err := db.Actors.UpsertRemoteActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Follows.ReceiveFollow(ctx, iri+"/follows/1", iri, org.IRI, ""); err != nil {
			t.Fatal(err)
		}
		iris = append(iris, iri)
	}
	f := New(Config{IRIs: shrooms.IRIs{Base: "https://node.example"}}, Services{Nodes: db.Nodes, Actors: db.Actors, Follows: db.Follows, Outbox: db.Outbox, Inbox: db.Inbox})
	entry := &shrooms.OutboxEntry{ActorID: org.ID, Activity: shrooms.Activity{
		IRI: "https://node.example/activities/1", Type: shrooms.ActivityDelete, Actor: org.IRI,
		To: []string{shrooms.PublicAudience}, CC: []string{org.Followers}, Except: []string{iris[0]},
	}}
	ds, err := f.address(ctx, entry)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Recipient != iris[1] {
		t.Fatalf("deliveries %+v, want %s only", ds, iris[1])
	}
}

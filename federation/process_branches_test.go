package federation

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
	"github.com/shrooms-org/shrooms/vocab"
)

// sendActivity renders act (its IRI, actor and Published filled in) and
// stores it as received from signer.
func (n *inboxNode) sendActivity(signer *shrooms.Actor, act *shrooms.Activity) string {
	n.t.Helper()
	n.seq++
	if act.Actor == "" {
		act.Actor = signer.IRI
	}
	act.IRI = fmt.Sprintf("https://%s/activities/%d", shrooms.HostOf(act.Actor), n.seq)
	act.Published = n.now
	raw, err := vocab.ActivityJSON(act)
	if err != nil {
		n.t.Fatal(err)
	}
	return n.receive(signer, act.IRI, raw)
}

// sendJSON stores a hand-written document (the activity's members without
// @context and id; "" for a document that is not JSON) as received from
// signer.
func (n *inboxNode) sendJSON(signer *shrooms.Actor, members string) string {
	n.t.Helper()
	n.seq++
	iri := fmt.Sprintf("https://%s/activities/%d", signer.Host, n.seq)
	raw := `{"@context": "https://www.w3.org/ns/activitystreams", "id": "` + iri + `", ` + members + `}`
	if members == "" {
		raw = `{"type": "Create", "id": "` + iri + `"`
	}
	return n.receive(signer, iri, []byte(raw))
}

// TestProcessInboxActivitiesBetweenCacheChanges: activities that are not
// cache changes (a Follow, an Accept, a Block, a Create of a Note, an
// unknown type, a document that does not parse, one whose actor is not its
// signer) cut the run of cache changes: the changes before each are
// applied and recorded before it is handled, and each is recorded with its
// outcome: applied, ignored with a note, or refused with its reason.
func TestProcessInboxActivitiesBetweenCacheChanges(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	stranger := n.actor("stranger.example", false)

	type want struct{ iri, note string }
	var wants []want
	create := func(path, name string) {
		wants = append(wants, want{n.send(a, shrooms.ActivityCreate, itemIRI(a, path), name, 1), ""})
	}
	add := func(iri, note string) { wants = append(wants, want{iri, note}) }
	create("1", "Drill")
	create("2", "Saw")
	add(n.sendActivity(stranger, &shrooms.Activity{Type: shrooms.ActivityFollow, Object: n.org.IRI}), "")
	create("3", "Ladder")
	add(n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityFollow, Object: "https://node.example/actors/nobody"}),
		`refused: actor "https://node.example/actors/nobody" not found`)
	create("4", "Hammer")
	add(n.sendJSON(a, ""), "refused: ")
	create("5", "Clamp")
	add(n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityAccept, Object: "https://elsewhere.example/x"}),
		"ignored: Accept of an unsupported object")
	add(n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityBlock, Object: "https://elsewhere.example/actors/x"}),
		"ignored: Block of an actor that is not ours")
	add(n.sendJSON(a, `"type": "Create", "actor": "`+a.IRI+`", "to": ["`+shrooms.PublicAudience+`"],
		"object": {"type": "Note", "id": "`+a.IRI+`/notes/1", "content": "hello"}`),
		"ignored: Create of an object the node does not keep")
	add(n.sendJSON(a, `"type": "Like", "actor": "`+a.IRI+`", "object": "https://node.example/items/1"`),
		"ignored: unsupported type Like")
	// A stranger relays the partner's Create: refused, not cached.
	add(n.sendActivity(stranger, &shrooms.Activity{Type: shrooms.ActivityCreate, Actor: a.IRI, To: []string{shrooms.PublicAudience},
		Item: &shrooms.Item{IRI: itemIRI(a, "forged"), Name: "Forged", Kind: shrooms.KindTool, Status: shrooms.StatusAvailable,
			CreatedAt: inboxT0, UpdatedAt: inboxT0}}), "refused: actor is not the signer")
	create("6", "Vice")

	if got := n.process(); got != len(wants) {
		t.Fatalf("claim handled %d, want %d", got, len(wants))
	}
	for _, w := range wants {
		got := n.inbox(w.iri)
		ok := got.State == shrooms.InboxDone && got.Note == w.note
		if w.note == "refused: " {
			ok = got.State == shrooms.InboxDone && strings.HasPrefix(got.Note, w.note) && len(got.Note) > len(w.note)
		}
		if !ok {
			t.Errorf("%s: state %s note %q, want done with %q", w.iri, got.State, got.Note, w.note)
		}
	}
	for k, name := range []string{"Drill", "Saw", "Ladder", "Hammer", "Clamp", "Vice"} {
		n.wantCached(itemIRI(a, fmt.Sprint(k+1)), name)
	}
	n.wantNotCached(itemIRI(a, "forged"))
	// The stranger's Follow was received: it waits for an admin.
	if fs, _, err := n.db.Follows.FindFollows(shrooms.NewSystemContext(n.ctx), shrooms.FollowFilter{FollowerID: stranger.ID}); err != nil || len(fs) != 1 {
		t.Errorf("the stranger's follows: %d, %v; want one", len(fs), err)
	}
}

// TestProcessInboxAudience: a partner's Create for its followers (which
// we are) is cached; an Update addressed to others withdraws the object
// (a tombstone); a Create not addressed to us, of an object we never had,
// leaves a tombstone too, so that an older Create arriving late does not
// bring it in.
func TestProcessInboxAudience(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	item := func(path, name string, h int) *shrooms.Item {
		return &shrooms.Item{IRI: itemIRI(a, path), Name: name, Kind: shrooms.KindTool, Status: shrooms.StatusAvailable,
			CreatedAt: inboxT0, UpdatedAt: inboxT0.Add(time.Duration(h) * time.Hour)}
	}
	shared := n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityCreate, To: []string{a.Followers}, Item: item("1", "Drill", 1)})
	hidden := n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityCreate, To: []string{a.IRI + "/members"}, Item: item("2", "Saw", 1)})
	n.process()
	n.wantDone(shared, "")
	n.wantDone(hidden, "")
	n.wantCached(itemIRI(a, "1"), "Drill")
	n.wantCached(itemIRI(a, "2"), "")

	withdrawn := n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityUpdate, To: []string{a.IRI + "/members"}, Item: item("1", "Drill", 2)})
	late := n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityCreate, To: []string{a.Followers}, Item: item("2", "Saw", 0)})
	n.process()
	n.wantDone(withdrawn, "")
	n.wantDone(late, "stale")
	n.wantCached(itemIRI(a, "1"), "")
	n.wantCached(itemIRI(a, "2"), "")
}

// TestProcessInboxWithoutCache: a node without a remote cache keeps no
// partner objects: Create, Update and Delete of an item are done with a
// note saying so, and nothing is cached.
func TestProcessInboxWithoutCache(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	db := n.db
	n.f = n.federation(Services{Nodes: db.Nodes, Actors: db.Actors, Follows: db.Follows, Outbox: db.Outbox, Inbox: db.Inbox})
	c := n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1)
	u := n.send(a, shrooms.ActivityUpdate, itemIRI(a, "1"), "Drill", 2)
	d := n.send(a, shrooms.ActivityDelete, itemIRI(a, "1"), "", 3)
	if got := n.process(); got != 3 {
		t.Fatalf("claim handled %d, want 3", got)
	}
	n.wantDone(c, "ignored: Create of an object the node does not keep")
	n.wantDone(u, "ignored: Update of an object the node does not keep")
	n.wantDone(d, "ignored: Delete of an object the node does not keep")
	n.wantNotCached(itemIRI(a, "1"))
}

// TestProcessInboxAudienceLookupFails: when the worker cannot tell whether
// an activity is addressed to us (here the node's organisation actor
// cannot be found), the activity is recorded with that error and not
// cached; a public one needs no lookup and goes on to the cache, which
// refuses it: without its organisation the node follows no partner.
func TestProcessInboxAudienceLookupFails(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	n.exec(`UPDATE settings SET value = 'gone' WHERE key = 'org_handle'`)
	private := n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityCreate, To: []string{a.Followers},
		Item: &shrooms.Item{IRI: itemIRI(a, "1"), Name: "Drill", Kind: shrooms.KindTool, Status: shrooms.StatusAvailable,
			CreatedAt: inboxT0, UpdatedAt: inboxT0}})
	public := n.send(a, shrooms.ActivityCreate, itemIRI(a, "2"), "Saw", 1)
	n.process()
	got := n.inbox(private)
	if got.State != shrooms.InboxDone || !strings.Contains(got.Note, "organisation actor") {
		t.Errorf("private Create: state %s note %q, want done, refused for the missing organisation", got.State, got.Note)
	}
	n.wantNotCached(itemIRI(a, "1"))
	n.wantDone(public, "refused: not a partner")
}

// shortResults is a remote cache that answers one result fewer than it
// was given changes. No real store does this: it stands for a broken
// implementation, the one failure of ApplyRemoteChanges a real database
// cannot be made to produce.
type shortResults struct{ *store.RemoteCacheService }

func (s shortResults) ApplyRemoteChanges(ctx context.Context, changes []shrooms.RemoteChange) ([]shrooms.RemoteResult, error) {
	res, err := s.RemoteCacheService.ApplyRemoteChanges(ctx, changes)
	if err != nil || len(res) == 0 {
		return res, err
	}
	return res[:len(res)-1], nil
}

// TestProcessInboxResultCountMismatch: a cache that answers the wrong
// number of results is an internal error: each activity of the batch is
// retried later, none is marked done on a result it did not get.
func TestProcessInboxResultCountMismatch(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	db := n.db
	n.f = n.federation(Services{Nodes: db.Nodes, Actors: db.Actors, Follows: db.Follows, Outbox: db.Outbox, Inbox: db.Inbox, Remote: shortResults{db.Remote}})
	iris := []string{
		n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1),
		n.send(a, shrooms.ActivityCreate, itemIRI(a, "2"), "Saw", 1),
	}
	n.process()
	next, _ := shrooms.NextInboxAttempt(n.now, 1)
	for _, iri := range iris {
		n.wantRetry(iri, 1, next, "remote cache answered 0 results for 1 changes")
	}
}

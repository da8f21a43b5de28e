package federation

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
	"github.com/shrooms-org/shrooms/vocab"
)

// inboxNode is a node over a real store whose inbox worker the tests drive
// by hand (processInbox, Drain), with a clock they move and a second
// connection to the database file (raw) to set up the conditions a store
// meets in the field: a lock held by another writer, a row the database
// refuses. Its partners are written straight into the partners and follows
// tables, as store/remote_helpers_test.go does, so that linking queues no
// Follow that Drain would try to deliver.
type inboxNode struct {
	t   *testing.T
	ctx context.Context
	db  *store.Services
	raw *sql.DB
	f   *Federation
	now time.Time
	org *shrooms.Actor
	seq int
	// log receives the worker's messages; by default they are dropped.
	log *slog.Logger
	// refusing is set while refuseRecording's trigger is in place.
	refusing bool
}

// inboxT0 is the tests' start time.
var inboxT0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// newInboxNode opens a store in a temp dir and a Federation over it. The
// busy timeout is short so that a test holding the write lock makes the
// worker's write fail at once instead of after the default wait.
func newInboxNode(t *testing.T) *inboxNode {
	t.Helper()
	n := &inboxNode{t: t, ctx: context.Background(), now: inboxT0, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := store.Open(path, store.Options{PublicURL: "https://node.example", BusyTimeout: 20 * time.Millisecond,
		Now: func() time.Time { return n.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n.db = store.NewServices(db)
	n.org, err = n.db.Nodes.InitNode(n.ctx, shrooms.NodeInit{Node: shrooms.Node{OrgHandle: "org", Name: "Node",
		Modules: []string{"inventory"}}, OrgName: "Node"})
	if err != nil {
		t.Fatal(err)
	}
	n.raw, err = sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.raw.Close() })
	n.f = n.federation(Services{Nodes: n.db.Nodes, Actors: n.db.Actors, Follows: n.db.Follows, Outbox: n.db.Outbox, Inbox: n.db.Inbox, Remote: n.db.Remote})
	return n
}

// federation returns a Federation of the node over svc, on its clock.
func (n *inboxNode) federation(svc Services) *Federation {
	return New(Config{IRIs: shrooms.IRIs{Base: "https://node.example"}, Now: func() time.Time { return n.now },
		Logger: n.log}, svc)
}

// exec runs SQL on the second connection.
func (n *inboxNode) exec(query string, args ...any) {
	n.t.Helper()
	if _, err := n.raw.Exec(query, args...); err != nil {
		n.t.Fatalf("%s: %v", query, err)
	}
}

// actor caches a remote organisation on host; linked makes it a partner
// (partners row, our follow accepted, its follow of us accepted).
func (n *inboxNode) actor(host string, linked bool) *shrooms.Actor {
	n.t.Helper()
	_, pub, _ := shrooms.NewKeyPair()
	iri := "https://" + host + "/actors/org"
	a := &shrooms.Actor{IRI: iri, Kind: shrooms.KindOrganization, Handle: "org", Host: host, Inbox: iri + "/inbox",
		Followers: iri + "/followers", SharedInbox: "https://" + host + "/inbox", KeyID: iri + "#main-key", PublicKeyPEM: pub}
	if err := n.db.Actors.UpsertRemoteActor(n.ctx, a); err != nil {
		n.t.Fatal(err)
	}
	if linked {
		n.exec(`INSERT INTO partners (actor_id, modules, created_at, updated_at) VALUES (?, 'inventory', 0, 0)`, a.ID)
		n.exec(`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
			VALUES (?, ?, ?, 'accepted', 0, 0)`, "https://node.example/follows/"+host, n.org.ID, a.ID)
		n.exec(`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
			VALUES (?, ?, ?, 'accepted', 0, 0)`, "https://"+host+"/follows/1", a.ID, n.org.ID)
	}
	return a
}

// receive stores raw as received from signer, as the inbox handler does
// after verifying the signature, and returns the activity's IRI.
func (n *inboxNode) receive(signer *shrooms.Actor, iri string, raw []byte) string {
	n.t.Helper()
	if _, err := n.db.Inbox.SaveInboxActivity(n.ctx, &shrooms.InboxActivity{ActivityIRI: iri, ActorIRI: signer.IRI,
		Raw: raw, ReceivedAt: n.now}); err != nil {
		n.t.Fatal(err)
	}
	// Received one millisecond apart, so that the worker takes them in order.
	n.now = n.now.Add(time.Millisecond)
	return iri
}

// itemIRI is the IRI of item path on actor a's host.
func itemIRI(a *shrooms.Actor, path string) string { return "https://" + a.Host + "/items/" + path }

// send renders an activity of actor a about an item (Create or Update of
// itemIRI, named name, updated at inboxT0 plus h hours; Delete of it then)
// addressed to the public, stores it as received from a, and returns its
// IRI.
func (n *inboxNode) send(a *shrooms.Actor, typ shrooms.ActivityType, iri, name string, h int) string {
	n.t.Helper()
	n.seq++
	at := inboxT0.Add(time.Duration(h) * time.Hour)
	act := &shrooms.Activity{IRI: fmt.Sprintf("https://%s/activities/%d", a.Host, n.seq), Type: typ, Actor: a.IRI,
		To: []string{shrooms.PublicAudience}, Published: at}
	if typ == shrooms.ActivityDelete {
		act.Object, act.ObjectType = iri, vocab.ItemObjectType
	} else {
		act.Item = &shrooms.Item{IRI: iri, Name: name, Kind: shrooms.KindTool, Status: shrooms.StatusAvailable,
			CreatedAt: inboxT0, UpdatedAt: at}
	}
	raw, err := vocab.ActivityJSON(act)
	if err != nil {
		n.t.Fatal(err)
	}
	return n.receive(a, act.IRI, raw)
}

// process runs one inbox step at the node's clock and fails on an error.
func (n *inboxNode) process() int {
	n.t.Helper()
	k, err := n.f.processInbox(n.ctx, batch)
	if err != nil {
		n.t.Fatalf("processInbox: %v", err)
	}
	return k
}

// inbox returns the stored activity iri.
func (n *inboxNode) inbox(iri string) *shrooms.InboxActivity {
	n.t.Helper()
	got, _, err := n.db.Inbox.FindInboxActivities(n.ctx, shrooms.InboxFilter{ActivityIRI: iri})
	if err != nil || len(got) != 1 {
		n.t.Fatalf("inbox activity %s: %v (%d found)", iri, err, len(got))
	}
	return got[0]
}

// wantDone checks that activity iri was handled for good with note.
func (n *inboxNode) wantDone(iri, note string) {
	n.t.Helper()
	a := n.inbox(iri)
	if a.State != shrooms.InboxDone || a.Note != note {
		n.t.Errorf("%s: state %s note %q, want done with %q", iri, a.State, a.Note, note)
	}
}

// wantRetry checks that activity iri failed attempts times and waits for
// its next try at next, with a note containing msg.
func (n *inboxNode) wantRetry(iri string, attempts int, next time.Time, msg string) {
	n.t.Helper()
	a := n.inbox(iri)
	if a.State != shrooms.InboxPending || a.Attempts != attempts || !a.NextAttemptAt.Equal(next) || !strings.Contains(a.Note, msg) {
		n.t.Errorf("%s: state %s, %d attempts, next %s, note %q; want pending, %d attempts, next %s, note with %q",
			iri, a.State, a.Attempts, a.NextAttemptAt, a.Note, attempts, next, msg)
	}
}

// cached returns the name and tombstone flag of the cached object iri;
// found is false when the cache has no row for it.
func (n *inboxNode) cached(iri string) (name string, deleted, found bool) {
	n.t.Helper()
	err := n.raw.QueryRow(`SELECT name, deleted FROM remote_objects WHERE iri = ?`, iri).Scan(&name, &deleted)
	if err == sql.ErrNoRows {
		return "", false, false
	}
	if err != nil {
		n.t.Fatal(err)
	}
	return name, deleted, true
}

// wantCached checks the cached object iri: its name, or a tombstone when
// name is "".
func (n *inboxNode) wantCached(iri, name string) {
	n.t.Helper()
	got, deleted, found := n.cached(iri)
	switch {
	case !found:
		n.t.Errorf("%s: not cached, want %q", iri, name)
	case name == "" && !deleted:
		n.t.Errorf("%s: cached as %q, want a tombstone", iri, got)
	case name != "" && (deleted || got != name):
		n.t.Errorf("%s: cached as %q (deleted %v), want %q", iri, got, deleted, name)
	}
}

// wantNotCached checks that the cache has no row for iri.
func (n *inboxNode) wantNotCached(iri string) {
	n.t.Helper()
	if name, _, found := n.cached(iri); found {
		n.t.Errorf("%s: cached as %q, want nothing", iri, name)
	}
}

// refuseNamed makes the database itself refuse to cache an object named
// name: a trigger aborts the insert, as a constraint would (a permanent
// error, EINVALID).
func (n *inboxNode) refuseNamed(name string) {
	n.exec(`CREATE TRIGGER test_refuse_` + name + ` BEFORE INSERT ON remote_objects WHEN new.name = '` + name + `'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
}

// failNamed makes caching an object named name fail with an error that is
// not a constraint (SQLite's "integer overflow", an EINTERNAL-like
// transient failure) until healNamed.
func (n *inboxNode) failNamed(name string) {
	n.exec(`CREATE TRIGGER test_fail_` + name + ` BEFORE INSERT ON remote_objects WHEN new.name = '` + name + `'
		BEGIN SELECT abs(-9223372036854775808); END`)
}

// healNamed drops failNamed's trigger.
func (n *inboxNode) healNamed(name string) { n.exec(`DROP TRIGGER test_fail_` + name) }

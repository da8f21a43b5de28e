package store_test

import (
	"database/sql"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// partners is a node with people (see newPeople) and a raw handle on its
// database, for the partnership tests.
type partners struct {
	*people
	raw *sql.DB
	// seen counts the outbox entries the test has looked at.
	seen int
}

func newPartners(t *testing.T) *partners {
	t.Helper()
	p := newPeople(t)
	return &partners{people: p, raw: rawDB(t, p.db.Path())}
}

// newActs returns the outbox activities written since the last call.
func (x *partners) newActs(t *testing.T) []*shrooms.Activity {
	t.Helper()
	entries := outbox(t, x.db)
	var out []*shrooms.Activity
	for _, e := range entries[x.seen:] {
		a := e.Activity
		out = append(out, &a)
	}
	x.seen = len(entries)
	return out
}

// wantActs checks the types and recipients (To) of the activities written
// since the last look, and returns them.
func (x *partners) wantActs(t *testing.T, want ...string) []*shrooms.Activity {
	t.Helper()
	acts := x.newActs(t)
	var got []string
	for _, a := range acts {
		got = append(got, string(a.Type))
	}
	if len(got) != len(want) {
		t.Fatalf("new activities %v, want %v", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("new activities %v, want %v", got, want)
		}
	}
	return acts
}

// partner returns the partner of actor a, failing when there is none.
func (x *partners) partner(t *testing.T, a *shrooms.Actor) *shrooms.Partner {
	t.Helper()
	p, err := x.db.Partners.FindPartner(sys, a.ID)
	if err != nil {
		t.Fatalf("FindPartner %s: %v", a.IRI, err)
	}
	return p
}

// link makes a linked partner of a new remote organisation on host, the
// way two nodes do it: we link, it accepts and follows back.
func (x *partners) link(t *testing.T, host string) *shrooms.Actor {
	t.Helper()
	a := remoteActor(t, x.db, host, "org")
	p, err := x.db.Partners.LinkPartner(sys, a.ID, "")
	if err != nil {
		t.Fatalf("LinkPartner: %v", err)
	}
	if _, err := x.db.Follows.ReceiveFollowAccept(sys, shrooms.FollowAnswer{FollowIRI: p.Ours.ActivityIRI, ActorIRI: a.IRI}); err != nil {
		t.Fatalf("ReceiveFollowAccept: %v", err)
	}
	if _, err := x.db.Follows.ReceiveFollow(sys, "https://"+host+"/follows/back", a.IRI, x.org.IRI, ""); err != nil {
		t.Fatalf("ReceiveFollow: %v", err)
	}
	if st := x.partner(t, a).State; st != shrooms.PartnerLinked {
		t.Fatalf("partner %s is %s, want linked", host, st)
	}
	x.newActs(t)
	return a
}

// cacheObject puts a row straight into actor a's remote cache.
func (x *partners) cacheObject(t *testing.T, a *shrooms.Actor, path string, gen int64, cachedAt int64) {
	t.Helper()
	if _, err := x.raw.Exec(`INSERT INTO remote_objects (iri, actor_id, type, name, updated_at, sync_gen, cached_at)
		VALUES (?, ?, 'Item', ?, 0, ?, ?)`, "https://"+a.Host+"/items/"+path, a.ID, "thing "+path, gen, cachedAt); err != nil {
		t.Fatal(err)
	}
}

// cached counts actor a's rows in the remote cache and its index.
func (x *partners) cached(t *testing.T, a *shrooms.Actor) int {
	t.Helper()
	var n int
	if err := x.raw.QueryRow(`SELECT COUNT(*) FROM remote_objects WHERE actor_id = ?`, a.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

package store_test

import (
	"context"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// cache is an inventory node (see newInv) with two linked partners, A
// and B, written straight into the partners and follows tables so that
// these tests do not depend on the partner service.
type cache struct {
	*inv
	a, b *shrooms.Actor
}

func newCache(t *testing.T) *cache {
	t.Helper()
	c := &cache{inv: newInv(t)}
	c.a = c.partner(t, "a.example", "org")
	c.b = c.partner(t, "b.example", "org")
	return c
}

// partner caches a remote organisation and links it: a partners row and
// both follows accepted.
func (c *cache) partner(t *testing.T, host, handle string) *shrooms.Actor {
	t.Helper()
	a := remoteActor(t, c.db, host, handle)
	c.exec(t, `INSERT INTO partners (actor_id, modules, created_at, updated_at) VALUES (?, 'inventory,stock', 0, 0)`, a.ID)
	c.exec(t, `INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
		VALUES (?, ?, ?, 'accepted', 0, 0)`, testURL+"/f/"+host, c.org.ID, a.ID)
	c.exec(t, `INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
		VALUES (?, ?, ?, 'accepted', 0, 0)`, "https://"+host+"/f/1", a.ID, c.org.ID)
	return a
}

// at is t0 plus h hours.
func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

// obj is an item object of partner a, named name, updated at hour h.
func obj(a *shrooms.Actor, path, name string, h float64) shrooms.RemoteObject {
	return shrooms.RemoteObject{IRI: "https://" + a.Host + "/items/" + path, Type: "Item", Kind: shrooms.KindTool,
		Status: shrooms.StatusAvailable, Name: name, Summary: name + " to lend", URL: "https://" + a.Host + "/items/" + path,
		Updated: at(h), Raw: []byte(`{"type":"Document","name":"` + name + `"}`)}
}

func put(a *shrooms.Actor, o shrooms.RemoteObject) shrooms.RemoteChange {
	return shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: a.IRI, Object: o}
}

// apply applies changes as the system and checks their results.
func (c *cache) apply(t *testing.T, want []shrooms.RemoteResult, changes ...shrooms.RemoteChange) {
	t.Helper()
	got, err := c.db.Remote.ApplyRemoteChanges(sys, changes)
	if err != nil {
		t.Fatalf("ApplyRemoteChanges: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("results = %v, want %v", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("results = %v, want %v", got, want)
		}
	}
}

// search runs a search and returns the hits' names in order.
func (c *cache) search(t *testing.T, ctx context.Context, q shrooms.SearchQuery) []string {
	t.Helper()
	res, err := c.db.Search.Search(ctx, q)
	if err != nil {
		t.Fatalf("Search %+v: %v", q, err)
	}
	names := []string{}
	for _, h := range res.Hits {
		names = append(names, h.Name)
	}
	return names
}

var (
	applied = shrooms.RemoteApplied
	stale   = shrooms.RemoteStale
	refused = shrooms.RemoteRefused
)

package store_test

import (
	"context"
	"encoding/json"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestApplyRemoteChangesRights(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	for name, ctx := range map[string]context.Context{"anonymous": anon, "member": as(c.member), "admin": as(c.admin)} {
		t.Run(name, func(t *testing.T) {
			_, err := c.db.Remote.ApplyRemoteChanges(ctx, []shrooms.RemoteChange{put(c.a, obj(c.a, "1", "Drill", 1))})
			wantCode(t, err, shrooms.EFORBIDDEN, "")
		})
	}
	if n, _ := c.db.Remote.CountRemoteObjects(sys, c.a.ID); n != 0 {
		t.Fatalf("count = %d after refused batches", n)
	}
}

func TestApplyRemoteOutOfOrder(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	c.apply(t, []shrooms.RemoteResult{applied, applied, stale, stale},
		put(c.a, obj(c.a, "1", "Drill v1", 1)),
		put(c.a, obj(c.a, "1", "Drill v3", 3)),
		put(c.a, obj(c.a, "1", "Drill v2", 2)), // late Update
		put(c.a, obj(c.a, "1", "Drill v3 again", 3)),
	)
	o, err := c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/1")
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "Drill v3" || !o.Updated.Equal(at(3)) || o.ActorID != c.a.ID || o.Actor == nil || o.Actor.IRI != c.a.IRI {
		t.Fatalf("cached = %q at %v by %d", o.Name, o.Updated, o.ActorID)
	}
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "drill"}); len(got) != 1 || got[0] != "Drill v3" {
		t.Fatalf("search = %v, want the newest version only", got)
	}
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "v2"}); len(got) != 0 {
		t.Fatalf("search v2 = %v, want none: the old text left the index", got)
	}
}

func TestApplyRemoteTombstone(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	del := func(path string, h float64) shrooms.RemoteChange {
		return shrooms.RemoteChange{Op: shrooms.RemoteDelete, ActorIRI: c.a.IRI,
			Object: shrooms.RemoteObject{IRI: "https://a.example/items/" + path, Updated: at(h)}}
	}
	t.Run("delete then late update", func(t *testing.T) {
		c.apply(t, []shrooms.RemoteResult{applied, applied, stale},
			put(c.a, obj(c.a, "1", "Kettle", 1)),
			del("1", 4),
			put(c.a, obj(c.a, "1", "Kettle edited", 3)),
		)
		_, err := c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/1")
		wantCode(t, err, shrooms.ENOTFOUND, "")
		if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "kettle"}); len(got) != 0 {
			t.Fatalf("search = %v after delete", got)
		}
		if n, _ := c.db.Remote.CountRemoteObjects(sys, c.a.ID); n != 0 {
			t.Fatalf("count = %d, tombstones are not counted", n)
		}
	})
	t.Run("delete before create", func(t *testing.T) {
		c.apply(t, []shrooms.RemoteResult{applied, stale, stale},
			del("2", 5),
			put(c.a, obj(c.a, "2", "Toaster", 2)), // the Create arrives late
			put(c.a, obj(c.a, "2", "Toaster", 5)), // same time as the deletion
		)
		if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "toaster"}); len(got) != 0 {
			t.Fatalf("search = %v, a late Create resurrected a deleted object", got)
		}
	})
	t.Run("newer version replaces a tombstone", func(t *testing.T) {
		c.apply(t, []shrooms.RemoteResult{applied, stale}, put(c.a, obj(c.a, "2", "Toaster back", 6)), del("2", 5.5))
		if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "toaster"}); len(got) != 1 || got[0] != "Toaster back" {
			t.Fatalf("search = %v", got)
		}
	})
}

func TestApplyRemoteWithdraw(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	withdraw := func(path string, h float64) shrooms.RemoteChange {
		return shrooms.RemoteChange{Op: shrooms.RemoteWithdraw, ActorIRI: c.a.IRI,
			Object: shrooms.RemoteObject{IRI: "https://a.example/items/" + path, Updated: at(h)}}
	}
	c.apply(t, []shrooms.RemoteResult{applied, applied}, put(c.a, obj(c.a, "1", "Ladder", 1)), put(c.a, obj(c.a, "2", "Lamp", 1)))
	c.apply(t, []shrooms.RemoteResult{applied}, withdraw("1", 3))
	if n, _ := c.db.Remote.CountRemoteObjects(sys, c.a.ID); n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "ladder"}); len(got) != 0 {
		t.Fatalf("search = %v after withdraw", got)
	}
	// The Create of version 2, delayed, must not bring the object back.
	c.apply(t, []shrooms.RemoteResult{stale}, put(c.a, obj(c.a, "1", "Ladder v2", 2)))
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "ladder"}); len(got) != 0 {
		t.Fatalf("search = %v, a late Create undid the withdraw", got)
	}
	// Shared with us again in a newer version: back.
	c.apply(t, []shrooms.RemoteResult{applied, stale}, put(c.a, obj(c.a, "1", "Ladder v4", 4)), withdraw("1", 3.5))
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "ladder"}); len(got) != 1 || got[0] != "Ladder v4" {
		t.Fatalf("search = %v, want the version shared again", got)
	}
}

func TestApplyRemoteRefused(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	stranger := remoteActor(t, c.db, "stranger.example", "org")
	pending := remoteActor(t, c.db, "pending.example", "org")
	c.exec(t, `INSERT INTO partners (actor_id, created_at, updated_at) VALUES (?, 0, 0)`, pending.ID)
	c.exec(t, `INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
		VALUES ('x', ?, ?, 'pending', 0, 0)`, c.org.ID, pending.ID)
	blocked := c.partner(t, "blocked.example", "org")
	c.exec(t, `UPDATE partners SET blocked = 1 WHERE actor_id = ?`, blocked.ID)
	hostBlocked := c.partner(t, "host.example", "org")
	c.exec(t, `INSERT INTO blocked_hosts (host, created_at) VALUES ('host.example', 0)`)
	c.apply(t, []shrooms.RemoteResult{applied}, put(c.a, obj(c.a, "1", "Owned by A", 1)))
	foreign := obj(c.a, "9", "Forged", 1) // an object on A's host, sent by B
	cases := []struct {
		name   string
		change shrooms.RemoteChange
	}{
		{"not a partner", put(stranger, obj(stranger, "1", "Stranger", 1))},
		{"unknown actor", shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: "https://nobody.example/org", Object: obj(c.a, "2", "X", 1)}},
		{"our follow pending", put(pending, obj(pending, "1", "Pending", 1))},
		{"blocked", put(blocked, obj(blocked, "1", "Blocked", 1))},
		{"host blocked", put(hostBlocked, obj(hostBlocked, "1", "Host blocked", 1))},
		{"wrong host", put(c.b, foreign)},
		{"delete on another host", shrooms.RemoteChange{Op: shrooms.RemoteDelete, ActorIRI: c.b.IRI, Object: shrooms.RemoteObject{IRI: "https://a.example/items/1"}}},
		{"withdraw on another host", shrooms.RemoteChange{Op: shrooms.RemoteWithdraw, ActorIRI: c.b.IRI, Object: shrooms.RemoteObject{IRI: "https://a.example/items/1"}}},
		{"no IRI", put(c.a, shrooms.RemoteObject{Name: "Nameless"})},
		{"unknown op", shrooms.RemoteChange{Op: "move", ActorIRI: c.a.IRI, Object: obj(c.a, "3", "Moved", 1)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.apply(t, []shrooms.RemoteResult{refused}, tc.change)
		})
	}
	if n := count(t, c.db, `SELECT COUNT(*) FROM remote_objects`); n != 1 {
		t.Fatalf("%d cached rows, want only A's object", n)
	}
	if o, err := c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/1"); err != nil || o.Name != "Owned by A" {
		t.Fatalf("A's object = %+v, %v", o, err)
	}
}

func TestApplyRemoteKeepsRawAndSyncGen(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	o := obj(c.a, "1", "Sander", 2)
	o.Raw = json.RawMessage(`{"type":["Document","shrooms:Item"],"name":"Sander","shrooms:color":"green","other:x":{"y":[1,2]}}`)
	o.Content, o.ImageURL, o.Public, o.Kind = "orbital 125 mm", "https://a.example/media/7", true, shrooms.KindDevice
	c.apply(t, []shrooms.RemoteResult{applied}, shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: c.a.IRI, Object: o, SyncGen: 3})
	got, err := c.db.Remote.FindRemoteObject(as(c.member), o.IRI)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Raw) != string(o.Raw) {
		t.Fatalf("raw = %s, want it kept as received", got.Raw)
	}
	if got.Content != o.Content || got.ImageURL != o.ImageURL || !got.Public || got.Kind != shrooms.KindDevice ||
		got.SyncGen != 3 || got.Type != "Item" || got.URL != o.URL || !got.CachedAt.Equal(t0) {
		t.Fatalf("cached = %+v", got)
	}
	// A resync that sees the same version marks it without changing it.
	c.apply(t, []shrooms.RemoteResult{stale}, shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: c.a.IRI, Object: o, SyncGen: 4})
	if got, _ := c.db.Remote.FindRemoteObject(as(c.member), o.IRI); got.SyncGen != 4 {
		t.Fatalf("sync gen = %d after a stale resync, want 4", got.SyncGen)
	}
	// A delivery (SyncGen 0) keeps the sync generation.
	c.apply(t, []shrooms.RemoteResult{applied}, put(c.a, obj(c.a, "1", "Sander v2", 3)))
	if got, _ := c.db.Remote.FindRemoteObject(as(c.member), o.IRI); got.SyncGen != 4 || got.Name != "Sander v2" {
		t.Fatalf("after delivery: %q gen %d", got.Name, got.SyncGen)
	}
}

func TestPurgeRemote(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	c.apply(t, []shrooms.RemoteResult{applied, applied, applied, applied},
		put(c.a, obj(c.a, "1", "Drill", 1)), put(c.a, obj(c.a, "2", "Saw", 1)),
		shrooms.RemoteChange{Op: shrooms.RemoteDelete, ActorIRI: c.a.IRI, Object: shrooms.RemoteObject{IRI: "https://a.example/items/3"}},
		put(c.b, obj(c.b, "1", "Drill", 1)))
	_, err := c.db.Remote.PurgeRemote(as(c.member), c.a.ID)
	wantCode(t, err, shrooms.EFORBIDDEN, "")
	_, err = c.db.Remote.PurgeRemote(anon, c.a.ID)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	n, err := c.db.Remote.PurgeRemote(sys, c.a.ID)
	if err != nil || n != 2 {
		t.Fatalf("PurgeRemote = %d, %v; want 2", n, err)
	}
	if n := count(t, c.db, `SELECT COUNT(*) FROM remote_objects WHERE actor_id = ?`, c.a.ID); n != 0 {
		t.Fatalf("%d rows of A left (tombstones go too)", n)
	}
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "drill"}); len(got) != 1 {
		t.Fatalf("search = %v, want B's drill only", got)
	}
	if n, _ := c.db.Remote.CountRemoteObjects(as(c.member), c.b.ID); n != 1 {
		t.Fatalf("B count = %d", n)
	}
}

func TestFindRemoteObjectRights(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	c.apply(t, []shrooms.RemoteResult{applied}, put(c.a, obj(c.a, "1", "Drill", 1)))
	_, err := c.db.Remote.FindRemoteObject(anon, "https://a.example/items/1")
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	_, err = c.db.Remote.CountRemoteObjects(anon, c.a.ID)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	_, err = c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/404")
	wantCode(t, err, shrooms.ENOTFOUND, "")
	// Unlinked (their follow withdrawn) without a purge yet: not shown.
	c.exec(t, `DELETE FROM follows WHERE follower_id = ?`, c.a.ID)
	_, err = c.db.Remote.FindRemoteObject(as(c.member), "https://a.example/items/1")
	wantCode(t, err, shrooms.ENOTFOUND, "")
}

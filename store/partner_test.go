package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// What admins do to partnerships: link, unlink, block, share.

func TestLinkPartner(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	b := remoteActor(t, x.db, "b.example", "org")
	person := remotePerson(t, x.db, "people.example", "zoe")

	t.Run("rights and shapes", func(t *testing.T) {
		_, err := x.db.Partners.LinkPartner(as(x.member), b.ID, "tok")
		wantCode(t, err, shrooms.EFORBIDDEN, "")
		_, err = x.db.Partners.LinkPartner(anon, b.ID, "tok")
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
		_, err = x.db.Partners.LinkPartner(sys, person.ID, "")
		wantCode(t, err, shrooms.EINVALID, "organisation")
		_, err = x.db.Partners.LinkPartner(sys, x.org.ID, "")
		wantCode(t, err, shrooms.EINVALID, "organisation")
		_, err = x.db.Partners.LinkPartner(sys, 999, "")
		wantCode(t, err, shrooms.ENOTFOUND, "")
		x.wantActs(t)
		if ps, err := x.db.Partners.FindPartners(sys, shrooms.PartnerFilter{}); err != nil || len(ps) != 0 {
			t.Fatalf("partners %v, %v", ps, err)
		}
	})
	t.Run("link with their invite", func(t *testing.T) {
		p, err := x.db.Partners.LinkPartner(as(x.admin), b.ID, "their-token")
		if err != nil {
			t.Fatal(err)
		}
		acts := x.wantActs(t, "Follow")
		if acts[0].InviteToken != "their-token" || acts[0].Object != b.IRI || acts[0].To[0] != b.IRI {
			t.Fatalf("follow %+v", acts[0])
		}
		if p.State != shrooms.PartnerPendingOut || p.Actor.ID != b.ID || len(p.Modules) != len(shrooms.SharedModules) {
			t.Fatalf("partner %+v", p)
		}
		_, err = x.db.Partners.LinkPartner(sys, b.ID, "")
		wantCode(t, err, shrooms.ECONFLICT, "")
		x.wantActs(t)
	})
	t.Run("B accepts and follows back: accepted at once, linked", func(t *testing.T) {
		ours := x.partner(t, b).Ours
		if _, err := x.db.Follows.ReceiveFollowAccept(sys, shrooms.FollowAnswer{FollowIRI: ours.ActivityIRI, ActorIRI: b.IRI}); err != nil {
			t.Fatal(err)
		}
		if p := x.partner(t, b); p.State != shrooms.PartnerPendingOut || p.Sync.State != shrooms.SyncDue {
			t.Fatalf("partner %+v", p)
		}
		f, err := x.db.Follows.ReceiveFollow(sys, "https://b.example/f/1", b.IRI, x.org.IRI, "")
		if err != nil || f.State != shrooms.FollowAccepted {
			t.Fatalf("follow back %+v, %v", f, err)
		}
		x.wantActs(t, "Accept") // and no second Follow of ours
		if p := x.partner(t, b); p.State != shrooms.PartnerLinked {
			t.Fatalf("partner %+v", p)
		}
	})
	t.Run("linking accepts their waiting request", func(t *testing.T) {
		c := remoteActor(t, x.db, "c.example", "org")
		if _, err := x.db.Follows.ReceiveFollow(sys, "https://c.example/f/1", c.IRI, x.org.IRI, ""); err != nil {
			t.Fatal(err)
		}
		p, err := x.db.Partners.LinkPartner(sys, c.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		x.wantActs(t, "Follow", "Accept")
		if p.Theirs.State != shrooms.FollowAccepted || p.Ours.State != shrooms.FollowPending {
			t.Fatalf("partner %+v", p)
		}
	})
}

func TestFindPartnersOrder(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	pendingIn := remoteActor(t, x.db, "in.example", "org")
	if _, err := x.db.Follows.ReceiveFollow(sys, "https://in.example/f/1", pendingIn.IRI, x.org.IRI, ""); err != nil {
		t.Fatal(err)
	}
	pendingOut := remoteActor(t, x.db, "out.example", "org")
	if _, err := x.db.Partners.LinkPartner(sys, pendingOut.ID, ""); err != nil {
		t.Fatal(err)
	}
	blocked := remoteActor(t, x.db, "blocked.example", "org")
	if err := x.db.Partners.BlockPartner(sys, blocked.ID); err != nil {
		t.Fatal(err)
	}
	zed := x.link(t, "zed.example")
	alpha := x.link(t, "alpha.example")
	if _, err := x.raw.Exec(`UPDATE actors SET name = 'Zed' WHERE id = ?; UPDATE actors SET name = 'alpha' WHERE id = ?`, zed.ID, alpha.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := x.raw.Exec(`INSERT INTO hosts (host, last_success_at) VALUES ('zed.example', ?)`, t0.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if _, err := x.raw.Exec(`INSERT INTO deliveries (outbox_id, actor_id, inbox, host, state, next_attempt_at, created_at)
		SELECT id, actor_id, 'https://zed.example/inbox', 'zed.example', 'pending', 0, 0 FROM outbox LIMIT 2`); err != nil {
		t.Fatal(err)
	}
	ps, err := x.db.Partners.FindPartners(as(x.admin), shrooms.PartnerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		a     *shrooms.Actor
		state shrooms.PartnerState
	}{{alpha, shrooms.PartnerLinked}, {zed, shrooms.PartnerLinked}, {pendingIn, shrooms.PartnerPendingIn},
		{pendingOut, shrooms.PartnerPendingOut}, {blocked, shrooms.PartnerBlocked}}
	if len(ps) != len(want) {
		t.Fatalf("%d partners, want %d", len(ps), len(want))
	}
	for k, w := range want {
		if ps[k].Actor.ID != w.a.ID || ps[k].State != w.state {
			t.Fatalf("partner %d = %s %s, want %s %s", k, ps[k].Actor.IRI, ps[k].State, w.a.IRI, w.state)
		}
	}
	if z := ps[1]; !z.LastDeliveryAt.Equal(t0) || z.QueueDepth != 2 || ps[0].QueueDepth != 0 || !ps[0].LastDeliveryAt.IsZero() {
		t.Fatalf("delivery of zed %v %d, alpha %v %d", z.LastDeliveryAt, z.QueueDepth, ps[0].LastDeliveryAt, ps[0].QueueDepth)
	}
	if got, _ := x.db.Partners.FindPartners(sys, shrooms.PartnerFilter{State: shrooms.PartnerPendingIn}); len(got) != 1 || got[0].Actor.ID != pendingIn.ID {
		t.Fatalf("pending-in filter %+v", got)
	}
	if got, _ := x.db.Partners.FindPartners(sys, shrooms.PartnerFilter{ActorIDs: []int64{zed.ID, blocked.ID}}); len(got) != 2 {
		t.Fatalf("actor filter %+v", got)
	}
	_, err = x.db.Partners.FindPartners(as(x.member), shrooms.PartnerFilter{})
	wantCode(t, err, shrooms.EFORBIDDEN, "")
	_, err = x.db.Partners.FindPartner(sys, x.org.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
}

func TestUnlinkPartner(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	b := x.link(t, "b.example")
	other := x.link(t, "other.example")
	x.cacheObject(t, b, "1", 0, 0)
	x.cacheObject(t, b, "2", 0, 0)
	x.cacheObject(t, other, "1", 0, 0)
	p := x.partner(t, b)

	wantCode(t, x.db.Partners.UnlinkPartner(as(x.member), b.ID), shrooms.EFORBIDDEN, "")
	if err := x.db.Partners.UnlinkPartner(as(x.admin), b.ID); err != nil {
		t.Fatal(err)
	}
	acts := x.wantActs(t, "Undo", "Reject")
	if u := acts[0]; u.Object != p.Ours.ActivityIRI || u.Embedded == nil || u.Embedded.Type != shrooms.ActivityFollow ||
		u.Embedded.Object != b.IRI || u.To[0] != b.IRI {
		t.Fatalf("undo %+v", u)
	}
	if r := acts[1]; r.Object != p.Theirs.ActivityIRI || r.Embedded == nil || r.Embedded.Actor != b.IRI || r.To[0] != b.IRI {
		t.Fatalf("reject %+v", r)
	}
	if n := x.cached(t, b); n != 0 {
		t.Fatalf("%d objects still cached", n)
	}
	if n := x.cached(t, other); n != 1 {
		t.Fatalf("other partner's cache: %d objects", n)
	}
	if n, _ := x.db.Remote.CountRemoteObjects(sys, b.ID); n != 0 {
		t.Fatalf("the cache service still counts %d objects", n)
	}
	wantCode(t, x.db.Partners.UnlinkPartner(sys, b.ID), shrooms.ENOTFOUND, "")
	t.Run("linking again starts over", func(t *testing.T) {
		if _, err := x.db.Partners.LinkPartner(sys, b.ID, ""); err != nil {
			t.Fatal(err)
		}
		x.wantActs(t, "Follow")
	})
}

func TestBlockPartner(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	b := x.link(t, "b.example")
	x.cacheObject(t, b, "1", 0, 0)
	sameHost := remotePerson(t, x.db, "b.example", "bob")
	if _, err := x.db.Follows.ReceiveFollow(sys, "https://b.example/f/bob", sameHost.IRI, x.org.IRI, ""); err != nil {
		t.Fatal(err)
	}
	x.wantActs(t, "Accept")

	wantCode(t, x.db.Partners.BlockPartner(as(x.member), b.ID), shrooms.EFORBIDDEN, "")
	if err := x.db.Partners.BlockPartner(as(x.admin), b.ID); err != nil {
		t.Fatal(err)
	}
	acts := x.wantActs(t, "Block")
	if a := acts[0]; a.Actor != x.org.IRI || a.Object != b.IRI || len(a.To) != 1 || a.To[0] != b.IRI {
		t.Fatalf("block %+v", a)
	}
	for _, iri := range []string{b.IRI, sameHost.IRI, "https://b.example/users/unknown"} {
		if blocked, err := x.db.Partners.Blocked(sys, iri); err != nil || !blocked {
			t.Fatalf("Blocked(%s) = %v, %v", iri, blocked, err)
		}
	}
	if blocked, err := x.db.Partners.Blocked(sys, "https://c.example/users/org"); err != nil || blocked {
		t.Fatalf("Blocked(other host) = %v, %v", blocked, err)
	}
	if fs, n, _ := x.db.Follows.FindFollows(sys, shrooms.FollowFilter{FollowerID: b.ID}); n != 0 {
		t.Fatalf("follows left %+v", fs)
	}
	if n := x.cached(t, b); n != 0 {
		t.Fatalf("%d objects still cached", n)
	}
	if p := x.partner(t, b); p.State != shrooms.PartnerBlocked {
		t.Fatalf("partner %+v", p)
	}
	if err := x.db.Partners.BlockPartner(sys, b.ID); err != nil {
		t.Fatal(err)
	}
	x.wantActs(t) // blocking again says nothing

	t.Run("its traffic is refused", func(t *testing.T) {
		_, err := x.db.Follows.ReceiveFollow(sys, "https://b.example/f/9", b.IRI, x.org.IRI, "")
		wantCode(t, err, shrooms.EFORBIDDEN, "")
		_, err = x.db.Follows.ReceiveFollow(sys, "https://b.example/f/10", sameHost.IRI, x.org.IRI, "")
		wantCode(t, err, shrooms.EFORBIDDEN, "")
		_, err = x.db.Partners.LinkPartner(sys, b.ID, "")
		wantCode(t, err, shrooms.EFORBIDDEN, "")
		x.wantActs(t)
	})
	t.Run("a person is blocked alone", func(t *testing.T) {
		zoe := remotePerson(t, x.db, "people.example", "zoe")
		if err := x.db.Partners.BlockPartner(sys, zoe.ID); err != nil {
			t.Fatal(err)
		}
		x.wantActs(t, "Block")
		if blocked, _ := x.db.Partners.Blocked(sys, "https://people.example/users/other"); blocked {
			t.Fatal("blocking a person blocked its host")
		}
		if blocked, _ := x.db.Partners.Blocked(sys, zoe.IRI); !blocked {
			t.Fatal("person not blocked")
		}
	})
	t.Run("unblock", func(t *testing.T) {
		blockIRI := acts[0].IRI
		wantCode(t, x.db.Partners.UnblockPartner(as(x.member), b.ID), shrooms.EFORBIDDEN, "")
		if err := x.db.Partners.UnblockPartner(as(x.admin), b.ID); err != nil {
			t.Fatal(err)
		}
		undo := x.wantActs(t, "Undo")[0]
		if undo.Object != blockIRI || undo.Embedded == nil || undo.Embedded.Type != shrooms.ActivityBlock ||
			undo.Embedded.Object != b.IRI || undo.To[0] != b.IRI {
			t.Fatalf("undo %+v", undo)
		}
		for _, iri := range []string{b.IRI, sameHost.IRI} {
			if blocked, err := x.db.Partners.Blocked(sys, iri); err != nil || blocked {
				t.Fatalf("Blocked(%s) = %v, %v after unblock", iri, blocked, err)
			}
		}
		if _, err := x.db.Partners.FindPartner(sys, b.ID); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			t.Fatalf("partner without follows still listed: %v", err)
		}
		wantCode(t, x.db.Partners.UnblockPartner(sys, b.ID), shrooms.ECONFLICT, "not blocked")
		x.wantActs(t)
	})
}

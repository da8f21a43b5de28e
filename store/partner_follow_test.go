package store_test

import (
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// The partnership rules of incoming follows: invites, the request queue,
// following back, unlinking by the partner.

func TestPartnerFollowWithInvite(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	inv, token, err := x.db.Partners.CreatePartnerInvite(sys, time.Hour, "for B")
	if err != nil {
		t.Fatal(err)
	}
	b := remoteActor(t, x.db, "b.example", "org")
	c := remoteActor(t, x.db, "c.example", "org")

	f, err := x.db.Follows.ReceiveFollow(sys, "https://b.example/f/1", b.IRI, x.org.IRI, token)
	if err != nil {
		t.Fatal(err)
	}
	if f.State != shrooms.FollowAccepted {
		t.Fatalf("follow with a valid invite is %s", f.State)
	}
	acts := x.wantActs(t, "Accept", "Follow")
	if acts[0].To[0] != b.IRI || acts[1].Actor != x.org.IRI || acts[1].Object != b.IRI || acts[1].InviteToken != "" {
		t.Fatalf("activities %+v %+v", acts[0], acts[1])
	}
	invs, _ := x.db.Partners.FindPartnerInvites(sys)
	if invs[0].ID != inv.ID || !invs[0].UsedAt.Equal(t0) || invs[0].UsedBy != b.IRI {
		t.Fatalf("invite after use %+v", invs[0])
	}
	p := x.partner(t, b)
	if p.State != shrooms.PartnerPendingOut || p.Ours == nil || p.Ours.State != shrooms.FollowPending ||
		len(p.Modules) != len(shrooms.SharedModules) {
		t.Fatalf("partner %+v", p)
	}
	t.Run("B accepts our follow back: linked and due", func(t *testing.T) {
		if _, err := x.db.Follows.ReceiveFollowAccept(sys, shrooms.FollowAnswer{FollowIRI: p.Ours.ActivityIRI, ActorIRI: b.IRI}); err != nil {
			t.Fatal(err)
		}
		p := x.partner(t, b)
		if p.State != shrooms.PartnerLinked || p.Sync.State != shrooms.SyncDue {
			t.Fatalf("partner %+v", p)
		}
		due, err := x.db.Partners.FindPartnersToSync(sys, t0, time.Hour)
		if err != nil || len(due) != 1 || due[0].Actor.ID != b.ID {
			t.Fatalf("to sync %v, %v", due, err)
		}
		x.wantActs(t)
	})
	t.Run("B's repeated Follow is accepted again, the used token ignored", func(t *testing.T) {
		f, err := x.db.Follows.ReceiveFollow(sys, "https://b.example/f/2", b.IRI, x.org.IRI, token)
		if err != nil || f.State != shrooms.FollowAccepted {
			t.Fatalf("follow %+v, %v", f, err)
		}
		x.wantActs(t, "Accept")
	})
	t.Run("a used token does not let C in", func(t *testing.T) {
		f, err := x.db.Follows.ReceiveFollow(sys, "https://c.example/f/1", c.IRI, x.org.IRI, token)
		if err != nil || f.State != shrooms.FollowPending {
			t.Fatalf("follow %+v, %v", f, err)
		}
		x.wantActs(t)
		if p := x.partner(t, c); p.State != shrooms.PartnerPendingIn {
			t.Fatalf("partner %+v", p)
		}
	})
}

func TestPartnerFollowWithoutValidInvite(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	_, expired, _ := x.db.Partners.CreatePartnerInvite(sys, time.Minute, "")
	revokedInv, revoked, _ := x.db.Partners.CreatePartnerInvite(sys, time.Hour, "")
	if err := x.db.Partners.RevokePartnerInvite(sys, revokedInv.ID); err != nil {
		t.Fatal(err)
	}
	x.clock.Add(2 * time.Minute)
	for k, tc := range []struct{ name, token string }{
		{"no token, although the org approves automatically", ""},
		{"unknown token", "bm90IGEgdG9rZW4"},
		{"expired token", expired},
		{"revoked token", revoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := "r" + itoa(int64(k)) + ".example"
			a := remoteActor(t, x.db, host, "org")
			f, err := x.db.Follows.ReceiveFollow(sys, "https://"+host+"/f/1", a.IRI, x.org.IRI, tc.token)
			if err != nil || f.State != shrooms.FollowPending {
				t.Fatalf("follow %+v, %v", f, err)
			}
			x.wantActs(t)
			if p := x.partner(t, a); p.State != shrooms.PartnerPendingIn {
				t.Fatalf("partner %+v", p)
			}
		})
	}
	invs, _ := x.db.Partners.FindPartnerInvites(sys)
	for _, i := range invs {
		if !i.UsedAt.IsZero() {
			t.Fatalf("invite %+v used", i)
		}
	}
	t.Run("a person still follows the organisation at once", func(t *testing.T) {
		a := remotePerson(t, x.db, "people.example", "zoe")
		f, err := x.db.Follows.ReceiveFollow(sys, "https://people.example/f/1", a.IRI, x.org.IRI, "")
		if err != nil || f.State != shrooms.FollowAccepted {
			t.Fatalf("follow %+v, %v", f, err)
		}
		x.wantActs(t, "Accept")
		if _, err := x.db.Partners.FindPartner(sys, a.ID); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			t.Fatalf("a person became a partner: %v", err)
		}
	})
}

func TestPartnerRequestApproveReject(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	c := remoteActor(t, x.db, "c.example", "org")
	d := remoteActor(t, x.db, "d.example", "org")
	fc, _ := x.db.Follows.ReceiveFollow(sys, "https://c.example/f/1", c.IRI, x.org.IRI, "")
	fd, _ := x.db.Follows.ReceiveFollow(sys, "https://d.example/f/1", d.IRI, x.org.IRI, "")
	x.wantActs(t)

	t.Run("approve: Accept and follow back", func(t *testing.T) {
		if _, err := x.db.Follows.ApproveFollowRequest(as(x.admin), fc.ID); err != nil {
			t.Fatal(err)
		}
		acts := x.wantActs(t, "Accept", "Follow")
		if acts[1].Object != c.IRI || acts[1].To[0] != c.IRI {
			t.Fatalf("follow back %+v", acts[1])
		}
		p := x.partner(t, c)
		if p.State != shrooms.PartnerPendingOut || p.Theirs.State != shrooms.FollowAccepted {
			t.Fatalf("partner %+v", p)
		}
		// C accepts our follow back: linked, due for a backfill.
		if _, err := x.db.Follows.ReceiveFollowAccept(sys, shrooms.FollowAnswer{FollowIRI: p.Ours.ActivityIRI, ActorIRI: c.IRI}); err != nil {
			t.Fatal(err)
		}
		if p := x.partner(t, c); p.State != shrooms.PartnerLinked || p.Sync.State != shrooms.SyncDue {
			t.Fatalf("partner %+v", p)
		}
	})
	t.Run("reject: Reject, no partner left", func(t *testing.T) {
		if _, err := x.db.Follows.RejectFollowRequest(as(x.admin), fd.ID); err != nil {
			t.Fatal(err)
		}
		x.wantActs(t, "Reject")
		if _, err := x.db.Partners.FindPartner(sys, d.ID); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			t.Fatalf("rejected partner still listed: %v", err)
		}
	})
	t.Run("members cannot approve", func(t *testing.T) {
		fd, _ := x.db.Follows.ReceiveFollow(sys, "https://d.example/f/2", d.IRI, x.org.IRI, "")
		_, err := x.db.Follows.ApproveFollowRequest(as(x.member), fd.ID)
		wantCode(t, err, shrooms.EFORBIDDEN, "")
		x.wantActs(t)
	})
}

// Following an organisation whose request waits for us (both admins ran
// `admin follow` at once, theirs arrived first) accepts the request: the
// pair links without a third step.
func TestPartnerFollowAcceptsTheirRequest(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	c := remoteActor(t, x.db, "c.example", "org")
	theirs, _ := x.db.Follows.ReceiveFollow(sys, "https://c.example/f/1", c.IRI, x.org.IRI, "")
	x.wantActs(t)
	if _, err := x.db.Follows.CreateFollow(as(x.admin), x.org.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	acts := x.wantActs(t, "Follow", "Accept")
	if acts[1].Object != theirs.ActivityIRI || acts[1].To[0] != c.IRI {
		t.Fatalf("accept %+v", acts[1])
	}
	p := x.partner(t, c)
	if p.State != shrooms.PartnerPendingOut || p.Theirs.State != shrooms.FollowAccepted {
		t.Fatalf("partner %+v", p)
	}
	if _, err := x.db.Follows.ReceiveFollowAccept(sys, shrooms.FollowAnswer{FollowIRI: p.Ours.ActivityIRI, ActorIRI: c.IRI}); err != nil {
		t.Fatal(err)
	}
	if p := x.partner(t, c); p.State != shrooms.PartnerLinked {
		t.Fatalf("partner %+v", p)
	}
}

func TestPartnerUnlinkedByPartner(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	b := x.link(t, "b.example")
	keep := x.link(t, "keep.example")
	x.cacheObject(t, b, "1", 0, 0)
	x.cacheObject(t, keep, "1", 0, 0)
	theirs := x.partner(t, b).Theirs
	if err := x.db.Follows.ReceiveUndoFollow(sys, theirs.ActivityIRI, b.IRI, x.org.IRI); err != nil {
		t.Fatal(err)
	}
	acts := x.wantActs(t, "Undo")
	if acts[0].Embedded == nil || acts[0].Embedded.Type != shrooms.ActivityFollow || acts[0].To[0] != b.IRI {
		t.Fatalf("undo %+v", acts[0])
	}
	if n := x.cached(t, b); n != 0 {
		t.Fatalf("%d objects of the unlinked partner still cached", n)
	}
	if n := x.cached(t, keep); n != 1 {
		t.Fatalf("%d objects of another partner cached, want 1", n)
	}
	if _, err := x.db.Partners.FindPartner(sys, b.ID); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("unlinked partner still listed: %v", err)
	}
}

func TestPartnerRejectsOurFollow(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	b := x.link(t, "b.example")
	x.cacheObject(t, b, "1", 0, 0)
	if _, err := x.db.Follows.ReceiveFollowReject(sys, shrooms.FollowAnswer{FollowIRI: x.partner(t, b).Ours.ActivityIRI, ActorIRI: b.IRI}); err != nil {
		t.Fatal(err)
	}
	if n := x.cached(t, b); n != 0 {
		t.Fatalf("%d objects still cached after a Reject", n)
	}
	if p := x.partner(t, b); p.State == shrooms.PartnerLinked {
		t.Fatalf("partner %+v", p)
	}
	x.wantActs(t)
}

func TestReceiveBlock(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	b := x.link(t, "b.example")
	x.cacheObject(t, b, "1", 0, 0)
	if err := x.db.Partners.ReceiveBlock(sys, b.IRI); err != nil {
		t.Fatal(err)
	}
	x.wantActs(t)
	if n := x.cached(t, b); n != 0 {
		t.Fatalf("%d objects still cached", n)
	}
	if fs, n, _ := x.db.Follows.FindFollows(sys, shrooms.FollowFilter{}); n != 0 {
		t.Fatalf("follows left: %+v", fs)
	}
	wantCode(t, x.db.Partners.ReceiveBlock(sys, "https://nobody.example/u"), shrooms.ENOTFOUND, "")
}

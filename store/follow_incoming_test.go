package store_test

import (
	"context"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestReceiveFollow(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newFollowFixture(t)
	db := fx.db
	const iri1, iri2 = "https://partner.example/follows/1", "https://partner.example/follows/2"

	t.Run("auto-accepted, answered with an embedded Accept", func(t *testing.T) {
		f, err := db.Follows.ReceiveFollow(ctx, iri1, fx.partner.IRI, fx.org.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		if f.State != shrooms.FollowAccepted || f.ActivityIRI != iri1 || f.Outgoing() {
			t.Fatalf("follow = %+v", f)
		}
		entries := fx.wantOutbox(t, 1)
		fx.wantEntry(t, entries[0], fx.org.ID, answer(shrooms.ActivityAccept, fx.org, fx.partner, iri1, t0))
	})
	t.Run("repeated Follow of an accepted pair is accepted again", func(t *testing.T) {
		f, err := db.Follows.ReceiveFollow(ctx, iri2, fx.partner.IRI, fx.org.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		if f.State != shrooms.FollowAccepted || f.ActivityIRI != iri2 {
			t.Fatalf("follow = %+v", f)
		}
		entries := fx.wantOutbox(t, 2)
		fx.wantEntry(t, entries[1], fx.org.ID, answer(shrooms.ActivityAccept, fx.org, fx.partner, iri2, t0))
		if entries[0].Activity.IRI == entries[1].Activity.IRI {
			t.Fatal("both Accepts share one IRI")
		}
	})

	const manual1, manual2 = "https://partner.example/follows/m1", "https://partner.example/follows/m2"
	var request *shrooms.Follow
	t.Run("manual followee: pending, nothing sent", func(t *testing.T) {
		var err error
		if request, err = db.Follows.ReceiveFollow(ctx, manual1, fx.partner.IRI, fx.alice.IRI, ""); err != nil {
			t.Fatal(err)
		}
		if request.State != shrooms.FollowPending {
			t.Fatalf("follow = %+v", request)
		}
		fx.wantOutbox(t, 2)
	})
	t.Run("repeated pending request takes the new IRI", func(t *testing.T) {
		f, err := db.Follows.ReceiveFollow(ctx, manual2, fx.partner.IRI, fx.alice.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		if f.ID != request.ID || f.State != shrooms.FollowPending || f.ActivityIRI != manual2 {
			t.Fatalf("follow = %+v", f)
		}
		fx.wantOutbox(t, 2)
	})
	t.Run("approve", func(t *testing.T) {
		fx.clock.Add(time.Minute)
		f, err := db.Follows.ApproveFollowRequest(ctx, request.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.State != shrooms.FollowAccepted {
			t.Fatalf("follow = %+v", f)
		}
		entries := fx.wantOutbox(t, 3)
		fx.wantEntry(t, entries[2], fx.alice.ID, answer(shrooms.ActivityAccept, fx.alice, fx.partner, manual2, t0.Add(time.Minute)))
		_, err = db.Follows.ApproveFollowRequest(ctx, request.ID)
		wantCode(t, err, shrooms.ECONFLICT, "not pending")
		fx.wantOutbox(t, 3)
	})
	t.Run("reject an accepted follower", func(t *testing.T) {
		f, err := db.Follows.RejectFollowRequest(ctx, request.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.State != shrooms.FollowRejected || fx.follow(t, request.ID).State != shrooms.FollowRejected {
			t.Fatalf("follow = %+v", f)
		}
		entries := fx.wantOutbox(t, 4)
		fx.wantEntry(t, entries[3], fx.alice.ID, answer(shrooms.ActivityReject, fx.alice, fx.partner, manual2, t0.Add(time.Minute)))
		_, err = db.Follows.RejectFollowRequest(ctx, request.ID)
		wantCode(t, err, shrooms.ECONFLICT, "already rejected")
		_, err = db.Follows.ApproveFollowRequest(ctx, request.ID)
		wantCode(t, err, shrooms.ECONFLICT, "not pending")
		fx.wantOutbox(t, 4)
	})
	t.Run("a rejected pair that follows again is a new request", func(t *testing.T) {
		f, err := db.Follows.ReceiveFollow(ctx, "https://partner.example/follows/m3", fx.partner.IRI, fx.alice.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		if f.ID != request.ID || f.State != shrooms.FollowPending {
			t.Fatalf("follow = %+v", f)
		}
		fx.wantOutbox(t, 4)
	})
	t.Run("reject a pending request", func(t *testing.T) {
		if _, err := db.Follows.RejectFollowRequest(ctx, request.ID); err != nil {
			t.Fatal(err)
		}
		fx.wantOutbox(t, 5)
	})
	t.Run("a rejected pair of an auto-accepting followee is accepted", func(t *testing.T) {
		f, err := db.Follows.ReceiveFollow(ctx, "https://other.example/f/1", fx.other.IRI, fx.org.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Follows.RejectFollowRequest(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		f, err = db.Follows.ReceiveFollow(ctx, "https://other.example/f/2", fx.other.IRI, fx.org.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		if f.State != shrooms.FollowAccepted {
			t.Fatalf("follow = %+v", f)
		}
		entries := fx.wantOutbox(t, 8) // Accept, Reject, Accept
		fx.wantEntry(t, entries[7], fx.org.ID, answer(shrooms.ActivityAccept, fx.org, fx.other, "https://other.example/f/2", t0.Add(time.Minute)))
	})

	outgoing, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                    string
		iri, follower, followee string
		code                    string
	}{
		{"remote followee", "https://x/1", fx.partner.IRI, fx.other.IRI, shrooms.ENOTFOUND},
		{"unknown followee", "https://x/2", fx.partner.IRI, testURL + "/actors/nobody", shrooms.ENOTFOUND},
		{"unknown follower", "https://x/3", "https://unknown.example/u", fx.org.IRI, shrooms.ENOTFOUND},
		{"local follower", "https://x/4", fx.alice.IRI, fx.org.IRI, shrooms.ENOTFOUND},
		{"no activity IRI", "", fx.partner.IRI, fx.org.IRI, shrooms.EINVALID},
		{"IRI of another follow", iri2, fx.other.IRI, fx.alice.IRI, shrooms.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Follows.ReceiveFollow(ctx, tc.iri, tc.follower, tc.followee, "")
			wantCode(t, err, tc.code, "")
			fx.wantOutbox(t, 9)
		})
	}
	t.Run("approve or reject what is not an incoming request", func(t *testing.T) {
		for _, id := range []int64{outgoing.ID, 999} {
			_, err := db.Follows.ApproveFollowRequest(ctx, id)
			wantCode(t, err, shrooms.ENOTFOUND, "")
			_, err = db.Follows.RejectFollowRequest(ctx, id)
			wantCode(t, err, shrooms.ENOTFOUND, "")
		}
		fx.wantOutbox(t, 9)
	})
}

func TestReceiveFollowAnswer(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newFollowFixture(t)
	db := fx.db
	f, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	incoming, err := db.Follows.ReceiveFollow(ctx, "https://other.example/f/1", fx.other.IRI, fx.org.IRI, "")
	if err != nil {
		t.Fatal(err)
	}
	fx.wantOutbox(t, 2)

	for _, tc := range []struct {
		name   string
		reject bool
		ans    shrooms.FollowAnswer
		code   string
		state  shrooms.FollowState
	}{
		{"accept by IRI", false, shrooms.FollowAnswer{FollowIRI: f.ActivityIRI, ActorIRI: fx.partner.IRI}, "", shrooms.FollowAccepted},
		{"accept again is fine", false, shrooms.FollowAnswer{FollowIRI: f.ActivityIRI, ActorIRI: fx.partner.IRI}, "", shrooms.FollowAccepted},
		{"answer by someone else", true, shrooms.FollowAnswer{FollowIRI: f.ActivityIRI, ActorIRI: fx.other.IRI}, shrooms.EFORBIDDEN, shrooms.FollowAccepted},
		{"answer to an incoming follow", true, shrooms.FollowAnswer{FollowIRI: incoming.ActivityIRI, ActorIRI: fx.other.IRI}, shrooms.EFORBIDDEN, shrooms.FollowAccepted},
		{"reject by pair", true, shrooms.FollowAnswer{FollowIRI: "https://partner.example/unknown", FollowerIRI: fx.org.IRI, ActorIRI: fx.partner.IRI}, "", shrooms.FollowRejected},
		{"accept by pair", false, shrooms.FollowAnswer{FollowerIRI: fx.org.IRI, ActorIRI: fx.partner.IRI}, "", shrooms.FollowAccepted},
		{"pair with a remote follower", false, shrooms.FollowAnswer{FollowerIRI: fx.other.IRI, ActorIRI: fx.org.IRI}, shrooms.ENOTFOUND, shrooms.FollowAccepted},
		{"unknown IRI, no pair", false, shrooms.FollowAnswer{FollowIRI: "https://partner.example/unknown", ActorIRI: fx.partner.IRI}, shrooms.ENOTFOUND, shrooms.FollowAccepted},
		{"unknown pair", false, shrooms.FollowAnswer{FollowerIRI: fx.alice.IRI, ActorIRI: fx.partner.IRI}, shrooms.ENOTFOUND, shrooms.FollowAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			receive := db.Follows.ReceiveFollowAccept
			if tc.reject {
				receive = db.Follows.ReceiveFollowReject
			}
			got, err := receive(ctx, tc.ans)
			wantCode(t, err, tc.code, "")
			if err == nil && (got.ID != f.ID || got.State != tc.state) {
				t.Fatalf("follow = %+v", got)
			}
			if stored := fx.follow(t, f.ID); stored.State != tc.state {
				t.Fatalf("stored state %s, want %s", stored.State, tc.state)
			}
			fx.wantOutbox(t, 2) // answers are never answered
		})
	}
}

func TestReceiveUndoFollow(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newFollowFixture(t)
	db := fx.db
	const iri = "https://partner.example/follows/1"
	setup := func(t *testing.T) *shrooms.Follow {
		t.Helper()
		f, err := db.Follows.ReceiveFollow(ctx, iri, fx.partner.IRI, fx.org.IRI, "")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	gone := func(t *testing.T, id int64) {
		t.Helper()
		fs, n, err := db.Follows.FindFollows(ctx, shrooms.FollowFilter{ID: id})
		if err != nil || n != 0 || len(fs) != 0 {
			t.Fatalf("follow %d still there: %v %d %v", id, fs, n, err)
		}
	}
	t.Run("by IRI", func(t *testing.T) {
		f := setup(t)
		if err := db.Follows.ReceiveUndoFollow(ctx, iri, fx.partner.IRI, fx.org.IRI); err != nil {
			t.Fatal(err)
		}
		gone(t, f.ID)
	})
	t.Run("by pair", func(t *testing.T) {
		f := setup(t)
		if err := db.Follows.ReceiveUndoFollow(ctx, "https://partner.example/unknown", fx.partner.IRI, fx.org.IRI); err != nil {
			t.Fatal(err)
		}
		gone(t, f.ID)
	})
	t.Run("by someone else", func(t *testing.T) {
		f := setup(t)
		wantCode(t, db.Follows.ReceiveUndoFollow(ctx, iri, fx.other.IRI, fx.org.IRI), shrooms.EFORBIDDEN, "")
		if fx.follow(t, f.ID).State != shrooms.FollowAccepted {
			t.Fatal("follow changed")
		}
	})
	t.Run("unknown", func(t *testing.T) {
		wantCode(t, db.Follows.ReceiveUndoFollow(ctx, "https://x/none", fx.other.IRI, fx.org.IRI), shrooms.ENOTFOUND, "")
	})
	t.Run("of our own follow", func(t *testing.T) {
		out, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.other.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Follows.ReceiveUndoFollow(ctx, out.ActivityIRI, fx.other.IRI, ""), shrooms.EFORBIDDEN, "")
	})
	fx.wantOutbox(t, 4) // three Accepts and one Follow: an Undo is not answered
}

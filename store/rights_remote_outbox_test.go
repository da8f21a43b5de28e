package store_test

import (
	"context"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// The outbox and the follow collections through the principal of a
// request from the network: a partner reads the public activities and
// those sent to it, and only accepted follows; the node reads everything.
func TestRemotePrincipalReadsOutboxAndFollows(t *testing.T) {
	t.Parallel()
	x := newPartners(t)
	partner := x.link(t, "a.example")
	pending := remoteActor(t, x.db, "b.example", "org")
	if _, err := x.db.Partners.LinkPartner(sys, pending.ID, ""); err != nil {
		t.Fatal(err)
	}
	post := insertPublicPost(t, x.db, x.org)
	toPartner := x.partner(t, partner).Ours.ActivityIRI
	toPending := x.partner(t, pending).Ours.ActivityIRI

	fromPartner := shrooms.NewRemoteContext(context.Background(), partner.IRI)
	fromPending := shrooms.NewRemoteContext(context.Background(), pending.IRI)
	unsigned := shrooms.NewRemoteContext(context.Background(), "")
	// A remote mark wins over the system mark.
	spoofed := shrooms.NewRemoteContext(sys, pending.IRI)

	t.Run("one activity", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			ctx  context.Context
			iri  string
			ok   bool
		}{
			{"public, unsigned", unsigned, post.IRI, true},
			{"public, anonymous local", context.Background(), post.IRI, true},
			{"sent to the partner, by the partner", fromPartner, toPartner, true},
			{"sent to the partner, by another", fromPending, toPartner, false},
			{"sent to the partner, spoofed system", spoofed, toPartner, false},
			{"sent to the partner, unsigned", unsigned, toPartner, false},
			{"sent to the partner, anonymous local", context.Background(), toPartner, false},
			{"sent to the partner, the node", sys, toPartner, true},
			{"sent to pending, by pending", fromPending, toPending, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e, err := x.db.Outbox.FindOutboxEntryByIRI(tc.ctx, tc.iri)
				if tc.ok && (err != nil || e.Activity.IRI != tc.iri) {
					t.Fatalf("got %v, %v; want the activity", e, err)
				}
				if !tc.ok {
					wantCode(t, err, shrooms.ENOTFOUND, "not found")
				}
			})
		}
	})

	t.Run("outbox lists", func(t *testing.T) {
		all, total, err := x.db.Outbox.FindOutboxEntries(sys, shrooms.OutboxFilter{ActorID: x.org.ID, Limit: 100})
		if err != nil || total != len(all) || total < 3 {
			t.Fatalf("node sees %d (%d), %v", len(all), total, err)
		}
		public := 0
		for _, e := range all {
			if e.Activity.IsPublic() {
				public++
			}
		}
		for name, ctx := range map[string]context.Context{"partner": fromPartner, "unsigned": unsigned,
			"spoofed": spoofed, "anonymous local": context.Background()} {
			es, total, err := x.db.Outbox.FindOutboxEntries(ctx, shrooms.OutboxFilter{ActorID: x.org.ID, Limit: 100})
			if err != nil || total != public || len(es) != public {
				t.Fatalf("%s sees %d (%d), %v; want the %d public", name, len(es), total, err, public)
			}
			for _, e := range es {
				if !e.Activity.IsPublic() {
					t.Fatalf("%s sees %s %s", name, e.Activity.Type, e.Activity.IRI)
				}
			}
		}
	})

	t.Run("follows", func(t *testing.T) {
		count := func(ctx context.Context, state shrooms.FollowState) int {
			t.Helper()
			fs, total, err := x.db.Follows.FindFollows(ctx, shrooms.FollowFilter{FollowerID: x.org.ID, State: state, Limit: 100})
			if err != nil || total != len(fs) {
				t.Fatalf("FindFollows: %d (%d), %v", len(fs), total, err)
			}
			for _, f := range fs {
				if !shrooms.IsSystem(ctx) && f.State != shrooms.FollowAccepted {
					t.Fatalf("sees a %s follow", f.State)
				}
			}
			return total
		}
		if n := count(sys, ""); n != 2 {
			t.Fatalf("node sees %d follows, want 2 (one pending)", n)
		}
		if n := count(sys, shrooms.FollowPending); n != 1 {
			t.Fatalf("node sees %d pending follows, want 1", n)
		}
		for name, ctx := range map[string]context.Context{"partner": fromPartner, "unsigned": unsigned,
			"spoofed": spoofed, "anonymous local": context.Background()} {
			if n := count(ctx, ""); n != 1 {
				t.Fatalf("%s sees %d follows, want the accepted one", name, n)
			}
			if n := count(ctx, shrooms.FollowPending); n != 0 {
				t.Fatalf("%s sees %d pending follows", name, n)
			}
		}
	})
}

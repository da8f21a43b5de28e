package store_test

import (
	"context"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestRemoteActors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clock := openDB(t)

	doc := remoteDoc("partner.example", "org")
	doc.PrivateKeyPEM = "must not be kept"
	if err := db.Actors.UpsertRemoteActor(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if doc.ID == 0 || doc.Local || doc.PrivateKeyPEM != "" || doc.Host != "partner.example" || !doc.FetchedAt.Equal(t0) {
		t.Fatalf("UpsertRemoteActor did not set the derived fields: %+v", doc)
	}

	t.Run("refetch updates in place", func(t *testing.T) {
		clock.Add(time.Hour)
		again := remoteDoc("partner.example", "org")
		again.Name = "Partner Workshop"
		again.PublicKeyPEM = "rotated"
		if err := db.Actors.UpsertRemoteActor(ctx, again); err != nil {
			t.Fatal(err)
		}
		if again.ID != doc.ID {
			t.Fatalf("refetch got id %d, want %d", again.ID, doc.ID)
		}
		got, err := db.Actors.FindActorByIRI(ctx, doc.IRI)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Partner Workshop" || got.PublicKeyPEM != "rotated" || !got.FetchedAt.Equal(t0.Add(time.Hour)) ||
			!got.CreatedAt.Equal(t0) || got.PrivateKeyPEM != "" {
			t.Fatalf("after refetch: %+v", got)
		}
	})

	t.Run("find by key id", func(t *testing.T) {
		got, err := db.Actors.FindActorByKeyID(ctx, doc.KeyID)
		if err != nil || got.ID != doc.ID {
			t.Fatalf("FindActorByKeyID = %v, %v", got, err)
		}
		_, err = db.Actors.FindActorByKeyID(ctx, "https://partner.example/users/nobody#main-key")
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})

	t.Run("same handle on two hosts", func(t *testing.T) {
		other := remoteActor(t, db, "elsewhere.example", "org")
		if other.ID == doc.ID {
			t.Fatal("two hosts share one actor row")
		}
	})

	for _, tc := range []struct {
		name   string
		change func(*shrooms.Actor)
		code   string
	}{
		{"local IRI", func(a *shrooms.Actor) {
			*a = *remoteDoc("workshop.example", "mallory")
		}, shrooms.EFORBIDDEN},
		{"inbox on another host", func(a *shrooms.Actor) { a.Inbox = "https://evil.example/inbox" }, shrooms.EINVALID},
		{"no key", func(a *shrooms.Actor) { a.PublicKeyPEM = "" }, shrooms.EINVALID},
		{"relative IRI", func(a *shrooms.Actor) { a.IRI = "/users/x" }, shrooms.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := remoteDoc("third.example", "x")
			tc.change(a)
			wantCode(t, db.Actors.UpsertRemoteActor(ctx, a), tc.code, "")
			if _, err := db.Actors.FindActorByIRI(ctx, a.IRI); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
				t.Fatalf("refused actor was stored: %v", err)
			}
		})
	}

	t.Run("unknown", func(t *testing.T) {
		_, err := db.Actors.FindActorByID(ctx, 999)
		wantCode(t, err, shrooms.ENOTFOUND, "")
		_, err = db.Actors.FindActorByIRI(ctx, "https://nowhere.example/a")
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
}

func TestLocalActors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clock := openDB(t)
	initNode(t, db, false)

	t.Run("create with generated keys", func(t *testing.T) {
		a := &shrooms.Actor{Kind: shrooms.KindService, Handle: "bot"}
		if err := db.CreateLocalActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := db.Actors.FindLocalActor(ctx, "bot")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID || got.PrivateKeyPEM == "" || got.KeyID != db.IRIs().Key("bot") ||
			got.Inbox != db.IRIs().Inbox("bot") || got.SharedInbox != db.IRIs().SharedInbox() {
			t.Fatalf("local actor = %+v", got)
		}
	})
	t.Run("handles are unique among local actors", func(t *testing.T) {
		priv, pub := keys(t)
		a := &shrooms.Actor{Kind: shrooms.KindPerson, Handle: "org", PrivateKeyPEM: priv, PublicKeyPEM: pub}
		wantCode(t, db.CreateLocalActor(ctx, a), shrooms.ECONFLICT, "handle is taken")
	})
	t.Run("a remote actor may share a local handle", func(t *testing.T) {
		remoteActor(t, db, "partner.example", "org")
		got, err := db.Actors.FindLocalActor(ctx, "org")
		if err != nil || !got.Local || got.Kind != shrooms.KindOrganization {
			t.Fatalf("FindLocalActor(org) = %+v, %v", got, err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		wantCode(t, db.CreateLocalActor(ctx, &shrooms.Actor{Kind: shrooms.KindPerson, Handle: "Bad Handle"}), shrooms.EINVALID, "")
		wantCode(t, db.CreateLocalActor(ctx, &shrooms.Actor{Kind: "Robot", Handle: "robot"}), shrooms.EINVALID, "kind")
	})
	t.Run("update", func(t *testing.T) {
		clock.Add(time.Minute)
		a := localActor(t, db, "alice", false)
		a.Name, a.Summary, a.ManuallyApprovesFollowers = "Alice L.", "Repairs radios", true
		if err := db.Actors.UpdateLocalActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := db.Actors.FindActorByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Alice L." || got.Summary != "Repairs radios" || !got.ManuallyApprovesFollowers {
			t.Fatalf("after update: %+v", got)
		}
		remote, _ := db.Actors.FindActorByIRI(ctx, "https://partner.example/users/org")
		remote.Name = "hijack"
		wantCode(t, db.Actors.UpdateLocalActor(ctx, remote), shrooms.ENOTFOUND, "")
	})
	t.Run("count", func(t *testing.T) {
		for kind, want := range map[shrooms.ActorKind]int{
			shrooms.KindOrganization: 1, shrooms.KindService: 1, shrooms.KindPerson: 1, shrooms.KindGroup: 0,
		} {
			if n, err := db.CountLocalActors(ctx, kind); err != nil || n != want {
				t.Fatalf("CountLocalActors(%s) = %d, %v; want %d", kind, n, err, want)
			}
		}
	})
}

package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// followFixture is a node with its organisation (auto-accepting), a
// local member who approves followers by hand, and two cached remote
// people: the follow rules without the partnership ones (see
// partner_test.go for those).
type followFixture struct {
	db      *store.Services
	clock   *testClock
	org     *shrooms.Actor
	alice   *shrooms.Actor // local, manually approves followers
	partner *shrooms.Actor // remote
	other   *shrooms.Actor // remote, another host
}

func newFollowFixture(t *testing.T) *followFixture {
	t.Helper()
	db, clock := openDB(t)
	return &followFixture{
		db:      db,
		clock:   clock,
		org:     initNode(t, db, false),
		alice:   localActor(t, db, "alice", true),
		partner: remotePerson(t, db, "partner.example", "org"),
		other:   remotePerson(t, db, "other.example", "org"),
	}
}

// remotePerson caches a remote Person.
func remotePerson(t *testing.T, db *store.Services, host, handle string) *shrooms.Actor {
	t.Helper()
	a := remoteDoc(host, handle)
	a.Kind = shrooms.KindPerson
	if err := db.Actors.UpsertRemoteActor(context.Background(), a); err != nil {
		t.Fatalf("UpsertRemoteActor %s: %v", a.IRI, err)
	}
	return a
}

// wantOutbox checks that the outbox holds exactly n entries and returns
// them, oldest first.
func (fx *followFixture) wantOutbox(t *testing.T, n int) []*shrooms.OutboxEntry {
	t.Helper()
	entries := outbox(t, fx.db)
	if len(entries) != n {
		var types []string
		for _, e := range entries {
			types = append(types, string(e.Activity.Type))
		}
		t.Fatalf("outbox holds %d entries %v, want %d", len(entries), types, n)
	}
	return entries
}

// wantEntry checks an outbox entry: its actor, its queue fields and its
// activity, whose minted IRI must be fresh and local.
func (fx *followFixture) wantEntry(t *testing.T, e *shrooms.OutboxEntry, actorID int64, want shrooms.Activity) {
	t.Helper()
	if e.ActorID != actorID || e.Published || e.Attempts != 0 || !e.NextAttemptAt.Equal(fx.clock.Now()) ||
		!e.CreatedAt.Equal(fx.clock.Now()) || e.Payload != nil {
		t.Fatalf("outbox entry = %+v", e)
	}
	if want.IRI == "" {
		if !strings.HasPrefix(e.Activity.IRI, testURL+"/activities/") {
			t.Fatalf("activity IRI %q is not minted by the node", e.Activity.IRI)
		}
		want.IRI = e.Activity.IRI
	}
	if !reflect.DeepEqual(e.Activity, want) {
		jsonEqual(t, e.Activity, want)
		t.Fatalf("activity\n got %+v\nwant %+v", e.Activity, want)
	}
}

func (fx *followFixture) follow(t *testing.T, id int64) *shrooms.Follow {
	t.Helper()
	fs, _, err := fx.db.Follows.FindFollows(sys, shrooms.FollowFilter{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("follow %d: found %d", id, len(fs))
	}
	return fs[0]
}

func answer(typ shrooms.ActivityType, followee, follower *shrooms.Actor, followIRI string, now time.Time) shrooms.Activity {
	return shrooms.Activity{
		Type: typ, Actor: followee.IRI, Object: followIRI, ObjectType: "Follow",
		Embedded: &shrooms.Activity{IRI: followIRI, Type: shrooms.ActivityFollow, Actor: follower.IRI, Object: followee.IRI},
		To:       []string{follower.IRI}, Published: now,
	}
}

func TestCreateFollow(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newFollowFixture(t)
	db := fx.db

	f, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.State != shrooms.FollowPending || f.FollowerID != fx.org.ID || f.FolloweeID != fx.partner.ID ||
		!f.Outgoing() || f.Followee.IRI != fx.partner.IRI || !strings.HasPrefix(f.ActivityIRI, testURL+"/activities/") {
		t.Fatalf("follow = %+v", f)
	}
	entries := fx.wantOutbox(t, 1)
	fx.wantEntry(t, entries[0], fx.org.ID, shrooms.Activity{
		IRI: f.ActivityIRI, Type: shrooms.ActivityFollow, Actor: fx.org.IRI, Object: fx.partner.IRI,
		ObjectType: "Person", To: []string{fx.partner.IRI}, Published: t0,
	})

	t.Run("stored activity is the JSON of shrooms.Activity", func(t *testing.T) {
		var raw string
		var public int
		if err := rawDB(t, db.Path()).QueryRow(`SELECT activity, public FROM outbox WHERE id = ?`, entries[0].ID).Scan(&raw, &public); err != nil {
			t.Fatal(err)
		}
		var decoded shrooms.Activity
		if err := json.Unmarshal([]byte(raw), &decoded); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(decoded, entries[0].Activity) || public != 0 {
			t.Fatalf("raw activity %s (public %d)", raw, public)
		}
	})

	t.Run("pending again", func(t *testing.T) {
		_, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
		wantCode(t, err, shrooms.ECONFLICT, "follow request already sent")
		fx.wantOutbox(t, 1)
	})
	t.Run("accepted again", func(t *testing.T) {
		if _, err := db.Follows.ReceiveFollowAccept(ctx, shrooms.FollowAnswer{FollowIRI: f.ActivityIRI, ActorIRI: fx.partner.IRI}); err != nil {
			t.Fatal(err)
		}
		_, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
		wantCode(t, err, shrooms.ECONFLICT, "already following")
		fx.wantOutbox(t, 1)
	})
	t.Run("rejected is sent again", func(t *testing.T) {
		if _, err := db.Follows.ReceiveFollowReject(ctx, shrooms.FollowAnswer{FollowIRI: f.ActivityIRI, ActorIRI: fx.partner.IRI}); err != nil {
			t.Fatal(err)
		}
		fx.clock.Add(time.Hour)
		again, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != f.ID || again.State != shrooms.FollowPending || again.ActivityIRI == f.ActivityIRI {
			t.Fatalf("refollow = %+v (first %+v)", again, f)
		}
		entries := fx.wantOutbox(t, 2)
		fx.wantEntry(t, entries[1], fx.org.ID, shrooms.Activity{
			IRI: again.ActivityIRI, Type: shrooms.ActivityFollow, Actor: fx.org.IRI, Object: fx.partner.IRI,
			ObjectType: "Person", To: []string{fx.partner.IRI}, Published: t0.Add(time.Hour),
		})
		if got := fx.follow(t, f.ID); got.State != shrooms.FollowPending || got.ActivityIRI != again.ActivityIRI {
			t.Fatalf("stored follow = %+v", got)
		}
	})

	for _, tc := range []struct {
		name             string
		local, remote    int64
		code, msgContain string
	}{
		{"self", fx.org.ID, fx.org.ID, shrooms.EINVALID, "itself"},
		{"remote follower", fx.partner.ID, fx.other.ID, shrooms.EINVALID, "local"},
		{"local followee", fx.org.ID, fx.alice.ID, shrooms.EINVALID, "remote"},
		{"unknown follower", 999, fx.partner.ID, shrooms.ENOTFOUND, ""},
		{"unknown followee", fx.org.ID, 999, shrooms.ENOTFOUND, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Follows.CreateFollow(ctx, tc.local, tc.remote)
			wantCode(t, err, tc.code, tc.msgContain)
			fx.wantOutbox(t, 2)
		})
	}
}

func TestUnfollow(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newFollowFixture(t)
	db := fx.db
	f, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
	if err != nil {
		t.Fatal(err)
	}
	fx.clock.Add(time.Hour)
	if err := db.Follows.Unfollow(ctx, fx.org.ID, fx.partner.ID); err != nil {
		t.Fatal(err)
	}
	entries := fx.wantOutbox(t, 2)
	fx.wantEntry(t, entries[1], fx.org.ID, shrooms.Activity{
		Type: shrooms.ActivityUndo, Actor: fx.org.IRI, Object: f.ActivityIRI, ObjectType: "Follow",
		Embedded: &shrooms.Activity{IRI: f.ActivityIRI, Type: shrooms.ActivityFollow, Actor: fx.org.IRI, Object: fx.partner.IRI},
		To:       []string{fx.partner.IRI}, Published: t0.Add(time.Hour),
	})
	if _, n, _ := db.Follows.FindFollows(ctx, shrooms.FollowFilter{FollowerID: fx.org.ID}); n != 0 {
		t.Fatalf("%d follows left", n)
	}

	incoming, err := db.Follows.ReceiveFollow(ctx, "https://partner.example/f/9", fx.partner.IRI, fx.org.IRI, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		local, remote int64
	}{
		{"twice", fx.org.ID, fx.partner.ID},
		{"never followed", fx.alice.ID, fx.partner.ID},
		{"an incoming follow", fx.partner.ID, fx.org.ID},
		{"unknown actors", 998, 999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, db.Follows.Unfollow(ctx, tc.local, tc.remote), shrooms.ENOTFOUND, "")
			fx.wantOutbox(t, 3)
		})
	}
	if fx.follow(t, incoming.ID).State != shrooms.FollowAccepted {
		t.Fatal("incoming follow changed")
	}
}

func TestFindFollows(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newFollowFixture(t)
	db := fx.db
	out1, _ := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID)
	out2, _ := db.Follows.CreateFollow(ctx, fx.org.ID, fx.other.ID)
	in1, _ := db.Follows.ReceiveFollow(ctx, "https://partner.example/f/1", fx.partner.IRI, fx.org.IRI, "")
	in2, _ := db.Follows.ReceiveFollow(ctx, "https://partner.example/f/2", fx.partner.IRI, fx.alice.IRI, "")
	ids := func(fs []*shrooms.Follow) []int64 {
		var out []int64
		for _, f := range fs {
			if f.Follower == nil || f.Followee == nil || f.Follower.ID != f.FollowerID || f.Followee.ID != f.FolloweeID {
				t.Fatalf("actors not loaded: %+v", f)
			}
			out = append(out, f.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter shrooms.FollowFilter
		want   []int64
		total  int
	}{
		{"all, newest first", shrooms.FollowFilter{}, []int64{in2.ID, in1.ID, out2.ID, out1.ID}, 4},
		{"following", shrooms.FollowFilter{FollowerID: fx.org.ID}, []int64{out2.ID, out1.ID}, 2},
		{"followers", shrooms.FollowFilter{FolloweeID: fx.org.ID, State: shrooms.FollowAccepted}, []int64{in1.ID}, 1},
		{"requests", shrooms.FollowFilter{State: shrooms.FollowPending, FolloweeID: fx.alice.ID}, []int64{in2.ID}, 1},
		{"by id", shrooms.FollowFilter{ID: out1.ID}, []int64{out1.ID}, 1},
		{"page", shrooms.FollowFilter{Offset: 1, Limit: 2}, []int64{in1.ID, out2.ID}, 4},
		{"past the end", shrooms.FollowFilter{Offset: 10}, nil, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, total, err := db.Follows.FindFollows(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(fs); !reflect.DeepEqual(got, tc.want) || total != tc.total {
				t.Fatalf("got %v (total %d), want %v (total %d)", got, total, tc.want, tc.total)
			}
		})
	}
}

// A follow change and its outbox entry commit together or not at all.
func TestFollowOutboxAtomic(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newFollowFixture(t)
	db := fx.db
	raw := rawDB(t, db.Path())
	if _, err := raw.Exec(`CREATE TRIGGER outbox_down BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID); err == nil {
		t.Fatal("CreateFollow succeeded without its outbox entry")
	}
	if _, err := db.Follows.ReceiveFollow(ctx, "https://partner.example/f/1", fx.partner.IRI, fx.org.IRI, ""); err == nil {
		t.Fatal("ReceiveFollow succeeded without its Accept")
	}
	if fs, n, err := db.Follows.FindFollows(ctx, shrooms.FollowFilter{}); err != nil || n != 0 {
		t.Fatalf("follows written without their outbox entry: %v %v", fs, err)
	}
	if _, err := raw.Exec(`DROP TRIGGER outbox_down`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Follows.CreateFollow(ctx, fx.org.ID, fx.partner.ID); err != nil {
		t.Fatal(err)
	}
	fx.wantOutbox(t, 1)
}

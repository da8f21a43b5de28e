package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// queueFixture is a node whose organisation has one public post in the
// outbox, addressed to followers on two hosts.
type queueFixture struct {
	db    *store.Services
	clock *testClock
	org   *shrooms.Actor
	entry *shrooms.OutboxEntry
}

func newQueueFixture(t *testing.T) *queueFixture {
	t.Helper()
	db, clock := openDB(t)
	org := initNode(t, db, false)
	act := insertPublicPost(t, db, org)
	entry, err := db.Outbox.FindOutboxEntryByIRI(context.Background(), act.IRI)
	if err != nil {
		t.Fatal(err)
	}
	return &queueFixture{db: db, clock: clock, org: org, entry: entry}
}

// publish publishes the entry to inboxes, due at t0.
func (fx *queueFixture) publish(t *testing.T, inboxes ...string) []*shrooms.Delivery {
	t.Helper()
	var ds []*shrooms.Delivery
	for _, in := range inboxes {
		ds = append(ds, &shrooms.Delivery{Inbox: in, Recipient: in + "#actor"})
	}
	if err := fx.db.Outbox.PublishOutbox(context.Background(), fx.entry.ID, []byte(`{"type":"Create"}`), ds); err != nil {
		t.Fatalf("PublishOutbox: %v", err)
	}
	return ds
}

func (fx *queueFixture) claim(t *testing.T, now time.Time, limit int) []int64 {
	t.Helper()
	ds, err := fx.db.Outbox.ClaimDeliveries(context.Background(), now, time.Minute, limit, 0)
	if err != nil {
		t.Fatalf("ClaimDeliveries: %v", err)
	}
	var ids []int64
	for _, d := range ds {
		if string(d.Payload) != `{"type":"Create"}` {
			t.Fatalf("claimed delivery without payload: %+v", d)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

func (fx *queueFixture) stats(t *testing.T) shrooms.QueueStats {
	t.Helper()
	s, err := fx.db.Outbox.QueueStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOutbox(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newQueueFixture(t)
	db := fx.db

	t.Run("unpublished and due", func(t *testing.T) {
		got, err := db.Outbox.FindUnpublishedOutbox(ctx, t0, 10)
		if err != nil || len(got) != 1 || got[0].ID != fx.entry.ID || got[0].Activity.Type != shrooms.ActivityCreate {
			t.Fatalf("FindUnpublishedOutbox = %v, %v", got, err)
		}
		if got, _ := db.Outbox.FindUnpublishedOutbox(ctx, t0.Add(-time.Second), 10); len(got) != 0 {
			t.Fatalf("entry due in the future was returned: %v", got)
		}
	})
	t.Run("defer", func(t *testing.T) {
		next := t0.Add(5 * time.Minute)
		if err := db.Outbox.DeferOutbox(ctx, fx.entry.ID, next, "no followers collection"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Outbox.FindUnpublishedOutbox(ctx, next.Add(-time.Millisecond), 10); len(got) != 0 {
			t.Fatal("deferred entry returned before it is due")
		}
		got, err := db.Outbox.FindUnpublishedOutbox(ctx, next, 10)
		if err != nil || len(got) != 1 || got[0].Attempts != 1 || got[0].LastError != "no followers collection" || !got[0].NextAttemptAt.Equal(next) {
			t.Fatalf("deferred entry = %+v, %v", got, err)
		}
		wantCode(t, db.Outbox.DeferOutbox(ctx, 999, next, "x"), shrooms.ENOTFOUND, "")
	})
	t.Run("publish", func(t *testing.T) {
		ds := fx.publish(t, "https://a.example/inbox", "https://B.example/inbox", "https://a.example/inbox")
		if ds[0].ID == 0 || ds[1].ID == 0 || ds[2].ID != 0 {
			t.Fatalf("ids = %d %d %d; want the repeated inbox skipped", ds[0].ID, ds[1].ID, ds[2].ID)
		}
		want := shrooms.Delivery{ID: ds[1].ID, OutboxID: fx.entry.ID, ActorID: fx.org.ID, Recipient: "https://B.example/inbox#actor",
			Inbox: "https://B.example/inbox", Host: "b.example", State: shrooms.DeliveryPending, NextAttemptAt: t0, CreatedAt: t0}
		got, total, err := db.Outbox.FindDeliveries(ctx, shrooms.DeliveryFilter{Host: "b.example"})
		if err != nil || total != 1 || !reflect.DeepEqual(*got[0], want) {
			t.Fatalf("FindDeliveries = %+v (%d), %v; want %+v", got, total, err, want)
		}
		if got, _ := db.Outbox.FindUnpublishedOutbox(ctx, t0.Add(time.Hour), 10); len(got) != 0 {
			t.Fatal("published entry is still unpublished")
		}
		e, err := db.Outbox.FindOutboxEntryByIRI(ctx, fx.entry.Activity.IRI)
		if err != nil || !e.Published || string(e.Payload) != `{"type":"Create"}` {
			t.Fatalf("entry = %+v, %v", e, err)
		}
		if s := fx.stats(t); s.OutboxUnpublished != 0 || s.DeliveriesPending != 2 {
			t.Fatalf("stats = %+v", s)
		}
	})
	t.Run("publish again skips queued inboxes", func(t *testing.T) {
		ds := fx.publish(t, "https://a.example/inbox", "https://c.example/inbox")
		if ds[0].ID != 0 || ds[1].ID == 0 {
			t.Fatalf("ids = %d %d", ds[0].ID, ds[1].ID)
		}
		if s := fx.stats(t); s.DeliveriesPending != 3 {
			t.Fatalf("stats = %+v", s)
		}
	})
	t.Run("publish errors", func(t *testing.T) {
		wantCode(t, db.Outbox.PublishOutbox(ctx, 999, []byte("{}"), nil), shrooms.ENOTFOUND, "")
		wantCode(t, db.Outbox.PublishOutbox(ctx, fx.entry.ID, nil, nil), shrooms.EINVALID, "payload")
		wantCode(t, db.Outbox.PublishOutbox(ctx, fx.entry.ID, []byte("{}"), []*shrooms.Delivery{{Inbox: "not a url"}}), shrooms.EINVALID, "inbox")
	})
	t.Run("without deliveries", func(t *testing.T) {
		e2 := insertPublicPost(t, db, fx.org)
		entry, _ := db.Outbox.FindOutboxEntryByIRI(ctx, e2.IRI)
		if err := db.Outbox.PublishOutbox(ctx, entry.ID, []byte("{}"), nil); err != nil {
			t.Fatal(err)
		}
		if entry, _ = db.Outbox.FindOutboxEntryByIRI(ctx, e2.IRI); !entry.Published {
			t.Fatal("entry without deliveries not published")
		}
	})
	t.Run("find entries", func(t *testing.T) {
		alice := localActor(t, db, "alice", false)
		remote := remoteActor(t, db, "partner.example", "org")
		if _, err := db.Follows.CreateFollow(ctx, alice.ID, remote.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			filter shrooms.OutboxFilter
			types  []shrooms.ActivityType
			total  int
		}{
			{"all, newest first", shrooms.OutboxFilter{}, []shrooms.ActivityType{"Follow", "Create", "Create"}, 3},
			{"public only", shrooms.OutboxFilter{PublicOnly: true}, []shrooms.ActivityType{"Create", "Create"}, 2},
			{"one actor", shrooms.OutboxFilter{ActorID: alice.ID}, []shrooms.ActivityType{"Follow"}, 1},
			{"one actor, public", shrooms.OutboxFilter{ActorID: alice.ID, PublicOnly: true}, nil, 0},
			{"page", shrooms.OutboxFilter{Offset: 1, Limit: 1}, []shrooms.ActivityType{"Create"}, 3},
		} {
			t.Run(tc.name, func(t *testing.T) {
				es, total, err := db.Outbox.FindOutboxEntries(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				var types []shrooms.ActivityType
				for _, e := range es {
					types = append(types, e.Activity.Type)
				}
				if !reflect.DeepEqual(types, tc.types) || total != tc.total {
					t.Fatalf("got %v (%d), want %v (%d)", types, total, tc.types, tc.total)
				}
			})
		}
		_, err := db.Outbox.FindOutboxEntryByIRI(ctx, testURL+"/activities/none")
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
}

func TestDeliveryQueue(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	fx := newQueueFixture(t)
	db := fx.db
	ds := fx.publish(t, "https://a.example/inbox", "https://b.example/inbox", "https://a.example/users/x/inbox")
	a1, b, a2 := ds[0].ID, ds[1].ID, ds[2].ID

	t.Run("claim leases in due order", func(t *testing.T) {
		if got := fx.claim(t, t0.Add(-time.Second), 10); len(got) != 0 {
			t.Fatalf("claimed before due: %v", got)
		}
		if got := fx.claim(t, t0, 2); !reflect.DeepEqual(got, []int64{a1, b}) {
			t.Fatalf("claimed %v, want %v", got, []int64{a1, b})
		}
		if got := fx.claim(t, t0.Add(30*time.Second), 10); !reflect.DeepEqual(got, []int64{a2}) {
			t.Fatalf("claimed %v while leases held, want only %d", got, a2)
		}
		// Leases run out after a minute: an abandoned claim comes back.
		if got := fx.claim(t, t0.Add(time.Minute), 10); !reflect.DeepEqual(got, []int64{a1, b}) {
			t.Fatalf("after the lease: %v", got)
		}
	})
	t.Run("release leases", func(t *testing.T) {
		now := t0.Add(90 * time.Second) // every lease is held now
		if got := fx.claim(t, now, 10); len(got) != 1 {
			t.Fatalf("claimed %v", got)
		}
		if got := fx.claim(t, now, 10); len(got) != 0 {
			t.Fatalf("claimed held deliveries: %v", got)
		}
		if err := db.Outbox.ReleaseDeliveryLeases(ctx); err != nil {
			t.Fatal(err)
		}
		if got := fx.claim(t, now, 10); len(got) != 3 {
			t.Fatalf("after release claimed %v, want all 3", got)
		}
		db.Outbox.ReleaseDeliveryLeases(ctx)
	})

	now := t0.Add(2 * time.Minute)
	t.Run("host down backs the whole host off", func(t *testing.T) {
		err := db.Outbox.MarkDeliveryFailed(ctx, a1, now, shrooms.DeliveryFailure{Status: 503, Err: "unavailable", Next: now.Add(time.Minute), HostDown: true})
		if err != nil {
			t.Fatal(err)
		}
		h, err := db.Outbox.FindHostStatus(ctx, "A.example")
		if err != nil {
			t.Fatal(err)
		}
		want := shrooms.HostStatus{Host: "a.example", Failures: 1, BackoffUntil: now.Add(shrooms.HostBackoff(1)),
			LastFailureAt: now, LastError: "unavailable"}
		if *h != want {
			t.Fatalf("host = %+v, want %+v", *h, want)
		}
		// a2 is due but on the same host: skipped during the backoff.
		if got := fx.claim(t, now, 10); !reflect.DeepEqual(got, []int64{b}) {
			t.Fatalf("claimed %v during a.example's backoff, want only %d", got, b)
		}
		db.Outbox.ReleaseDeliveryLeases(ctx)
		later := now.Add(time.Minute) // past the 30s backoff, and a1 is due again
		if got := fx.claim(t, later, 10); !reflect.DeepEqual(got, []int64{b, a2, a1}) {
			t.Fatalf("after the backoff: %v", got)
		}
		db.Outbox.ReleaseDeliveryLeases(ctx)
		d := findDelivery(t, db, a1)
		if d.Attempts != 1 || d.LastStatus != 503 || d.LastError != "unavailable" || !d.NextAttemptAt.Equal(now.Add(time.Minute)) || d.State != shrooms.DeliveryPending {
			t.Fatalf("failed delivery = %+v", d)
		}
	})
	t.Run("consecutive failures grow the backoff", func(t *testing.T) {
		err := db.Outbox.MarkDeliveryFailed(ctx, a2, now, shrooms.DeliveryFailure{Err: "timeout", Next: now.Add(time.Minute), HostDown: true})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := db.Outbox.FindHostStatus(ctx, "a.example")
		if h.Failures != 2 || !h.BackoffUntil.Equal(now.Add(shrooms.HostBackoff(2))) {
			t.Fatalf("host = %+v", h)
		}
	})
	t.Run("a refusal does not touch the host", func(t *testing.T) {
		err := db.Outbox.MarkDeliveryFailed(ctx, b, now, shrooms.DeliveryFailure{Status: 400, Err: "bad request", Next: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := db.Outbox.FindHostStatus(ctx, "b.example"); h.Failures != 0 || !h.BackoffUntil.IsZero() {
			t.Fatalf("host = %+v", h)
		}
	})
	t.Run("success resets the host", func(t *testing.T) {
		at := now.Add(time.Hour)
		if err := db.Outbox.MarkDelivered(ctx, a1, at, 202); err != nil {
			t.Fatal(err)
		}
		h, _ := db.Outbox.FindHostStatus(ctx, "a.example")
		if h.Failures != 0 || !h.BackoffUntil.IsZero() || !h.LastSuccessAt.Equal(at) || !h.LastFailureAt.Equal(now) {
			t.Fatalf("host = %+v", h)
		}
		d := findDelivery(t, db, a1)
		if d.State != shrooms.DeliveryDelivered || !d.DeliveredAt.Equal(at) || d.LastStatus != 202 || d.Attempts != 2 {
			t.Fatalf("delivered = %+v", d)
		}
		if got := fx.claim(t, at.Add(time.Hour), 10); !reflect.DeepEqual(got, []int64{a2, b}) {
			t.Fatalf("claimed %v, want the undelivered ones", got)
		}
		db.Outbox.ReleaseDeliveryLeases(ctx)
	})
	t.Run("dead and retried", func(t *testing.T) {
		at := now.Add(2 * time.Hour)
		wantCode(t, db.Outbox.RetryDelivery(ctx, b, at), shrooms.ECONFLICT, "not dead")
		err := db.Outbox.MarkDeliveryFailed(ctx, b, at, shrooms.DeliveryFailure{Status: 410, Err: "gone", Next: at.Add(time.Hour), Dead: true})
		if err != nil {
			t.Fatal(err)
		}
		if s := fx.stats(t); s.DeliveriesDead != 1 || s.DeliveriesPending != 1 {
			t.Fatalf("stats = %+v", s)
		}
		if got := fx.claim(t, at.Add(24*time.Hour), 10); !reflect.DeepEqual(got, []int64{a2}) {
			t.Fatalf("claimed %v; a dead delivery must never be claimed", got)
		}
		db.Outbox.ReleaseDeliveryLeases(ctx)
		dead, total, err := db.Outbox.FindDeliveries(ctx, shrooms.DeliveryFilter{State: shrooms.DeliveryDead})
		if err != nil || total != 1 || dead[0].ID != b || dead[0].Payload != nil {
			t.Fatalf("dead = %+v (%d), %v", dead, total, err)
		}
		retryAt := at.Add(3 * time.Hour)
		if err := db.Outbox.RetryDelivery(ctx, b, retryAt); err != nil {
			t.Fatal(err)
		}
		if d := findDelivery(t, db, b); d.State != shrooms.DeliveryPending || !d.NextAttemptAt.Equal(retryAt) {
			t.Fatalf("retried = %+v", d)
		}
		if got := fx.claim(t, retryAt, 10); !reflect.DeepEqual(got, []int64{a2, b}) {
			t.Fatalf("claimed %v after retry", got)
		}
		wantCode(t, db.Outbox.RetryDelivery(ctx, 999, at), shrooms.ENOTFOUND, "")
	})
	t.Run("unknown ids", func(t *testing.T) {
		wantCode(t, db.Outbox.MarkDelivered(ctx, 999, now, 200), shrooms.ENOTFOUND, "")
		wantCode(t, db.Outbox.MarkDeliveryFailed(ctx, 999, now, shrooms.DeliveryFailure{HostDown: true}), shrooms.ENOTFOUND, "")
		if h, err := db.Outbox.FindHostStatus(ctx, "never.example"); err != nil || *h != (shrooms.HostStatus{Host: "never.example"}) {
			t.Fatalf("unknown host = %+v, %v", h, err)
		}
	})
	t.Run("find, newest first", func(t *testing.T) {
		all, total, err := db.Outbox.FindDeliveries(ctx, shrooms.DeliveryFilter{})
		if err != nil || total != 3 || len(all) != 3 || all[0].ID != a2 || all[2].ID != a1 {
			t.Fatalf("FindDeliveries = %+v (%d), %v", all, total, err)
		}
		pg, total, _ := db.Outbox.FindDeliveries(ctx, shrooms.DeliveryFilter{Host: "a.example", Offset: 1, Limit: 1})
		if total != 2 || len(pg) != 1 || pg[0].ID != a1 {
			t.Fatalf("page = %+v (%d)", pg, total)
		}
	})
}

func findDelivery(t *testing.T, db *store.Services, id int64) *shrooms.Delivery {
	t.Helper()
	all, _, err := db.Outbox.FindDeliveries(context.Background(), shrooms.DeliveryFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range all {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("delivery %d not found", id)
	return nil
}

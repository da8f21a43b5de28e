package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// Times of the pruning tests: "old" rows finished at t0, "new" ones at
// recent; the cut-off lies between them.
var (
	recent = t0.Add(35 * 24 * time.Hour)
	cutOff = t0.Add(10 * 24 * time.Hour)
)

// saveInbox stores a received activity from peer, received at at.
func saveInbox(t *testing.T, db *store.Services, name string, at time.Time) *shrooms.InboxActivity {
	t.Helper()
	a := &shrooms.InboxActivity{ActivityIRI: "https://peer.example/activities/" + name,
		ActorIRI: "https://peer.example/actors/org", Raw: []byte(`{"type":"Follow"}`), ReceivedAt: at}
	if ok, err := db.Inbox.SaveInboxActivity(context.Background(), a); err != nil || !ok {
		t.Fatalf("SaveInboxActivity %s = %v, %v", name, ok, err)
	}
	return a
}

// insertDirect writes a non-public activity of actor (a Follow of a peer)
// to the outbox at the store's clock and returns its entry ID.
func insertDirect(t *testing.T, db *store.Services, actor *shrooms.Actor) int64 {
	t.Helper()
	peer := "https://peer.example/actors/org"
	act := &shrooms.Activity{IRI: db.IRIs().NewActivity(), Type: shrooms.ActivityFollow, Actor: actor.IRI,
		Object: peer, To: []string{peer}}
	id, err := db.InsertOutboxForTest(context.Background(), actor.ID, act)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// publishTo publishes entry id to inboxes on peer hosts, at the store's
// clock, and returns the delivery IDs.
func publishTo(t *testing.T, db *store.Services, id int64, hosts ...string) []int64 {
	t.Helper()
	var ds []*shrooms.Delivery
	for _, h := range hosts {
		ds = append(ds, &shrooms.Delivery{Inbox: "https://" + h + "/inbox", Recipient: "https://" + h + "/actors/org"})
	}
	if err := db.Outbox.PublishOutbox(context.Background(), id, []byte(`{"type":"Follow"}`), ds); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPruneQueues: only rows finished before the cut-off go; pending work
// survives whatever its age, and so do public outbox entries and entries
// a delivery still needs.
func TestPruneQueues(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	db, clock := openDB(t)
	org := initNode(t, db, false)

	// Received activities.
	oldDone := saveInbox(t, db, "old-done", t0)
	mustOK(t, db.Inbox.MarkInboxDone(ctx, oldDone.ID, t0, ""))
	oldFailed := saveInbox(t, db, "old-failed", t0)
	mustOK(t, db.Inbox.MarkInboxFailed(ctx, oldFailed.ID, t0, "boom", t0, true))
	oldPending := saveInbox(t, db, "old-pending", t0)
	oldRetrying := saveInbox(t, db, "old-retrying", t0)
	mustOK(t, db.Inbox.MarkInboxFailed(ctx, oldRetrying.ID, t0, "boom", t0.Add(time.Hour), false))
	oldClaimed := saveInbox(t, db, "old-claimed", t0.Add(time.Second))
	lateDone := saveInbox(t, db, "late-done", t0) // received long ago, finished recently
	mustOK(t, db.Inbox.MarkInboxDone(ctx, lateDone.ID, recent, ""))
	newDone := saveInbox(t, db, "new-done", recent)
	mustOK(t, db.Inbox.MarkInboxDone(ctx, newDone.ID, recent, ""))

	// Outbox entries and their deliveries, written at t0.
	public := insertPublicPost(t, db, org)
	pubEntry, err := db.Outbox.FindOutboxEntryByIRI(ctx, public.IRI)
	mustOK(t, err)
	pubDs := publishTo(t, db, pubEntry.ID, "a.example", "b.example")
	mustOK(t, db.Outbox.MarkDelivered(ctx, pubDs[0], t0, 202))
	mustOK(t, db.Outbox.MarkDeliveryFailed(ctx, pubDs[1], t0, shrooms.DeliveryFailure{Status: 410, Err: "gone", Dead: true}))

	allDone := insertDirect(t, db, org)
	for _, id := range publishTo(t, db, allDone, "a.example", "b.example") {
		mustOK(t, db.Outbox.MarkDelivered(ctx, id, t0, 202))
	}
	stillPending := insertDirect(t, db, org)
	spDs := publishTo(t, db, stillPending, "a.example", "b.example")
	mustOK(t, db.Outbox.MarkDelivered(ctx, spDs[0], t0, 202))
	mustOK(t, db.Outbox.MarkDeliveryFailed(ctx, spDs[1], t0, shrooms.DeliveryFailure{Status: 503, Err: "down",
		Next: t0.Add(time.Hour), HostDown: true}))
	lateDelivered := insertDirect(t, db, org)
	ldDs := publishTo(t, db, lateDelivered, "a.example")
	mustOK(t, db.Outbox.MarkDelivered(ctx, ldDs[0], recent, 202))
	noRecipients := insertDirect(t, db, org)
	publishTo(t, db, noRecipients)
	unpublished := insertDirect(t, db, org)

	// Invites: expired, revoked and open.
	_, _, err = db.Partners.CreatePartnerInvite(ctx, 7*24*time.Hour, "expired")
	mustOK(t, err)
	revoked, _, err := db.Partners.CreatePartnerInvite(ctx, 60*24*time.Hour, "revoked")
	mustOK(t, err)
	mustOK(t, db.Partners.RevokePartnerInvite(ctx, revoked.ID))
	open, _, err := db.Partners.CreatePartnerInvite(ctx, 60*24*time.Hour, "open")
	mustOK(t, err)

	// Written recently: a public post and a direct entry, both delivered.
	clock.Add(recent.Sub(t0))
	newDirect := insertDirect(t, db, org)
	ndDs := publishTo(t, db, newDirect, "a.example")
	mustOK(t, db.Outbox.MarkDelivered(ctx, ndDs[0], recent, 202))
	// Claimed now: a lease does not protect it from anything but other
	// workers; its state, pending, is what keeps it.
	if got, err := db.Inbox.ClaimInboxActivities(ctx, recent, time.Minute, 500); err != nil || len(got) == 0 {
		t.Fatalf("ClaimInboxActivities = %v, %v", got, err)
	}

	res, err := db.Outbox.PruneQueues(ctx, cutOff)
	mustOK(t, err)
	want := shrooms.PruneResult{Inbox: 2, Deliveries: 5, Outbox: 2, Invites: 2}
	if res != want {
		t.Fatalf("PruneQueues = %+v, want %+v", res, want)
	}

	inbox := map[string]bool{}
	all, _, err := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{Limit: 500})
	mustOK(t, err)
	for _, a := range all {
		inbox[a.ActivityIRI] = true
	}
	for _, a := range []*shrooms.InboxActivity{oldPending, oldRetrying, oldClaimed, lateDone, newDone} {
		if !inbox[a.ActivityIRI] {
			t.Errorf("inbox %s was pruned", a.ActivityIRI)
		}
	}
	for _, a := range []*shrooms.InboxActivity{oldDone, oldFailed} {
		if inbox[a.ActivityIRI] {
			t.Errorf("inbox %s survived", a.ActivityIRI)
		}
	}

	ds, _, err := db.Outbox.FindDeliveries(ctx, shrooms.DeliveryFilter{Limit: 500})
	mustOK(t, err)
	left := map[int64]bool{}
	for _, d := range ds {
		left[d.ID] = true
	}
	if len(ds) != 3 || !left[spDs[1]] || !left[ldDs[0]] || !left[ndDs[0]] {
		t.Errorf("deliveries left = %v, want the pending one and the two delivered recently", left)
	}

	entries, _, err := db.Outbox.FindOutboxEntries(ctx, shrooms.OutboxFilter{ActorID: org.ID, Limit: 500})
	mustOK(t, err)
	kept := map[int64]bool{}
	for _, e := range entries {
		kept[e.ID] = true
	}
	for name, id := range map[string]int64{"public": pubEntry.ID, "still pending": stillPending,
		"late delivered": lateDelivered, "unpublished": unpublished, "new": newDirect} {
		if !kept[id] {
			t.Errorf("outbox entry %q was pruned", name)
		}
	}
	for name, id := range map[string]int64{"all delivered": allDone, "no recipients": noRecipients} {
		if kept[id] {
			t.Errorf("outbox entry %q survived", name)
		}
	}

	invites, err := db.Partners.FindPartnerInvites(ctx)
	mustOK(t, err)
	if len(invites) != 1 || invites[0].ID != open.ID {
		t.Errorf("invites left = %+v, want only the open one", invites)
	}

	// Pending work is kept whatever its age: a cut-off in the far future
	// takes every finished row and nothing else.
	res, err = db.Outbox.PruneQueues(ctx, recent.Add(365*24*time.Hour))
	mustOK(t, err)
	if want := (shrooms.PruneResult{Inbox: 2, Deliveries: 2, Outbox: 2, Invites: 1}); res != want {
		t.Fatalf("second PruneQueues = %+v, want %+v", res, want)
	}
	s, err := db.Outbox.QueueStats(ctx)
	mustOK(t, err)
	if s.InboxPending != 3 || s.DeliveriesPending != 1 || s.OutboxUnpublished != 1 {
		t.Fatalf("queues after pruning everything finished = %+v", s)
	}
	if _, err := db.Outbox.FindOutboxEntryByIRI(ctx, public.IRI); err != nil {
		t.Fatalf("the public entry went: %v", err)
	}
}

// TestPruneQueuesBatches: more rows than one batch holds all go, and the
// pending ones between them stay.
func TestPruneQueuesBatches(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	db, _ := openDB(t)
	initNode(t, db, false)
	const n = 2500
	var mu sync.Mutex
	var done []int64
	var wg sync.WaitGroup
	for w := 0; w < 25; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 25 {
				a := &shrooms.InboxActivity{ActivityIRI: fmt.Sprintf("https://peer.example/activities/%d", i),
					ActorIRI: "https://peer.example/actors/org", Raw: []byte(`{}`), ReceivedAt: t0}
				if ok, err := db.Inbox.SaveInboxActivity(context.Background(), a); err != nil || !ok {
					t.Errorf("SaveInboxActivity = %v, %v", ok, err)
					return
				}
				if i%100 != 0 { // every hundredth stays pending
					mu.Lock()
					done = append(done, a.ID)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	mustOK(t, db.Inbox.MarkInboxDoneMany(ctx, done, make([]string, len(done)), t0))

	res, err := db.Outbox.PruneQueues(ctx, cutOff)
	mustOK(t, err)
	if res.Inbox != len(done) || len(done) <= 2*1000 {
		t.Fatalf("pruned %d of %d done activities", res.Inbox, len(done))
	}
	left, total, err := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{Limit: 500})
	mustOK(t, err)
	if total != n/100 {
		t.Fatalf("%d activities left, want the %d pending", total, n/100)
	}
	for _, a := range left {
		if a.State != shrooms.InboxPending {
			t.Fatalf("left %+v", a)
		}
	}
}

// TestPruneQueuesRights: only admins and the system prune.
func TestPruneQueuesRights(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	_, err := p.db.Outbox.PruneQueues(context.Background(), cutOff)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	_, err = p.db.Outbox.PruneQueues(as(p.staff), cutOff)
	wantCode(t, err, shrooms.EFORBIDDEN, "")
	if _, err := p.db.Outbox.PruneQueues(as(p.admin), cutOff); err != nil {
		t.Fatalf("admin: %v", err)
	}
}

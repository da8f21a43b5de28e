package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// queueRows counts what a node keeps in its queues: received activities,
// deliveries, its organisation's outbox entries (and how many of them are
// public) and partner invites.
type queueRows struct {
	inbox, deliveries, outbox, public, invites int
}

func rowsOf(t *testing.T, n *testNode) queueRows {
	t.Helper()
	var r queueRows
	var err error
	if _, r.inbox, err = n.m.DB.Inbox.FindInboxActivities(systemCtx, shrooms.InboxFilter{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if _, r.deliveries, err = n.m.DB.Outbox.FindDeliveries(systemCtx, shrooms.DeliveryFilter{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	org := n.org().ID
	if _, r.outbox, err = n.m.DB.Outbox.FindOutboxEntries(systemCtx, shrooms.OutboxFilter{ActorID: org, Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if _, r.public, err = n.m.DB.Outbox.FindOutboxEntries(systemCtx, shrooms.OutboxFilter{ActorID: org, PublicOnly: true, Limit: 1}); err != nil {
		t.Fatal(err)
	}
	invites, err := n.m.DB.Partners.FindPartnerInvites(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	r.invites = len(invites)
	return r
}

// TestQueuesPruned: two partners exchange follows and items; once the
// retention has passed, the workers' next round deletes every finished
// row on both nodes but the public activities of the outbox collection;
// federation goes on afterwards, and an old activity delivered again
// after its inbox row went changes nothing.
func TestQueuesPruned(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	linkByInvite(t, a, b, a, b)
	public := newItem(t, a, "Pillar drill", shrooms.AudiencePublic)
	newItem(t, a, "Lathe", shrooms.AudiencePartners)
	drain(t, a, b)
	if cached(t, b, public.IRI) == nil {
		t.Fatal("B did not cache A's public item")
	}
	before := rowsOf(t, a)
	if before.inbox == 0 || before.deliveries == 0 || before.outbox <= before.public || before.public == 0 || before.invites != 1 {
		t.Fatalf("A's queues before pruning: %+v", before)
	}
	if r := rowsOf(t, b); r.inbox == 0 || r.deliveries == 0 {
		t.Fatalf("B's queues before pruning: %+v", r)
	}

	// A day short of the retention, nothing goes.
	clock.Advance(29 * 24 * time.Hour)
	drain(t, a, b)
	if got := rowsOf(t, a); got != before {
		t.Fatalf("A's queues within the retention: %+v, want %+v", got, before)
	}

	clock.Advance(2 * 24 * time.Hour)
	drain(t, a, b)
	for _, n := range []*testNode{a, b} {
		r := rowsOf(t, n)
		if r.inbox != 0 || r.deliveries != 0 || r.outbox != r.public || r.invites != 0 {
			t.Fatalf("%s's queues after the retention: %+v", n.addr, r)
		}
		if !strings.Contains(n.logs.String(), "queues pruned") {
			t.Fatalf("%s logged no pruning", n.addr)
		}
	}
	if got := rowsOf(t, a); got.public != before.public {
		t.Fatalf("A's public activities went: %d, want %d", got.public, before.public)
	}
	status, _, body := a.get("/actors/org/outbox", "application/activity+json")
	if status != http.StatusOK || !strings.Contains(string(body), `"totalItems":`+itoa(int64(before.public))) {
		t.Fatalf("A's outbox collection: %d %s", status, body)
	}

	// Federation goes on: a new item reaches the partner.
	later := newItem(t, a, "Band saw", shrooms.AudiencePartners)
	drain(t, a, b)
	if o := cached(t, b, later.IRI); o == nil || o.Name != "Band saw" {
		t.Fatalf("B's cache of the item made after pruning: %+v", o)
	}

	// A's old Create of the public item, delivered again with a fresh
	// signature: B forgot it, so it is processed again, and found stale.
	old := cached(t, b, public.IRI)
	entries, _, err := a.m.DB.Outbox.FindOutboxEntries(systemCtx, shrooms.OutboxFilter{ActorID: a.org().ID, PublicOnly: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var create *shrooms.OutboxEntry
	for _, e := range entries {
		if e.Activity.Type == shrooms.ActivityCreate && e.Activity.Object == public.IRI {
			create = e
		}
	}
	if create == nil || len(create.Payload) == 0 {
		t.Fatalf("A's public Create of %s is not in its outbox", public.IRI)
	}
	if status, reply := orgSigner(t, a).post(b.url()+"/inbox", create.Payload, signOpts{}); status != http.StatusAccepted {
		t.Fatalf("re-delivery: %d %s", status, reply)
	}
	drain(t, a, b)
	acts, _, err := b.m.DB.Inbox.FindInboxActivities(systemCtx, shrooms.InboxFilter{ActivityIRI: create.Activity.IRI})
	if err != nil || len(acts) != 1 || acts[0].State != shrooms.InboxDone || acts[0].Note != "stale" {
		t.Fatalf("B's record of the re-delivered Create: %+v, %v", acts, err)
	}
	if o := cached(t, b, public.IRI); o == nil || !o.Updated.Equal(old.Updated) || o.Name != old.Name {
		t.Fatalf("the re-delivery changed B's cache: %+v, was %+v", o, old)
	}
}

// TestAdminQueuePrune: the CLI prunes now with the retention it is given,
// prints the counts and refuses a retention it cannot read or that is
// shorter than a day. The nodes run three days in the past, so that what
// they did is old for the CLI, which uses the real clock.
func TestAdminQueuePrune(t *testing.T) {
	t.Parallel()
	clock := newTestClockAt(time.Now().UTC().Add(-72 * time.Hour))
	a, b := startNode(t, clock), startNode(t, clock)
	target, err := a.m.Fed.ResolveHandle(systemCtx, b.acct())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.DB.Follows.CreateFollow(systemCtx, a.org().ID, target.ID); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	// B's admin approves: B follows back, and A receives its activities.
	reqs := b.follows(true, shrooms.FollowPending)
	if len(reqs) != 1 {
		t.Fatalf("B's follow requests: %+v", reqs)
	}
	if _, err := b.m.DB.Follows.ApproveFollowRequest(systemCtx, reqs[0].ID); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	before := rowsOf(t, a)
	if before.inbox == 0 || before.deliveries == 0 || before.outbox == before.public {
		t.Fatalf("A's queues: %+v", before)
	}

	for _, bad := range []string{"soon", "12h", "-3d", "0", "1.5d"} {
		if _, err := a.cli("admin", "queue", "prune", "--older-than", bad); err == nil || !strings.Contains(err.Error(), "exit 2") ||
			!strings.Contains(err.Error(), "--older-than") {
			t.Errorf("--older-than %s: %v, want a usage error naming the flag", bad, err)
		}
	}
	if _, err := a.cli("admin", "queue", "purge"); err == nil || !strings.Contains(err.Error(), "exit 2") {
		t.Errorf("admin queue purge: %v, want a usage error", err)
	}
	// The default retention (30 days) keeps three-day-old rows.
	out := a.mustCLI("admin", "queue", "prune")
	if !strings.Contains(out, "inbox activities: 0") || !strings.Contains(out, "deliveries:       0") {
		t.Fatalf("prune with the default retention:\n%s", out)
	}
	if got := rowsOf(t, a); got != before {
		t.Fatalf("rows after a prune that should keep them: %+v, want %+v", got, before)
	}

	out = a.mustCLI("admin", "queue", "prune", "--older-than", "2d")
	want := []string{"inbox activities: " + itoa(int64(before.inbox)), "deliveries:       " + itoa(int64(before.deliveries)),
		"outbox entries:   " + itoa(int64(before.outbox-before.public)), "partner invites:  0"}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Fatalf("prune --older-than 2d printed:\n%s\nwant %q", out, w)
		}
	}
	if got := rowsOf(t, a); got.inbox != 0 || got.deliveries != 0 || got.outbox != got.public {
		t.Fatalf("rows after prune --older-than 2d: %+v", got)
	}
	if stats := a.mustCLI("admin", "queue"); !strings.Contains(stats, "deliveries pending: 0") {
		t.Fatalf("admin queue after pruning:\n%s", stats)
	}
}

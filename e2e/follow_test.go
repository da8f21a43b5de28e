package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// TestFollowBetweenNodes: A's admin follows B with the CLI while A runs;
// B accepts at once; B follows back; both sides agree, every request signed
// and verified over real HTTP.
func TestFollowBetweenNodes(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)

	out := a.mustCLI("admin", "follow", b.acct())
	if !strings.Contains(out, "pending") {
		t.Fatalf("follow output %q does not say pending", out)
	}
	drain(t, a, b)
	// An organisation following an organisation asks for a partnership:
	// it waits for B's admin, whose approval follows A back.
	reqs := b.follows(true, shrooms.FollowPending)
	if len(reqs) != 1 {
		t.Fatalf("B's requests = %+v, want A's", reqs)
	}
	if _, err := b.m.DB.Follows.ApproveFollowRequest(systemCtx, reqs[0].ID); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)

	if got := a.follows(false, shrooms.FollowAccepted); len(got) != 1 || got[0].Followee.IRI != b.org().IRI {
		t.Fatalf("A following = %+v, want B accepted", got)
	}
	if got := b.follows(true, shrooms.FollowAccepted); len(got) != 1 || got[0].Follower.IRI != a.org().IRI {
		t.Fatalf("B followers = %+v, want A accepted", got)
	}

	if got := b.follows(false, shrooms.FollowAccepted); len(got) != 1 {
		t.Fatalf("B following = %d, want 1", len(got))
	}
	out = a.mustCLI("admin", "followers")
	if !strings.Contains(out, b.acct()) || !strings.Contains(out, "accepted") {
		t.Fatalf("A followers listing:\n%s", out)
	}
	out = a.mustCLI("admin", "following")
	if !strings.Contains(out, b.acct()) || !strings.Contains(out, "accepted") {
		t.Fatalf("A following listing:\n%s", out)
	}
	for _, n := range []*testNode{a, b} {
		if q := n.queue(); q.DeliveriesPending != 0 || q.DeliveriesDead != 0 || q.InboxPending != 0 || q.InboxFailed != 0 {
			t.Fatalf("%s queues not empty: %+v", n.addr, q)
		}
	}

	// The followers collection shows it to anyone.
	status, _, body := b.get("/actors/org/followers?page=1", "application/activity+json")
	if status != 200 || !strings.Contains(string(body), a.org().IRI) {
		t.Fatalf("B followers page: %d %s", status, body)
	}

	status, _, body = b.get("/actors/org/followers", "application/activity+json")
	if status != 200 || !strings.Contains(string(body), `"totalItems":1`) || !strings.Contains(string(body), `"OrderedCollection"`) {
		t.Fatalf("B followers collection: %d %s", status, body)
	}

	// Unfollow: Undo Follow removes A from B's followers.
	a.mustCLI("admin", "unfollow", b.acct())
	drain(t, a, b)
	if got := b.follows(true, ""); len(got) != 0 {
		t.Fatalf("B followers after Undo = %d, want 0", len(got))
	}
}

// TestFollowRequestsWaitForApproval: with manually_approves_followers a
// Follow waits until the admin approves or rejects it.
func TestFollowRequestsWaitForApproval(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock, manualApproval), startNode(t, clock)

	a.mustCLI("admin", "follow", b.acct())
	c.mustCLI("admin", "follow", b.acct())
	drain(t, a, b, c)

	reqs := b.follows(true, shrooms.FollowPending)
	if len(reqs) != 2 {
		t.Fatalf("B follow requests = %d, want 2", len(reqs))
	}
	if got := a.follows(false, shrooms.FollowPending); len(got) != 1 {
		t.Fatalf("A's follow should still be pending, got %+v", got)
	}
	list := b.mustCLI("admin", "follow-requests", "list")
	if !strings.Contains(list, a.acct()) || !strings.Contains(list, c.acct()) {
		t.Fatalf("follow-requests list:\n%s", list)
	}
	byFollower := map[string]*shrooms.Follow{}
	for _, r := range reqs {
		byFollower[r.Follower.IRI] = r
	}
	b.mustCLI("admin", "follow-requests", "approve", itoa(byFollower[a.org().IRI].ID))
	b.mustCLI("admin", "follow-requests", "reject", itoa(byFollower[c.org().IRI].ID))
	drain(t, a, b, c)

	if got := a.follows(false, shrooms.FollowAccepted); len(got) != 1 {
		t.Fatalf("A's follow after approval: %+v", a.follows(false, ""))
	}
	if got := c.follows(false, shrooms.FollowRejected); len(got) != 1 {
		t.Fatalf("C's follow after rejection: %+v", c.follows(false, ""))
	}
	if _, err := b.cli("admin", "follow-requests", "approve", "999999"); err == nil {
		t.Fatal("approving an unknown request succeeded")
	}
	// The actor document tells peers what to expect.
	_, _, body := b.get("/actors/org", "application/activity+json")
	if !strings.Contains(string(body), `"manuallyApprovesFollowers":true`) {
		t.Fatalf("B actor does not say manuallyApprovesFollowers: %s", body)
	}
}

// TestRestartMidDelivery: a node that dies holding a delivery delivers it
// after it starts again.
func TestRestartMidDelivery(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	a.mustCLI("admin", "follow", b.acct())

	ctx := context.Background()
	// Publish, then take the delivery as a worker would, and die with it.
	entries, err := a.m.DB.Outbox.FindUnpublishedOutbox(ctx, clock.Now(), 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("outbox: %v %d", err, len(entries))
	}
	payload, err := vocab.ActivityJSON(&entries[0].Activity)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.m.DB.Outbox.PublishOutbox(ctx, entries[0].ID, payload, []*shrooms.Delivery{{Recipient: b.org().IRI, Inbox: b.url() + "/inbox"}}); err != nil {
		t.Fatal(err)
	}
	claimed, err := a.m.DB.Outbox.ClaimDeliveries(ctx, clock.Now(), time.Hour, 10, 0)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %d", err, len(claimed))
	}
	a.restart() // the lease would hold for an hour; start-up frees it

	drain(t, a, b)
	if got := b.follows(true, ""); len(got) != 1 {
		t.Fatalf("B followers after A's restart = %d, want 1", len(got))
	}
}

// TestPeerDownThenBack: deliveries to a stopped node are retried on their
// schedule and arrive once it is back; past the maximum age they are
// dead-lettered and an admin can retry them.
func TestPeerDownThenBack(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	a.mustCLI("admin", "follow", b.acct()) // resolves B while it is up
	b.stop()

	drain(t, a)
	q := a.queue()
	if q.DeliveriesPending != 1 {
		t.Fatalf("queue after failed attempt: %+v", q)
	}
	ds, _, _ := a.m.DB.Outbox.FindDeliveries(context.Background(), shrooms.DeliveryFilter{})
	if ds[0].Attempts != 1 || ds[0].LastError == "" || !ds[0].NextAttemptAt.After(clock.Now()) {
		t.Fatalf("delivery after failure: %+v", ds[0])
	}
	hs, _ := a.m.DB.Outbox.FindHostStatus(context.Background(), b.host())
	if hs.Failures != 1 || !hs.BackoffUntil.After(clock.Now()) {
		t.Fatalf("host status after failure: %+v", hs)
	}

	// Nothing is due yet: draining again makes no attempt.
	drain(t, a)
	ds, _, _ = a.m.DB.Outbox.FindDeliveries(context.Background(), shrooms.DeliveryFilter{})
	if ds[0].Attempts != 1 {
		t.Fatalf("attempted before due: %+v", ds[0])
	}

	clock.Advance(3 * time.Hour) // a long outage
	drain(t, a)
	b.restart()
	clock.Advance(3 * time.Hour)
	drain(t, a, b)
	// The Follow arrived: an organisation's request waits for B's admin.
	for _, r := range b.follows(true, shrooms.FollowPending) {
		if _, err := b.m.DB.Follows.ApproveFollowRequest(systemCtx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, a, b)

	if got := a.follows(false, shrooms.FollowAccepted); len(got) != 1 {
		t.Fatalf("A's follow after B came back: %+v", a.follows(false, ""))
	}
	hs, _ = a.m.DB.Outbox.FindHostStatus(context.Background(), b.host())
	if hs.Failures != 0 || hs.LastSuccessAt.IsZero() {
		t.Fatalf("host status after success: %+v", hs)
	}
}

// TestDeadLetterAndRetry: a peer gone for longer than delivery_max_age gets
// its delivery dead-lettered; the admin sees it and queues it again.
func TestDeadLetterAndRetry(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	a.mustCLI("admin", "follow", b.acct())
	b.stop()
	for i := 0; i < 40; i++ { // walk through the whole schedule
		drain(t, a)
		clock.Advance(6 * time.Hour)
	}
	if q := a.queue(); q.DeliveriesDead != 1 || q.DeliveriesPending != 0 {
		t.Fatalf("queue after max age: %+v", q)
	}
	ds, _, _ := a.m.DB.Outbox.FindDeliveries(context.Background(), shrooms.DeliveryFilter{State: shrooms.DeliveryDead})
	if len(ds) != 1 || ds[0].Attempts < 8 {
		t.Fatalf("dead delivery: %+v", ds)
	}
	if age := ds[0].NextAttemptAt.Sub(ds[0].CreatedAt); age < 48*time.Hour {
		t.Fatalf("gave up after %s; must retry for at least two days", age)
	}
	out := a.mustCLI("admin", "deliveries", "--state", "dead")
	if !strings.Contains(out, b.url()+"/inbox") {
		t.Fatalf("dead deliveries listing:\n%s", out)
	}
	if _, err := a.cli("admin", "deliveries", "retry", "999999"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("retry of an unknown delivery: %v", err)
	}
	// The retry goes through the API here, which shares the node's test
	// clock (the CLI uses the real one).
	token := strings.TrimSpace(a.mustCLI("admin", "token", "create", "--user", "admin"))
	clock.Advance(2 * time.Hour) // past the host's backoff
	if status, body := a.api("POST", "/api/v1/deliveries/"+itoa(ds[0].ID)+"/retry", token, nil); status != 204 {
		t.Fatalf("retry: %d %v", status, body)
	}
	if status, _ := a.api("POST", "/api/v1/deliveries/"+itoa(ds[0].ID)+"/retry", token, nil); status != 409 {
		t.Fatalf("retry of a pending delivery: %d, want 409", status)
	}
	drain(t, a) // B is still down: the retry gets a schedule of its own
	if q := a.queue(); q.DeliveriesPending != 1 || q.DeliveriesDead != 0 {
		t.Fatalf("retried delivery after one more failure: %+v", q)
	}
	b.restart()
	clock.Advance(2 * time.Hour)
	drain(t, a, b)
	if got := b.follows(true, ""); len(got) != 1 {
		t.Fatalf("B followers after retry = %d, want 1", len(got))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

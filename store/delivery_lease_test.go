package store_test

import (
	"context"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestClaimDeliveriesPerHost: a claim leases at most perHost deliveries
// of a host, counting the leases it already holds, and takes other hosts'
// deliveries in the meantime.
func TestClaimDeliveriesPerHost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newQueueFixture(t)
	fx.publish(t, "https://slow.example/a", "https://slow.example/b", "https://slow.example/c",
		"https://fast.example/a", "https://fast.example/b", "https://fast.example/c")
	hosts := func(ds []*shrooms.Delivery) map[string]int {
		m := map[string]int{}
		for _, d := range ds {
			m[d.Host]++
		}
		return m
	}
	first, err := fx.db.Outbox.ClaimDeliveries(ctx, t0, time.Minute, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if h := hosts(first); h["slow.example"] != 2 || h["fast.example"] != 1 {
		t.Fatalf("first claim: %v, want 2 slow and 1 fast", h)
	}
	second, err := fx.db.Outbox.ClaimDeliveries(ctx, t0, time.Minute, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if h := hosts(second); h["slow.example"] != 0 || h["fast.example"] != 1 {
		t.Fatalf("second claim: %v, want the slow host's leases counted: 0 slow, 1 fast", h)
	}
	// Once one slow delivery is marked, its slot is free again.
	var slow int64
	for _, d := range first {
		if d.Host == "slow.example" {
			slow = d.ID
		}
	}
	if err := fx.db.Outbox.MarkDelivered(ctx, slow, t0, 202); err != nil {
		t.Fatal(err)
	}
	third, err := fx.db.Outbox.ClaimDeliveries(ctx, t0, time.Minute, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if h := hosts(third); h["slow.example"] != 1 || len(third) != 1 {
		t.Fatalf("third claim: %v, want the last slow delivery", h)
	}
}

// TestExtendDeliveryLeases: an extended lease keeps a running delivery
// from being claimed again after its first lease ends; a marked delivery's
// freed lease is not taken back by a late extension.
func TestExtendDeliveryLeases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := newQueueFixture(t)
	fx.publish(t, "https://a.example/inbox", "https://b.example/inbox")
	ids := fx.claim(t, t0, 10)
	if len(ids) != 2 {
		t.Fatalf("claimed %v", ids)
	}
	if err := fx.db.Outbox.MarkDeliveryFailed(ctx, ids[1], t0, shrooms.DeliveryFailure{Next: t0, Err: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := fx.db.Outbox.ExtendDeliveryLeases(ctx, ids, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := fx.claim(t, t0.Add(5*time.Minute), 10)
	if len(got) != 1 || got[0] != ids[1] {
		t.Fatalf("claim after the first lease: %v, want only the marked delivery %d", got, ids[1])
	}
	if got := fx.claim(t, t0.Add(11*time.Minute), 10); len(got) == 0 || got[0] != ids[0] {
		t.Fatalf("claim after the extended lease: %v, want %d first", got, ids[0])
	}
}

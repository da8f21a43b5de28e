package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// withResyncInterval sets the node's federation.resync_interval.
func withResyncInterval(d string) nodeOption {
	return func(n *testNode) {
		v, err := time.ParseDuration(d)
		if err != nil {
			n.t.Fatal(err)
		}
		n.config(func(c *Config) { c.Federation.ResyncInterval = v })
	}
}

// TestPartnerBackfillOnLink: objects A shared before B linked reach B's
// cache by the backfill (signed, paged fetches), not by delivery, and the
// partner list shows the sync done.
func TestPartnerBackfillOnLink(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	var items []*shrooms.Item
	for i := 0; i < 25; i++ { // more than one page
		items = append(items, newItem(t, a, fmt.Sprintf("Clamp %02d", i), shrooms.AudiencePublic))
	}
	drain(t, a, b) // nobody follows A yet: nothing is delivered
	linkByInvite(t, a, b, a, b)
	for _, it := range items {
		if cached(t, b, it.IRI) == nil {
			t.Fatalf("B did not backfill %s", it.Name)
		}
	}
	p := partnerOf(t, b, a.org().IRI)
	if p.Sync.State != shrooms.SyncDone || p.Sync.Fetched < len(items) {
		t.Fatalf("B's sync of A: %+v", p.Sync)
	}
	if list := b.mustCLI("admin", "partner", "list"); !strings.Contains(list, "done") {
		t.Fatalf("B's partner list does not show the sync:\n%s", list)
	}
}

// TestPartnerResync: B is offline while A renames a partners-only item
// and deletes another; the deliveries are skipped. B's resync, asked with
// the CLI, converges its cache without A's queue running. Then, with
// resync_interval 1h, another missed change heals by itself once an hour
// has passed, and not before.
func TestPartnerResync(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock, withResyncInterval("1h"))
	linkByInvite(t, a, b, a, b)
	a.mustCLI("admin", "partner", "share", b.acct(), "--modules", "inventory")
	keep := newItem(t, a, "Router table", shrooms.AudiencePartners)
	gone := newItem(t, a, "Band saw", shrooms.AudiencePartners)
	drain(t, a, b)
	if cached(t, b, keep.IRI) == nil || cached(t, b, gone.IRI) == nil {
		t.Fatal("B did not receive A's items")
	}
	aIRI := a.org().IRI

	b.stop()
	clock.Advance(time.Minute)
	rename := func(name string) {
		t.Helper()
		if _, err := a.m.DB.Items.UpdateItem(systemCtx, keep.ID, shrooms.ItemUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	rename("Router table with fence")
	if err := a.m.DB.Items.DeleteItem(systemCtx, gone.ID); err != nil {
		t.Fatal(err)
	}
	drain(t, a) // the deliveries fail: B is down
	if q := a.queue(); q.DeliveriesPending == 0 {
		t.Fatalf("A's queue after B went down: %+v", q)
	}
	b.restart()
	clock.Advance(time.Minute)
	// Only B runs from here: A's retries never come, B has to fetch.
	drain(t, b)
	if o := cached(t, b, keep.IRI); o == nil || o.Name != "Router table" {
		t.Fatalf("B healed before any resync: %+v", o)
	}
	b.mustCLI("admin", "partner", "resync", a.acct())
	drain(t, b)
	if o := cached(t, b, keep.IRI); o == nil || o.Name != "Router table with fence" {
		t.Fatalf("after the resync B has %+v, want the new name", o)
	}
	if o := cached(t, b, gone.IRI); o != nil {
		t.Fatalf("after the resync B still has the deleted item: %+v", o)
	}
	if k := cachedCount(t, b, aIRI); k != 1 {
		t.Fatalf("B caches %d of A's objects, want 1", k)
	}

	// The periodic resync: another change missed, healed after an hour.
	b.stop()
	rename("Router table, fence and dust port")
	drain(t, a)
	b.restart()
	drain(t, b)
	if o := cached(t, b, keep.IRI); o == nil || o.Name != "Router table with fence" {
		t.Fatalf("B resynced before its interval: %+v", o)
	}
	clock.Advance(61 * time.Minute)
	drain(t, b)
	if o := cached(t, b, keep.IRI); o == nil || o.Name != "Router table, fence and dust port" {
		t.Fatalf("after resync_interval B has %+v, want the newest name", o)
	}

	// The late deliveries arrive at last and change nothing.
	clock.Advance(6 * time.Hour)
	drain(t, a, b)
	if o := cached(t, b, keep.IRI); o == nil || o.Name != "Router table, fence and dust port" || cached(t, b, gone.IRI) != nil {
		t.Fatalf("late deliveries undid the resync: %+v", o)
	}
}

// TestPartnerSyncBackoff: while A is down, B's syncs of A fail and back
// off further each time, across a restart of B; once A is back the sync
// completes and the count starts again.
func TestPartnerSyncBackoff(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	linkByInvite(t, a, b, a, b)
	aIRI := a.org().IRI
	a.stop()
	b.mustCLI("admin", "partner", "resync", a.acct())
	drain(t, b)
	p := partnerOf(t, b, aIRI)
	if p.Sync.State != shrooms.SyncFailed || p.Sync.Failures != 1 || p.Sync.LastError == "" {
		t.Fatalf("B's sync of A while A is down: %+v", p.Sync)
	}
	if wait := p.Sync.NextAt.Sub(clock.Now()); wait < 20*time.Second || wait > 40*time.Second {
		t.Fatalf("first retry in %v, want about 30s", wait)
	}
	b.stop()
	b.restart()
	clock.Advance(time.Minute)
	drain(t, b)
	p = partnerOf(t, b, aIRI)
	if wait := p.Sync.NextAt.Sub(clock.Now()); p.Sync.Failures != 2 || wait < 45*time.Second {
		t.Fatalf("second failure after a restart: %+v, retry in %v; want 2 failures and about 60s", p.Sync, wait)
	}
	a.restart()
	clock.Advance(2 * time.Minute)
	drain(t, b)
	if p := partnerOf(t, b, aIRI); p.Sync.State != shrooms.SyncDone || p.Sync.Failures != 0 {
		t.Fatalf("B's sync of A once A is back: %+v", p.Sync)
	}
}

package federation

import (
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestProcessInboxMixedBatch: one claim of consecutive cache changes in
// which good changes of a linked partner (Create, Update, Delete) sit
// between bad ones. The changes the store answers with a result (a
// non-partner, an object on another host, a stale version) are recorded
// with it; one the database refuses and one it fails on make the batch's
// transaction fail, and the worker then applies the changes one at a time:
// every good change is applied, the refused one is recorded as refused for
// good, the failing one is retried later.
func TestProcessInboxMixedBatch(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	stranger := n.actor("stranger.example", false)
	other := n.actor("other.example", true)
	n.refuseNamed("poison")
	n.failNamed("flaky")

	// What the partner shared before: three items, at hour 2.
	for _, p := range []string{"upd", "old", "del"} {
		n.send(a, shrooms.ActivityCreate, itemIRI(a, p), "first "+p, 2)
	}
	if got := n.process(); got != 3 {
		t.Fatalf("first claim handled %d, want 3", got)
	}

	acts := []struct {
		iri, note string
		object    string // the item it is about
		want      string // its name in the cache afterwards; "" a tombstone, "-" nothing cached
	}{
		{iri: n.send(a, shrooms.ActivityCreate, itemIRI(a, "new"), "Drill", 3), object: itemIRI(a, "new"), want: "Drill"},
		{iri: n.send(stranger, shrooms.ActivityCreate, itemIRI(stranger, "1"), "Saw", 3), note: "refused: not a partner",
			object: itemIRI(stranger, "1"), want: "-"},
		{iri: n.send(a, shrooms.ActivityCreate, itemIRI(other, "1"), "Borrowed", 3), note: "refused: not a partner",
			object: itemIRI(other, "1"), want: "-"},
		{iri: n.send(a, shrooms.ActivityCreate, itemIRI(a, "bad"), "poison", 3), note: "refused: invalid value",
			object: itemIRI(a, "bad"), want: "-"},
		{iri: n.send(a, shrooms.ActivityUpdate, itemIRI(a, "upd"), "Hammer", 4), object: itemIRI(a, "upd"), want: "Hammer"},
		{iri: n.send(a, shrooms.ActivityUpdate, itemIRI(a, "old"), "older", 1), note: "stale",
			object: itemIRI(a, "old"), want: "first old"},
		{iri: n.send(a, shrooms.ActivityDelete, itemIRI(a, "del"), "", 5), object: itemIRI(a, "del"), want: ""},
		{iri: n.send(a, shrooms.ActivityDelete, itemIRI(other, "2"), "", 5), note: "refused: not a partner",
			object: itemIRI(other, "2"), want: "-"},
		{iri: n.send(a, shrooms.ActivityCreate, itemIRI(a, "later"), "Ladder", 3), object: itemIRI(a, "later"), want: "Ladder"},
	}
	flaky := n.send(a, shrooms.ActivityCreate, itemIRI(a, "flaky"), "flaky", 3)
	if got := n.process(); got != len(acts)+1 {
		t.Fatalf("claim handled %d, want %d", got, len(acts)+1)
	}
	for _, c := range acts {
		n.wantDone(c.iri, c.note)
		if c.want == "-" {
			n.wantNotCached(c.object)
		} else {
			n.wantCached(c.object, c.want)
		}
	}
	next, _ := shrooms.NextInboxAttempt(n.now, 1)
	n.wantRetry(flaky, 1, next, "integer overflow")
	n.wantNotCached(itemIRI(a, "flaky"))

	// The failure passes; the retry is due ten seconds later, not before.
	n.healNamed("flaky")
	if got := n.process(); got != 0 {
		t.Fatalf("claim before the retry is due handled %d, want 0", got)
	}
	n.now = next
	if got := n.process(); got != 1 {
		t.Fatalf("retry handled %d, want 1", got)
	}
	n.wantDone(flaky, "")
	n.wantCached(itemIRI(a, "flaky"), "flaky")
}

// TestProcessInboxTransientFailure: a change the database keeps failing on
// (not a refusal) is tried again on NextInboxAttempt's schedule, and
// marked failed after InboxMaxAttempts tries; the changes around it are
// applied the first time.
func TestProcessInboxTransientFailure(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	n.failNamed("flaky")
	before := n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1)
	flaky := n.send(a, shrooms.ActivityCreate, itemIRI(a, "2"), "flaky", 1)
	after := n.send(a, shrooms.ActivityCreate, itemIRI(a, "3"), "Saw", 1)
	for k := 1; k <= shrooms.InboxMaxAttempts; k++ {
		if got := n.process(); got == 0 {
			t.Fatalf("attempt %d: nothing claimed", k)
		}
		next, dead := shrooms.NextInboxAttempt(n.now, k)
		if dead != (k == shrooms.InboxMaxAttempts) {
			t.Fatalf("attempt %d: dead %v", k, dead)
		}
		if !dead {
			n.wantRetry(flaky, k, next, "integer overflow")
			if t.Failed() {
				return
			}
			// Not due a millisecond before its time.
			n.now = next.Add(-time.Millisecond)
			if got := n.process(); got != 0 {
				t.Fatalf("attempt %d: claimed %d before the retry was due", k, got)
			}
			n.now = next
		}
	}
	got := n.inbox(flaky)
	if got.State != shrooms.InboxFailed || got.Attempts != shrooms.InboxMaxAttempts {
		t.Errorf("after %d attempts: state %s, %d attempts; want failed", shrooms.InboxMaxAttempts, got.State, got.Attempts)
	}
	n.now = n.now.Add(48 * time.Hour)
	if k := n.process(); k != 0 {
		t.Errorf("a failed activity was claimed again (%d)", k)
	}
	n.wantDone(before, "")
	n.wantDone(after, "")
	n.wantCached(itemIRI(a, "1"), "Drill")
	n.wantCached(itemIRI(a, "3"), "Saw")
	n.wantNotCached(itemIRI(a, "2"))
}

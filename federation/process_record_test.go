package federation

import (
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// refuseRecording makes the database refuse to record any outcome of the
// received activities iris (of all, when none is given): done, refused,
// or failed and rescheduled, each of which frees the lease, which
// claiming never does; as a full disk would.
func (n *inboxNode) refuseRecording(iris ...string) {
	which := ""
	for _, iri := range iris {
		if which != "" {
			which += ", "
		}
		which += "'" + iri + "'"
	}
	if which != "" {
		which = " AND old.activity_iri IN (" + which + ")"
	}
	n.exec(`CREATE TRIGGER test_refuse_record BEFORE UPDATE ON inbox_activities
		WHEN new.locked_until IS NULL AND old.locked_until IS NOT NULL` + which + `
		BEGIN SELECT RAISE(ABORT, 'recording refused by the test'); END`)
	n.refusing = true
}

func (n *inboxNode) allowRecording() {
	n.exec(`DROP TRIGGER test_refuse_record`)
	n.refusing = false
}

// TestProcessInboxRecordingFails: when the outcome of an activity cannot
// be recorded, wherever the worker records it (after a run of cache
// changes, before an activity that is not one, after a change applied
// alone, for an activity handled alone, for a failure to retry), the
// worker stops and reports the error instead of going on as if it were
// recorded. The activities keep their lease: they are not taken again
// until it expires, and then they are handled.
func TestProcessInboxRecordingFails(t *testing.T) {
	accept := func(n *inboxNode, a *shrooms.Actor) string {
		return n.sendActivity(a, &shrooms.Activity{Type: shrooms.ActivityAccept, Object: "https://elsewhere.example/x"})
	}
	for _, c := range []struct {
		name string
		// send stores the activities and returns them with the note each
		// has once handled after the failure.
		send func(n *inboxNode, a *shrooms.Actor) map[string]string
	}{
		{"run of cache changes at the end of the claim", func(n *inboxNode, a *shrooms.Actor) map[string]string {
			// Applied before the failure to record: the retry finds them cached.
			return map[string]string{
				n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1): "stale",
				n.send(a, shrooms.ActivityCreate, itemIRI(a, "2"), "Saw", 1):   "stale",
			}
		}},
		{"run of cache changes before another activity", func(n *inboxNode, a *shrooms.Actor) map[string]string {
			create := n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1)
			// Only the run's recording fails: the worker must not go on to
			// the Accept, whose recording would succeed.
			n.refuseRecording(create)
			return map[string]string{create: "stale", accept(n, a): "ignored: Accept of an unsupported object"}
		}},
		{"change applied alone after its run failed", func(n *inboxNode, a *shrooms.Actor) map[string]string {
			n.refuseNamed("poison")
			return map[string]string{
				n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1):  "stale",
				n.send(a, shrooms.ActivityCreate, itemIRI(a, "2"), "poison", 1): "refused: invalid value",
			}
		}},
		{"change refused alone", func(n *inboxNode, a *shrooms.Actor) map[string]string {
			n.refuseNamed("poison")
			return map[string]string{
				// The worker stopped before applying the next change.
				n.send(a, shrooms.ActivityCreate, itemIRI(a, "2"), "poison", 1): "refused: invalid value",
				n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1):  "",
			}
		}},
		{"activity handled alone", func(n *inboxNode, a *shrooms.Actor) map[string]string {
			return map[string]string{accept(n, a): "ignored: Accept of an unsupported object"}
		}},
		{"failure to retry", func(n *inboxNode, a *shrooms.Actor) map[string]string {
			n.failNamed("flaky")
			return map[string]string{n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "flaky", 1): "retry"}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := newInboxNode(t)
			a := n.actor("a.example", true)
			acts := c.send(n, a)
			if !n.refusing {
				n.refuseRecording()
			}
			if k, err := n.f.processInbox(n.ctx, batch); err == nil {
				t.Fatalf("processInbox = %d, %v; want an error", k, err)
			}
			for iri := range acts {
				if got := n.inbox(iri); got.State != shrooms.InboxPending || got.Attempts != 0 {
					t.Errorf("%s: %s after %d attempts, want pending and untried", iri, got.State, got.Attempts)
				}
			}
			n.allowRecording()
			claimed := n.now
			n.now = claimed.Add(inboxLease - time.Millisecond)
			if k := n.process(); k != 0 {
				t.Fatalf("%d activities taken again while leased", k)
			}
			n.now = claimed.Add(inboxLease)
			if k := n.process(); k != len(acts) {
				t.Fatalf("after the lease, %d activities handled, want %d", k, len(acts))
			}
			for iri, note := range acts {
				if note == "retry" {
					next, _ := shrooms.NextInboxAttempt(n.now, 1)
					n.wantRetry(iri, 1, next, "integer overflow")
					continue
				}
				n.wantDone(iri, note)
			}
		})
	}
}

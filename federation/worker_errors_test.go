package federation

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// holdWriteLock takes the database's write lock on the second connection,
// as another process writing to the file would, until the returned
// function is called.
func (n *inboxNode) holdWriteLock() (release func()) {
	n.t.Helper()
	conn, err := n.raw.Conn(n.ctx)
	if err != nil {
		n.t.Fatal(err)
	}
	if _, err := conn.ExecContext(n.ctx, `BEGIN IMMEDIATE`); err != nil {
		n.t.Fatal(err)
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		if _, err := conn.ExecContext(n.ctx, `ROLLBACK`); err != nil {
			n.t.Error(err)
		}
		conn.Close()
	}
	n.t.Cleanup(release)
	return release
}

// TestDrainClaimFails: while another writer holds the database, the
// worker cannot claim received activities: processInbox and Drain report
// the error and the activities wait, untried; once the database is free,
// Drain handles them.
func TestDrainClaimFails(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	iri := n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1)
	release := n.holdWriteLock()
	if k, err := n.f.processInbox(n.ctx, batch); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("processInbox = %d, %v; want the database locked", k, err)
	}
	if k, err := n.f.Drain(n.ctx); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("Drain = %d, %v; want the database locked", k, err)
	}
	release()
	if got := n.inbox(iri); got.State != shrooms.InboxPending || got.Attempts != 0 {
		t.Fatalf("while locked: %s after %d attempts, want pending and untried", got.State, got.Attempts)
	}
	if k, err := n.f.Drain(n.ctx); err != nil || k != 1 {
		t.Fatalf("Drain = %d, %v; want 1, nil", k, err)
	}
	n.wantDone(iri, "")
	n.wantCached(itemIRI(a, "1"), "Drill")
}

// TestDrainRunsUntilNothingDue: more activities than one claim takes are
// all handled by one Drain.
func TestDrainRunsUntilNothingDue(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	var iris []string
	for k := range inboxClaim + 1 {
		iris = append(iris, n.send(a, shrooms.ActivityCreate, itemIRI(a, fmt.Sprint(k)), "Drill", 1))
	}
	if k, err := n.f.Drain(n.ctx); err != nil || k != len(iris) {
		t.Fatalf("Drain = %d, %v; want %d, nil", k, err, len(iris))
	}
	n.wantDone(iris[0], "")
	n.wantDone(iris[len(iris)-1], "")
}

// TestRecoverReleasesLeases: activities a worker claimed and never
// finished (the node stopped mid-batch) are taken again at start-up by
// Recover, without waiting for the lease to expire; Recover reports a
// database it cannot write.
func TestRecoverReleasesLeases(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	iri := n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1)
	if got, err := n.db.Inbox.ClaimInboxActivities(n.ctx, n.now, inboxLease, batch); err != nil || len(got) != 1 {
		t.Fatalf("claim: %d, %v", len(got), err)
	}
	if k := n.process(); k != 0 {
		t.Fatalf("%d leased activities taken", k)
	}
	release := n.holdWriteLock()
	if err := n.f.Recover(n.ctx); err == nil {
		t.Fatal("Recover on a locked database reported no error")
	}
	release()
	if k := n.process(); k != 0 {
		t.Fatalf("%d leased activities taken after a failed Recover", k)
	}
	if err := n.f.Recover(n.ctx); err != nil {
		t.Fatal(err)
	}
	if k := n.process(); k != 1 {
		t.Fatalf("after Recover, %d activities handled, want 1", k)
	}
	n.wantDone(iri, "")
}

// TestRecoverStopsAtDeliveries: Recover frees the deliveries' leases
// first; when the database refuses that, it reports the error before
// touching the inbox.
func TestRecoverStopsAtDeliveries(t *testing.T) {
	n := newInboxNode(t)
	a := n.actor("a.example", true)
	iri := n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1)
	if got, err := n.db.Inbox.ClaimInboxActivities(n.ctx, n.now, inboxLease, batch); err != nil || len(got) != 1 {
		t.Fatalf("claim: %d, %v", len(got), err)
	}
	// A delivery a crashed run left leased, whose lease the database
	// refuses to free.
	n.exec(`INSERT INTO outbox (id, actor_id, activity_iri, activity_type, activity, next_attempt_at, created_at)
		VALUES (1, ?, 'https://node.example/activities/1', 'Follow', '{}', 0, 0)`, n.org.ID)
	n.exec(`INSERT INTO deliveries (outbox_id, actor_id, inbox, host, state, next_attempt_at, locked_until, created_at)
		VALUES (1, ?, ?, 'a.example', 'pending', 0, ?, 0)`, n.org.ID, a.Inbox, n.now.Add(time.Hour).UnixMilli())
	n.exec(`CREATE TRIGGER test_refuse_release BEFORE UPDATE OF locked_until ON deliveries
		BEGIN SELECT RAISE(ABORT, 'release refused by the test'); END`)
	if err := n.f.Recover(n.ctx); err == nil {
		t.Fatal("Recover reported no error")
	}
	if k := n.process(); k != 0 {
		t.Fatalf("%d inbox activities released after the deliveries failed", k)
	}
	n.exec(`DROP TRIGGER test_refuse_release`)
	if err := n.f.Recover(n.ctx); err != nil {
		t.Fatal(err)
	}
	if k := n.process(); k != 1 {
		t.Fatalf("after Recover, %d activities handled, want 1", k)
	}
	n.wantDone(iri, "")
}

// logRecords is a slog handler that hands each record to a channel,
// dropping it when nobody is listening.
type logRecords chan slog.Record

func (c logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (c logRecords) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c logRecords) WithGroup(string) slog.Handler            { return c }
func (c logRecords) Handle(_ context.Context, r slog.Record) error {
	select {
	case c <- r:
	default:
	}
	return nil
}

// waitLog waits for a record with message msg, failing after a generous
// bound (a bound, not a delay: the record usually comes at once).
func waitLog(t *testing.T, c logRecords, msg string) slog.Record {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case r := <-c:
			if r.Message == msg {
				return r
			}
		case <-timeout:
			t.Fatalf("no %q logged", msg)
		}
	}
}

// TestStartGoesOnAfterAnError: the running worker logs a round that
// failed and goes on with the next one: after the database was locked,
// it handles what was received.
func TestStartGoesOnAfterAnError(t *testing.T) {
	n := newInboxNode(t)
	records := make(logRecords, 64)
	n.log = slog.New(records)
	n.f = n.federation(Services{Nodes: n.db.Nodes, Actors: n.db.Actors, Follows: n.db.Follows, Outbox: n.db.Outbox, Inbox: n.db.Inbox, Remote: n.db.Remote})
	a := n.actor("a.example", true)
	// The flaky change makes the second round log a warning once the good
	// change before it is recorded: the test's sign that the round ran.
	n.failNamed("flaky")
	good := n.send(a, shrooms.ActivityCreate, itemIRI(a, "1"), "Drill", 1)
	flaky := n.send(a, shrooms.ActivityCreate, itemIRI(a, "2"), "flaky", 1)
	release := n.holdWriteLock()
	n.f.Start()
	defer n.f.Close()
	r := waitLog(t, records, "federation worker")
	if r.Level != slog.LevelError {
		t.Errorf("round failure logged at %s, want error", r.Level)
	}
	release()
	n.f.Wake()
	r = waitLog(t, records, "inbox processing failed")
	n.f.Close()
	r.Attrs(func(at slog.Attr) bool {
		if at.Key == "activity" && at.Value.String() != flaky {
			t.Errorf("warning about %s, want %s", at.Value, flaky)
		}
		return true
	})
	// The good change was recorded before the flaky one was tried; the
	// flaky one's retry may or may not be recorded: Close cancels the
	// round, and an unrecorded activity is taken again when its lease ends.
	n.wantDone(good, "")
}

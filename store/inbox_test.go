package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

func inboxActivity(n int) *shrooms.InboxActivity {
	return &shrooms.InboxActivity{
		ActivityIRI: fmt.Sprintf("https://partner.example/activities/%d", n),
		ActorIRI:    "https://partner.example/users/org",
		Raw:         []byte(fmt.Sprintf(`{"id":"https://partner.example/activities/%d"}`, n)),
	}
}

// 50 goroutines save 20 activities each; every activity is saved by two
// goroutines. Exactly the 500 distinct ones are stored, each reported
// inserted once, and the writer batched concurrent saves.
func TestSaveInboxActivityGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	const goroutines, each, distinct = 50, 20, 500

	var mu sync.Mutex
	inserted := map[string]int{}
	ids := map[int64]bool{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, goroutines*each)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < each; i++ {
				a := inboxActivity((g*each + i) % distinct)
				ok, err := db.Inbox.SaveInboxActivity(ctx, a)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if ok {
					inserted[a.ActivityIRI]++
					if a.ID == 0 || ids[a.ID] {
						errs <- fmt.Errorf("inserted %s with id %d", a.ActivityIRI, a.ID)
					}
					ids[a.ID] = true
				} else if _, seen := inserted[a.ActivityIRI]; !seen {
					inserted[a.ActivityIRI] = 0 // a duplicate seen before its insert returned
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(inserted) != distinct {
		t.Fatalf("%d distinct activities saved, want %d", len(inserted), distinct)
	}
	for iri, n := range inserted {
		if n != 1 {
			t.Fatalf("%s reported inserted %d times, want once", iri, n)
		}
	}
	all, total, err := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{Limit: 500})
	if err != nil || total != distinct || len(all) != distinct {
		t.Fatalf("stored %d (%d), %v; want %d", total, len(all), err, distinct)
	}
	batches, largest := db.Inbox.InboxBatchStats()
	t.Logf("%d saves in %d group commits, largest %d", goroutines*each, batches, largest)
	if batches >= goroutines*each || largest < 2 {
		t.Fatalf("no group commit: %d batches for %d saves, largest %d", batches, goroutines*each, largest)
	}
}

func TestSaveInboxActivity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clock := openDB(t)

	a := inboxActivity(1)
	ok, err := db.Inbox.SaveInboxActivity(ctx, a)
	if err != nil || !ok {
		t.Fatalf("SaveInboxActivity = %v, %v", ok, err)
	}
	if a.ID == 0 || a.State != shrooms.InboxPending || !a.ReceivedAt.Equal(t0) || !a.NextAttemptAt.Equal(t0) {
		t.Fatalf("saved activity = %+v", a)
	}

	t.Run("a duplicate is stored once and not overwritten", func(t *testing.T) {
		clock.Add(time.Minute)
		dup := inboxActivity(1)
		dup.Raw = []byte(`{"replayed":true}`)
		ok, err := db.Inbox.SaveInboxActivity(ctx, dup)
		if err != nil || ok {
			t.Fatalf("duplicate: %v, %v; want false, nil", ok, err)
		}
		got, total, err := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{ActivityIRI: a.ActivityIRI})
		if err != nil || total != 1 {
			t.Fatalf("found %d, %v", total, err)
		}
		want := shrooms.InboxActivity{ID: a.ID, ActivityIRI: a.ActivityIRI, ActorIRI: a.ActorIRI, Raw: a.Raw,
			State: shrooms.InboxPending, NextAttemptAt: t0, ReceivedAt: t0}
		if !reflect.DeepEqual(*got[0], want) {
			t.Fatalf("stored %+v, want %+v", *got[0], want)
		}
	})
	t.Run("explicit reception time", func(t *testing.T) {
		b := inboxActivity(2)
		b.ReceivedAt = t0.Add(-time.Hour)
		if ok, err := db.Inbox.SaveInboxActivity(ctx, b); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if !b.NextAttemptAt.Equal(t0.Add(-time.Hour)) {
			t.Fatalf("next attempt = %v", b.NextAttemptAt)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(*shrooms.InboxActivity)
	}{
		{"no IRI", func(a *shrooms.InboxActivity) { a.ActivityIRI = "" }},
		{"no actor", func(a *shrooms.InboxActivity) { a.ActorIRI = "" }},
		{"no body", func(a *shrooms.InboxActivity) { a.Raw = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := inboxActivity(3)
			tc.change(x)
			_, err := db.Inbox.SaveInboxActivity(ctx, x)
			wantCode(t, err, shrooms.EINVALID, "")
		})
	}
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := db.Inbox.SaveInboxActivity(cctx, inboxActivity(4))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if _, n, _ := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{ActivityIRI: inboxActivity(4).ActivityIRI}); n != 0 {
			t.Fatal("cancelled save was stored")
		}
	})
}

func TestSaveInboxActivityAfterClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shrooms.db")
	sdb, err := store.Open(path, store.Options{PublicURL: testURL})
	if err != nil {
		t.Fatal(err)
	}
	db := store.NewServices(sdb)
	if ok, err := db.Inbox.SaveInboxActivity(context.Background(), inboxActivity(1)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Inbox.SaveInboxActivity(context.Background(), inboxActivity(2)); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
	// What was acknowledged is on disk.
	sdb, err = store.Open(path, store.Options{PublicURL: testURL})
	if err != nil {
		t.Fatal(err)
	}
	db = store.NewServices(sdb)
	defer db.Close()
	if _, n, err := db.Inbox.FindInboxActivities(context.Background(), shrooms.InboxFilter{}); err != nil || n != 1 {
		t.Fatalf("after reopen: %d, %v", n, err)
	}
}

func TestInboxQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	var ids []int64
	for i := 0; i < 3; i++ {
		a := inboxActivity(i)
		a.ReceivedAt = t0.Add(time.Duration(i) * time.Second)
		if _, err := db.Inbox.SaveInboxActivity(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	claim := func(now time.Time, limit int) []int64 {
		t.Helper()
		as, err := db.Inbox.ClaimInboxActivities(ctx, now, time.Minute, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, a := range as {
			if len(a.Raw) == 0 {
				t.Fatalf("claimed without body: %+v", a)
			}
			out = append(out, a.ID)
		}
		return out
	}
	now := t0.Add(5 * time.Second)

	t.Run("claim oldest first, leased", func(t *testing.T) {
		if got := claim(t0.Add(500*time.Millisecond), 10); !reflect.DeepEqual(got, ids[:1]) {
			t.Fatalf("claimed %v, want only the one received by then", got)
		}
		if got := claim(now, 10); !reflect.DeepEqual(got, ids[1:]) {
			t.Fatalf("claimed %v, want the unleased %v", got, ids[1:])
		}
		if got := claim(now, 10); len(got) != 0 {
			t.Fatalf("claimed leased activities: %v", got)
		}
		if err := db.Inbox.ReleaseInboxLeases(ctx); err != nil {
			t.Fatal(err)
		}
		if got := claim(now, 2); !reflect.DeepEqual(got, ids[:2]) {
			t.Fatalf("after release claimed %v", got)
		}
		if got := claim(now, 2); !reflect.DeepEqual(got, ids[2:]) {
			t.Fatalf("then claimed %v", got)
		}
	})
	t.Run("done", func(t *testing.T) {
		if err := db.Inbox.MarkInboxDone(ctx, ids[0], now, "ignored: Like"); err != nil {
			t.Fatal(err)
		}
		got, _, _ := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{State: shrooms.InboxDone})
		if len(got) != 1 || got[0].ID != ids[0] || got[0].Note != "ignored: Like" || !got[0].ProcessedAt.Equal(now) {
			t.Fatalf("done = %+v", got)
		}
	})
	t.Run("failed, retried, then dead", func(t *testing.T) {
		next, dead := shrooms.NextInboxAttempt(now, 1)
		if err := db.Inbox.MarkInboxFailed(ctx, ids[1], now, "actor unreachable", next, dead); err != nil {
			t.Fatal(err)
		}
		// ids[2] is still leased; ids[1] comes back when due.
		if got := claim(next.Add(-time.Millisecond), 10); len(got) != 0 {
			t.Fatalf("claimed %v before the retry is due", got)
		}
		if got := claim(next, 10); !reflect.DeepEqual(got, ids[1:2]) {
			t.Fatalf("claimed %v at retry time", got)
		}
		if err := db.Inbox.MarkInboxFailed(ctx, ids[1], next, "still unreachable", next.Add(time.Hour), true); err != nil {
			t.Fatal(err)
		}
		got, total, _ := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{State: shrooms.InboxFailed})
		if total != 1 || got[0].ID != ids[1] || got[0].Attempts != 2 || got[0].Note != "still unreachable" {
			t.Fatalf("failed = %+v", got)
		}
		db.Inbox.ReleaseInboxLeases(ctx)
		if got := claim(next.Add(24*time.Hour), 10); !reflect.DeepEqual(got, ids[2:]) {
			t.Fatalf("claimed %v; failed and done activities must not come back", got)
		}
		s, err := db.Outbox.QueueStats(ctx)
		if err != nil || s.InboxPending != 1 || s.InboxFailed != 1 {
			t.Fatalf("stats = %+v, %v", s, err)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		wantCode(t, db.Inbox.MarkInboxDone(ctx, 999, now, ""), shrooms.ENOTFOUND, "")
		wantCode(t, db.Inbox.MarkInboxFailed(ctx, 999, now, "", now, false), shrooms.ENOTFOUND, "")
	})
	t.Run("find, newest first", func(t *testing.T) {
		got, total, err := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{Limit: 2})
		if err != nil || total != 3 || len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[1] {
			t.Fatalf("page = %+v (%d), %v", got, total, err)
		}
	})
}

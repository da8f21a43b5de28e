package store_test

import (
	"context"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestMarkInboxDoneMany: a batch is recorded in one go, each with its
// note; an unknown ID records nothing; mismatched lengths are refused.
func TestMarkInboxDoneMany(t *testing.T) {
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
	now := t0.Add(time.Minute)
	err := db.Inbox.MarkInboxDoneMany(ctx, []int64{ids[0], 999999}, []string{"", "stale"}, now)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	if got, _, _ := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{State: shrooms.InboxDone}); len(got) != 0 {
		t.Fatalf("a failed batch recorded %d", len(got))
	}
	wantCode(t, db.Inbox.MarkInboxDoneMany(ctx, ids, []string{""}, now), shrooms.EINVALID, "notes")

	if err := db.Inbox.MarkInboxDoneMany(ctx, ids[:2], []string{"", "stale"}, now); err != nil {
		t.Fatal(err)
	}
	got, _, _ := db.Inbox.FindInboxActivities(ctx, shrooms.InboxFilter{State: shrooms.InboxDone})
	notes := map[int64]string{}
	for _, a := range got {
		notes[a.ID] = a.Note
		if !a.ProcessedAt.Equal(now) {
			t.Fatalf("processed at %v", a.ProcessedAt)
		}
	}
	if len(got) != 2 || notes[ids[0]] != "" || notes[ids[1]] != "stale" {
		t.Fatalf("done = %v", notes)
	}
}

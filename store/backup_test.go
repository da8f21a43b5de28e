package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

func TestBackup(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	db, _ := openDB(t)
	org := initNode(t, db, false)
	remote := remoteActor(t, db, "partner.example", "org")
	if _, err := db.Follows.CreateFollow(ctx, org.ID, remote.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Inbox.SaveInboxActivity(ctx, inboxActivity(1)); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "backups", "shrooms-backup.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatalf("Backup: %v", err)
	}

	t.Run("the copy opens and holds the data", func(t *testing.T) {
		copyHandle, err := store.Open(path, store.Options{PublicURL: testURL})
		if err != nil {
			t.Fatal(err)
		}
		copyDB := store.NewServices(copyHandle)
		defer copyDB.Close()
		n, err := copyDB.Nodes.FindNode(ctx)
		if err != nil || n.OrgHandle != "org" {
			t.Fatalf("FindNode = %+v, %v", n, err)
		}
		a, err := copyDB.Actors.FindLocalActor(ctx, "org")
		if err != nil || a.PrivateKeyPEM != org.PrivateKeyPEM {
			t.Fatalf("org actor = %+v, %v", a, err)
		}
		if _, total, _ := copyDB.Follows.FindFollows(ctx, shrooms.FollowFilter{}); total != 1 {
			t.Fatalf("follows = %d", total)
		}
		if s, _ := copyDB.Outbox.QueueStats(ctx); s.OutboxUnpublished != 1 || s.InboxPending != 1 {
			t.Fatalf("queues = %+v", s)
		}
		applied, err := copyDB.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("the copy needed migrations: %v, %v", applied, err)
		}
	})
	t.Run("refused when the target exists", func(t *testing.T) {
		before, _ := os.ReadFile(path)
		wantCode(t, db.Backup(ctx, path), shrooms.ECONFLICT, "exists")
		after, _ := os.ReadFile(path)
		if string(before) != string(after) {
			t.Fatal("existing file was changed")
		}
		empty := filepath.Join(t.TempDir(), "empty.db")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Backup(ctx, empty), shrooms.ECONFLICT, "exists")
	})
	t.Run("refused onto the database itself", func(t *testing.T) {
		wantCode(t, db.Backup(ctx, db.Path()), shrooms.ECONFLICT, "")
	})
	t.Run("empty path", func(t *testing.T) {
		wantCode(t, db.Backup(ctx, ""), shrooms.EINVALID, "")
	})
	t.Run("the node keeps writing", func(t *testing.T) {
		if _, err := db.Inbox.SaveInboxActivity(ctx, inboxActivity(2)); err != nil {
			t.Fatal(err)
		}
	})
}

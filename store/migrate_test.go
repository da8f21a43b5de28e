package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	t.Run("creates the parent directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "shrooms.db")
		db, err := store.Open(path, store.Options{PublicURL: testURL})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("database file: %v", err)
		}
	})
	t.Run("path with URI characters", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "odd?name#1%.db")
		db, err := store.Open(path, store.Options{PublicURL: testURL})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("database file not at %s: %v", path, err)
		}
	})
	for _, tc := range []struct{ name, url string }{
		{"empty public URL", ""},
		{"relative public URL", "workshop.example"},
		{"public URL with path", "https://workshop.example/shrooms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(filepath.Join(t.TempDir(), "x.db"), store.Options{PublicURL: tc.url})
			if err == nil {
				db.Close()
			}
			wantCode(t, err, shrooms.EINVALID, "public_url")
		})
	}
	t.Run("close twice", func(t *testing.T) {
		db, err := store.Open(filepath.Join(t.TempDir(), "x.db"), store.Options{PublicURL: testURL})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shrooms.db")
	open := func() *store.Services {
		t.Helper()
		db, err := store.Open(path, store.Options{PublicURL: testURL})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return store.NewServices(db)
	}

	db := open()
	status, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(status) == 0 || status[0].Name != "0001_init" {
		t.Fatalf("status = %+v, want 0001_init first", status)
	}
	for _, s := range status {
		if !s.Applied || !s.Known || s.AppliedAt.IsZero() {
			t.Fatalf("after Open, migration %+v is not applied", s)
		}
	}
	t.Run("migrate again is a no-op", func(t *testing.T) {
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("Migrate = %v, %v; want nothing applied", applied, err)
		}
	})
	initNode(t, db, false)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("reopen keeps data and records each migration once", func(t *testing.T) {
		db := open()
		defer db.Close()
		if _, err := db.Nodes.FindNode(ctx); err != nil {
			t.Fatalf("FindNode after reopen: %v", err)
		}
		again, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != len(status) || !again[0].AppliedAt.Equal(status[0].AppliedAt) {
			t.Fatalf("status changed on reopen: %+v, was %+v", again, status)
		}
		raw := rawDB(t, path)
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(status) {
			t.Fatalf("schema_migrations rows = %d, %v; want %d", n, err, len(status))
		}
	})

	t.Run("refuses a database from a newer binary", func(t *testing.T) {
		raw := rawDB(t, path)
		if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)`); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(path, store.Options{PublicURL: testURL})
		if err == nil {
			db.Close()
			t.Fatal("Open accepted a schema with an unknown migration")
		}
		if !strings.Contains(err.Error(), "9999_future") {
			t.Fatalf("error does not name the migration: %v", err)
		}
	})
}

// rawDB opens the file without the store, for checks the API cannot make.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

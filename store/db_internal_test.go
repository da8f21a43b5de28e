package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func openInternal(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "shrooms.db"), Options{PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The tests run with -tags sqlite_fts5: Open must succeed, the compile
// option must be reported and an FTS5 table must work.
func TestFTS5(t *testing.T) {
	t.Parallel()
	db := openInternal(t)
	ctx := context.Background()
	if err := checkFTS5(ctx, db.write); err != nil {
		t.Fatalf("checkFTS5: %v", err)
	}
	var used bool
	if err := db.read.QueryRowContext(ctx, `SELECT sqlite_compileoption_used('ENABLE_FTS5')`).Scan(&used); err != nil || !used {
		t.Fatalf("ENABLE_FTS5 = %v, %v; run the tests with -tags sqlite_fts5", used, err)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.t USING fts5(body)`); err != nil {
		t.Fatalf("create fts5 table: %v", err)
	}
	if !strings.Contains(ErrFTS5Missing.Error(), "-tags sqlite_fts5") {
		t.Fatalf("ErrFTS5Missing does not tell how to fix it: %v", ErrFTS5Missing)
	}
}

// Each pool must run with the settings the durability promise rests on.
func TestPragmas(t *testing.T) {
	t.Parallel()
	db := openInternal(t)
	ctx := context.Background()
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			var got string
			if err := db.write.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("write pool PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
			}
		})
	}
	if got := db.write.Stats().MaxOpenConnections; got != 1 {
		t.Fatalf("write pool max open = %d, want 1", got)
	}
	if _, err := db.read.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('x', 'y')`); err == nil {
		t.Fatal("read pool accepted a write")
	}
}

// Constraint errors become coded errors whose message names the field and
// never carries SQL.
func TestDBError(t *testing.T) {
	t.Parallel()
	db := openInternal(t)
	ctx := context.Background()
	exec := func(q string, args ...any) error {
		_, err := db.write.ExecContext(ctx, q, args...)
		return err
	}
	actor := `INSERT INTO actors (iri, kind, handle, host, local, inbox, key_id, public_key_pem, private_key_pem,
		created_at, updated_at) VALUES (?, 'Person', ?, 'h', 1, 'i', 'k', 'p', 'priv', 0, 0)`
	if err := exec(actor, "https://h/a", "alice"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, code, msg string
		err             error
	}{
		{"unique with known field", shrooms.ECONFLICT, "handle is taken", exec(actor, "https://h/b", "alice")},
		{"unique iri", shrooms.ECONFLICT, "actor IRI is taken", exec(actor, "https://h/a", "bob")},
		{"foreign key", shrooms.EINVALID, "does not exist",
			exec(`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
				VALUES ('x', 1, 999, 'pending', 0, 0)`)},
		{"named check", shrooms.EINVALID, "an actor cannot follow itself",
			exec(`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
				VALUES ('x', 1, 1, 'pending', 0, 0)`)},
		{"check on a value", shrooms.EINVALID, "state must be",
			exec(`INSERT INTO inbox_activities (activity_iri, actor_iri, raw, state, next_attempt_at, received_at)
				VALUES ('x', 'a', 'r', 'bogus', 0, 0)`)},
		{"not null", shrooms.EINVALID, "email is required",
			exec(`INSERT INTO users (username, email, role, password_hash, actor_id, created_at, updated_at)
				VALUES ('alice', NULL, 'member', 'h', 1, 0, 0)`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := dbError(tc.err, nil)
			if c := shrooms.ErrorCode(got); c != tc.code {
				t.Fatalf("code = %s (%v), want %s", c, tc.err, tc.code)
			}
			msg := shrooms.ErrorMessage(got)
			if !strings.Contains(msg, tc.msg) {
				t.Fatalf("message = %q, want %q", msg, tc.msg)
			}
			for _, leak := range []string{"INSERT", "constraint", "actors.", "CHECK"} {
				if strings.Contains(msg, leak) {
					t.Fatalf("message %q leaks %q", msg, leak)
				}
			}
		})
	}
	t.Run("override", func(t *testing.T) {
		got := dbError(exec(actor, "https://h/c", "alice"), userOverride)
		if msg := shrooms.ErrorMessage(got); msg != "username is taken" {
			t.Fatalf("message = %q", msg)
		}
		if shrooms.ErrorCode(got) != shrooms.ECONFLICT || shrooms.ErrorKey(got) != "account.error.db_username_taken" || shrooms.ErrorField(got) != "username" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("every constraint is keyed", func(t *testing.T) {
		for detail, e := range constraintErrors {
			if e.Key == "" || e.Code != "" {
				t.Errorf("%s: %+v", detail, e)
			}
		}
	})
	t.Run("other errors stay internal", func(t *testing.T) {
		got := dbError(exec(`SELECT * FROM nowhere`), nil)
		if shrooms.ErrorCode(got) != shrooms.EINTERNAL || shrooms.ErrorMessage(got) != "internal error" {
			t.Fatalf("got %v", got)
		}
	})
}

// TestRewrap: an error that words another keeps its key and args, on
// its own field, and its own English message.
func TestRewrap(t *testing.T) {
	inner := shrooms.Errorf(shrooms.EINVALID, "handle: bad").Keyed("handle.error.chars", "Max", 64).On("handle")
	got := rewrap(inner, shrooms.EINVALID, "org_handle", "org_handle: %s", shrooms.ErrorMessage(inner))
	if got.Message != "org_handle: handle: bad" || got.Key != "handle.error.chars" || got.Field != "org_handle" ||
		len(got.Args) != 2 || got.Args[1] != 64 {
		t.Fatalf("got %+v", got)
	}
	if plain := rewrap(errors.New("x"), shrooms.EINVALID, "modules", "modules: x"); plain.Key != "" || plain.Field != "modules" {
		t.Fatalf("plain %+v", plain)
	}
}

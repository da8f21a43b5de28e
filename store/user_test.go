package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"regexp"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

const password = "long enough password"

func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	db, _ := openDB(t)
	initNode(t, db, false) // organisation handle "org"

	alice := &shrooms.User{Username: "alice", Email: "alice@example.org", Name: "Alice", Role: shrooms.RoleStaff}
	if err := db.Users.CreateUser(ctx, alice, password); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if alice.ID == 0 || alice.ActorID == 0 || !alice.CreatedAt.Equal(t0) {
		t.Fatalf("CreateUser did not fill in the user: %+v", alice)
	}

	t.Run("found", func(t *testing.T) {
		for name, find := range map[string]func() (*shrooms.User, error){
			"by username": func() (*shrooms.User, error) { return db.Users.FindUserByUsername(ctx, "alice") },
			"by id":       func() (*shrooms.User, error) { return db.Users.FindUserByID(ctx, alice.ID) },
		} {
			u, err := find()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !reflect.DeepEqual(u, alice) {
				t.Fatalf("%s: %+v, want %+v", name, *u, *alice)
			}
		}
		a, err := db.Actors.FindActorByID(ctx, alice.ActorID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Handle != "alice" || a.Kind != shrooms.KindPerson || !a.Local || a.PrivateKeyPEM == "" ||
			a.IRI != db.IRIs().Actor("alice") || a.Name != "Alice" {
			t.Fatalf("person actor = %+v", a)
		}
	})

	for _, tc := range []struct {
		name string
		user shrooms.User
		pass string
		code string
		msg  string
	}{
		{"duplicate username", shrooms.User{Username: "alice", Email: "other@example.org", Role: shrooms.RoleMember}, password, shrooms.ECONFLICT, "username is taken"},
		{"duplicate e-mail", shrooms.User{Username: "alice2", Email: "alice@example.org", Role: shrooms.RoleMember}, password, shrooms.ECONFLICT, "e-mail is taken"},
		{"duplicate e-mail in other case", shrooms.User{Username: "alice3", Email: "ALICE@example.org", Role: shrooms.RoleMember}, password, shrooms.ECONFLICT, "e-mail is taken"},
		{"username of the organisation", shrooms.User{Username: "org", Email: "org@example.org", Role: shrooms.RoleMember}, password, shrooms.ECONFLICT, "username is taken"},
		{"bad username", shrooms.User{Username: "Al Ice", Email: "x@example.org", Role: shrooms.RoleMember}, password, shrooms.EINVALID, "username"},
		{"bad e-mail", shrooms.User{Username: "bob", Email: "bob at example", Role: shrooms.RoleMember}, password, shrooms.EINVALID, "email"},
		{"bad role", shrooms.User{Username: "bob", Email: "bob@example.org", Role: "king"}, password, shrooms.EINVALID, "role"},
		{"short password", shrooms.User{Username: "bob", Email: "bob@example.org", Role: shrooms.RoleMember}, "short", shrooms.EINVALID, "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.user
			wantCode(t, db.Users.CreateUser(ctx, &u, tc.pass), tc.code, tc.msg)
		})
	}
	t.Run("failed creations left nothing behind", func(t *testing.T) {
		if n, _ := db.Users.CountUsers(ctx); n != 1 {
			t.Fatalf("users = %d, want 1", n)
		}
		if n, _ := db.CountLocalActors(ctx, shrooms.KindPerson); n != 1 {
			t.Fatalf("person actors = %d, want 1", n)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		_, err := db.Users.FindUserByUsername(ctx, "nobody")
		wantCode(t, err, shrooms.ENOTFOUND, "")
		_, err = db.Users.FindUserByID(ctx, 999)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	db, clock := openDB(t)
	u := &shrooms.User{Username: "alice", Email: "alice@example.org", Role: shrooms.RoleMember}
	if err := db.Users.CreateUser(ctx, u, password); err != nil {
		t.Fatal(err)
	}

	secret, tok, err := db.Users.CreateAPIToken(ctx, u.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^shr_[0-9a-f]{64}$`).MatchString(secret) {
		t.Fatalf("secret %q is not shr_ and 64 hex digits", secret)
	}
	if tok.ID == 0 || tok.UserID != u.ID || tok.Name != "laptop" || !tok.CreatedAt.Equal(t0) {
		t.Fatalf("token = %+v", tok)
	}

	t.Run("only the hash is stored", func(t *testing.T) {
		raw := rawDB(t, db.Path())
		var stored string
		if err := raw.QueryRow(`SELECT token_hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if stored != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %q, want the sha256 of the secret", stored)
		}
	})
	t.Run("valid token", func(t *testing.T) {
		got, err := db.Users.FindUserByAPIToken(ctx, secret)
		if err != nil || got.ID != u.ID {
			t.Fatalf("FindUserByAPIToken = %v, %v", got, err)
		}
	})
	for _, tc := range []struct{ name, secret string }{
		{"unknown", "shr_" + shrooms.RandomToken(32)},
		{"empty", ""},
		{"the hash itself", func() string { s := sha256.Sum256([]byte(secret)); return hex.EncodeToString(s[:]) }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.Users.FindUserByAPIToken(ctx, tc.secret)
			wantCode(t, err, shrooms.EUNAUTHORIZED, "invalid token")
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		_, _, err := db.Users.CreateAPIToken(ctx, 999, "x")
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
	t.Run("activity is recorded at most once a minute", func(t *testing.T) {
		lastActive := func() int64 {
			var v int64
			if err := rawDB(t, db.Path()).QueryRow(`SELECT last_active_at FROM users WHERE id = ?`, u.ID).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		first := lastActive()
		if first != t0.UnixMilli() {
			t.Fatalf("last_active_at = %d, want %d", first, t0.UnixMilli())
		}
		clock.Add(30 * time.Second)
		db.Users.FindUserByAPIToken(ctx, secret)
		if got := lastActive(); got != first {
			t.Fatalf("last_active_at moved after 30s: %d", got)
		}
		clock.Add(31 * time.Second)
		db.Users.FindUserByAPIToken(ctx, secret)
		if got := lastActive(); got != t0.Add(61*time.Second).UnixMilli() {
			t.Fatalf("last_active_at = %d after 61s", got)
		}
	})
}

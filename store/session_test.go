package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// attempt logs in from an address and returns the error.
func attempt(db *store.Services, login, pass, address string) error {
	_, _, _, err := db.Sessions.Login(anon, shrooms.LoginRequest{Login: login, Password: pass, Address: address})
	return err
}

func TestLogin(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	t.Run("by username", func(t *testing.T) {
		p.clock.Add(time.Second)
		secret, s, u, err := db.Sessions.Login(anon, shrooms.LoginRequest{Login: " mia ", Password: password, Address: "192.0.2.7", UserAgent: "Firefox"})
		if err != nil {
			t.Fatal(err)
		}
		now := p.clock.Now()
		if len(secret) != 64 || u.ID != p.member.ID || !u.LastActiveAt.Equal(now) {
			t.Fatalf("secret %q, user %+v", secret, u)
		}
		want := shrooms.Session{ID: s.ID, UserID: u.ID, Address: "192.0.2.7", UserAgent: "Firefox",
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(shrooms.SessionIdleTTL)}
		if *s != want {
			t.Fatalf("session = %+v, want %+v", *s, want)
		}
		sum := sha256.Sum256([]byte(secret))
		if n := count(t, db, `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, hex.EncodeToString(sum[:])); n != 1 {
			t.Fatal("the session's hash is not what is stored")
		}
		if stored, _ := db.Users.FindUserByID(sys, u.ID); !stored.LastActiveAt.Equal(now) {
			t.Fatalf("last_active_at = %v", stored.LastActiveAt)
		}
	})
	t.Run("by e-mail in any case", func(t *testing.T) {
		if err := attempt(db, "MIA@Example.org", password, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct{ name, login, pass string }{
		{"wrong password", "mia", "not the password"},
		{"unknown user", "nobody", password},
		{"unknown e-mail", "nobody@example.org", password},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, attempt(db, tc.login, tc.pass, "192.0.2.8"), shrooms.EUNAUTHORIZED, "wrong username or password")
		})
	}
	for _, st := range []struct {
		status shrooms.UserStatus
		msg    string
	}{
		{shrooms.StatusPending, "please confirm your e-mail address first"},
		{shrooms.StatusSuspended, "this account is suspended"},
	} {
		t.Run(string(st.status), func(t *testing.T) {
			u := createUser(t, db, "u"+string(st.status), shrooms.RoleMember)
			if _, err := db.Users.UpdateUser(sys, u.ID, shrooms.UserUpdate{Status: &st.status}); err != nil {
				t.Fatal(err)
			}
			// Only a right password learns the account's state.
			wantCode(t, attempt(db, u.Username, "not the password", "192.0.2.9"), shrooms.EUNAUTHORIZED, "wrong username or password")
			wantCode(t, attempt(db, u.Username, password, "192.0.2.9"), shrooms.EFORBIDDEN, st.msg)
			if n := count(t, db, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, u.ID); n != 0 {
				t.Fatalf("%d sessions opened", n)
			}
		})
	}
}

func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	secret := login(t, db, "mia")
	lastSeen := func() time.Time {
		t.Helper()
		s, _, err := db.Sessions.FindSession(anon, secret)
		if err != nil {
			t.Fatal(err)
		}
		return s.LastSeenAt
	}
	t.Run("use is recorded at most once a minute", func(t *testing.T) {
		p.clock.Add(30 * time.Second)
		if got := lastSeen(); !got.Equal(t0) {
			t.Fatalf("last seen moved after 30s: %v", got)
		}
		p.clock.Add(31 * time.Second)
		if got := lastSeen(); !got.Equal(t0.Add(61 * time.Second)) {
			t.Fatalf("last seen = %v after 61s", got)
		}
		if u, _ := db.Users.FindUserByID(sys, p.member.ID); !u.LastActiveAt.Equal(t0.Add(61 * time.Second)) {
			t.Fatalf("user's last activity = %v", u.LastActiveAt)
		}
	})
	t.Run("use pushes the idle expiry on", func(t *testing.T) {
		for range 3 {
			p.clock.Add(shrooms.SessionIdleTTL - time.Hour)
			if _, u, err := db.Sessions.FindSession(anon, secret); err != nil || u.ID != p.member.ID {
				t.Fatalf("FindSession = %v, %v", u, err)
			}
		}
	})
	t.Run("expires when idle", func(t *testing.T) {
		p.clock.Add(shrooms.SessionIdleTTL)
		_, _, err := db.Sessions.FindSession(anon, secret)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "please log in again")
	})
	t.Run("unknown", func(t *testing.T) {
		_, _, err := db.Sessions.FindSession(anon, shrooms.RandomToken(32))
		wantCode(t, err, shrooms.EUNAUTHORIZED, "please log in again")
	})
	t.Run("logout", func(t *testing.T) {
		s := login(t, db, "sam")
		if err := db.Sessions.Logout(anon, s); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.Sessions.FindSession(anon, s)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
		if err := db.Sessions.Logout(anon, s); err != nil {
			t.Fatalf("second logout: %v", err)
		}
	})
	t.Run("expired sessions are pruned by logins", func(t *testing.T) {
		login(t, db, "ada")
		if n := count(t, db, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, p.member.ID); n != 0 {
			t.Fatalf("%d expired sessions kept", n)
		}
	})
}

func TestLoginRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("per account", func(t *testing.T) {
		p := newPeople(t)
		for i := range shrooms.MaxLoginFailuresPerAccount {
			// From a new address each time: only the account's limit counts.
			addr := fmt.Sprintf("198.51.100.%d", i)
			p.clock.Add(time.Minute)
			wantCode(t, attempt(p.db, "mia", "wrong", addr), shrooms.EUNAUTHORIZED, "")
		}
		// The limit is checked before the password: the right one is refused.
		err := attempt(p.db, "mia", password, "203.0.113.1")
		wantCode(t, err, shrooms.ETOOMANY, "try again in 11 minutes")
		// By e-mail, it is the same account.
		wantCode(t, attempt(p.db, "mia@example.org", password, "203.0.113.1"), shrooms.ETOOMANY, "")
		// Other accounts are not concerned.
		if err := attempt(p.db, "sam", password, "203.0.113.1"); err != nil {
			t.Fatalf("another account: %v", err)
		}
		// Once the first failure has left the window, one more try.
		p.clock.Add(11 * time.Minute)
		if err := attempt(p.db, "mia", password, "203.0.113.1"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
	t.Run("username and e-mail share the count", func(t *testing.T) {
		p := newPeople(t)
		for i := range shrooms.MaxLoginFailuresPerAccount {
			login := "mia"
			if i%2 == 1 {
				login = "MIA@example.org"
			}
			wantCode(t, attempt(p.db, login, "wrong", "198.51.100.1"), shrooms.EUNAUTHORIZED, "")
		}
		wantCode(t, attempt(p.db, "mia", password, "198.51.100.2"), shrooms.ETOOMANY, "try again in 15 minutes")
	})
	t.Run("success resets the account's count", func(t *testing.T) {
		p := newPeople(t)
		fail := func(n int) {
			for range n {
				wantCode(t, attempt(p.db, "mia", "wrong", fmt.Sprintf("198.51.100.%d", n)), shrooms.EUNAUTHORIZED, "")
			}
		}
		fail(shrooms.MaxLoginFailuresPerAccount - 1)
		if err := attempt(p.db, "mia", password, "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
		fail(shrooms.MaxLoginFailuresPerAccount - 1)
		if err := attempt(p.db, "mia", password, "198.51.100.1"); err != nil {
			t.Fatalf("failures before the success still count: %v", err)
		}
	})
	t.Run("unknown logins are limited too", func(t *testing.T) {
		p := newPeople(t)
		for i := range shrooms.MaxLoginFailuresPerAccount {
			wantCode(t, attempt(p.db, "ghost", "wrong", fmt.Sprintf("198.51.100.%d", i)), shrooms.EUNAUTHORIZED, "")
		}
		wantCode(t, attempt(p.db, "GHOST", "wrong", "198.51.100.200"), shrooms.ETOOMANY, "")
	})
	t.Run("a long unknown login is counted under a bounded key", func(t *testing.T) {
		p := newPeople(t)
		long := strings.Repeat("x", 10_000)
		wantCode(t, attempt(p.db, long, "wrong", "198.51.100.9"), shrooms.EUNAUTHORIZED, "")
		if n := count(t, p.db, `SELECT MAX(length(key)) FROM login_failures`); n > 400 {
			t.Fatalf("a failure key of %d bytes", n)
		}
	})
	t.Run("per address", func(t *testing.T) {
		p := newPeople(t)
		const addr = "198.51.100.66"
		for i := range shrooms.MaxLoginFailuresPerAddress {
			wantCode(t, attempt(p.db, fmt.Sprintf("guess%d", i), "wrong", addr), shrooms.EUNAUTHORIZED, "")
		}
		wantCode(t, attempt(p.db, "mia", password, addr), shrooms.ETOOMANY, "try again in 15 minutes")
		if err := attempt(p.db, "mia", password, "198.51.100.67"); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		p.clock.Add(shrooms.LoginWindow)
		if err := attempt(p.db, "mia", password, addr); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
	t.Run("a right password does not count as a failure", func(t *testing.T) {
		p := newPeople(t)
		const addr = "198.51.100.70"
		for range shrooms.MaxLoginFailuresPerAddress + 1 {
			if err := attempt(p.db, "mia", password, addr); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, p.db, `SELECT COUNT(*) FROM login_failures`); n != 0 {
			t.Fatalf("%d failures recorded for right passwords", n)
		}
	})
	t.Run("old failures are pruned", func(t *testing.T) {
		p := newPeople(t)
		wantCode(t, attempt(p.db, "mia", "wrong", "198.51.100.80"), shrooms.EUNAUTHORIZED, "")
		p.clock.Add(shrooms.LoginWindow + time.Second)
		wantCode(t, attempt(p.db, "sam", "wrong", "198.51.100.81"), shrooms.EUNAUTHORIZED, "")
		if n := count(t, p.db, `SELECT COUNT(*) FROM login_failures`); n != 2 {
			t.Fatalf("%d failure rows, want the 2 of the last attempt", n)
		}
	})
}

package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// setSignupMode changes the sign-up mode, as the system.
func setSignupMode(t *testing.T, db *store.Services, mode shrooms.SignupMode) {
	t.Helper()
	s, err := db.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	s.SignupMode = mode
	if err := db.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
}

// invite creates an invitation as the admin and returns its secret.
func invite(t *testing.T, p *people, email string, role shrooms.Role) (string, *shrooms.Invitation) {
	t.Helper()
	secret, inv, err := p.db.Accounts.CreateInvitation(as(p.admin), email, role, nil)
	if err != nil {
		t.Fatalf("CreateInvitation: %v", err)
	}
	return secret, inv
}

func signUp(name, invitation string) shrooms.SignUp {
	return shrooms.SignUp{Username: name, Email: name + "@example.org", Name: "New " + name, Password: password,
		Language: "fr", Invitation: invitation}
}

func hashOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func TestSignUpModes(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	secret, _ := invite(t, p, "ivy@example.org", shrooms.RoleMember)

	t.Run("invite mode is the default and needs an invitation", func(t *testing.T) {
		_, _, err := db.Accounts.SignUp(anon, signUp("bob", ""))
		wantCode(t, err, shrooms.EFORBIDDEN, "sign-up needs an invitation")
	})
	t.Run("closed refuses even an invitation", func(t *testing.T) {
		setSignupMode(t, db, shrooms.SignupClosed)
		_, _, err := db.Accounts.SignUp(anon, signUp("ivy", secret))
		wantCode(t, err, shrooms.EFORBIDDEN, "sign-up is closed")
		_, _, err = db.Accounts.SignUp(anon, signUp("bob", ""))
		wantCode(t, err, shrooms.EFORBIDDEN, "sign-up is closed")
	})
	t.Run("open: a pending member until the e-mail is confirmed", func(t *testing.T) {
		setSignupMode(t, db, shrooms.SignupOpen)
		u, verify, err := db.Accounts.SignUp(anon, signUp("bob", ""))
		if err != nil {
			t.Fatal(err)
		}
		if u.Status != shrooms.StatusPending || u.Role != shrooms.RoleMember || !u.EmailVerifiedAt.IsZero() ||
			u.Language != "fr" || u.Name != "New bob" || len(verify) != 64 {
			t.Fatalf("user %+v, secret %q", u, verify)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM email_tokens WHERE token_hash = ? AND purpose = 'verify'`, hashOf(verify)); n != 1 {
			t.Fatal("the verification link's hash is not stored")
		}
		wantCode(t, attempt(db, "bob", password, "192.0.2.1"), shrooms.EFORBIDDEN, "confirm your e-mail")
		p.clock.Add(time.Hour)
		v, err := db.Accounts.VerifyEmail(anon, verify)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != shrooms.StatusActive || !v.EmailVerifiedAt.Equal(p.clock.Now()) {
			t.Fatalf("verified user = %+v", v)
		}
		if err := attempt(db, "bob", password, "192.0.2.1"); err != nil {
			t.Fatalf("login after verification: %v", err)
		}
		_, err = db.Accounts.VerifyEmail(anon, verify)
		wantCode(t, err, shrooms.EINVALID, "this link has expired or was already used")
	})
	t.Run("taken username and e-mail", func(t *testing.T) {
		_, _, err := db.Accounts.SignUp(anon, signUp("mia", ""))
		wantCode(t, err, shrooms.ECONFLICT, "username is taken")
		_, _, err = db.Accounts.SignUp(anon, signUp("org", ""))
		wantCode(t, err, shrooms.ECONFLICT, "username is taken")
	})
	t.Run("bad field", func(t *testing.T) {
		su := signUp("cat", "")
		su.Password = "short"
		_, _, err := db.Accounts.SignUp(anon, su)
		wantCode(t, err, shrooms.EINVALID, "password")
	})
}

func TestSignUpWithInvitation(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	t.Run("same address: active at once with the invitation's role", func(t *testing.T) {
		secret, inv := invite(t, p, "Ivy@Example.org", shrooms.RoleStaff)
		if n := count(t, db, `SELECT COUNT(*) FROM invitations WHERE token_hash = ?`, hashOf(secret)); n != 1 {
			t.Fatal("the invitation's hash is not stored")
		}
		if inv.InvitedBy != p.admin.ID || !inv.ExpiresAt.Equal(t0.Add(shrooms.InvitationTTL)) {
			t.Fatalf("invitation = %+v", inv)
		}
		u, verify, err := db.Accounts.SignUp(anon, signUp("ivy", secret))
		if err != nil {
			t.Fatal(err)
		}
		if verify != "" || u.Status != shrooms.StatusActive || u.Role != shrooms.RoleStaff || u.EmailVerifiedAt.IsZero() {
			t.Fatalf("user %+v, secret %q", u, verify)
		}
		if err := attempt(db, "ivy", password, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		t.Run("single use", func(t *testing.T) {
			_, _, err := db.Accounts.SignUp(anon, signUp("ivy2", secret))
			wantCode(t, err, shrooms.EINVALID, "this invitation has expired or was already used")
		})
		t.Run("no longer listed", func(t *testing.T) {
			if invs, _ := db.Accounts.FindInvitations(as(p.admin)); len(invs) != 0 {
				t.Fatalf("used invitation listed: %+v", invs[0])
			}
		})
	})
	t.Run("another address: a pending member", func(t *testing.T) {
		secret, _ := invite(t, p, "boss@example.org", shrooms.RoleAdmin)
		u, verify, err := db.Accounts.SignUp(anon, signUp("eve", secret))
		if err != nil {
			t.Fatal(err)
		}
		if verify == "" || u.Status != shrooms.StatusPending || u.Role != shrooms.RoleMember {
			t.Fatalf("user %+v, secret %q", u, verify)
		}
		_, _, err = db.Accounts.SignUp(anon, signUp("eve2", secret))
		wantCode(t, err, shrooms.EINVALID, "already used")
	})
	t.Run("expired", func(t *testing.T) {
		secret, _ := invite(t, p, "late@example.org", shrooms.RoleMember)
		p.clock.Add(shrooms.InvitationTTL)
		_, _, err := db.Accounts.SignUp(anon, signUp("late", secret))
		wantCode(t, err, shrooms.EINVALID, "expired")
	})
	t.Run("revoked", func(t *testing.T) {
		secret, inv := invite(t, p, "rev@example.org", shrooms.RoleMember)
		if err := db.Accounts.DeleteInvitation(as(p.admin), inv.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.Accounts.SignUp(anon, signUp("rev", secret))
		wantCode(t, err, shrooms.EINVALID, "expired")
		wantCode(t, db.Accounts.DeleteInvitation(as(p.admin), inv.ID), shrooms.ENOTFOUND, "")
	})
	t.Run("unknown", func(t *testing.T) {
		_, _, err := db.Accounts.SignUp(anon, signUp("who", shrooms.RandomToken(32)))
		wantCode(t, err, shrooms.EINVALID, "expired")
	})
	t.Run("a refused sign-up keeps the invitation", func(t *testing.T) {
		secret, _ := invite(t, p, "kim@example.org", shrooms.RoleMember)
		su := signUp("mia", secret) // taken
		su.Email = "kim@example.org"
		_, _, err := db.Accounts.SignUp(anon, su)
		wantCode(t, err, shrooms.ECONFLICT, "")
		su.Username = "kim"
		if _, _, err := db.Accounts.SignUp(anon, su); err != nil {
			t.Fatalf("invitation used up by a refused sign-up: %v", err)
		}
	})
	t.Run("open mode takes invitations too", func(t *testing.T) {
		setSignupMode(t, db, shrooms.SignupOpen)
		secret, _ := invite(t, p, "ola@example.org", shrooms.RoleStaff)
		u, _, err := db.Accounts.SignUp(anon, signUp("ola", secret))
		if err != nil || u.Role != shrooms.RoleStaff {
			t.Fatalf("SignUp = %+v, %v", u, err)
		}
	})
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	for _, tc := range []struct {
		name, email string
		role        shrooms.Role
		code, msg   string
	}{
		{"address of an account", "MIA@example.org", shrooms.RoleMember, shrooms.ECONFLICT, "email"},
		{"bad address", "mia at example", shrooms.RoleMember, shrooms.EINVALID, "email"},
		{"bad role", "x@example.org", "king", shrooms.EINVALID, "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := db.Accounts.CreateInvitation(as(p.admin), tc.email, tc.role, nil)
			wantCode(t, err, tc.code, tc.msg)
		})
	}
	_, a := invite(t, p, "a@example.org", shrooms.RoleMember)
	_, b := invite(t, p, "b@example.org", shrooms.RoleStaff)
	got, err := db.Accounts.FindInvitations(as(p.admin))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || *got[0] != *b || *got[1] != *a {
		t.Fatalf("invitations = %+v", got)
	}
}

func TestVerification(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	setSignupMode(t, db, shrooms.SignupOpen)
	u, first, err := db.Accounts.SignUp(anon, signUp("bob", ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("expires", func(t *testing.T) {
		p.clock.Add(shrooms.VerifyEmailTTL)
		_, err := db.Accounts.VerifyEmail(anon, first)
		wantCode(t, err, shrooms.EINVALID, "this link has expired or was already used")
	})
	t.Run("resend", func(t *testing.T) {
		again, second, err := db.Accounts.CreateVerification(anon, "BOB@example.org", nil)
		if err != nil || again.ID != u.ID || second == first {
			t.Fatalf("CreateVerification = %+v, %q, %v", again, second, err)
		}
		if _, err := db.Accounts.VerifyEmail(anon, second); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("not pending", func(t *testing.T) {
		_, _, err := db.Accounts.CreateVerification(anon, "bob@example.org", nil)
		wantCode(t, err, shrooms.ECONFLICT, "")
	})
	t.Run("unknown address", func(t *testing.T) {
		_, _, err := db.Accounts.CreateVerification(anon, "nobody@example.org", nil)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	})
	t.Run("a reset link is no verification link", func(t *testing.T) {
		_, reset, err := db.Accounts.RequestPasswordReset(anon, "mia@example.org", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Accounts.VerifyEmail(anon, reset)
		wantCode(t, err, shrooms.EINVALID, "")
	})
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	const newPassword = "a brand new password"
	t.Run("only for active accounts", func(t *testing.T) {
		_, _, err := db.Accounts.RequestPasswordReset(anon, "nobody@example.org", nil)
		wantCode(t, err, shrooms.ENOTFOUND, "")
		for _, st := range []shrooms.UserStatus{shrooms.StatusPending, shrooms.StatusSuspended} {
			u := createUser(t, db, "r"+string(st), shrooms.RoleMember)
			if _, err := db.Users.UpdateUser(sys, u.ID, shrooms.UserUpdate{Status: &st}); err != nil {
				t.Fatal(err)
			}
			_, _, err := db.Accounts.RequestPasswordReset(anon, u.Email, nil)
			wantCode(t, err, shrooms.ENOTFOUND, "")
		}
	})
	session := login(t, db, "mia")
	_, older, err := db.Accounts.RequestPasswordReset(anon, "Mia@Example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, secret, err := db.Accounts.RequestPasswordReset(anon, "mia@example.org", nil)
	if err != nil || u.ID != p.member.ID {
		t.Fatalf("RequestPasswordReset = %+v, %v", u, err)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM email_tokens WHERE token_hash = ? AND purpose = 'reset'`, hashOf(secret)); n != 1 {
		t.Fatal("the reset link's hash is not stored")
	}
	t.Run("a bad password keeps the link", func(t *testing.T) {
		_, err := db.Accounts.ResetPassword(anon, secret, "short")
		wantCode(t, err, shrooms.EINVALID, "password")
	})
	t.Run("reset", func(t *testing.T) {
		if _, err := db.Accounts.ResetPassword(anon, secret, newPassword); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.Sessions.FindSession(anon, session)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
		wantCode(t, attempt(db, "mia", password, "192.0.2.1"), shrooms.EUNAUTHORIZED, "")
		if err := attempt(db, "mia", newPassword, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("single use, the other links too", func(t *testing.T) {
		for _, s := range []string{secret, older} {
			_, err := db.Accounts.ResetPassword(anon, s, "yet another password")
			wantCode(t, err, shrooms.EINVALID, "this link has expired or was already used")
		}
	})
	t.Run("expires", func(t *testing.T) {
		_, s, err := db.Accounts.RequestPasswordReset(anon, "sam@example.org", nil)
		if err != nil {
			t.Fatal(err)
		}
		p.clock.Add(shrooms.ResetPasswordTTL)
		_, err = db.Accounts.ResetPassword(anon, s, newPassword)
		wantCode(t, err, shrooms.EINVALID, "expired")
	})
	t.Run("not once the account is suspended", func(t *testing.T) {
		_, s, err := db.Accounts.RequestPasswordReset(anon, "sam@example.org", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users.UpdateUser(sys, p.staff.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusSuspended)}); err != nil {
			t.Fatal(err)
		}
		_, err = db.Accounts.ResetPassword(anon, s, newPassword)
		wantCode(t, err, shrooms.EINVALID, "expired")
	})
	t.Run("a verification link is no reset link", func(t *testing.T) {
		setSignupMode(t, db, shrooms.SignupOpen)
		_, verify, err := db.Accounts.SignUp(anon, signUp("bob", ""))
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Accounts.ResetPassword(anon, verify, newPassword)
		wantCode(t, err, shrooms.EINVALID, "")
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	const newPassword = "a brand new password"
	keep := login(t, db, "mia")
	other := login(t, db, "mia")
	t.Run("anonymous", func(t *testing.T) {
		wantCode(t, db.Accounts.ChangePassword(anon, password, newPassword, ""), shrooms.EUNAUTHORIZED, "")
	})
	t.Run("wrong current password", func(t *testing.T) {
		wantCode(t, db.Accounts.ChangePassword(as(p.member), "not it", newPassword, keep), shrooms.EINVALID, "current password: is wrong")
	})
	t.Run("short new password", func(t *testing.T) {
		wantCode(t, db.Accounts.ChangePassword(as(p.member), password, "short", keep), shrooms.EINVALID, "password")
	})
	t.Run("changed", func(t *testing.T) {
		if err := db.Accounts.ChangePassword(as(p.member), password, newPassword, keep); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Sessions.FindSession(anon, keep); err != nil {
			t.Fatalf("kept session: %v", err)
		}
		_, _, err := db.Sessions.FindSession(anon, other)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
		if err := attempt(db, "mia", newPassword, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("keeping none", func(t *testing.T) {
		if err := db.Accounts.ChangePassword(as(p.member), newPassword, password, ""); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.Sessions.FindSession(anon, keep)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	})
}

// TestMailLinksAreLimited: a resend or reset form cannot make the node
// flood a mailbox.
func TestMailLinksAreLimited(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	db := p.db
	for i := 0; i < shrooms.MaxMailLinksPerHour; i++ {
		if _, _, err := db.Accounts.RequestPasswordReset(anon, p.member.Email, nil); err != nil {
			t.Fatalf("reset %d: %v", i+1, err)
		}
	}
	_, _, err := db.Accounts.RequestPasswordReset(anon, p.member.Email, nil)
	wantCode(t, err, shrooms.ETOOMANY, "try again in an hour")
	// Each account and purpose counts apart.
	if _, _, err := db.Accounts.RequestPasswordReset(anon, p.staff.Email, nil); err != nil {
		t.Fatalf("another account: %v", err)
	}
	p.clock.Add(time.Hour + time.Second)
	if _, _, err := db.Accounts.RequestPasswordReset(anon, p.member.Email, nil); err != nil {
		t.Fatalf("an hour later: %v", err)
	}

	settings, err := db.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	settings.SignupMode = shrooms.SignupOpen
	if err := db.Settings.UpdateSettings(sys, settings); err != nil {
		t.Fatal(err)
	}
	u, _, err := db.Accounts.SignUp(anon, shrooms.SignUp{Username: "newbie", Email: "newbie@example.org", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < shrooms.MaxMailLinksPerHour; i++ { // sign-up sent the first
		if _, _, err := db.Accounts.CreateVerification(anon, u.Email, nil); err != nil {
			t.Fatalf("resend %d: %v", i, err)
		}
	}
	_, _, err = db.Accounts.CreateVerification(anon, u.Email, nil)
	wantCode(t, err, shrooms.ETOOMANY, "")
}

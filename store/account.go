package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	shrooms "github.com/shrooms-org/shrooms"
)

// Purposes of single-use e-mail links.
const (
	purposeVerify = "verify"
	purposeReset  = "reset"
)

// errLinkUsed is shrooms.ErrLinkUsed, the one answer for an unknown,
// expired or used e-mail link.
func errLinkUsed() error { return shrooms.ErrLinkUsed() }

// createEmailToken stores a new single-use link of purpose for a user and
// returns its secret. Returns ETOOMANY when the user was sent
// shrooms.MaxMailLinksPerHour links of that purpose in the last hour.
func (db *DB) createEmailToken(ctx context.Context, tx *sql.Tx, userID int64, purpose string, ttl time.Duration) (string, error) {
	secret := shrooms.RandomToken(32)
	now := db.now()
	var recent int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM email_tokens WHERE user_id = ? AND purpose = ? AND created_at > ?`,
		userID, purpose, now.Add(-time.Hour).UnixMilli()).Scan(&recent); err != nil {
		return "", fmt.Errorf("count links: %w", err)
	}
	if recent >= shrooms.MaxMailLinksPerHour {
		return "", shrooms.Errorf(shrooms.ETOOMANY, "too many e-mails were sent to this address; try again in an hour").Keyed("account.error.db_mail_too_many")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO email_tokens (token_hash, purpose, user_id, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, tokenHash(secret), purpose, userID, now.UnixMilli(), now.Add(ttl).UnixMilli()); err != nil {
		return "", dbError(err, nil)
	}
	return secret, nil
}

// useEmailToken consumes a live link of purpose and returns its user.
// Returns errLinkUsed.
func (db *DB) useEmailToken(ctx context.Context, tx *sql.Tx, secret, purpose string) (*shrooms.User, error) {
	now := db.now().UnixMilli()
	var userID int64
	err := tx.QueryRowContext(ctx, `UPDATE email_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
		now, tokenHash(secret), purpose, now).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errLinkUsed()
	} else if err != nil {
		return nil, fmt.Errorf("use link: %w", err)
	}
	// The other links of the same purpose are moot now.
	if _, err := tx.ExecContext(ctx, `UPDATE email_tokens SET used_at = ?
		WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, now, userID, purpose); err != nil {
		return nil, fmt.Errorf("use link: %w", err)
	}
	return findUserByID(ctx, tx, userID)
}

// checkSignup applies the sign-up mode and, without using it, checks the
// invitation. Returns EFORBIDDEN, EINVALID.
func (db *DB) checkSignup(ctx context.Context, tx *sql.Tx, invitation string) error {
	set, err := findSettings(ctx, tx)
	if err != nil {
		return err
	}
	switch {
	case set.SignupMode == shrooms.SignupClosed:
		return shrooms.Errorf(shrooms.EFORBIDDEN, "sign-up is closed").Keyed("account.error.db_signup_closed")
	case set.SignupMode == shrooms.SignupInvite && invitation == "":
		return shrooms.Errorf(shrooms.EFORBIDDEN, "sign-up needs an invitation").Keyed("account.error.db_signup_invitation")
	case invitation == "":
		return nil
	}
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM invitations WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		tokenHash(invitation), db.now().UnixMilli()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errInvitationUsed()
	} else if err != nil {
		return fmt.Errorf("find invitation: %w", err)
	}
	return nil
}

// SignUp creates an account in the browser, as the sign-up mode allows:
// closed refuses everyone, invite needs an invitation, open takes anyone.
// An invitation is used up by the account it creates. With an invitation
// for the same e-mail address (in any case) the account is active and
// verified at once with the invitation's role, and the returned secret is
// ""; otherwise it is a pending member and the secret is that of its
// e-mail verification link, valid shrooms.VerifyEmailTTL. Returns
// EFORBIDDEN "sign-up is closed" or "sign-up needs an invitation",
// EINVALID naming the field or "this invitation has expired or was
// already used", ECONFLICT when the username or e-mail is taken.
func (s *AccountService) SignUp(ctx context.Context, su shrooms.SignUp) (*shrooms.User, string, error) {
	// The mode and invitation are checked before the slow key generation
	// and bcrypt, and again in the write transaction.
	if err := s.db.readCheck(ctx, func(tx *sql.Tx) error { return s.db.checkSignup(ctx, tx, su.Invitation) }); err != nil {
		return nil, "", err
	}
	u := &shrooms.User{Username: su.Username, Email: strings.TrimSpace(su.Email), Name: su.Name,
		Role: shrooms.RoleMember, Status: shrooms.StatusPending, Language: su.Language}
	actor, hash, err := s.db.newUserActor(u, su.Password)
	if err != nil {
		return nil, "", err
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	if err := s.db.checkSignup(ctx, tx, su.Invitation); err != nil {
		return nil, "", err
	}
	// Everything up to the user's row can be undone if the address turns
	// out to have an account, keeping the invitation unused.
	if _, err := tx.ExecContext(ctx, `SAVEPOINT signup`); err != nil {
		return nil, "", fmt.Errorf("sign-up: %w", err)
	}
	if su.Invitation != "" {
		inv, err := s.db.useInvitation(ctx, tx, su.Invitation)
		if err != nil {
			return nil, "", err
		}
		if strings.EqualFold(inv.Email, u.Email) {
			u.Role, u.Status, u.EmailVerifiedAt = inv.Role, shrooms.StatusActive, s.db.now()
		}
	}
	if err := s.db.insertUser(ctx, tx, u, actor, hash); err != nil {
		// A taken username is said (usernames are public); a taken
		// address is not. SQLite names the username first when both are.
		if shrooms.ErrorKey(err) == "account.error.email_taken" {
			if owner, ferr := findUserByEmail(ctx, tx, u.Email); ferr == nil {
				return nil, "", s.db.signupTaken(ctx, tx, owner, su.TakenMail)
			}
		}
		return nil, "", err
	}
	secret := ""
	if u.Status == shrooms.StatusPending {
		if secret, err = s.db.createEmailToken(ctx, tx, u.ID, purposeVerify, shrooms.VerifyEmailTTL); err != nil {
			return nil, "", err
		}
		if err := s.db.queueMail(ctx, tx, shrooms.MailVerify, su.Mail, u, secret); err != nil {
			return nil, "", err
		}
	}
	if err := commit(tx); err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

// signupTaken ends a sign-up with an address that has an account: it
// undoes the new actor (and the invitation's use), queues the notice to
// the address's owner unless they got shrooms.MaxMailLinksPerHour of them
// in the last hour, and commits. The caller sees no error, so that the
// answer is the same as for a new address; the work done (key, bcrypt,
// one write transaction) is the same too.
func (db *DB) signupTaken(ctx context.Context, tx *sql.Tx, owner *shrooms.User, render shrooms.MailRender) error {
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO signup`); err != nil {
		return fmt.Errorf("sign-up: %w", err)
	}
	recent, err := db.mailsSentRecently(ctx, tx, owner.Email, shrooms.MailSignupTaken)
	if err != nil {
		return err
	}
	if recent < shrooms.MaxMailLinksPerHour {
		if err := db.queueMail(ctx, tx, shrooms.MailSignupTaken, render, owner, ""); err != nil {
			return err
		}
	}
	return commit(tx)
}

// readCheck runs a check in a read transaction.
func (db *DB) readCheck(ctx context.Context, check func(*sql.Tx) error) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return check(tx)
}

// findUserByEmail finds an account by e-mail address, in any case.
func findUserByEmail(ctx context.Context, tx *sql.Tx, email string) (*shrooms.User, error) {
	return findUser(ctx, tx, "account with this e-mail address", `email = ?`, strings.TrimSpace(email))
}

// CreateVerification returns a new verification secret, valid
// shrooms.VerifyEmailTTL, for the pending account with that e-mail
// address, and queues mail with it; earlier links stay valid. Returns ENOTFOUND, ECONFLICT when
// the account is not pending, ETOOMANY past shrooms.MaxMailLinksPerHour.
func (s *AccountService) CreateVerification(ctx context.Context, email string, mail shrooms.MailRender) (*shrooms.User, string, error) {
	return s.db.mailLink(ctx, email, purposeVerify, shrooms.VerifyEmailTTL, mail, func(u *shrooms.User) error {
		if u.Status != shrooms.StatusPending {
			return shrooms.Errorf(shrooms.ECONFLICT, "this account is not waiting for an e-mail confirmation").Keyed("account.error.db_not_pending")
		}
		return nil
	})
}

// mailLink creates a link of purpose for the account with that e-mail
// address, once check accepts the account, and queues the mail that
// carries it, in one transaction.
func (db *DB) mailLink(ctx context.Context, email, purpose string, ttl time.Duration, mail shrooms.MailRender, check func(*shrooms.User) error) (*shrooms.User, string, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	u, err := findUserByEmail(ctx, tx, email)
	if err != nil {
		return nil, "", err
	}
	if err := check(u); err != nil {
		return nil, "", err
	}
	secret, err := db.createEmailToken(ctx, tx, u.ID, purpose, ttl)
	if err != nil {
		return nil, "", err
	}
	if err := db.queueMail(ctx, tx, purpose, mail, u, secret); err != nil {
		return nil, "", err
	}
	if err := commit(tx); err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

// VerifyEmail uses a verification secret once (with every other
// verification link of the account) and activates its pending account.
// A suspended account stays suspended. Returns EINVALID "this link has
// expired or was already used".
func (s *AccountService) VerifyEmail(ctx context.Context, secret string) (*shrooms.User, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := s.db.useEmailToken(ctx, tx, secret, purposeVerify)
	if err != nil {
		return nil, err
	}
	now := s.db.now()
	if u.Status == shrooms.StatusPending {
		u.Status = shrooms.StatusActive
	}
	u.EmailVerifiedAt = now
	if _, err := tx.ExecContext(ctx, `UPDATE users SET status = ?, email_verified_at = ?, updated_at = ? WHERE id = ?`,
		string(u.Status), now.UnixMilli(), now.UnixMilli(), u.ID); err != nil {
		return nil, dbError(err, nil)
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return u, nil
}

// RequestPasswordReset returns the secret of a reset link, valid
// shrooms.ResetPasswordTTL, for the active account with that e-mail
// address, and queues mail with it in the same transaction. Returns ENOTFOUND for no account or one that is not active
// (which the web page does not reveal), ETOOMANY past
// shrooms.MaxMailLinksPerHour.
func (s *AccountService) RequestPasswordReset(ctx context.Context, email string, mail shrooms.MailRender) (*shrooms.User, string, error) {
	return s.db.mailLink(ctx, email, purposeReset, shrooms.ResetPasswordTTL, mail, func(u *shrooms.User) error {
		if !u.Active() {
			return notFound("account with this e-mail address not found").Keyed("account.error.db_email_unknown").On("email")
		}
		return nil
	})
}

// ResetPassword uses a reset secret once (with every other reset link of
// the account), sets the password, ends every session of the account,
// revokes all its API tokens and clears its failed logins: whoever held
// the old password may have made a token with it. The account must still be active. Returns
// EINVALID "this link has expired or was already used" or naming the
// password.
func (s *AccountService) ResetPassword(ctx context.Context, secret, password string) (*shrooms.User, error) {
	if err := shrooms.ValidPassword(password); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password, s.db.passwordCost)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := s.db.useEmailToken(ctx, tx, secret, purposeReset)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, errLinkUsed()
	}
	if err := s.db.setPassword(ctx, tx, u.ID, hash, ""); err != nil {
		return nil, err
	}
	if _, err := deleteAPITokens(ctx, tx, u.ID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE kind = 'account' AND key = ?`, accountKeyOf(u.ID)); err != nil {
		return nil, fmt.Errorf("clear failures: %w", err)
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return u, nil
}

// setPassword stores a password hash and ends the user's sessions but the
// one whose secret is keepSession ("" for none).
func (db *DB) setPassword(ctx context.Context, tx *sql.Tx, userID int64, hash, keepSession string) error {
	now := db.now().UnixMilli()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, now, userID); err != nil {
		return dbError(err, nil)
	}
	keep := ""
	if keepSession != "" {
		keep = tokenHash(keepSession)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keep); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// passwordHash reads a user's password hash.
func passwordHash(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	var hash string
	err := tx.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in again").Keyed("account.error.db_login_again")
	} else if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return hash, nil
}

// ChangePassword checks the current password of the user in ctx, sets a
// new one and ends their other sessions: all but keepSession (a session
// secret, or "" to end them all). Returns EUNAUTHORIZED without an active
// user, EINVALID "current password: is wrong" or naming the new password.
func (s *AccountService) ChangePassword(ctx context.Context, current, password, keepSession string) error {
	u := shrooms.UserFromContext(ctx)
	if !u.Active() {
		return shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("core.error.db_login_first")
	}
	var old string
	if err := s.db.readCheck(ctx, func(tx *sql.Tx) (err error) {
		old, err = passwordHash(ctx, tx, u.ID)
		return err
	}); err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(old), []byte(current)) != nil {
		return shrooms.Errorf(shrooms.EINVALID, "current password: is wrong").Keyed("account.error.db_password_wrong").On("current_password")
	}
	if err := shrooms.ValidPassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password, s.db.passwordCost)
	if err != nil {
		return err
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The hash must not have changed since it was checked: a parallel
	// change or reset wins, and this one must be retried.
	if now, err := passwordHash(ctx, tx, u.ID); err != nil {
		return err
	} else if now != old {
		return shrooms.Errorf(shrooms.EINVALID, "current password: is wrong").Keyed("account.error.db_password_wrong").On("current_password")
	}
	if err := s.db.setPassword(ctx, tx, u.ID, hash, keepSession); err != nil {
		return err
	}
	return commit(tx)
}

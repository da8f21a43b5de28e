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

// maxUserAgent is the longest user agent kept with a session, in bytes.
const maxUserAgent = 500

// maxLoginKey is the longest unknown login a failure is counted under,
// in bytes: longer than any e-mail address.
const maxLoginKey = 320

// Answers of logins and sessions, new each time so that no caller can
// change a shared one.
func errWrongLogin() error {
	return shrooms.Errorf(shrooms.EUNAUTHORIZED, "wrong username or password").Keyed("account.error.db_login_wrong")
}
func errLoginAgain() error {
	return shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in again").Keyed("account.error.db_login_again")
}
func errPending() error {
	return shrooms.ErrPending()
}
func errSuspended() error {
	return shrooms.Errorf(shrooms.EFORBIDDEN, "this account is suspended").Keyed("account.error.db_suspended")
}

// dummyPassHash makes the hash, at the store's cost, that is compared
// with the password of an unknown login, so that it takes as long as a
// known one. Each DB makes it once (DB.dummyHash).
func dummyPassHash(cost int) []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user here"), cost)
	return h
}

const sessionColumns = `sessions.id, sessions.user_id, sessions.address, sessions.user_agent, sessions.created_at,
	sessions.last_seen_at, sessions.expires_at`

func scanSession(dest *shrooms.Session) []any {
	return []any{&dest.ID, &dest.UserID, &dest.Address, &dest.UserAgent, msTime{&dest.CreatedAt},
		msTime{&dest.LastSeenAt}, msTime{&dest.ExpiresAt}}
}

// msTime scans stored unix milliseconds into a time.Time.
type msTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (m msTime) Scan(v any) error {
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return err
	}
	*m.t = fromMS(n)
	return nil
}

// loginTarget is the account a login names, if any, and the key its
// failures are counted under.
type loginTarget struct {
	user *shrooms.User
	hash string
	key  string
}

// findLoginTarget finds the account by username or, in any case, by
// e-mail address. An unknown login is counted under its own key, so that
// guessing names is limited too.
func findLoginTarget(ctx context.Context, tx *sql.Tx, login string) (loginTarget, error) {
	var t loginTarget
	var hash string
	row := tx.QueryRowContext(ctx, `SELECT `+userColumns+`, users.password_hash FROM users
		WHERE username = lower(?1) OR email = ?1 ORDER BY username = lower(?1) DESC LIMIT 1`, login)
	u, err := scanUser(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &hash)...) }))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if len(login) > maxLoginKey {
			login = strings.ToValidUTF8(login[:maxLoginKey], "")
		}
		t.key = "login:" + strings.ToLower(login)
	case err != nil:
		return t, fmt.Errorf("find login: %w", err)
	default:
		t.user, t.hash, t.key = u, hash, accountKeyOf(u.ID)
	}
	return t, nil
}

// failuresSince lists the times of a key's failures after since, oldest
// first.
func failuresSince(ctx context.Context, tx *sql.Tx, kind, key string, since time.Time) ([]time.Time, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at FROM login_failures WHERE kind = ? AND key = ? AND at > ? ORDER BY at`,
		kind, key, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("count failures: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("count failures: %w", err)
		}
		out = append(out, time.UnixMilli(at).UTC())
	}
	return out, rows.Err()
}

// checkLoginLimits returns ETOOMANY when the account or the address used
// up its failures in the window, saying when the oldest ones that count
// will have left it.
func checkLoginLimits(ctx context.Context, tx *sql.Tx, accountKey, address string, now time.Time) error {
	since := now.Add(-shrooms.LoginWindow)
	var until time.Time
	for _, l := range []struct {
		kind, key string
		max       int
	}{
		{"account", accountKey, shrooms.MaxLoginFailuresPerAccount},
		{"address", address, shrooms.MaxLoginFailuresPerAddress},
	} {
		if l.key == "" {
			continue
		}
		ats, err := failuresSince(ctx, tx, l.kind, l.key, since)
		if err != nil {
			return err
		}
		if len(ats) >= l.max {
			if free := ats[len(ats)-l.max].Add(shrooms.LoginWindow); free.After(until) {
				until = free
			}
		}
	}
	if until.IsZero() {
		return nil
	}
	minutes := int((until.Sub(now) + time.Minute - 1) / time.Minute)
	if minutes <= 1 {
		return shrooms.Errorf(shrooms.ETOOMANY, "too many failed logins: try again in 1 minute").Keyed("account.login.too_many_minutes", "Count", 1)
	}
	return shrooms.Errorf(shrooms.ETOOMANY, "too many failed logins: try again in %d minutes", minutes).
		Keyed("account.login.too_many_minutes", "Count", minutes)
}

// recordFailures counts one failed attempt for the account and the
// address, prunes what left the window, and returns the IDs it inserted.
func recordFailures(ctx context.Context, tx *sql.Tx, accountKey, address string, now time.Time) ([]int64, error) {
	var ids []int64
	for _, kv := range [][2]string{{"account", accountKey}, {"address", address}} {
		if kv[1] == "" {
			continue
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO login_failures (kind, key, at) VALUES (?, ?, ?)`, kv[0], kv[1], now.UnixMilli())
		if err != nil {
			return nil, dbError(err, nil)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("record failure: %w", err)
		}
		ids = append(ids, id)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at <= ?`, now.Add(-shrooms.LoginWindow).UnixMilli()); err != nil {
		return nil, fmt.Errorf("prune failures: %w", err)
	}
	return ids, nil
}

// Login checks the rate limits, then the password, and opens a session
// that lives shrooms.SessionIdleTTL past its last use. The attempt is
// counted as a failure, for the account and the client address, before
// the password is compared, and forgiven once it proves right: parallel
// guesses cannot slip past the limits. A successful login clears the
// account's failures. An unknown login costs the same bcrypt comparison
// as a known one. Returns ETOOMANY saying when to try again,
// EUNAUTHORIZED "wrong username or password", EFORBIDDEN "please
// confirm your e-mail address first" or "this account is suspended"
// (only after a right password).
func (s *SessionService) Login(ctx context.Context, req shrooms.LoginRequest) (string, *shrooms.Session, *shrooms.User, error) {
	login := strings.TrimSpace(req.Login)
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return "", nil, nil, err
	}
	defer tx.Rollback()
	target, err := findLoginTarget(ctx, tx, login)
	if err != nil {
		return "", nil, nil, err
	}
	now := s.db.now()
	if err := checkLoginLimits(ctx, tx, target.key, req.Address, now); err != nil {
		return "", nil, nil, err
	}
	failures, err := recordFailures(ctx, tx, target.key, req.Address, now)
	if err != nil {
		return "", nil, nil, err
	}
	if err := commit(tx); err != nil {
		return "", nil, nil, err
	}

	hash := s.db.dummyHash()
	if target.user != nil {
		hash = []byte(target.hash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(req.Password)) != nil || target.user == nil || login == "" {
		return "", nil, nil, errWrongLogin()
	}
	return s.db.openSession(ctx, req, target.user.ID, failures)
}

// openSession forgives a right password's provisional failures and, for
// an active account, opens the session.
func (db *DB) openSession(ctx context.Context, req shrooms.LoginRequest, userID int64, failures []int64) (string, *shrooms.Session, *shrooms.User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return "", nil, nil, err
	}
	defer tx.Rollback()
	for _, id := range failures {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE id = ?`, id); err != nil {
			return "", nil, nil, fmt.Errorf("forgive failure: %w", err)
		}
	}
	u, err := findUserByID(ctx, tx, userID)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return "", nil, nil, errWrongLogin() // deleted meanwhile
	} else if err != nil {
		return "", nil, nil, err
	}
	var refuse error
	switch u.Status {
	case shrooms.StatusPending:
		refuse = errPending()
	case shrooms.StatusSuspended:
		refuse = errSuspended()
	}
	if refuse != nil {
		if err := commit(tx); err != nil {
			return "", nil, nil, err
		}
		return "", nil, nil, refuse
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE kind = 'account' AND key = ?`, accountKeyOf(u.ID)); err != nil {
		return "", nil, nil, fmt.Errorf("clear failures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.UnixMilli()); err != nil {
		return "", nil, nil, fmt.Errorf("prune sessions: %w", err)
	}
	ua := req.UserAgent
	if len(ua) > maxUserAgent {
		ua = strings.ToValidUTF8(ua[:maxUserAgent], "")
	}
	secret := shrooms.RandomToken(32)
	s := &shrooms.Session{UserID: u.ID, Address: req.Address, UserAgent: ua, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(shrooms.SessionIdleTTL)}
	res, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, address, user_agent, created_at,
		last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, tokenHash(secret), u.ID, s.Address, s.UserAgent,
		now.UnixMilli(), now.UnixMilli(), s.ExpiresAt.UnixMilli())
	if err != nil {
		return "", nil, nil, dbError(err, nil)
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return "", nil, nil, fmt.Errorf("insert session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET last_active_at = ? WHERE id = ?`, now.UnixMilli(), u.ID); err != nil {
		return "", nil, nil, fmt.Errorf("touch user: %w", err)
	}
	if err := commit(tx); err != nil {
		return "", nil, nil, err
	}
	u.LastActiveAt = now
	return secret, s, u, nil
}

// FindSession returns a live session and its user. At most once a minute
// it records the use, which pushes the session's idle expiry on and the
// user's activity (for NodeInfo). Returns EUNAUTHORIZED "please log in
// again" for an unknown or expired session or an account that is no
// longer active.
func (s *SessionService) FindSession(ctx context.Context, secret string) (*shrooms.Session, *shrooms.User, error) {
	var sess shrooms.Session
	row := s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, `+sessionColumns+`
		FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.token_hash = ?`, tokenHash(secret))
	u, err := scanUser(scanFunc(func(dest ...any) error { return row.Scan(append(dest, scanSession(&sess)...)...) }))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errLoginAgain()
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	now := s.db.now()
	if !sess.ExpiresAt.After(now) || !u.Active() {
		return nil, nil, errLoginAgain()
	}
	stale := now.Add(-activityResolution)
	if sess.LastSeenAt.Before(stale) || u.LastActiveAt.Before(stale) {
		if err := s.db.touchSession(ctx, &sess, u, now); err != nil {
			return nil, nil, err
		}
	}
	return &sess, u, nil
}

// touchSession records a session's use.
func (db *DB) touchSession(ctx context.Context, s *shrooms.Session, u *shrooms.User, now time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	expires := now.Add(shrooms.SessionIdleTTL)
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`,
		now.UnixMilli(), expires.UnixMilli(), s.ID); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET last_active_at = ? WHERE id = ?`, now.UnixMilli(), u.ID); err != nil {
		return fmt.Errorf("touch user: %w", err)
	}
	if err := commit(tx); err != nil {
		return err
	}
	s.LastSeenAt, s.ExpiresAt, u.LastActiveAt = now, expires, now
	return nil
}

// Logout ends a session. An unknown secret is not an error.
func (s *SessionService) Logout(ctx context.Context, secret string) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(secret)); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return commit(tx)
}

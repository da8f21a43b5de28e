package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// tokenHash is what the database keeps of a secret: API tokens, session
// cookies, e-mail links and invitations.
func tokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAPIToken creates a token for the user and returns its secret,
// shown once: "shr_" and 64 hex digits. Only its SHA-256 is stored. The
// caller must be the user, an admin or the system. Returns ENOTFOUND for
// an unknown user (and for another user's account), EUNAUTHORIZED,
// EINVALID for a name over 100 characters.
func (s *UserService) CreateAPIToken(ctx context.Context, userID int64, name string) (string, *shrooms.APIToken, error) {
	if len([]rune(name)) > 100 {
		return "", nil, shrooms.Errorf(shrooms.EINVALID, "name: must be at most 100 characters").Keyed("account.error.db_token_name_long").On("name")
	}
	secret := APITokenPrefix + shrooms.RandomToken(32)
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	if _, err := requireSelfOrAdmin(ctx, tx, userID); err != nil {
		return "", nil, err
	}
	if _, err := findUserByID(ctx, tx, userID); err != nil {
		return "", nil, err
	}
	now := s.db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`,
		userID, name, tokenHash(secret), now.UnixMilli())
	if err != nil {
		return "", nil, dbError(err, nil)
	}
	t := &shrooms.APIToken{UserID: userID, Name: name, CreatedAt: now}
	if t.ID, err = res.LastInsertId(); err != nil {
		return "", nil, fmt.Errorf("insert token: %w", err)
	}
	if err := commit(tx); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// FindAPITokens lists a user's tokens, oldest first, for the user and
// admins. Returns ENOTFOUND, EUNAUTHORIZED.
func (s *UserService) FindAPITokens(ctx context.Context, userID int64) ([]*shrooms.APIToken, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := requireSelfOrAdmin(ctx, tx, userID); err != nil {
		return nil, err
	}
	if _, err := findUserByID(ctx, tx, userID); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at FROM api_tokens
		WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.APIToken
	for rows.Next() {
		var t shrooms.APIToken
		var created, used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &used); err != nil {
			return nil, fmt.Errorf("find tokens: %w", err)
		}
		t.CreatedAt, t.LastUsedAt = fromMS(created), fromMS(used)
		out = append(out, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	return out, nil
}

// DeleteAPIToken revokes a token of the user, for the user and admins.
// Returns ENOTFOUND (also for another user's token), EUNAUTHORIZED.
func (s *UserService) DeleteAPIToken(ctx context.Context, userID, tokenID int64) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := requireSelfOrAdmin(ctx, tx, userID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID)
	if err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete token: %w", err)
	} else if n == 0 {
		return notFound("token %d not found", tokenID).Keyed("account.error.db_token_not_found")
	}
	return commit(tx)
}

// DeleteAPITokens revokes every token of the user, for the user and
// admins, and returns how many there were. Returns ENOTFOUND,
// EUNAUTHORIZED.
func (s *UserService) DeleteAPITokens(ctx context.Context, userID int64) (int, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := requireSelfOrAdmin(ctx, tx, userID); err != nil {
		return 0, err
	}
	if _, err := findUserByID(ctx, tx, userID); err != nil {
		return 0, err
	}
	n, err := deleteAPITokens(ctx, tx, userID)
	if err != nil {
		return 0, err
	}
	return n, commit(tx)
}

// deleteAPITokens revokes every token of a user inside tx.
func deleteAPITokens(ctx context.Context, tx *sql.Tx, userID int64) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete tokens: %w", err)
	}
	return int(n), nil
}

// FindUserByAPIToken returns the token's user, or EUNAUTHORIZED "invalid
// token", also when the account is pending or suspended. It records the
// token's last use and the user's activity (for NodeInfo's active user
// counts) at most once a minute.
func (s *UserService) FindUserByAPIToken(ctx context.Context, secret string) (*shrooms.User, error) {
	hash := tokenHash(secret)
	var tokenID int64
	var lastUsed sql.NullInt64
	row := s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, api_tokens.id, api_tokens.last_used_at
		FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE api_tokens.token_hash = ?`, hash)
	u, err := scanUser(scanFunc(func(dest ...any) error {
		return row.Scan(append(dest, &tokenID, &lastUsed)...)
	}))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, shrooms.Errorf(shrooms.EUNAUTHORIZED, "invalid token").Keyed("account.error.db_token_invalid")
	} else if err != nil {
		return nil, fmt.Errorf("find token: %w", err)
	}
	if !u.Active() {
		return nil, shrooms.Errorf(shrooms.EUNAUTHORIZED, "invalid token").Keyed("account.error.db_token_invalid")
	}
	now := s.db.now()
	stale := now.Add(-activityResolution)
	if fromMS(lastUsed).Before(stale) || u.LastActiveAt.Before(stale) {
		if err := s.db.touchToken(ctx, tokenID, u.ID, now); err != nil {
			return nil, err
		}
		u.LastActiveAt = now
	}
	return u, nil
}

// touchToken records a token's use and its user's activity.
func (db *DB) touchToken(ctx context.Context, tokenID, userID int64, now time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now.UnixMilli(), tokenID); err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET last_active_at = ? WHERE id = ?`, now.UnixMilli(), userID); err != nil {
		return fmt.Errorf("touch user: %w", err)
	}
	return commit(tx)
}

// scanFunc adapts a function to the scanner interface.
type scanFunc func(dest ...any) error

// Scan implements scanner.
func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

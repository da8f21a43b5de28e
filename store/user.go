package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	shrooms "github.com/shrooms-org/shrooms"
)

// APITokenPrefix starts every API token secret, so that a leaked token is
// recognisable (secret scanners, logs).
const APITokenPrefix = "shr_"

// activityResolution is how stale users.last_active_at may get: an API
// request writes it at most once per interval, not on every request.
const activityResolution = time.Minute

// userOverride words a taken local handle as a taken username: users and
// the organisation share the local handle namespace.
var userOverride = map[string]string{"actors.handle": "username is taken"}

const userColumns = `id, username, email, name, role, actor_id, created_at`

func scanUser(s scanner) (*shrooms.User, error) {
	var u shrooms.User
	var role string
	var created sql.NullInt64
	if err := s.Scan(&u.ID, &u.Username, &u.Email, &u.Name, &role, &u.ActorID, &created); err != nil {
		return nil, err
	}
	u.Role, u.CreatedAt = shrooms.Role(role), fromMS(created)
	return &u, nil
}

func findUser(ctx context.Context, tx *sql.Tx, what, cond string, args ...any) (*shrooms.User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("%s not found", what)
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// hashPassword bcrypts a password, refusing what bcrypt cannot hash.
func hashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		return "", shrooms.Errorf(shrooms.EINVALID, "password: must be at most 72 bytes")
	} else if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// newUserActor validates u and prepares, outside any transaction, what
// creating it needs: the password hash and the Person actor with keys.
func (db *DB) newUserActor(u *shrooms.User, password string) (*shrooms.Actor, string, error) {
	if err := u.Validate(password); err != nil {
		return nil, "", err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, "", err
	}
	name := u.Name
	if name == "" {
		name = u.Username
	}
	a := &shrooms.Actor{Kind: shrooms.KindPerson, Handle: u.Username, Name: name}
	if err := db.prepareLocalActor(a); err != nil {
		return nil, "", err
	}
	return a, hash, nil
}

// insertUser stores a user and its prepared Person actor.
func (db *DB) insertUser(ctx context.Context, tx *sql.Tx, u *shrooms.User, a *shrooms.Actor, hash string) error {
	if err := db.insertLocalActor(ctx, tx, a, userOverride); err != nil {
		return err
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO users (username, email, name, role, password_hash, actor_id,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.Email, u.Name, string(u.Role), hash, a.ID, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return dbError(err, userOverride)
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	u.ActorID, u.CreatedAt = a.ID, now
	return nil
}

// CreateUser creates a user and its Person actor (with a new key pair)
// in one transaction, and sets u.ID, u.ActorID and u.CreatedAt. Returns
// EINVALID naming the field, ECONFLICT "username is taken" (also when the
// organisation actor has that handle) or "e-mail is taken".
func (db *DB) CreateUser(ctx context.Context, u *shrooms.User, password string) error {
	a, hash, err := db.newUserActor(u, password)
	if err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.insertUser(ctx, tx, u, a, hash); err != nil {
		return err
	}
	return commit(tx)
}

// FindUserByUsername returns ENOTFOUND.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*shrooms.User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUser(ctx, tx, fmt.Sprintf("user %q", username), `username = ?`, username)
}

// FindUserByID returns ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*shrooms.User, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findUser(ctx, tx, fmt.Sprintf("user %d", id), `id = ?`, id)
}

// CountUsers counts all accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// tokenHash is what the database keeps of a token secret.
func tokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAPIToken creates a token for the user and returns its secret,
// shown once: "shr_" and 64 hex digits. Only its SHA-256 is stored.
// Returns ENOTFOUND for an unknown user, EINVALID for a name over 100
// characters.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string) (string, *shrooms.APIToken, error) {
	if len([]rune(name)) > 100 {
		return "", nil, shrooms.Errorf(shrooms.EINVALID, "name: must be at most 100 characters")
	}
	secret := APITokenPrefix + shrooms.RandomToken(32)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	if _, err := findUser(ctx, tx, fmt.Sprintf("user %d", userID), `id = ?`, userID); err != nil {
		return "", nil, err
	}
	now := db.now()
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

// FindUserByAPIToken returns the token's user, or EUNAUTHORIZED "invalid
// token". It records the token's last use and the user's activity (for
// NodeInfo's active user counts) at most once a minute.
func (db *DB) FindUserByAPIToken(ctx context.Context, secret string) (*shrooms.User, error) {
	hash := tokenHash(secret)
	var tokenID int64
	var lastUsed, lastActive sql.NullInt64
	row := db.read.QueryRowContext(ctx, `SELECT u.id, u.username, u.email, u.name, u.role, u.actor_id, u.created_at,
		t.id, t.last_used_at, u.last_active_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash)
	u, err := scanUser(scanFunc(func(dest ...any) error {
		return row.Scan(append(dest, &tokenID, &lastUsed, &lastActive)...)
	}))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, shrooms.Errorf(shrooms.EUNAUTHORIZED, "invalid token")
	} else if err != nil {
		return nil, fmt.Errorf("find token: %w", err)
	}
	now := db.now()
	stale := now.Add(-activityResolution)
	if fromMS(lastUsed).Before(stale) || fromMS(lastActive).Before(stale) {
		if err := db.touchToken(ctx, tokenID, u.ID, now); err != nil {
			return nil, err
		}
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

package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// This file holds partner invites: single-use, expiring, revocable tokens
// that let a remote organisation's Follow be accepted without an admin.

// maxInviteNote bounds the admin's reminder of whom an invite was for.
const maxInviteNote = 200

// newInviteToken returns 32 random bytes, base64url without padding: the
// token travels in a URL fragment and a Follow's shrooms:inviteToken.
func newInviteToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

const inviteColumns = `id, note, COALESCE(created_by, 0), created_at, expires_at, used_at, used_by, revoked_at`

func scanInvite(s scanner) (*shrooms.PartnerInvite, error) {
	var i shrooms.PartnerInvite
	var created, expires, used, revoked sql.NullInt64
	if err := s.Scan(&i.ID, &i.Note, &i.CreatedBy, &created, &expires, &used, &i.UsedBy, &revoked); err != nil {
		return nil, err
	}
	i.CreatedAt, i.ExpiresAt, i.UsedAt, i.RevokedAt = fromMS(created), fromMS(expires), fromMS(used), fromMS(revoked)
	return &i, nil
}

// CreatePartnerInvite makes an invite valid for ttl (0 means
// DefaultInviteTTL) and returns it with its token, shown once; only the
// token's SHA-256 is stored. For admins and the system. Returns EINVALID
// for a ttl under a minute or over MaxInviteTTL, or a note over 200
// characters; EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) CreatePartnerInvite(ctx context.Context, ttl time.Duration, note string) (*shrooms.PartnerInvite, string, error) {
	switch {
	case ttl == 0:
		ttl = shrooms.DefaultInviteTTL
	case ttl < time.Minute:
		return nil, "", shrooms.Errorf(shrooms.EINVALID, "ttl: must be at least one minute").Keyed("partners.error.db_ttl_short").On("ttl")
	case ttl > shrooms.MaxInviteTTL:
		return nil, "", shrooms.Errorf(shrooms.EINVALID, "ttl: must be at most %d days", int(shrooms.MaxInviteTTL/(24*time.Hour))).Keyed("partners.error.db_ttl_long", "Max", int(shrooms.MaxInviteTTL/(24*time.Hour))).On("ttl").
			Keyed("partners.error.db_ttl_long", "Max", int(shrooms.MaxInviteTTL/(24*time.Hour))).On("ttl")
	}
	if len([]rune(note)) > maxInviteNote {
		return nil, "", shrooms.Errorf(shrooms.EINVALID, "note: must be at most %d characters", maxInviteNote).
			Keyed("partners.error.note_long", "Max", maxInviteNote).On("note")
	}
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	var createdBy int64
	if u := shrooms.UserFromContext(ctx); u != nil && !shrooms.IsSystem(ctx) {
		createdBy = u.ID
	}
	token := newInviteToken()
	now := s.db.now()
	inv := &shrooms.PartnerInvite{Note: note, CreatedBy: createdBy, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	res, err := tx.ExecContext(ctx, `INSERT INTO partner_invites (token_hash, note, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, tokenHash(token), note, nullID(createdBy), now.UnixMilli(), inv.ExpiresAt.UnixMilli())
	if err != nil {
		return nil, "", dbError(err, nil)
	}
	if inv.ID, err = res.LastInsertId(); err != nil {
		return nil, "", fmt.Errorf("insert invite: %w", err)
	}
	if err := commit(tx); err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// FindPartnerInvites returns every invite, newest first, for admins and
// the system. Returns EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) FindPartnerInvites(ctx context.Context) ([]*shrooms.PartnerInvite, error) {
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+inviteColumns+` FROM partner_invites ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("find invites: %w", err)
	}
	defer rows.Close()
	out := []*shrooms.PartnerInvite{}
	for rows.Next() {
		i, err := scanInvite(rows)
		if err != nil {
			return nil, fmt.Errorf("find invites: %w", err)
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find invites: %w", err)
	}
	return out, nil
}

// RevokePartnerInvite revokes an unused invite, for admins and the
// system. Returns ENOTFOUND, ECONFLICT when it was used or revoked
// already, EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) RevokePartnerInvite(ctx context.Context, id int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	inv, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM partner_invites WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("invite %d not found", id).Keyed("partners.error.db_invite_not_found")
	} else if err != nil {
		return fmt.Errorf("find invite: %w", err)
	}
	switch {
	case !inv.RevokedAt.IsZero():
		return shrooms.Errorf(shrooms.ECONFLICT, "invite is already revoked").Keyed("partners.error.db_invite_revoked")
	case !inv.UsedAt.IsZero():
		return shrooms.Errorf(shrooms.ECONFLICT, "invite was already used").Keyed("partners.error.db_invite_used")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE partner_invites SET revoked_at = ? WHERE id = ?`, s.db.now().UnixMilli(), id); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

// useInvite spends the invite whose token this is on follower, in the
// caller's transaction, and reports whether it was valid: known, unused,
// unrevoked and unexpired. Why an invalid one failed is never told.
func useInvite(ctx context.Context, tx *sql.Tx, token, followerIRI string, now time.Time) (bool, error) {
	if token == "" {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE partner_invites SET used_at = ?, used_by = ?
		WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
		now.UnixMilli(), followerIRI, tokenHash(token), now.UnixMilli())
	if err != nil {
		return false, dbError(err, nil)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use invite: %w", err)
	}
	return n == 1, nil
}

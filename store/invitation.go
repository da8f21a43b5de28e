package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// errInvitationUsed is the one answer for an unknown, expired, revoked
// or used invitation.
func errInvitationUsed() error {
	return shrooms.Errorf(shrooms.EINVALID, "this invitation has expired or was already used").Keyed("account.error.db_invitation_used")
}

const invitationColumns = `id, email, role, COALESCE(invited_by, 0), created_at, expires_at, used_at`

func scanInvitation(s scanner) (*shrooms.Invitation, error) {
	var inv shrooms.Invitation
	var role string
	var created, expires, used sql.NullInt64
	if err := s.Scan(&inv.ID, &inv.Email, &role, &inv.InvitedBy, &created, &expires, &used); err != nil {
		return nil, err
	}
	inv.Role = shrooms.Role(role)
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return &inv, nil
}

// useInvitation consumes a live invitation. Returns errInvitationUsed.
func (db *DB) useInvitation(ctx context.Context, tx *sql.Tx, secret string) (*shrooms.Invitation, error) {
	now := db.now().UnixMilli()
	inv, err := scanInvitation(tx.QueryRowContext(ctx, `UPDATE invitations SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING `+invitationColumns,
		now, tokenHash(secret), now))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errInvitationUsed()
	} else if err != nil {
		return nil, fmt.Errorf("use invitation: %w", err)
	}
	return inv, nil
}

// CreateInvitation invites an e-mail address with a role, for admins,
// queues the mail render renders (with a nil user and the secret) and
// returns the secret of the invitation link, valid shrooms.InvitationTTL.
// Returns EINVALID naming the field, ECONFLICT when an account has that
// address, EUNAUTHORIZED, EFORBIDDEN.
func (s *AccountService) CreateInvitation(ctx context.Context, email string, role shrooms.Role, render shrooms.MailRender) (string, *shrooms.Invitation, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	p, err := requireAdmin(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return "", nil, shrooms.Errorf(shrooms.EINVALID, "email: %q is not an e-mail address", email).Keyed("account.error.email_invalid").On("email")
	}
	if role, err = shrooms.ParseRole(string(role)); err != nil {
		return "", nil, err
	}
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = ?`, email).Scan(&taken); err != nil {
		return "", nil, fmt.Errorf("check e-mail: %w", err)
	}
	if taken > 0 {
		return "", nil, shrooms.Errorf(shrooms.ECONFLICT, "email: an account has this address").Keyed("account.error.email_taken").On("email")
	}
	var by any
	if p.User != nil {
		by = p.User.ID
	}
	secret := shrooms.RandomToken(32)
	now := s.db.now()
	inv := &shrooms.Invitation{Email: email, Role: role, CreatedAt: now, ExpiresAt: now.Add(shrooms.InvitationTTL)}
	res, err := tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, email, role, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, tokenHash(secret), email, string(role), by, now.UnixMilli(), inv.ExpiresAt.UnixMilli())
	if err != nil {
		return "", nil, dbError(err, nil)
	}
	if inv.ID, err = res.LastInsertId(); err != nil {
		return "", nil, fmt.Errorf("insert invitation: %w", err)
	}
	if p.User != nil {
		inv.InvitedBy = p.User.ID
	}
	if err := s.db.queueMail(ctx, tx, shrooms.MailInvitation, render, nil, secret); err != nil {
		return "", nil, err
	}
	if err := commit(tx); err != nil {
		return "", nil, err
	}
	return secret, inv, nil
}

// FindInvitations lists the invitations not yet used, expired ones
// included, newest first, for admins. Returns EUNAUTHORIZED, EFORBIDDEN.
func (s *AccountService) FindInvitations(ctx context.Context) ([]*shrooms.Invitation, error) {
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE used_at IS NULL ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("find invitations: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("find invitations: %w", err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find invitations: %w", err)
	}
	return out, nil
}

// DeleteInvitation revokes an invitation, for admins. Returns ENOTFOUND,
// EUNAUTHORIZED, EFORBIDDEN.
func (s *AccountService) DeleteInvitation(ctx context.Context, id int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete invitation: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete invitation: %w", err)
	} else if n == 0 {
		return notFound("invitation %d not found", id).Keyed("admin.error.db_invitation_not_found", "ID", id)
	}
	return commit(tx)
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// queueMail renders a mail with render and inserts it into the mail
// outbox in tx, the transaction of the change that causes it: the mail
// exists if and only if the change commits. A nil render queues nothing.
// Every module that sends notices (loans, events, dues) goes through here.
func (db *DB) queueMail(ctx context.Context, tx *sql.Tx, kind string, render shrooms.MailRender, u *shrooms.User, secret string) error {
	if render == nil {
		return nil
	}
	m, err := render(u, secret)
	if err != nil {
		return fmt.Errorf("render %s mail: %w", kind, err)
	}
	if strings.TrimSpace(m.To) == "" {
		return fmt.Errorf("render %s mail: no recipient", kind)
	}
	now := db.now().UnixMilli()
	_, err = tx.ExecContext(ctx, `INSERT INTO mail_outbox (kind, recipient, subject, body_text, body_html, message_id,
		next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		kind, m.To, m.Subject, m.Text, m.HTML, db.newMessageID(), now, now)
	return dbError(err, nil)
}

// newMessageID makes a Message-ID in the node's domain. The port of the
// public URL is left out: it may not appear in a Message-ID.
func (db *DB) newMessageID() string {
	host := db.iris.Host()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = strings.Trim(h, "[]")
	}
	return strings.ToLower(shrooms.RandomToken(18)) + "@" + host
}

// mailsSentRecently counts the mails of kind queued to an address in the
// last hour, so that notices nobody asked for cannot flood a mailbox.
func (db *DB) mailsSentRecently(ctx context.Context, tx *sql.Tx, to, kind string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_outbox WHERE recipient = ? AND kind = ? AND created_at > ?`,
		to, kind, db.now().Add(-time.Hour).UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count mails: %w", err)
	}
	return n, nil
}

const mailColumns = `id, kind, recipient, subject, body_text, body_html, message_id, state, attempts,
	next_attempt_at, last_error, created_at, sent_at`

func scanMail(s scanner) (*shrooms.Mail, error) {
	m := &shrooms.Mail{}
	var state string
	var next, created int64
	var sent sql.NullInt64
	if err := s.Scan(&m.ID, &m.Kind, &m.Message.To, &m.Message.Subject, &m.Message.Text, &m.Message.HTML, &m.Message.ID,
		&state, &m.Attempts, &next, &m.LastError, &created, &sent); err != nil {
		return nil, err
	}
	m.State, m.NextAttemptAt, m.CreatedAt, m.SentAt = shrooms.MailState(state), time.UnixMilli(next), time.UnixMilli(created), fromMS(sent)
	return m, nil
}

// ClaimMail leases up to limit due mails until now+lease, oldest first:
// pending ones, and sending ones whose lease ran out because the node
// stopped mid-send. The claim counts as an attempt, so a mail that keeps
// crashing the sender still reaches the bound.
func (s *MailQueue) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*shrooms.Mail, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?
		WHERE id IN (SELECT id FROM mail_outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING `+mailColumns, now.Add(lease).UnixMilli(), now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	var out []*shrooms.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim mail: %w", err)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return out, nil
}

// MarkMailSent records that the SMTP server accepted a mail and forgets
// its bodies: they may carry a live link (a reset, an invitation) whose
// secret the store otherwise keeps only hashed, and a sent mail is never
// sent again. Only a sending mail becomes sent: an admin may have
// discarded it meanwhile.
func (s *MailQueue) MarkMailSent(ctx context.Context, id int64, now time.Time) error {
	return s.db.execWrite(ctx, `UPDATE mail_outbox SET state = 'sent', sent_at = ?, last_error = '', body_text = '', body_html = ''
		WHERE id = ? AND state = 'sending'`, now.UnixMilli(), id)
}

// MarkMailFailed records a failed attempt: pending again at next, or dead.
func (s *MailQueue) MarkMailFailed(ctx context.Context, id int64, now time.Time, errMsg string, next time.Time, dead bool) error {
	state := shrooms.MailPending
	if dead {
		state, next = shrooms.MailDead, now
	}
	return s.db.execWrite(ctx, `UPDATE mail_outbox SET state = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'sending'`,
		string(state), next.UnixMilli(), errMsg, id)
}

// FindMail returns matching mail, newest first, and the total count, for
// admins. Returns EUNAUTHORIZED, EFORBIDDEN.
func (s *MailQueue) FindMail(ctx context.Context, filter shrooms.MailFilter) ([]*shrooms.Mail, int, error) {
	offset, limit := page(filter.Offset, filter.Limit)
	var conds []string
	var args []any
	if filter.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(filter.State))
	}
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_outbox`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count mail: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox`+where(conds)+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find mail: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find mail: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find mail: %w", err)
	}
	return out, total, nil
}

// unsentMail checks, for an admin, that mail id exists and is neither
// sent nor being sent. Returns EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND,
// ECONFLICT.
func (db *DB) unsentMail(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	if _, err := requireAdmin(ctx, tx); err != nil {
		return err
	}
	var state string
	var next int64
	err := tx.QueryRowContext(ctx, `SELECT state, next_attempt_at FROM mail_outbox WHERE id = ?`, id).Scan(&state, &next)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("mail %d not found", id).Keyed("mail.error.db_mail_not_found", "ID", id)
	} else if err != nil {
		return fmt.Errorf("find mail: %w", err)
	}
	switch shrooms.MailState(state) {
	case shrooms.MailSent:
		return shrooms.Errorf(shrooms.ECONFLICT, "mail %d is already sent", id).Keyed("mail.error.db_mail_sent", "ID", id)
	case shrooms.MailSending:
		if next > now.UnixMilli() {
			return shrooms.Errorf(shrooms.ECONFLICT, "mail %d is being sent", id).Keyed("mail.error.db_mail_sending", "ID", id)
		}
	}
	return nil
}

// RetryMail puts an unsent mail back in the queue, due now, with a fresh
// count of attempts, for admins. Returns EUNAUTHORIZED, EFORBIDDEN,
// ENOTFOUND, ECONFLICT.
func (s *MailQueue) RetryMail(ctx context.Context, id int64, now time.Time) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.db.unsentMail(ctx, tx, id, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ?`,
		now.UnixMilli(), id); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

// DiscardMail deletes an unsent mail, for admins. Returns EUNAUTHORIZED,
// EFORBIDDEN, ENOTFOUND, ECONFLICT.
func (s *MailQueue) DiscardMail(ctx context.Context, id int64) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.db.unsentMail(ctx, tx, id, s.db.now()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM mail_outbox WHERE id = ?`, id); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

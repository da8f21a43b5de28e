package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// insertOutbox writes an activity of local actor actorID to the outbox,
// due now. Callers run it in the transaction of the change it announces:
// either both are committed or neither is.
func (db *DB) insertOutbox(ctx context.Context, tx *sql.Tx, actorID int64, act *shrooms.Activity) (int64, error) {
	if act.IRI == "" {
		return 0, fmt.Errorf("outbox: activity has no IRI")
	}
	body, err := json.Marshal(act)
	if err != nil {
		return 0, fmt.Errorf("outbox: encode activity: %w", err)
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (actor_id, activity_iri, activity_type, activity, public,
		next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		actorID, act.IRI, string(act.Type), string(body), boolInt(act.IsPublic()), now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return 0, dbError(err, nil)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	return id, nil
}

const outboxColumns = `id, actor_id, activity, payload, published, attempts, next_attempt_at, last_error, created_at`

func scanOutbox(s scanner) (*shrooms.OutboxEntry, error) {
	var e shrooms.OutboxEntry
	var activity string
	var next, created sql.NullInt64
	if err := s.Scan(&e.ID, &e.ActorID, &activity, &e.Payload, &e.Published, &e.Attempts, &next,
		&e.LastError, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(activity), &e.Activity); err != nil {
		return nil, fmt.Errorf("outbox %d: decode activity: %w", e.ID, err)
	}
	e.NextAttemptAt, e.CreatedAt = fromMS(next), fromMS(created)
	return &e, nil
}

// queryOutbox runs a SELECT of outboxColumns.
func queryOutbox(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]*shrooms.OutboxEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox`+query, args...)
	if err != nil {
		return nil, fmt.Errorf("find outbox: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.OutboxEntry
	for rows.Next() {
		e, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("find outbox: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find outbox: %w", err)
	}
	return out, nil
}

// FindUnpublishedOutbox returns up to limit unpublished entries due at
// now, oldest first, so that a Follow is published before its Undo.
func (s *OutboxService) FindUnpublishedOutbox(ctx context.Context, now time.Time, limit int) ([]*shrooms.OutboxEntry, error) {
	_, limit = page(0, limit)
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return queryOutbox(ctx, tx, ` WHERE published = 0 AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
		now.UnixMilli(), limit)
}

// PublishOutbox stores the rendered payload of entry id, inserts its
// deliveries and marks it published, in one transaction. Each delivery
// gets the entry's actor, the host of its inbox, state pending and is due
// now; an inbox already queued for the entry is skipped. It fills in the
// given deliveries (ID stays 0 for a skipped one). An entry without
// deliveries is simply published. Returns ENOTFOUND, EINVALID for an
// empty payload or an inbox that is not an absolute URL.
func (s *OutboxService) PublishOutbox(ctx context.Context, id int64, payload []byte, deliveries []*shrooms.Delivery) error {
	if len(payload) == 0 {
		return shrooms.Errorf(shrooms.EINVALID, "payload is empty").Keyed("core.error.db_activity_empty")
	}
	for _, d := range deliveries {
		if shrooms.HostOf(d.Inbox) == "" {
			return shrooms.Errorf(shrooms.EINVALID, "inbox %q is not an absolute URL", d.Inbox).Keyed("core.error.db_inbox_url", "Inbox", d.Inbox).On("inbox")
		}
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var actorID int64
	err = tx.QueryRowContext(ctx, `SELECT actor_id FROM outbox WHERE id = ?`, id).Scan(&actorID)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("outbox entry %d not found", id).Keyed("core.error.db_outbox_not_found", "ID", id)
	} else if err != nil {
		return fmt.Errorf("publish outbox: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = ?, published = 1, last_error = '' WHERE id = ?`,
		payload, id); err != nil {
		return dbError(err, nil)
	}
	now := s.db.now()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (outbox_id, actor_id, recipient, inbox, host, state,
		attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
		ON CONFLICT (outbox_id, inbox) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("publish outbox: %w", err)
	}
	defer stmt.Close()
	for _, d := range deliveries {
		d.OutboxID, d.ActorID, d.Host = id, actorID, shrooms.HostOf(d.Inbox)
		d.State, d.Attempts, d.NextAttemptAt, d.CreatedAt = shrooms.DeliveryPending, 0, now, now
		res, err := stmt.ExecContext(ctx, id, actorID, d.Recipient, d.Inbox, d.Host, now.UnixMilli(), now.UnixMilli())
		if err != nil {
			return dbError(err, nil)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("publish outbox: %w", err)
		} else if n == 1 {
			if d.ID, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("publish outbox: %w", err)
			}
		} else {
			d.ID = 0
		}
	}
	return commit(tx)
}

// DeferOutbox reschedules an entry whose addressing failed: one more
// attempt, due at next, with the reason kept for admins. Returns
// ENOTFOUND.
func (s *OutboxService) DeferOutbox(ctx context.Context, id int64, next time.Time, lastErr string) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id = ?`, next.UnixMilli(), lastErr, id)
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("defer outbox: %w", err)
	} else if n == 0 {
		return notFound("outbox entry %d not found", id).Keyed("core.error.db_outbox_not_found", "ID", id)
	}
	return commit(tx)
}

// FindOutboxEntries returns matching entries, newest first, and the total
// count ignoring Offset and Limit.
func (s *OutboxService) FindOutboxEntries(ctx context.Context, filter shrooms.OutboxFilter) ([]*shrooms.OutboxEntry, int, error) {
	offset, limit := page(filter.Offset, filter.Limit)
	var conds []string
	var args []any
	if filter.ActorID != 0 {
		conds, args = append(conds, "actor_id = ?"), append(args, filter.ActorID)
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	if filter.PublicOnly || !p.ReadsAllActivities() {
		conds = append(conds, "public = 1")
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count outbox: %w", err)
	}
	entries, err := queryOutbox(ctx, tx, where(conds)+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	return entries, total, nil
}

// FindOutboxEntryByIRI returns the entry whose activity has this IRI, or
// ENOTFOUND.
func (s *OutboxService) FindOutboxEntryByIRI(ctx context.Context, iri string) (*shrooms.OutboxEntry, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	entries, err := queryOutbox(ctx, tx, ` WHERE activity_iri = ?`, iri)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, notFound("activity %q not found", iri).Keyed("core.error.db_activity_not_found")
	}
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, err
	}
	if !p.MayReadActivity(&entries[0].Activity) {
		return nil, notFound("activity %q not found", iri).Keyed("core.error.db_activity_not_found") // existence does not leak
	}
	return entries[0], nil
}

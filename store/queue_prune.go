package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// pruneBatch bounds the rows one pruning transaction deletes: the node has
// one writer, and the inbox, the workers and the web wait for it.
const pruneBatch = 1000

// pruneTarget is one table PruneQueues clears and which of its rows are
// finished with. In cond, ?2 is the cut-off (unix milliseconds).
type pruneTarget struct {
	table string
	cond  string
	count func(*shrooms.PruneResult) *int
}

// pruneTargets are cleared in this order: deliveries before outbox
// entries, since an entry goes only once none of its deliveries is left.
var pruneTargets = []pruneTarget{
	{
		// processed_at is when a row became done or failed; COALESCE
		// guards against a row that somehow lacks it.
		table: "inbox_activities",
		cond:  `state IN ('done', 'failed') AND COALESCE(processed_at, received_at) < ?2`,
		count: func(r *shrooms.PruneResult) *int { return &r.Inbox },
	},
	{
		// A dead delivery records no time of death: its last scheduled
		// attempt (zero when the peer refused it outright) or its
		// creation, whichever is later, is when it stopped mattering.
		table: "deliveries",
		cond: `(state = 'delivered' AND delivered_at < ?2)
			OR (state = 'dead' AND MAX(created_at, next_attempt_at) < ?2)`,
		count: func(r *shrooms.PruneResult) *int { return &r.Deliveries },
	},
	{
		// Public entries make up the actor's outbox collection and stay.
		// An entry with a delivery left (pending, or dead and recent enough
		// for an admin to retry) keeps the payload that delivery sends.
		table: "outbox",
		cond: `public = 0 AND published = 1 AND created_at < ?2
			AND NOT EXISTS (SELECT 1 FROM deliveries WHERE deliveries.outbox_id = outbox.id)`,
		count: func(r *shrooms.PruneResult) *int { return &r.Outbox },
	},
	{
		// An invite that can no longer be used is only a record for the
		// admin page; an open one stays until it expires.
		table: "partner_invites",
		cond:  `used_at < ?2 OR revoked_at < ?2 OR expires_at < ?2`,
		count: func(r *shrooms.PruneResult) *int { return &r.Invites },
	},
	{
		// Sent mail is only a record; dead mail stays for the retention
		// so that an admin can see it and retry it. Pending and sending
		// mail is never touched.
		table: "mail_outbox",
		cond: `(state = 'sent' AND sent_at < ?2)
			OR (state = 'dead' AND MAX(created_at, next_attempt_at) < ?2)`,
		count: func(r *shrooms.PruneResult) *int { return &r.Mail },
	},
}

// PruneQueues deletes the queue rows finished with before before, for
// admins and the system (see shrooms.OutboxService). Each table is cleared
// in transactions of at most pruneBatch rows, walking up the primary key,
// so the writer is never held for long and the rows a batch has passed
// are not scanned again. Expired sessions are not its business: every
// login deletes them. The freed pages are reused by SQLite; the file does
// not shrink. Returns EUNAUTHORIZED, EFORBIDDEN; on another error the
// counts say what was deleted before it.
func (s *OutboxService) PruneQueues(ctx context.Context, before time.Time) (shrooms.PruneResult, error) {
	var res shrooms.PruneResult
	for _, t := range pruneTargets {
		n, err := s.db.pruneTable(ctx, t, before.UnixMilli())
		*t.count(&res) += n
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// pruneTable deletes t's finished rows in batches and returns how many.
func (db *DB) pruneTable(ctx context.Context, t pruneTarget, before int64) (int, error) {
	total := 0
	var after int64
	for {
		n, last, more, err := db.pruneBatch(ctx, t, after, before)
		total += n
		if err != nil || !more {
			return total, err
		}
		after = last
	}
}

// pruneBatch deletes the next batch of t's finished rows with an id above
// after, in one transaction. It returns how many it deleted, the highest
// id it reached, and whether the batch was full (more may follow).
func (db *DB) pruneBatch(ctx context.Context, t pruneTarget, after, before int64) (int, int64, bool, error) {
	tx, err := db.writeAsAdmin(ctx)
	if err != nil {
		return 0, 0, false, err
	}
	defer tx.Rollback()
	// The batch ends at the pruneBatch-th matching id; the DELETE runs in
	// the same transaction, under the write lock, so it takes exactly
	// those rows.
	var last sql.NullInt64
	var n int
	err = tx.QueryRowContext(ctx, `SELECT MAX(id), COUNT(*) FROM (SELECT id FROM `+t.table+`
		WHERE id > ?1 AND (`+t.cond+`) ORDER BY id LIMIT ?3)`, after, before, pruneBatch).Scan(&last, &n)
	if err != nil {
		return 0, 0, false, fmt.Errorf("prune %s: %w", t.table, err)
	}
	if n == 0 {
		return 0, after, false, nil
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE id > ?1 AND id <= ?3 AND (`+t.cond+`)`,
		after, before, last.Int64)
	if err != nil {
		return 0, 0, false, dbError(err, nil)
	}
	deleted, err := res.RowsAffected()
	if err != nil {
		return 0, 0, false, fmt.Errorf("prune %s: %w", t.table, err)
	}
	if err := commit(tx); err != nil {
		return 0, 0, false, err
	}
	return int(deleted), last.Int64, n == pruneBatch, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

const deliveryColumns = `d.id, d.outbox_id, d.actor_id, d.recipient, d.inbox, d.host, d.state, d.attempts,
	d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at`

func scanDelivery(s scanner, extra ...any) (*shrooms.Delivery, error) {
	var d shrooms.Delivery
	var state string
	var next, created, delivered sql.NullInt64
	dest := []any{&d.ID, &d.OutboxID, &d.ActorID, &d.Recipient, &d.Inbox, &d.Host, &state, &d.Attempts,
		&next, &d.LastStatus, &d.LastError, &created, &delivered}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	d.State = shrooms.DeliveryState(state)
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = fromMS(next), fromMS(created), fromMS(delivered)
	return &d, nil
}

// ClaimDeliveries leases up to limit pending deliveries that are due at
// now, that no worker holds and whose host is not backing off, until
// now+lease, ordered by due time. Payload is loaded. With perHost > 0, a
// host never has more than perHost deliveries leased, counting those
// leased before: the leases are the deliveries running, so a host that
// never answers holds at most perHost of the workers.
func (s *OutboxService) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit, perHost int) ([]*shrooms.Delivery, error) {
	_, limit = page(0, limit)
	if perHost <= 0 {
		perHost = math.MaxInt32
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ms := now.UnixMilli()
	held, err := heldByHost(ctx, tx, ms)
	if err != nil {
		return nil, err
	}
	// Hosts already at their cap are left out by the query; the ones that
	// reach it within this claim are skipped below.
	args := []any{ms, ms, ms}
	full := ""
	for host, n := range held {
		if n >= perHost {
			full += ",?"
			args = append(args, host)
		}
	}
	if full != "" {
		full = " AND d.host NOT IN (" + full[1:] + ")"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+`
		FROM deliveries d
		LEFT JOIN hosts h ON h.host = d.host
		WHERE d.state = 'pending' AND d.next_attempt_at <= ?
			AND (d.locked_until IS NULL OR d.locked_until <= ?)
			AND (h.backoff_until IS NULL OR h.backoff_until <= ?)`+full+`
		ORDER BY d.next_attempt_at, d.id
		LIMIT ?`, append(args, claimScan)...)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var out []*shrooms.Delivery
	for len(out) < limit && rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		if held[d.Host] >= perHost {
			continue
		}
		held[d.Host]++
		out = append(out, d)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	if err := loadPayloads(ctx, tx, out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(out))
	for i, d := range out {
		ids[i] = d.ID
	}
	if err := leaseRows(ctx, tx, "deliveries", ids, now.Add(lease)); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return out, nil
}

// claimScan bounds the due deliveries one claim reads: a claim skips the
// deliveries of hosts that reach their cap within it.
const claimScan = 4096

// heldByHost counts the pending deliveries leased at ms, by host.
func heldByHost(ctx context.Context, tx *sql.Tx, ms int64) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT host, COUNT(*) FROM deliveries
		WHERE state = 'pending' AND locked_until > ? GROUP BY host`, ms)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	defer rows.Close()
	held := map[string]int{}
	for rows.Next() {
		var host string
		var n int
		if err := rows.Scan(&host, &n); err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		held[host] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return held, nil
}

// loadPayloads sets the Payload of ds, reading each outbox entry once
// (a fan-out's deliveries share one).
func loadPayloads(ctx context.Context, tx *sql.Tx, ds []*shrooms.Delivery) error {
	payloads := map[int64][]byte{}
	for _, d := range ds {
		p, ok := payloads[d.OutboxID]
		if !ok {
			if err := tx.QueryRowContext(ctx, `SELECT payload FROM outbox WHERE id = ?`, d.OutboxID).Scan(&p); err != nil {
				return fmt.Errorf("claim deliveries: %w", err)
			}
			payloads[d.OutboxID] = p
		}
		d.Payload = p
	}
	return nil
}

// ExtendDeliveryLeases moves the leases of deliveries still running to
// until. A delivery already marked (its lease freed) is left alone.
func (s *OutboxService) ExtendDeliveryLeases(ctx context.Context, ids []int64, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, until.UnixMilli())
	for _, id := range ids {
		args = append(args, id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	return s.db.execWrite(ctx, `UPDATE deliveries SET locked_until = ?
		WHERE id IN (`+marks+`) AND state = 'pending' AND locked_until IS NOT NULL`, args...)
}

// deliveryHost returns the host of delivery id, or ENOTFOUND.
func deliveryHost(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	var host string
	err := tx.QueryRowContext(ctx, `SELECT host FROM deliveries WHERE id = ?`, id).Scan(&host)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("delivery %d not found", id).Keyed("admin.error.db_delivery_not_found", "ID", id)
	} else if err != nil {
		return "", fmt.Errorf("find delivery: %w", err)
	}
	return host, nil
}

// MarkDelivered records a successful POST and resets the host's backoff.
// Returns ENOTFOUND.
func (s *OutboxService) MarkDelivered(ctx context.Context, id int64, now time.Time, status int) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	host, err := deliveryHost(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'delivered', delivered_at = ?, last_status = ?,
		last_error = '', locked_until = NULL, attempts = attempts + 1 WHERE id = ?`,
		now.UnixMilli(), status, id); err != nil {
		return dbError(err, nil)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO hosts (host, failures, last_success_at) VALUES (?, 0, ?)
		ON CONFLICT (host) DO UPDATE SET failures = 0, backoff_until = NULL, last_success_at = excluded.last_success_at`,
		host, now.UnixMilli()); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

// MarkDeliveryFailed records a failed POST: the delivery is retried at
// f.Next, or dead when f.Dead. When f.HostDown, the host's consecutive
// failure count grows and the whole host backs off until
// now+HostBackoff(failures). Returns ENOTFOUND.
func (s *OutboxService) MarkDeliveryFailed(ctx context.Context, id int64, now time.Time, f shrooms.DeliveryFailure) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	host, err := deliveryHost(ctx, tx, id)
	if err != nil {
		return err
	}
	state := shrooms.DeliveryPending
	if f.Dead {
		state = shrooms.DeliveryDead
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?,
		locked_until = NULL, next_attempt_at = ?, state = ? WHERE id = ?`,
		f.Status, f.Err, f.Next.UnixMilli(), string(state), id); err != nil {
		return dbError(err, nil)
	}
	if f.HostDown {
		var failures int
		err := tx.QueryRowContext(ctx, `SELECT failures FROM hosts WHERE host = ?`, host).Scan(&failures)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find host: %w", err)
		}
		failures++
		if _, err := tx.ExecContext(ctx, `INSERT INTO hosts (host, failures, backoff_until, last_failure_at, last_error)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (host) DO UPDATE SET failures = excluded.failures, backoff_until = excluded.backoff_until,
				last_failure_at = excluded.last_failure_at, last_error = excluded.last_error`,
			host, failures, now.Add(shrooms.HostBackoff(failures)).UnixMilli(), now.UnixMilli(), f.Err); err != nil {
			return dbError(err, nil)
		}
	}
	return commit(tx)
}

// ReleaseDeliveryLeases frees every lease; called at start-up, when no
// worker of this node can hold one.
func (s *OutboxService) ReleaseDeliveryLeases(ctx context.Context) error {
	return s.db.execWrite(ctx, `UPDATE deliveries SET locked_until = NULL WHERE locked_until IS NOT NULL`)
}

// execWrite runs one statement in its own write transaction.
func (db *DB) execWrite(ctx context.Context, query string, args ...any) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

// RetryDelivery puts a dead delivery back in the queue, due now, keeping
// its attempt count. Returns ENOTFOUND, ECONFLICT when it is not dead.
func (s *OutboxService) RetryDelivery(ctx context.Context, id int64, now time.Time) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var state string
	err = tx.QueryRowContext(ctx, `SELECT state FROM deliveries WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("delivery %d not found", id).Keyed("admin.error.db_delivery_not_found", "ID", id)
	} else if err != nil {
		return fmt.Errorf("retry delivery: %w", err)
	}
	if shrooms.DeliveryState(state) != shrooms.DeliveryDead {
		return shrooms.Errorf(shrooms.ECONFLICT, "delivery %d is %s, not dead", id, state).Keyed("admin.error.db_delivery_not_dead", "ID", id, "State", state)
	}
	// A fresh schedule: measured from the retry, not from the first try.
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = 'pending', next_attempt_at = ?, created_at = ?,
		attempts = 0, locked_until = NULL WHERE id = ?`, now.UnixMilli(), now.UnixMilli(), id); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

// FindDeliveries returns matching deliveries, newest first, without
// payload, and the total count ignoring Offset and Limit.
func (s *OutboxService) FindDeliveries(ctx context.Context, filter shrooms.DeliveryFilter) ([]*shrooms.Delivery, int, error) {
	offset, limit := page(filter.Offset, filter.Limit)
	var conds []string
	var args []any
	if filter.State != "" {
		conds, args = append(conds, "d.state = ?"), append(args, string(filter.State))
	}
	if filter.Host != "" {
		conds, args = append(conds, "d.host = ?"), append(args, strings.ToLower(filter.Host))
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries d`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count deliveries: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d`+where(conds)+
		` ORDER BY d.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find deliveries: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find deliveries: %w", err)
	}
	return out, total, nil
}

// FindHostStatus returns what is known of a host: a zero HostStatus with
// Host set when nothing is.
func (s *OutboxService) FindHostStatus(ctx context.Context, host string) (*shrooms.HostStatus, error) {
	h := &shrooms.HostStatus{Host: strings.ToLower(host)}
	var backoff, success, failure sql.NullInt64
	err := s.db.read.QueryRowContext(ctx, `SELECT failures, backoff_until, last_success_at, last_failure_at, last_error
		FROM hosts WHERE host = ?`, h.Host).Scan(&h.Failures, &backoff, &success, &failure, &h.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	} else if err != nil {
		return nil, fmt.Errorf("find host: %w", err)
	}
	h.BackoffUntil, h.LastSuccessAt, h.LastFailureAt = fromMS(backoff), fromMS(success), fromMS(failure)
	return h, nil
}

// QueueStats counts the outbox, delivery and inbox queues.
func (s *OutboxService) QueueStats(ctx context.Context) (shrooms.QueueStats, error) {
	var stats shrooms.QueueStats
	err := s.db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox WHERE published = 0),
		(SELECT COUNT(*) FROM deliveries WHERE state = 'pending'),
		(SELECT COUNT(*) FROM deliveries WHERE state = 'dead'),
		(SELECT COUNT(*) FROM inbox_activities WHERE state = 'pending'),
		(SELECT COUNT(*) FROM inbox_activities WHERE state = 'failed')`,
	).Scan(&stats.OutboxUnpublished, &stats.DeliveriesPending, &stats.DeliveriesDead, &stats.InboxPending, &stats.InboxFailed)
	if err != nil {
		return stats, fmt.Errorf("queue stats: %w", err)
	}
	return stats, nil
}

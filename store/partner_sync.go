package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// This file keeps the progress of the syncs that fetch a partner's shared
// collection into the remote cache. The federation worker calls it from a
// system context.

// maxSyncError bounds the error text kept for admins.
const maxSyncError = 500

// updatePartnerSync runs an UPDATE of actorID's partners row (set is the
// SET clause, args its arguments) and returns ENOTFOUND when there is no
// row, or ECONFLICT when gen is not 0 and is not the current generation.
func updatePartnerSync(ctx context.Context, tx *sql.Tx, actorID, gen int64, set string, args ...any) error {
	cond, condArgs := `actor_id = ?`, []any{actorID}
	if gen != 0 {
		cond, condArgs = cond+` AND sync_gen = ?`, append(condArgs, gen)
	}
	res, err := tx.ExecContext(ctx, `UPDATE partners SET `+set+` WHERE `+cond, append(args, condArgs...)...)
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("record sync: %w", err)
	} else if n == 1 {
		return nil
	}
	if err := requirePartnerRow(ctx, tx, actorID); err != nil {
		return err
	}
	return shrooms.Errorf(shrooms.ECONFLICT, "sync generation %d is not the current one", gen).Keyed("partners.error.db_sync_superseded", "Generation", gen)
}

// StartPartnerSync begins a new sync generation of actorID's objects from
// page first, with total objects announced, and returns the generation.
// For admins and the system. Returns ENOTFOUND.
func (s *PartnerService) StartPartnerSync(ctx context.Context, actorID int64, first string, total int) (int64, error) {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	now := s.db.now().UnixMilli()
	if err := updatePartnerSync(ctx, tx, actorID, 0, `sync_gen = sync_gen + 1, sync_state = 'running',
		sync_fetched = 0, sync_total = ?, sync_next = ?, sync_started_at = ?, sync_next_at = NULL,
		sync_error = '', sync_failures = 0, updated_at = ?`, max(total, 0), first, now, now); err != nil {
		return 0, err
	}
	var gen int64
	if err := tx.QueryRowContext(ctx, `SELECT sync_gen FROM partners WHERE actor_id = ?`, actorID).Scan(&gen); err != nil {
		return 0, fmt.Errorf("start sync: %w", err)
	}
	if err := commit(tx); err != nil {
		return 0, err
	}
	return gen, nil
}

// RecordPartnerSyncPage records the progress of generation gen: objects
// fetched so far and the next page, "" once the collection is done. For
// admins and the system. Returns ENOTFOUND, ECONFLICT for a generation
// that is not the current one.
func (s *PartnerService) RecordPartnerSyncPage(ctx context.Context, actorID, gen int64, fetched int, next string) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := updatePartnerSync(ctx, tx, actorID, gen, `sync_fetched = ?, sync_next = ?, sync_failures = 0,
		updated_at = ?`,
		max(fetched, 0), next, s.db.now().UnixMilli()); err != nil {
		return err
	}
	return commit(tx)
}

// FinishPartnerSync completes generation gen: the partner's cached
// objects that no sync up to gen saw (sync_gen below gen) and that were
// not cached since it started were deleted while we missed the delivery,
// so they go. Returns how many went. For admins and the system. Returns
// ENOTFOUND, ECONFLICT for a generation that is not the current one.
func (s *PartnerService) FinishPartnerSync(ctx context.Context, actorID, gen int64) (int, error) {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var started sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT sync_started_at FROM partners WHERE actor_id = ? AND sync_gen = ?`,
		actorID, gen).Scan(&started)
	if errors.Is(err, sql.ErrNoRows) {
		if err := requirePartnerRow(ctx, tx, actorID); err != nil {
			return 0, err
		}
		return 0, shrooms.Errorf(shrooms.ECONFLICT, "sync generation %d is not the current one", gen).Keyed("partners.error.db_sync_superseded", "Generation", gen)
	} else if err != nil {
		return 0, fmt.Errorf("finish sync: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM remote_objects WHERE actor_id = ? AND sync_gen < ? AND cached_at < ?`,
		actorID, gen, started.Int64)
	if err != nil {
		return 0, dbError(err, nil)
	}
	removed, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("finish sync: %w", err)
	}
	now := s.db.now().UnixMilli()
	if err := updatePartnerSync(ctx, tx, actorID, gen, `sync_state = 'done', sync_next = '', sync_finished_at = ?,
		sync_next_at = NULL, sync_error = '', sync_failures = 0, updated_at = ?`, now, now); err != nil {
		return 0, err
	}
	if err := commit(tx); err != nil {
		return 0, err
	}
	return int(removed), nil
}

// FailPartnerSync records a failed sync step of actorID, retried at next,
// with msg for admins, and counts it in Sync.Failures (a successful step
// resets the count). For admins and the system. Returns ENOTFOUND.
func (s *PartnerService) FailPartnerSync(ctx context.Context, actorID int64, msg string, next time.Time) error {
	if r := []rune(msg); len(r) > maxSyncError {
		msg = string(r[:maxSyncError])
	}
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := updatePartnerSync(ctx, tx, actorID, 0, `sync_state = 'failed', sync_error = ?, sync_next_at = ?,
		sync_failures = sync_failures + 1, updated_at = ?`, msg, next.UnixMilli(), s.db.now().UnixMilli()); err != nil {
		return err
	}
	return commit(tx)
}

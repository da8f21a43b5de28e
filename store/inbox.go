package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxInboxBatch bounds one group commit.
const maxInboxBatch = 256

// ErrClosed is returned by SaveInboxActivity once Close has begun.
var ErrClosed = errors.New("store: database is closed")

// inboxRequest is one SaveInboxActivity call waiting for its batch.
type inboxRequest struct {
	a     *shrooms.InboxActivity
	reply chan inboxResult // buffered: the writer never blocks on a caller
}

type inboxResult struct {
	inserted bool
	id       int64
	err      error
}

// errBlocked refuses an activity whose actor or host our admin blocked.
var errBlocked = shrooms.Errorf(shrooms.EFORBIDDEN, "blocked").Keyed("core.error.db_blocked")

// SaveInboxActivity durably stores a verified activity, pending and due
// at its reception time, before the inbox acknowledges it. It reports
// false when an activity with the same IRI was stored before, which the
// caller treats as success. ReceivedAt defaults to now. On insertion it
// sets a.ID, a.State, a.Attempts and a.NextAttemptAt.
//
// Concurrent calls are committed together: one goroutine owns this write
// path, takes a request, adds whatever else is waiting (up to 256) and
// commits them in one transaction, so that one fsync (synchronous=FULL)
// serves the whole batch. If that transaction fails, every caller in the
// batch gets the error. ctx is honoured while waiting for the writer;
// once the writer has the request, the call waits for the outcome.
// Returns EINVALID when the activity or actor IRI or the body is missing,
// EFORBIDDEN "blocked" when the actor or its host is blocked: the check
// runs in the batch's transaction, so it costs the inbox no transaction
// of its own.
func (s *InboxService) SaveInboxActivity(ctx context.Context, a *shrooms.InboxActivity) (bool, error) {
	switch {
	case a.ActivityIRI == "":
		return false, shrooms.Errorf(shrooms.EINVALID, "activity id is required").Keyed("core.error.db_activity_id_required")
	case a.ActorIRI == "":
		return false, shrooms.Errorf(shrooms.EINVALID, "actor is required").Keyed("core.error.db_activity_actor")
	case len(a.Raw) == 0:
		return false, shrooms.Errorf(shrooms.EINVALID, "activity body is empty").Keyed("core.error.db_activity_empty")
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = s.db.now()
	}
	req := inboxRequest{a: a, reply: make(chan inboxResult, 1)}
	select {
	case s.db.inbox <- req:
	case <-ctx.Done():
		return false, ctx.Err()
	case <-s.db.closing:
		return false, ErrClosed
	}
	res := <-req.reply
	if res.err != nil {
		return false, res.err
	}
	if res.inserted {
		a.ID, a.State, a.Attempts, a.NextAttemptAt = res.id, shrooms.InboxPending, 0, a.ReceivedAt
	}
	return res.inserted, nil
}

// runInboxWriter is the group-commit goroutine. The request channel is
// unbuffered, so a request is either taken here (and answered) or its
// sender is still free to give up; Close can never strand one.
func (db *DB) runInboxWriter() {
	defer close(db.inboxDone)
	batch := make([]inboxRequest, 0, maxInboxBatch)
	for {
		select {
		case <-db.closing:
			return
		case req := <-db.inbox:
			batch = append(batch[:0], req)
		}
	drain:
		for len(batch) < maxInboxBatch {
			select {
			case req := <-db.inbox:
				batch = append(batch, req)
			default:
				break drain
			}
		}
		if len(batch) > 1 {
			batch = db.lingerForInbox(batch)
		}
		results, err := db.commitInboxBatch(batch)
		db.inboxBatches.Add(1)
		if n := int64(len(batch)); n > db.inboxMaxBatch.Load() {
			db.inboxMaxBatch.Store(n)
		}
		for i, req := range batch {
			if err != nil {
				req.reply <- inboxResult{err: err}
			} else {
				req.reply <- results[i]
			}
			batch[i] = inboxRequest{} // let the activity be collected
		}
	}
}

// The writer lingers for more activities once it holds more than one:
// concurrent deliveries are arriving, and one commit (one fsync with
// synchronous=FULL) for more of them is cheaper than the wait. It stops as
// soon as none arrives for inboxLingerGap (every caller in flight may
// already be in the batch), and after inboxLinger at most. A lone activity
// is committed at once.
const (
	inboxLinger    = 200 * time.Microsecond
	inboxLingerGap = 100 * time.Microsecond
)

func (db *DB) lingerForInbox(batch []inboxRequest) []inboxRequest {
	deadline := time.Now().Add(inboxLinger)
	gap := time.NewTimer(inboxLingerGap)
	defer gap.Stop()
	for len(batch) < maxInboxBatch && time.Now().Before(deadline) {
		select {
		case req := <-db.inbox:
			batch = append(batch, req)
			gap.Reset(min(inboxLingerGap, time.Until(deadline)))
		case <-gap.C:
			return batch
		case <-db.closing:
			return batch
		}
	}
	return batch
}

// commitInboxBatch inserts a batch in one transaction. Its context is not
// any caller's: one caller giving up must not fail the others.
// insertInboxSQL stores one received activity; a known id is left as is.
const insertInboxSQL = `INSERT INTO inbox_activities (activity_iri, actor_iri, raw, state, attempts,
	next_attempt_at, received_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)
	ON CONFLICT (activity_iri) DO NOTHING`

func (db *DB) commitInboxBatch(batch []inboxRequest) ([]inboxResult, error) {
	ctx := context.Background()
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	stmt := tx.StmtContext(ctx, db.insertIn)
	defer stmt.Close()
	// Most nodes block nobody: one query a batch says so, and only
	// otherwise is each actor checked, once a batch.
	var anyBlock bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM blocked_hosts)
		OR EXISTS (SELECT 1 FROM partners WHERE blocked = 1)`).Scan(&anyBlock); err != nil {
		return nil, fmt.Errorf("save inbox: check blocks: %w", err)
	}
	refused := map[string]bool{}
	blocked := tx.StmtContext(ctx, db.blockedIn)
	defer blocked.Close()
	results := make([]inboxResult, len(batch))
	for i, req := range batch {
		a := req.a
		if anyBlock {
			no, seen := refused[a.ActorIRI]
			if !seen {
				if err := blocked.QueryRowContext(ctx, shrooms.HostOf(a.ActorIRI), a.ActorIRI).Scan(&no); err != nil {
					return nil, fmt.Errorf("save inbox: check block: %w", err)
				}
				refused[a.ActorIRI] = no
			}
			if no {
				results[i].err = errBlocked
				continue
			}
		}
		at := a.ReceivedAt.UnixMilli()
		res, err := stmt.ExecContext(ctx, a.ActivityIRI, a.ActorIRI, a.Raw, at, at)
		if err != nil {
			return nil, dbError(err, nil)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, fmt.Errorf("save inbox: %w", err)
		}
		if n == 1 {
			results[i].inserted = true
			if results[i].id, err = res.LastInsertId(); err != nil {
				return nil, fmt.Errorf("save inbox: %w", err)
			}
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return results, nil
}

const inboxColumns = `id, activity_iri, actor_iri, raw, state, attempts, next_attempt_at, note, received_at, processed_at`

func scanInbox(s scanner) (*shrooms.InboxActivity, error) {
	var a shrooms.InboxActivity
	var state string
	var next, received, processed sql.NullInt64
	if err := s.Scan(&a.ID, &a.ActivityIRI, &a.ActorIRI, &a.Raw, &state, &a.Attempts, &next, &a.Note,
		&received, &processed); err != nil {
		return nil, err
	}
	a.State = shrooms.InboxState(state)
	a.NextAttemptAt, a.ReceivedAt, a.ProcessedAt = fromMS(next), fromMS(received), fromMS(processed)
	return &a, nil
}

func queryInbox(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]*shrooms.InboxActivity, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+inboxColumns+` FROM inbox_activities`+query, args...)
	if err != nil {
		return nil, fmt.Errorf("find inbox: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.InboxActivity
	for rows.Next() {
		a, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("find inbox: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find inbox: %w", err)
	}
	return out, nil
}

// ClaimInboxActivities leases up to limit pending activities due at now
// that no worker holds, oldest received first, until now+lease.
func (s *InboxService) ClaimInboxActivities(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*shrooms.InboxActivity, error) {
	_, limit = page(0, limit)
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out, err := queryInbox(ctx, tx, ` WHERE state = 'pending' AND next_attempt_at <= ?
		AND (locked_until IS NULL OR locked_until <= ?) ORDER BY received_at, id LIMIT ?`,
		now.UnixMilli(), now.UnixMilli(), limit)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	ids := make([]int64, len(out))
	for i, a := range out {
		ids[i] = a.ID
	}
	if err := leaseRows(ctx, tx, "inbox_activities", ids, now.Add(lease)); err != nil {
		return nil, fmt.Errorf("claim inbox: %w", err)
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return out, nil
}

// updateInbox runs an UPDATE of one activity, ENOTFOUND when it is gone.
func (db *DB) updateInbox(ctx context.Context, id int64, query string, args ...any) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, query, append(args, id)...)
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update inbox: %w", err)
	} else if n == 0 {
		return notFound("inbox activity %d not found", id).Keyed("admin.error.db_inbox_not_found", "ID", id)
	}
	return commit(tx)
}

// MarkInboxDone records that an activity was handled (applied, ignored
// or refused; note says how) and frees its lease. Returns ENOTFOUND.
func (s *InboxService) MarkInboxDone(ctx context.Context, id int64, now time.Time, note string) error {
	return s.db.updateInbox(ctx, id, `UPDATE inbox_activities SET state = 'done', processed_at = ?, note = ?,
		locked_until = NULL WHERE id = ?`, now.UnixMilli(), note)
}

// MarkInboxDoneMany records several handled activities in one
// transaction. Returns EINVALID for mismatched lengths, ENOTFOUND when an
// ID is unknown (nothing is recorded then).
func (s *InboxService) MarkInboxDoneMany(ctx context.Context, ids []int64, notes []string, now time.Time) error {
	if len(ids) != len(notes) {
		return shrooms.Errorf(shrooms.EINVALID, "%d notes for %d activities", len(notes), len(ids))
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `UPDATE inbox_activities SET state = 'done', processed_at = ?, note = ?,
		locked_until = NULL WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("mark inbox done: %w", err)
	}
	defer st.Close()
	for i, id := range ids {
		res, err := st.ExecContext(ctx, now.UnixMilli(), notes[i], id)
		if err != nil {
			return dbError(err, nil)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("mark inbox done: %w", err)
		} else if n == 0 {
			return notFound("inbox activity %d not found", id).Keyed("admin.error.db_inbox_not_found", "ID", id)
		}
	}
	return commit(tx)
}

// MarkInboxFailed records a processing failure: one more attempt, retried
// at next, or failed for good when dead is true. Returns ENOTFOUND.
func (s *InboxService) MarkInboxFailed(ctx context.Context, id int64, now time.Time, errMsg string, next time.Time, dead bool) error {
	state := shrooms.InboxPending
	processed := any(nil)
	if dead {
		state, processed = shrooms.InboxFailed, now.UnixMilli()
	}
	return s.db.updateInbox(ctx, id, `UPDATE inbox_activities SET attempts = attempts + 1, note = ?, next_attempt_at = ?,
		state = ?, processed_at = ?, locked_until = NULL WHERE id = ?`,
		errMsg, next.UnixMilli(), string(state), processed)
}

// ReleaseInboxLeases frees every lease; called at start-up.
func (s *InboxService) ReleaseInboxLeases(ctx context.Context) error {
	return s.db.execWrite(ctx, `UPDATE inbox_activities SET locked_until = NULL WHERE locked_until IS NOT NULL`)
}

// FindInboxActivities returns matching activities, newest first, and the
// total count ignoring Offset and Limit.
func (s *InboxService) FindInboxActivities(ctx context.Context, filter shrooms.InboxFilter) ([]*shrooms.InboxActivity, int, error) {
	offset, limit := page(filter.Offset, filter.Limit)
	var conds []string
	var args []any
	switch filter.State {
	case "":
	case shrooms.InboxPending, shrooms.InboxDone, shrooms.InboxFailed:
		// A literal, so that SQLite can use the partial indexes by state.
		conds = append(conds, "state = '"+string(filter.State)+"'")
	default:
		return nil, 0, shrooms.Errorf(shrooms.EINVALID, "unknown inbox state %q", filter.State).Keyed("admin.error.db_inbox_state", "State", filter.State).On("state").
			Keyed("admin.error.db_inbox_state", "State", filter.State).On("state")
	}
	if filter.ActivityIRI != "" {
		conds, args = append(conds, "activity_iri = ?"), append(args, filter.ActivityIRI)
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_activities`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count inbox: %w", err)
	}
	out, err := queryInbox(ctx, tx, where(conds)+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// InboxBatchStats reports how many group commits SaveInboxActivity has
// made since Open and the largest batch, for benchmarks and metrics.
func (s *InboxService) InboxBatchStats() (batches, largest int64) {
	return s.db.inboxBatches.Load(), s.db.inboxMaxBatch.Load()
}

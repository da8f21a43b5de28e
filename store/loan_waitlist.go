package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

const waitColumns = `id, item_id, COALESCE(borrower_user_id, 0), borrower_actor_iri, borrower_name, borrower_org_iri,
	borrower_org_name, state, pickup_by, created_at, updated_at`

func queryWaiting(ctx context.Context, tx *sql.Tx, rest string, args ...any) ([]*shrooms.WaitEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+waitColumns+` FROM waitlist `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("waiting list: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.WaitEntry
	for rows.Next() {
		var w shrooms.WaitEntry
		var pickup string
		var created, updated sql.NullInt64
		if err := rows.Scan(&w.ID, &w.ItemID, &w.Borrower.UserID, &w.Borrower.ActorIRI, &w.Borrower.Name,
			&w.Borrower.OrgIRI, &w.Borrower.OrgName, &w.State, &pickup, &created, &updated); err != nil {
			return nil, fmt.Errorf("waiting list: %w", err)
		}
		if err := w.PickupBy.UnmarshalText([]byte(pickup)); err != nil {
			return nil, fmt.Errorf("waiting list %d: bad day %q", w.ID, pickup)
		}
		w.CreatedAt, w.UpdatedAt = fromMS(created), fromMS(updated)
		out = append(out, &w)
	}
	return out, rows.Err()
}

// activeWaiting counts the places in line for item.
func activeWaiting(ctx context.Context, tx *sql.Tx, itemID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM waitlist WHERE item_id = ? AND state IN ('waiting', 'offered')`,
		itemID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("waiting list: %w", err)
	}
	return n, nil
}

// sameBorrower reports whether a place in line is l's borrower's.
func sameBorrower(w *shrooms.WaitEntry, b shrooms.Borrower) bool {
	if b.Remote() {
		return w.Borrower.UserID == 0 && w.Borrower.ActorIRI == b.ActorIRI
	}
	return w.Borrower.UserID == b.UserID
}

// heldForOthers returns ECONFLICT when l's item is offered to someone in
// line who is not l's borrower: it waits on the shelf for them.
func heldForOthers(ctx context.Context, tx *sql.Tx, l *shrooms.Loan) error {
	offered, err := queryWaiting(ctx, tx, `WHERE item_id = ? AND state = 'offered'`, l.ItemID)
	if err != nil {
		return err
	}
	for _, w := range offered {
		if !sameBorrower(w, l.Borrower) {
			return shrooms.Errorf(shrooms.ECONFLICT, "the item is held for the next one on the waiting list until %s", w.PickupBy).
				Keyed("loans.error.held", "Day", w.PickupBy.String())
		}
	}
	return nil
}

// fulfilWaiting closes the borrower's place in line for l's item: they
// have it now.
func fulfilWaiting(ctx context.Context, tx *sql.Tx, now time.Time, l *shrooms.Loan) error {
	places, err := queryWaiting(ctx, tx, `WHERE item_id = ? AND state IN ('waiting', 'offered')`, l.ItemID)
	if err != nil {
		return err
	}
	for _, w := range places {
		if sameBorrower(w, l.Borrower) {
			return setWaitState(ctx, tx, now, w, shrooms.WaitFulfil, "")
		}
	}
	return nil
}

func setWaitState(ctx context.Context, tx *sql.Tx, now time.Time, w *shrooms.WaitEntry, a shrooms.WaitAction, pickupBy string) error {
	to, err := shrooms.NextWaitState(w.State, a)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET state = ?, pickup_by = ?, updated_at = ? WHERE id = ?`,
		to, pickupBy, now.UnixMilli(), w.ID); err != nil {
		return dbError(err, nil)
	}
	w.State = to
	return w.PickupBy.UnmarshalText([]byte(pickupBy))
}

// offerNext offers item, back on the shelf, to the first one waiting,
// unless someone already holds the offer or a loan's days start before
// the pickup deadline would end. Returns the place offered, or nil.
func offerNext(ctx context.Context, tx *sql.Tx, now time.Time, itemID int64, r *shrooms.LendingRules, today shrooms.Date) (*shrooms.WaitEntry, error) {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM items WHERE id = ?`, itemID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("offer: %w", err)
	}
	if shrooms.ItemStatus(status) != shrooms.StatusAvailable {
		return nil, nil // the notice waits for the item to be physically back
	}
	line, err := queryWaiting(ctx, tx, `WHERE item_id = ? AND state IN ('waiting', 'offered') ORDER BY id`, itemID)
	if err != nil || len(line) == 0 || line[0].State == shrooms.WaitOffered {
		return nil, err
	}
	deadline := r.OfferDeadline(today)
	var soon int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loans WHERE item_id = ?
		AND state IN ('pending', 'approved', 'checked_out') AND start_day <= ?`, itemID, deadline.String()).Scan(&soon); err != nil {
		return nil, fmt.Errorf("offer: %w", err)
	}
	if soon > 0 {
		return nil, nil // a reservation comes first; the line waits for the next return
	}
	w := line[0]
	if err := setWaitState(ctx, tx, now, w, shrooms.WaitOffer, deadline.String()); err != nil {
		return nil, err
	}
	if w.Borrower.UserID != 0 {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM items WHERE id = ?`, itemID).Scan(&name); err != nil {
			return nil, fmt.Errorf("offer: %w", err)
		}
		if err := notify(ctx, tx, now, w.Borrower.UserID, notice{kind: shrooms.NotifyWaitlistOffered, itemID: itemID,
			itemName: name, params: map[string]string{"PickupBy": deadline.String()}}); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// JoinWaitlist puts the caller in line for an item lent to members.
// Returns ECONFLICT when they are in line already, as FindItemByID for an
// item they may not read, EFORBIDDEN for one not lent to them.
func (s *LoanService) JoinWaitlist(ctx context.Context, itemID int64) (*shrooms.WaitEntry, error) {
	tx, c, err := s.db.loanTx(ctx, true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b, err := c.borrower()
	if err != nil {
		return nil, err
	}
	_, item, err := s.db.readableItem(ctx, tx, itemID)
	if err != nil {
		return nil, err
	}
	if err := shrooms.ItemLends(item, false); err != nil {
		return nil, err
	}
	line, err := queryWaiting(ctx, tx, `WHERE item_id = ? AND state IN ('waiting', 'offered') ORDER BY id`, itemID)
	if err != nil {
		return nil, err
	}
	for _, w := range line {
		if sameBorrower(w, b) {
			return nil, shrooms.Errorf(shrooms.ECONFLICT, "you are already on the waiting list").Keyed("loans.error.in_line")
		}
	}
	now := s.db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO waitlist (item_id, borrower_user_id, borrower_name, state,
		created_at, updated_at) VALUES (?, ?, ?, 'waiting', ?, ?)`, itemID, b.UserID, b.Name, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return nil, dbError(err, nil)
	}
	w := &shrooms.WaitEntry{ItemID: itemID, ItemName: item.Name, Borrower: b, State: shrooms.WaitWaiting,
		Position: len(line) + 1, CreatedAt: now, UpdatedAt: now}
	if w.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	// Alone in line with the item on the shelf: it is theirs to pick up.
	if _, err := offerNext(ctx, tx, now, itemID, r, r.Today(now)); err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return w, nil
}

// LeaveWaitlist cancels a place in line, the caller's own or any for the
// desk; an offer given up goes to the next one. Returns ENOTFOUND.
func (s *LoanService) LeaveWaitlist(ctx context.Context, entryID int64) error {
	tx, c, err := s.db.loanTx(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ws, err := queryWaiting(ctx, tx, `WHERE id = ? AND state IN ('waiting', 'offered')`, entryID)
	if err != nil {
		return err
	}
	if len(ws) == 0 || !c.desk() && (c.p.User == nil || ws[0].Borrower.UserID != c.p.User.ID) {
		return shrooms.Errorf(shrooms.ENOTFOUND, "no such place on a waiting list").Keyed("loans.error.wait_not_found")
	}
	now := s.db.now()
	if err := setWaitState(ctx, tx, now, ws[0], shrooms.WaitCancel, ""); err != nil {
		return err
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := offerNext(ctx, tx, now, ws[0].ItemID, r, r.Today(now)); err != nil {
		return err
	}
	return commit(tx)
}

// FindWaitlist lists an item's line in order (the desk sees everyone,
// others their own place), or with itemID 0 the caller's places.
func (s *LoanService) FindWaitlist(ctx context.Context, itemID int64) ([]*shrooms.WaitEntry, error) {
	tx, c, err := s.db.loanTx(ctx, false)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if itemID == 0 && c.p.User == nil {
		return nil, shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("loans.error.login_first")
	}
	cond, args := `w.item_id = ?`, []any{itemID}
	if itemID == 0 {
		cond, args = `w.borrower_user_id = ?`, []any{c.p.User.ID}
	}
	line, err := queryWaiting(ctx, tx, `AS w WHERE `+cond+` AND w.state IN ('waiting', 'offered') ORDER BY w.item_id, w.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []*shrooms.WaitEntry
	pos := map[int64]int{}
	for _, w := range line {
		pos[w.ItemID]++
		w.Position = pos[w.ItemID]
		if itemID == 0 {
			// The caller's places: their position in each item's line.
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM waitlist WHERE item_id = ? AND id <= ?
				AND state IN ('waiting', 'offered')`, w.ItemID, w.ID).Scan(&w.Position); err != nil {
				return nil, fmt.Errorf("waiting list: %w", err)
			}
		}
		if itemID != 0 && !c.desk() && (c.p.User == nil || w.Borrower.UserID != c.p.User.ID) {
			continue
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM items WHERE id = ?`, w.ItemID).Scan(&w.ItemName); err != nil {
			return nil, fmt.Errorf("waiting list: %w", err)
		}
		out = append(out, w)
	}
	return out, nil
}

// FindWaitlists lists every item's line, item by item and in order, for
// the desk (EFORBIDDEN otherwise): the desk's "waiting lists", whatever
// state the items are in.
func (s *LoanService) FindWaitlists(ctx context.Context) ([]*shrooms.WaitEntry, error) {
	tx, c, err := s.db.loanTx(ctx, false)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if !c.desk() {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "only the lending desk sees every waiting list").
			Keyed("loans.error.desk_only", "Action", "waitlists")
	}
	line, err := queryWaiting(ctx, tx, `WHERE state IN ('waiting', 'offered') ORDER BY item_id, id LIMIT 1000`)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	pos := map[int64]int{}
	for _, w := range line {
		pos[w.ItemID]++
		w.Position = pos[w.ItemID]
		name, ok := names[w.ItemID]
		if !ok {
			if err := tx.QueryRowContext(ctx, `SELECT name FROM items WHERE id = ?`, w.ItemID).Scan(&name); err != nil {
				return nil, fmt.Errorf("waiting lists: %w", err)
			}
			names[w.ItemID] = name
		}
		w.ItemName = name
	}
	return line, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// ActOnLoan applies action to a loan of this node: the desk approves,
// rejects, checks out and in, writes off and expires; the borrower (or
// the desk) cancels and renews. Checking out marks the item (a kit with
// its contents) on loan and takes the deposit; checking in puts it back
// (or in repair) and offers it to the first one waiting. Returns
// ENOTFOUND, EFORBIDDEN, ECONFLICT (not possible in its state, item not
// on the shelf, days taken, renewal refused), EINVALID.
func (s *LoanService) ActOnLoan(ctx context.Context, id int64, action shrooms.LoanAction, ch shrooms.LoanChange) (*shrooms.Loan, error) {
	ch.Reason, ch.Note = strings.TrimSpace(ch.Reason), strings.TrimSpace(ch.Note)
	if len(ch.Reason) > 2000 || len(ch.Note) > 2000 {
		return nil, shrooms.Errorf(shrooms.EINVALID, "reason: must be at most 2000 characters").
			Keyed("loans.error.message_long", "Max", 2000).On("reason")
	}
	tx, c, err := s.db.loanTx(ctx, true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := loadLoan(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := c.p.CanActOnLoan(c.grants, l, action); err != nil {
		return nil, err
	}
	if _, err := shrooms.NextLoanState(l.State, action); err != nil {
		return nil, err
	}
	if l.Mirror {
		// A partner's loan: its borrower may ask the lender to cancel it;
		// the lender's Update will say what became of it.
		if action != shrooms.LoanCancel {
			return nil, shrooms.Errorf(shrooms.ECONFLICT, "this loan is kept by the lending organisation").Keyed("loans.error.mirror")
		}
		if err := s.db.cancelMirror(ctx, tx, c.p, l); err != nil {
			return nil, err
		}
		return l, commit(tx)
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	today := r.Today(s.db.now())
	switch action {
	case shrooms.LoanCheckOut:
		err = s.db.checkOut(ctx, tx, c.p, l, r, today, ch)
	case shrooms.LoanCheckIn:
		err = s.db.checkIn(ctx, tx, c.p, l, ch)
	case shrooms.LoanRenew:
		err = s.db.renew(ctx, tx, l, r, today)
	case shrooms.LoanWriteOff:
		err = s.db.setItemStatus(ctx, tx, c.p, l.ItemID, shrooms.StatusRetired, "", ch.Note)
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.moveLoan(ctx, tx, c.p, l, action, ch.Reason); err != nil {
		return nil, err
	}
	if kind, ok := loanNotices[action]; ok {
		if err := notifyLoan(ctx, tx, s.db.now(), l, kind, map[string]string{"Reason": ch.Reason}); err != nil {
			return nil, err
		}
	}
	if action == shrooms.LoanCheckIn || action == shrooms.LoanCancel {
		// Back on the shelf, or days given up: the first one waiting
		// may have it (offerNext checks it is physically there).
		if _, err := offerNext(ctx, tx, s.db.now(), l.ItemID, r, today); err != nil {
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	l.IsOverdue = l.Overdue(today)
	return l, nil
}

// loanNotices are the desk's actions its borrower hears about, in the
// transaction of the action.
var loanNotices = map[shrooms.LoanAction]shrooms.NotificationKind{
	shrooms.LoanApprove: shrooms.NotifyLoanApproved,
	shrooms.LoanReject:  shrooms.NotifyLoanRejected,
	shrooms.LoanCheckIn: shrooms.NotifyLoanReturned,
}

// moveLoan applies action to l: its new state, the fields the action
// changed on l, one more version, and the event.
func (db *DB) moveLoan(ctx context.Context, tx *sql.Tx, p shrooms.Principal, l *shrooms.Loan, a shrooms.LoanAction, reason string) error {
	to, err := shrooms.NextLoanState(l.State, a)
	if err != nil {
		return err
	}
	from := l.State
	l.State, l.Version, l.UpdatedAt = to, l.Version+1, db.now()
	if reason != "" {
		l.Reason = reason
	}
	res, err := tx.ExecContext(ctx, `UPDATE loans SET state = ?, reason = ?, start_day = ?, due_day = ?, renewals = ?,
		deposit_cents = ?, deposit_back = ?, checked_out_at = ?, returned_at = ?, version = ?, updated_at = ?
		WHERE id = ? AND version = ?`, l.State, l.Reason, l.Start.String(), l.Due.String(), l.Renewals, l.DepositCents,
		l.DepositBack, nullMS(l.CheckedOutAt), nullMS(l.ReturnedAt), l.Version, l.UpdatedAt.UnixMilli(), l.ID, l.Version-1)
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("move loan: %w", err)
	} else if n != 1 {
		return shrooms.Errorf(shrooms.ECONFLICT, "the loan was changed meanwhile; reload and try again").Keyed("loans.error.stale")
	}
	if err := db.loanEvent(ctx, tx, p, l, a, from, to, reason); err != nil {
		return err
	}
	return db.federateLoan(ctx, tx, l, a, from)
}

// checkOut hands l's item out on day today: it must be on the shelf and
// the borrower within their limits. A loan picked up before its first day
// starts today, if those days are free too; its due day is the rules'.
func (db *DB) checkOut(ctx context.Context, tx *sql.Tx, p shrooms.Principal, l *shrooms.Loan,
	r *shrooms.LendingRules, today shrooms.Date, ch shrooms.LoanChange) error {
	item, err := db.loadItem(ctx, tx, l.ItemID)
	if err != nil {
		return err
	}
	standing, err := borrowerStanding(ctx, tx, l.Borrower, today)
	if err != nil {
		return err
	}
	if err := r.CheckCheckOut(item, standing); err != nil {
		return err
	}
	if err := heldForOthers(ctx, tx, l); err != nil {
		return err
	}
	if today.Before(l.Start) {
		l.Start = today
		if err := db.checkDaysFree(ctx, tx, l, r); err != nil {
			return err
		}
	}
	l.Due = r.DueAtCheckOut(l, today)
	if l.Due.After(l.End) {
		if err := db.checkDaysFree(ctx, tx, l, r); err != nil {
			return err
		}
	}
	l.DepositCents = item.Loan.DepositCents
	if ch.DepositCents != nil {
		if *ch.DepositCents < 0 || *ch.DepositCents > shrooms.MaxMoneyCents {
			return shrooms.Errorf(shrooms.EINVALID, "deposit: out of range").Keyed("loans.error.deposit_range").On("deposit")
		}
		l.DepositCents = *ch.DepositCents
	}
	l.CheckedOutAt = db.now()
	if err := fulfilWaiting(ctx, tx, db.now(), l); err != nil {
		return err
	}
	return db.setItemStatus(ctx, tx, p, l.ItemID, shrooms.StatusOnLoan, ch.Condition, ch.Note)
}

// checkIn takes l's item back: on the shelf, or in repair when damage
// was found; the deposit returned when the desk says so.
func (db *DB) checkIn(ctx context.Context, tx *sql.Tx, p shrooms.Principal, l *shrooms.Loan, ch shrooms.LoanChange) error {
	l.ReturnedAt, l.DepositBack = db.now(), ch.DepositBack
	status := shrooms.StatusAvailable
	if ch.ToRepair {
		status = shrooms.StatusInRepair
	}
	if err := db.setItemStatus(ctx, tx, p, l.ItemID, status, ch.Condition, ch.Note); err != nil {
		return err
	}
	return nil
}

// renew pushes l's due day, refused while someone waits for the item or
// holds days the renewal would take.
func (db *DB) renew(ctx context.Context, tx *sql.Tx, l *shrooms.Loan, r *shrooms.LendingRules, today shrooms.Date) error {
	item, err := db.loadItem(ctx, tx, l.ItemID)
	if err != nil {
		return err
	}
	waiting, err := activeWaiting(ctx, tx, l.ItemID)
	if err != nil {
		return err
	}
	due, err := r.Renew(l, item, waiting > 0, today)
	if err != nil {
		return err
	}
	extended := *l
	extended.Due = due
	if db.checkDaysFree(ctx, tx, &extended, r) != nil {
		_, err := r.Renew(l, item, true, today) // someone holds those days
		return err
	}
	l.Due, l.Renewals = due, l.Renewals+1
	return nil
}

// setItemStatus moves item id (a kit with its contents) to status, with
// the condition noted when given, and records it in the item's history
// as a check-out, check-in or update; a federated item's partners get
// the Update.
func (db *DB) setItemStatus(ctx context.Context, tx *sql.Tx, p shrooms.Principal, id int64,
	status shrooms.ItemStatus, cond shrooms.Condition, note string) error {
	ids := []int64{id}
	contents, err := queryColumn[int64](ctx, tx, "kit contents", `SELECT id FROM items WHERE kit_id = ? AND status != ?`,
		id, shrooms.StatusRetired)
	if err != nil {
		return err
	}
	if status != shrooms.StatusRetired {
		ids = append(ids, contents...)
	}
	for k, itemID := range ids {
		before, err := db.loadItem(ctx, tx, itemID)
		if err != nil {
			return err
		}
		u := shrooms.ItemUpdate{Status: &status}
		if cond != "" && k == 0 {
			u.Condition = &cond
		}
		after, action, err := before.Apply(u)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET status = ?, condition = ?, version = version + 1,
			updated_at = ? WHERE id = ?`, after.Status, after.Condition, db.now().UnixMilli(), itemID); err != nil {
			return dbError(err, nil)
		}
		after, err = db.loadItem(ctx, tx, itemID)
		if err != nil {
			return err
		}
		changes := diffItems(before, after)
		if len(changes) == 0 {
			continue
		}
		if err := db.recordChange(ctx, tx, p, itemID, action, changes, note); err != nil {
			return err
		}
		if err := db.federateItem(ctx, tx, before, after); err != nil {
			return err
		}
	}
	return nil
}

// nullMS stores an optional time as unix milliseconds, NULL when zero.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

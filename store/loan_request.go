package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// RequestLoan records the caller's request for an item's days, inside the
// write transaction that checks them free: approved at once when the rules
// auto-approve, pending otherwise. Returns EINVALID naming the field,
// EFORBIDDEN (item not lent to members, borrower blocked), ENOTFOUND (an
// item the caller may not read), ECONFLICT (days taken, limits reached),
// EUNAUTHORIZED.
func (s *LoanService) RequestLoan(ctx context.Context, req shrooms.LoanRequest) (*shrooms.Loan, error) {
	req.Message = strings.TrimSpace(req.Message)
	tx, c, err := s.db.loanTx(ctx, true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b, err := c.borrower()
	if err != nil {
		return nil, err
	}
	_, item, err := s.db.readableItem(ctx, tx, req.ItemID)
	if err != nil {
		return nil, err
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	today := r.Today(s.db.now())
	standing, err := borrowerStanding(ctx, tx, b, today)
	if err != nil {
		return nil, err
	}
	if err := r.CheckRequest(req, item, standing, false, today); err != nil {
		return nil, err
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	l := &shrooms.Loan{IRI: s.db.iris.NewLoan(), ItemID: item.ID, ItemIRI: item.IRI, ItemName: item.Name,
		LenderIRI: org.IRI, LenderName: org.Name, Borrower: b, State: shrooms.LoanPending, Start: req.Start, End: req.End, Due: req.End, Message: req.Message}
	if err := s.db.checkDaysFree(ctx, tx, l, r); err != nil {
		return nil, err
	}
	if err := s.db.insertLoan(ctx, tx, l); err != nil {
		return nil, err
	}
	if err := s.db.loanEvent(ctx, tx, c.p, l, shrooms.LoanSubmit, "", shrooms.LoanPending, ""); err != nil {
		return nil, err
	}
	if r.AutoApprove {
		if err := s.db.moveLoan(ctx, tx, shrooms.Principal{System: true}, l, shrooms.LoanApprove, ""); err != nil {
			return nil, err
		}
		err = notifyLoan(ctx, tx, s.db.now(), l, shrooms.NotifyLoanApproved, nil)
	} else {
		err = notifyDesk(ctx, tx, s.db.now(), l, shrooms.NotifyLoanRequested)
	}
	if err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return l, nil
}

// borrowerStanding counts a borrower's loans out, requests holding dates
// and whether a loan of theirs is overdue on day today.
func borrowerStanding(ctx context.Context, tx *sql.Tx, b shrooms.Borrower, today shrooms.Date) (shrooms.BorrowerStanding, error) {
	cond, arg := `borrower_user_id = ?`, any(b.UserID)
	if b.Remote() {
		cond, arg = `borrower_user_id IS NULL AND borrower_actor_iri = ?`, b.ActorIRI
	}
	var st shrooms.BorrowerStanding
	var overdue int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(state = 'checked_out'), 0),
		COALESCE(SUM(state IN ('pending', 'approved')), 0),
		COALESCE(SUM(state = 'checked_out' AND due_day < ?), 0)
		FROM loans WHERE mirror = 0 AND `+cond, today.String(), arg).Scan(&st.Loans, &st.Requests, &overdue)
	if err != nil {
		return st, fmt.Errorf("borrower standing: %w", err)
	}
	st.Overdue = overdue > 0
	return st, nil
}

// checkDaysFree returns ECONFLICT when another loan of l's item holding
// its dates overlaps l's days, the buffer counted after each. It reads in
// the write transaction, so no request recorded meanwhile can slip by.
func (db *DB) checkDaysFree(ctx context.Context, tx *sql.Tx, l *shrooms.Loan, r *shrooms.LendingRules) error {
	others, err := holdingLoans(ctx, tx, l.ItemID, l.ID, l.Start, l.End, r)
	if err != nil {
		return err
	}
	for _, o := range others {
		if shrooms.Conflicts(l, o, r.Buffer(), r.Location()) {
			return shrooms.Errorf(shrooms.ECONFLICT, "the item is taken from %s to %s", o.Start, maxDate(o.End, o.Due)).
				Keyed("loans.error.days_taken", "Start", o.Start.String(), "End", maxDate(o.End, o.Due).String()).On("start")
		}
	}
	return nil
}

// holdingLoans returns the loans of item other than except that hold dates
// near start..end: close enough that the buffer could make them overlap.
func holdingLoans(ctx context.Context, tx *sql.Tx, itemID, except int64, start, end shrooms.Date, r *shrooms.LendingRules) ([]*shrooms.Loan, error) {
	margin := r.BufferHours/24 + 2
	return queryLoans(ctx, tx, `WHERE item_id = ? AND id != ? AND state IN ('pending', 'approved', 'checked_out')
		AND start_day <= ? AND MAX(end_day, due_day) >= ? ORDER BY start_day`,
		itemID, except, end.AddDays(margin).String(), start.AddDays(-margin).String())
}

func maxDate(a, b shrooms.Date) shrooms.Date {
	if b.After(a) {
		return b
	}
	return a
}

// insertLoan stores a new loan, setting its ID, version and times.
func (db *DB) insertLoan(ctx context.Context, tx *sql.Tx, l *shrooms.Loan) error {
	now := db.now()
	if l.Version == 0 && !l.Mirror {
		l.Version = 1
	}
	l.CreatedAt, l.UpdatedAt = now, now
	res, err := tx.ExecContext(ctx, `INSERT INTO loans (iri, item_id, item_iri, item_name, lender_iri, lender_name,
		borrower_user_id, borrower_actor_iri, borrower_name, borrower_org_iri, borrower_org_name, mirror, state,
		start_day, end_day, due_day, message, reason, offer_iri, renewals, deposit_cents, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.IRI, nullID(l.ItemID), l.ItemIRI, l.ItemName, l.LenderIRI, l.LenderName, nullID(l.Borrower.UserID),
		l.Borrower.ActorIRI, l.Borrower.Name, l.Borrower.OrgIRI, l.Borrower.OrgName, l.Mirror, l.State,
		l.Start.String(), l.End.String(), l.Due.String(), l.Message, l.Reason, l.OfferIRI, l.Renewals, l.DepositCents, l.Version,
		now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return dbError(err, nil)
	}
	l.ID, err = res.LastInsertId()
	return err
}

// loanEvent records a transition of l by p.
func (db *DB) loanEvent(ctx context.Context, tx *sql.Tx, p shrooms.Principal, l *shrooms.Loan,
	a shrooms.LoanAction, from, to shrooms.LoanState, reason string) error {
	var userID any
	name, iri := "", p.Remote
	if p.User != nil && p.User.ID != 0 {
		userID, name = p.User.ID, displayName(p.User.Name, p.User.Username)
	}
	switch {
	case p.Remote != "" && l.Borrower.ActorIRI == p.Remote:
		name = l.Borrower.Name
	case p.Remote != "" && l.LenderIRI == p.Remote:
		name = l.LenderName
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO loan_events (loan_id, action, from_state, to_state, user_id, actor_iri,
		actor_name, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, a, from, to, userID, iri, name, reason, db.now().UnixMilli())
	return dbError(err, nil)
}

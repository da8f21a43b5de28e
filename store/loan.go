package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// loansModule is the module lending belongs to.
const loansModule = "loans"

// settingLendingRules holds the organisation's LendingRules as JSON.
const settingLendingRules = "lending_rules"

// LoanService is lending over SQLite: loans, their events, the waiting
// lists and the lending rules. Double booking is decided inside the write
// transaction that records a request: the database has one writer, so
// two requests for the same days are checked one after the other.
type LoanService struct{ db *DB }

// NewLoanService returns the loan service over db.
func NewLoanService(db *DB) *LoanService { return &LoanService{db: db} }

// loanCaller is who acts on loans, with the grants the rules need.
type loanCaller struct {
	p      shrooms.Principal
	grants []shrooms.Grant
}

// loanCallerOf resolves the caller of ctx. The loans module being off is
// ENOTFOUND to everyone but the system.
func loanCallerOf(ctx context.Context, tx *sql.Tx) (loanCaller, error) {
	p, err := principal(ctx, tx)
	if err != nil {
		return loanCaller{}, err
	}
	c := loanCaller{p: p}
	if p.System {
		return c, nil
	}
	on, err := moduleOn(ctx, tx, loansModule)
	if err != nil {
		return c, err
	}
	if !on {
		return c, notFound("module %s is off", loansModule)
	}
	c.grants, err = findGrants(ctx, tx)
	return c, err
}

// loanTx opens a write or read transaction and resolves its caller;
// when it fails, nothing is left open.
func (db *DB) loanTx(ctx context.Context, write bool) (*sql.Tx, loanCaller, error) {
	begin := db.beginRead
	if write {
		begin = db.beginWrite
	}
	tx, err := begin(ctx)
	if err != nil {
		return nil, loanCaller{}, err
	}
	c, err := loanCallerOf(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, c, err
	}
	return tx, c, nil
}

// desk reports whether the caller works the lending desk.
func (c loanCaller) desk() bool { return c.p.LoanDesk(c.grants) }

// borrower returns the caller as a local borrower, or EUNAUTHORIZED /
// EFORBIDDEN when they may not borrow (not logged in, no loans grant).
func (c loanCaller) borrower() (shrooms.Borrower, error) {
	if c.p.User == nil || !c.p.User.Active() {
		return shrooms.Borrower{}, shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("loans.error.login_first")
	}
	if err := c.p.CanModule(c.grants, loansModule, shrooms.AccessRead); err != nil {
		return shrooms.Borrower{}, err
	}
	return shrooms.Borrower{UserID: c.p.User.ID, Name: displayName(c.p.User.Name, c.p.User.Username)}, nil
}

// lendingRules reads the organisation's rules; a node that never set them
// has the defaults.
func lendingRules(ctx context.Context, tx *sql.Tx) (*shrooms.LendingRules, error) {
	r := shrooms.DefaultLendingRules()
	var raw string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingLendingRules).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return &r, nil
	} else if err != nil {
		return nil, fmt.Errorf("read lending rules: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, fmt.Errorf("read lending rules: %w", err)
	}
	return &r, nil
}

// FindLendingRules returns the lending rules to anyone who may borrow or
// lend. Returns ENOTFOUND when the module is off.
func (s *LoanService) FindLendingRules(ctx context.Context) (*shrooms.LendingRules, error) {
	tx, _, err := s.db.loanTx(ctx, false)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return lendingRules(ctx, tx)
}

// UpdateLendingRules validates and stores the rules, for admins. Returns
// EINVALID naming the field, EFORBIDDEN, EUNAUTHORIZED.
func (s *LoanService) UpdateLendingRules(ctx context.Context, r shrooms.LendingRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("lending rules: %w", err)
	}
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingLendingRules, string(raw)); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

const loanColumns = `id, iri, COALESCE(item_id, 0), item_iri, item_name, lender_iri, lender_name,
	COALESCE(borrower_user_id, 0), borrower_actor_iri, borrower_name, borrower_org_iri, borrower_org_name, mirror,
	state, start_day, end_day, due_day, message, reason, offer_iri, renewals, deposit_cents, deposit_back, checked_out_at, returned_at,
	version, created_at, updated_at`

func scanLoan(sc scanner) (*shrooms.Loan, error) {
	var l shrooms.Loan
	var start, end, due string
	var out, back, created, updated sql.NullInt64
	if err := sc.Scan(&l.ID, &l.IRI, &l.ItemID, &l.ItemIRI, &l.ItemName, &l.LenderIRI, &l.LenderName,
		&l.Borrower.UserID, &l.Borrower.ActorIRI, &l.Borrower.Name, &l.Borrower.OrgIRI, &l.Borrower.OrgName, &l.Mirror,
		&l.State, &start, &end, &due, &l.Message, &l.Reason, &l.OfferIRI, &l.Renewals, &l.DepositCents, &l.DepositBack, &out, &back,
		&l.Version, &created, &updated); err != nil {
		return nil, err
	}
	for _, d := range []struct {
		s   string
		dst *shrooms.Date
	}{{start, &l.Start}, {end, &l.End}, {due, &l.Due}} {
		if err := d.dst.UnmarshalText([]byte(d.s)); err != nil {
			return nil, fmt.Errorf("loan %d: bad day %q", l.ID, d.s)
		}
	}
	l.CheckedOutAt, l.ReturnedAt = fromMS(out), fromMS(back)
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	return &l, nil
}

// queryLoans runs a SELECT of loanColumns with the rest of the query.
func queryLoans(ctx context.Context, tx *sql.Tx, rest string, args ...any) ([]*shrooms.Loan, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+loanColumns+` FROM loans `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("find loans: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.Loan
	for rows.Next() {
		l, err := scanLoan(rows)
		if err != nil {
			return nil, fmt.Errorf("find loans: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// loadLoan returns loan id, or ENOTFOUND.
func loadLoan(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Loan, error) {
	ls, err := queryLoans(ctx, tx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "loan not found").Keyed("loans.error.not_found")
	}
	return ls[0], nil
}

// FindLoanByID returns a loan its borrower or the desk may see, overdue
// flag set. Returns ENOTFOUND.
func (s *LoanService) FindLoanByID(ctx context.Context, id int64) (*shrooms.Loan, error) {
	tx, c, err := s.db.loanTx(ctx, false)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := loadLoan(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := c.p.CanSeeLoan(c.grants, l); err != nil {
		return nil, err
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	l.IsOverdue = l.Overdue(r.Today(s.db.now()))
	return l, nil
}

// FindLoans returns the loans the caller may see that match f, and their
// total: their own, or with Desk every borrower's (the desk only,
// EFORBIDDEN otherwise).
func (s *LoanService) FindLoans(ctx context.Context, f shrooms.LoanFilter) ([]*shrooms.Loan, int, error) {
	tx, c, err := s.db.loanTx(ctx, false)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	today := r.Today(s.db.now())
	var conds []string
	var args []any
	add := func(cond string, a ...any) { conds, args = append(conds, cond), append(args, a...) }
	switch {
	case f.Desk && !c.desk():
		return nil, 0, shrooms.Errorf(shrooms.EFORBIDDEN, "only the lending desk sees every loan").Keyed("loans.error.desk_only", "Action", "desk")
	case f.Desk:
		add("mirror = 0")
	case c.p.User == nil:
		return nil, 0, shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("loans.error.login_first")
	default:
		add("borrower_user_id = ?", c.p.User.ID)
	}
	if f.ID != 0 {
		add("id = ?", f.ID)
	}
	if f.ItemID != 0 {
		add("item_id = ?", f.ItemID)
	}
	if f.UserID != 0 {
		add("borrower_user_id = ?", f.UserID)
	}
	if len(f.States) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.States)), ", ")
		for _, st := range f.States {
			args = append(args, string(st))
		}
		conds = append(conds, "state IN ("+marks+")")
	}
	if f.Overdue {
		add("state = 'checked_out' AND due_day < ?", today.String())
	}
	if !f.FromDate.IsZero() {
		add("MAX(end_day, due_day) >= ?", f.FromDate.String())
	}
	if !f.ToDate.IsZero() {
		add("start_day <= ?", f.ToDate.String())
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loans`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count loans: %w", err)
	}
	order := ` ORDER BY start_day, id`
	if f.Newest {
		order = ` ORDER BY id DESC`
	}
	offset, limit := page(f.Offset, f.Limit)
	ls, err := queryLoans(ctx, tx, where(conds)+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	for _, l := range ls {
		l.IsOverdue = l.Overdue(today)
	}
	return ls, total, nil
}

// FindLoanEvents returns a loan's history, oldest first, to whoever may
// see the loan. Returns ENOTFOUND.
func (s *LoanService) FindLoanEvents(ctx context.Context, loanID int64) ([]*shrooms.LoanEvent, error) {
	tx, c, err := s.db.loanTx(ctx, false)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := loadLoan(ctx, tx, loanID)
	if err != nil {
		return nil, err
	}
	if err := c.p.CanSeeLoan(c.grants, l); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, loan_id, action, from_state, to_state, actor_iri, actor_name,
		reason, at FROM loan_events WHERE loan_id = ? ORDER BY id`, loanID)
	if err != nil {
		return nil, fmt.Errorf("loan events: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.LoanEvent
	for rows.Next() {
		var e shrooms.LoanEvent
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &e.LoanID, &e.Action, &e.From, &e.To, &e.ActorIRI, &e.ActorName, &e.Reason, &at); err != nil {
			return nil, fmt.Errorf("loan events: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

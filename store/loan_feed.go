package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxFeedLoans bounds the loans one feed lists: a member holds a handful.
const maxFeedLoans = 500

// feedBorrower resolves the caller as a borrower, in tx: the loans
// module on, a logged-in active user who may borrow.
func feedBorrower(ctx context.Context, tx *sql.Tx) (*shrooms.User, error) {
	c, err := loanCallerOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	if _, err := c.borrower(); err != nil {
		return nil, err
	}
	return c.p.User, nil
}

// findFeed returns the feed row of a user, or nil.
func findFeed(ctx context.Context, tx *sql.Tx, userID int64) (*shrooms.LoanFeed, error) {
	f := &shrooms.LoanFeed{UserID: userID}
	var created, used sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT created_at, last_used_at FROM loan_feeds WHERE user_id = ?`, userID).
		Scan(&created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find loan feed: %w", err)
	}
	f.CreatedAt, f.LastUsedAt = fromMS(created), fromMS(used)
	return f, nil
}

// FindLoanFeed returns the caller's calendar feed, or nil when they have
// none. Returns ENOTFOUND when the loans module is off, EUNAUTHORIZED,
// EFORBIDDEN for someone who may not borrow.
func (s *LoanService) FindLoanFeed(ctx context.Context) (*shrooms.LoanFeed, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := feedBorrower(ctx, tx)
	if err != nil {
		return nil, err
	}
	return findFeed(ctx, tx, u.ID)
}

// RotateLoanFeed gives the caller a new feed secret ("shf_" and 64 hex
// digits), replacing the one they had, and returns it; only its SHA-256
// is stored.
func (s *LoanService) RotateLoanFeed(ctx context.Context) (string, *shrooms.LoanFeed, error) {
	secret := shrooms.LoanFeedPrefix + shrooms.RandomToken(32)
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return "", nil, err
	}
	defer tx.Rollback()
	u, err := feedBorrower(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	now := s.db.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO loan_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at,
		last_used_at = NULL`, u.ID, tokenHash(secret), now.UnixMilli()); err != nil {
		return "", nil, dbError(err, nil)
	}
	if err := commit(tx); err != nil {
		return "", nil, err
	}
	return secret, &shrooms.LoanFeed{UserID: u.ID, CreatedAt: now, Language: u.Language}, nil
}

// RevokeLoanFeed ends the caller's feed: its address answers 404 from now
// on. Returns ENOTFOUND when there is none.
func (s *LoanService) RevokeLoanFeed(ctx context.Context) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := feedBorrower(ctx, tx)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM loan_feeds WHERE user_id = ?`, u.ID)
	if err != nil {
		return fmt.Errorf("revoke loan feed: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("revoke loan feed: %w", err)
	} else if n == 0 {
		return shrooms.Errorf(shrooms.ENOTFOUND, "you have no calendar feed").Keyed("loans.error.no_feed")
	}
	return commit(tx)
}

// FindFeedLoans returns the loans the feed of secret shows: its owner's
// approved and checked-out loans, read with the owner's rights. It
// records the feed's use at most once a minute.
func (s *LoanService) FindFeedLoans(ctx context.Context, secret string) (*shrooms.LoanFeed, []*shrooms.Loan, error) {
	gone := shrooms.Errorf(shrooms.ENOTFOUND, "no such calendar feed").Keyed("loans.error.no_feed")
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	var userID int64
	err = tx.QueryRowContext(ctx, `SELECT user_id FROM loan_feeds WHERE token_hash = ?`, tokenHash(secret)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, gone
	} else if err != nil {
		return nil, nil, fmt.Errorf("find loan feed: %w", err)
	}
	owner, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, nil, err
	}
	ctx = shrooms.NewContextWithUser(ctx, owner)
	if _, err := feedBorrower(ctx, tx); err != nil {
		// A suspended owner, or the module turned off: the feed is
		// gone for now, whatever the reason.
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			return nil, nil, err
		}
		return nil, nil, gone
	}
	f, err := findFeed(ctx, tx, userID)
	if err != nil {
		return nil, nil, err
	} else if f == nil {
		return nil, nil, gone
	}
	f.Language = owner.Language
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	now := s.db.now()
	today := r.Today(now)
	ls, err := queryLoans(ctx, tx, `WHERE borrower_user_id = ? AND state IN ('approved', 'checked_out')
		ORDER BY start_day, id LIMIT ?`, userID, maxFeedLoans)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range ls {
		l.IsOverdue = l.Overdue(today)
	}
	tx.Rollback()
	if f.LastUsedAt.Before(now.Add(-activityResolution)) {
		if err := s.touchFeed(ctx, userID, now); err != nil {
			return nil, nil, err
		}
		f.LastUsedAt = now
	}
	return f, ls, nil
}

// touchFeed records a feed's use.
func (s *LoanService) touchFeed(ctx context.Context, userID int64, now time.Time) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE loan_feeds SET last_used_at = ? WHERE user_id = ?`, now.UnixMilli(), userID); err != nil {
		return fmt.Errorf("touch loan feed: %w", err)
	}
	return commit(tx)
}

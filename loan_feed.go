package shrooms

import (
	"context"
	"time"
)

// LoanFeedPrefix starts every calendar feed secret, so that one pasted
// in the wrong place is recognised.
const LoanFeedPrefix = "shf_"

// LoanFeed is a member's private calendar of their loans: the days they
// pick items up and bring them back, read by a calendar application at a
// secret address. The node keeps only the secret's hash; the address is
// shown once, when it is made, and rotating it revokes the old one.
type LoanFeed struct {
	UserID     int64     `json:"user_id"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	// Language is the owner's interface language ("" to follow the
	// node's), for the feed's texts.
	Language string `json:"-"`
}

// LoanFeedService keeps the members' calendar feeds.
type LoanFeedService interface {
	// FindLoanFeed returns the caller's feed, or nil when they have
	// none. Returns ENOTFOUND when the loans module is off,
	// EUNAUTHORIZED, EFORBIDDEN for someone who may not borrow.
	FindLoanFeed(ctx context.Context) (*LoanFeed, error)

	// RotateLoanFeed gives the caller a new feed secret, revoking the
	// one they had, and returns it: shown once, never stored.
	RotateLoanFeed(ctx context.Context) (string, *LoanFeed, error)

	// RevokeLoanFeed ends the caller's feed. ENOTFOUND when there is none.
	RevokeLoanFeed(ctx context.Context) error

	// FindFeedLoans returns, to whoever holds the secret, the loans of
	// its owner a calendar shows: approved (a pickup day and a return
	// day) and out (a due day), by pickup day, overdue flags set. A loan
	// that ended is left out, so that calendar applications, which
	// replace a subscribed feed with each fetch, drop its days.
	// ENOTFOUND for a secret that is not (or no longer) a feed's, or
	// whose owner is not active or may not borrow.
	FindFeedLoans(ctx context.Context, secret string) (*LoanFeed, []*Loan, error)
}

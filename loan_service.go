package shrooms

import "context"

// LoanFilter selects loans. The caller's rights narrow it further: a
// member sees their own loans, staff with the loans module the desk.
type LoanFilter struct {
	ID       int64
	ItemID   int64
	UserID   int64
	States   []LoanState
	Overdue  bool // out past their due day
	Desk     bool // every borrower's, for staff
	Offset   int
	Limit    int
	Newest   bool // newest first instead of by start day
	FromDate Date // holding dates on or after this day
	ToDate   Date // holding dates on or before this day
}

// LoanChange is a decision or a desk action on a loan: its reason (shown
// to the borrower for a rejection or a cancellation), the condition noted
// at check-out and check-in, the deposit taken or returned.
type LoanChange struct {
	Reason       string
	Condition    Condition
	Note         string
	DepositCents *int64
	DepositBack  bool
	// ToRepair sends the item to repair at check-in (damage found).
	ToRepair bool
}

// BookedRange is a span of days an item is taken, as everyone may see
// it: no borrower's name.
type BookedRange struct {
	Start Date      `json:"start"`
	End   Date      `json:"end"`
	State LoanState `json:"state"`
}

// Availability is an item's calendar over some days: the ranges taken,
// whether it is on the shelf now, the open days, the line waiting.
type Availability struct {
	ItemID  int64         `json:"item_id"`
	From    Date          `json:"from"`
	To      Date          `json:"to"`
	Booked  []BookedRange `json:"booked"`
	OnShelf bool          `json:"on_shelf"`
	Waiting int           `json:"waiting"`
	// Closed lists the closed days in the span.
	Closed []Date `json:"closed"`
}

// LoanService is lending. The store decides under concurrency: no two
// loans holding dates of one item overlap, buffers included, whoever asks
// at the same time. Every change records a LoanEvent.
type LoanService interface {
	// RequestLoan records a request of the caller for an item's days:
	// approved at once when the rules auto-approve, else pending.
	// Returns EINVALID, EFORBIDDEN, ENOTFOUND, ECONFLICT (dates taken,
	// limits reached).
	RequestLoan(ctx context.Context, req LoanRequest) (*Loan, error)

	// FindLoanByID returns a loan the caller may see, or ENOTFOUND.
	FindLoanByID(ctx context.Context, id int64) (*Loan, error)

	// FindLoans returns matching loans the caller may see and their total.
	FindLoans(ctx context.Context, filter LoanFilter) ([]*Loan, int, error)

	// ActOnLoan applies action to a loan: staff approve, reject, check out
	// and in, write off; the borrower (or staff) cancels and renews.
	// Returns ENOTFOUND, EFORBIDDEN, ECONFLICT (not possible in its state,
	// item not on the shelf, renewal refused), EINVALID.
	ActOnLoan(ctx context.Context, id int64, action LoanAction, change LoanChange) (*Loan, error)

	// FindLoanEvents returns a loan's history, oldest first.
	FindLoanEvents(ctx context.Context, loanID int64) ([]*LoanEvent, error)

	// FindAvailability returns an item's calendar from one day to another
	// (at most a year). From the network (a remote principal) only a
	// linked partner whose sharing policy includes loans may ask. Returns
	// ENOTFOUND for an item the caller may not read.
	FindAvailability(ctx context.Context, itemID int64, from, to Date) (*Availability, error)

	// JoinWaitlist puts the caller in line for an item; LeaveWaitlist
	// takes them out. FindWaitlist lists an item's line (staff) or the
	// caller's places (itemID 0).
	JoinWaitlist(ctx context.Context, itemID int64) (*WaitEntry, error)
	LeaveWaitlist(ctx context.Context, entryID int64) error
	FindWaitlist(ctx context.Context, itemID int64) ([]*WaitEntry, error)

	// FindWaitlists lists every item's line, item by item, for the desk.
	// Returns EFORBIDDEN for anyone else.
	FindWaitlists(ctx context.Context) ([]*WaitEntry, error)

	// FindLendingRules returns the organisation's lending rules;
	// UpdateLendingRules sets them (admins). Returns EINVALID naming the
	// field, EFORBIDDEN.
	FindLendingRules(ctx context.Context) (*LendingRules, error)
	UpdateLendingRules(ctx context.Context, r LendingRules) error

	// RequestRemoteLoan asks a linked partner for the days of its item
	// req.ItemIRI, which this node caches, for the caller: it keeps the
	// request as a mirror (pending) and sends the Offer, signed by the
	// caller's own actor. The lender decides; its answers change the
	// mirror. Returns EINVALID naming the field, ENOTFOUND (no such
	// cached item of a linked partner), EFORBIDDEN (not lent to
	// partners), EUNAUTHORIZED.
	RequestRemoteLoan(ctx context.Context, req LoanRequest) (*Loan, error)

	// ReceiveLoanOffer decides, as the lender, an Offer from a partner's
	// member: a loan (approved, or pending for the desk) answered with an
	// Accept, or a Reject with the reason — never silence. The same
	// Offer twice changes nothing. It returns a note for the inbox.
	ReceiveLoanOffer(ctx context.Context, offer *Activity) (string, error)

	// ReceiveLoanAnswer applies, as the borrower's node, the lender's
	// Accept, Reject or Update to its mirror, if it is newer (Version)
	// and comes from the lender. Returns EFORBIDDEN for anyone else.
	ReceiveLoanAnswer(ctx context.Context, act *Activity) (string, error)

	// ReceiveLoanUndo cancels, as the lender, the request a partner's
	// member withdraws (Undo of their Offer), and answers with an Update
	// of the loan as it stands.
	ReceiveLoanUndo(ctx context.Context, act *Activity) (string, error)

	// FindLoanByIRI returns a loan of this node to those it concerns:
	// the desk, its borrower, and from the network the borrower's actor
	// or organisation. Returns ENOTFOUND to everyone else.
	FindLoanByIRI(ctx context.Context, iri string) (*Loan, error)

	// SuspendBorrower stops (or lets again) a partner's member borrow
	// from this node: their Offers are rejected. For the desk.
	SuspendBorrower(ctx context.Context, actorIRI string, suspended bool) error
}

package handlers

import (
	"net/http"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// myLoansView is the member's "My loans" page.
type myLoansView struct {
	Requests []*shrooms.Loan // pending and approved
	Out      []*shrooms.Loan
	History  []*shrooms.Loan
	Places   []*shrooms.WaitEntry
	// HistoryTotal counts the history beyond what the page lists.
	HistoryTotal int
}

// historyLoans is how many finished loans "My loans" lists.
const historyLoans = 50

// finishedStates are the states of a loan that is over.
var finishedStates = []shrooms.LoanState{shrooms.LoanReturned, shrooms.LoanCancelled, shrooms.LoanRejected,
	shrooms.LoanExpired, shrooms.LoanLost}

// handleMyLoans lists the caller's requests, loans out, history and
// places on waiting lists.
func (s *server) handleMyLoans(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	uid := stateFrom(ctx).User.ID
	d := &myLoansView{}
	var err error
	if d.Requests, _, err = s.Loans.FindLoans(ctx, shrooms.LoanFilter{UserID: uid,
		States: []shrooms.LoanState{shrooms.LoanPending, shrooms.LoanApproved}}); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if d.Out, _, err = s.Loans.FindLoans(ctx, shrooms.LoanFilter{UserID: uid, States: []shrooms.LoanState{shrooms.LoanCheckedOut}}); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if d.History, d.HistoryTotal, err = s.Loans.FindLoans(ctx, shrooms.LoanFilter{UserID: uid, States: finishedStates,
		Newest: true, Limit: historyLoans}); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if d.Places, err = s.Loans.FindWaitlist(ctx, 0); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "loans", "loans.mine.title", d)
}

// loanView is one loan's page: its facts, what the caller may do, and its
// events.
type loanView struct {
	Loan   *shrooms.Loan
	Events []*shrooms.LoanEvent
	Desk   bool
	// Mine: the caller borrows it.
	Mine bool
	Act  deskAct
	// Deposit is the deposit as the page shows it.
	Deposit string
	// ItemHref is the item's page here: the item's, or this node's page
	// of a partner's item for a mirror; LenderHref the lending partner's
	// page ("" for our own loans).
	ItemHref, LenderHref string
}

// handleLoan shows one loan to its borrower and the desk.
func (s *server) handleLoan(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l, err := s.Loans.FindLoanByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &loanView{Loan: l, Desk: s.isDesk(r), Mine: l.Borrower.UserID == stateFrom(ctx).User.ID}
	d.Deposit = centsText(l.DepositCents)
	if d.Desk {
		d.Act = deskActFor(r, l, s.depositOf(r, l), "/loans/"+strconv.FormatInt(l.ID, 10))
		d.Deposit = d.Act.Deposit
	}
	switch {
	case l.Mirror:
		d.ItemHref, d.LenderHref = remoteItemPath(l.ItemIRI), webURL(l.LenderIRI)
	case l.ItemID != 0:
		d.ItemHref = itemPath(l.ItemID)
	}
	if d.Events, err = s.Loans.FindLoanEvents(ctx, l.ID); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "loan", "loans.loan.title", d)
}

// depositOf is the deposit the check-out form offers for l: the item's,
// before it goes out; the one taken, after.
func (s *server) depositOf(r *http.Request, l *shrooms.Loan) string {
	if l.State == shrooms.LoanCheckedOut || l.ItemID == 0 {
		return centsText(l.DepositCents)
	}
	item, err := s.Items.FindItemByID(r.Context(), l.ItemID)
	if err != nil {
		return ""
	}
	return centsText(item.Loan.DepositCents)
}

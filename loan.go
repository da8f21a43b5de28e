package shrooms

import (
	"time"
)

// LoanState is where a loan stands. A loan starts as a request for dates
// (pending), is decided (approved, rejected), may be withdrawn (cancelled)
// or left to lapse (expired), goes out (checked_out) and comes back
// (returned) — or is written off by staff (lost). Overdue is not a state:
// it is derived from the due date (Loan.Overdue), never set by hand.
type LoanState string

// Loan states, the lowercase words the API and federation use.
const (
	LoanPending    LoanState = "pending"
	LoanApproved   LoanState = "approved"
	LoanRejected   LoanState = "rejected"
	LoanCancelled  LoanState = "cancelled"
	LoanExpired    LoanState = "expired"
	LoanCheckedOut LoanState = "checked_out"
	LoanReturned   LoanState = "returned"
	LoanLost       LoanState = "lost"
)

// LoanStates lists every state, in the order a loan goes through them.
var LoanStates = []LoanState{LoanPending, LoanApproved, LoanCheckedOut, LoanReturned,
	LoanRejected, LoanCancelled, LoanExpired, LoanLost}

// ParseLoanState returns EINVALID for an unknown state.
func ParseLoanState(s string) (LoanState, error) {
	for _, st := range LoanStates {
		if string(st) == s {
			return st, nil
		}
	}
	return "", Errorf(EINVALID, "state: %q is not a loan state", s).Keyed("loans.error.state_unknown", "Value", s).On("state")
}

// HoldsDates reports whether a loan in state s keeps its dates from other
// borrowers: a request waiting, an approved one, a loan out.
func (s LoanState) HoldsDates() bool {
	return s == LoanPending || s == LoanApproved || s == LoanCheckedOut
}

// Final reports whether nothing can happen to a loan in state s any more.
func (s LoanState) Final() bool {
	switch s {
	case LoanRejected, LoanCancelled, LoanExpired, LoanReturned, LoanLost:
		return true
	}
	return false
}

// LoanAction is what someone does to a loan.
type LoanAction string

// Loan actions.
const (
	LoanSubmit   LoanAction = "request"
	LoanApprove  LoanAction = "approve"
	LoanReject   LoanAction = "reject"
	LoanCancel   LoanAction = "cancel"
	LoanExpire   LoanAction = "expire"
	LoanCheckOut LoanAction = "checkout"
	LoanRenew    LoanAction = "renew"
	LoanCheckIn  LoanAction = "checkin"
	LoanWriteOff LoanAction = "write_off"
)

// loanTransitions is the state machine: from a state, what each action
// leads to. Checking out a pending request approves it on the way, as a
// desk does when the borrower is standing there.
var loanTransitions = map[LoanState]map[LoanAction]LoanState{
	LoanPending: {LoanApprove: LoanApproved, LoanReject: LoanRejected, LoanCancel: LoanCancelled,
		LoanExpire: LoanExpired, LoanCheckOut: LoanCheckedOut},
	LoanApproved:   {LoanCancel: LoanCancelled, LoanExpire: LoanExpired, LoanCheckOut: LoanCheckedOut},
	LoanCheckedOut: {LoanRenew: LoanCheckedOut, LoanCheckIn: LoanReturned, LoanWriteOff: LoanLost},
}

// NextLoanState returns the state action a leads to from s. Returns
// ECONFLICT when a is not possible in s (a returned loan cannot be
// renewed), naming both.
func NextLoanState(s LoanState, a LoanAction) (LoanState, error) {
	if to, ok := loanTransitions[s][a]; ok {
		return to, nil
	}
	return "", Errorf(ECONFLICT, "a %s loan cannot be %s", s, a).
		Keyed("loans.error.transition", "State", string(s), "Action", string(a))
}

// BorrowerMay reports whether the borrower may take action a on their own
// loan; every other action is the lender's staff's.
func BorrowerMay(a LoanAction) bool {
	return a == LoanSubmit || a == LoanCancel || a == LoanRenew
}

// Borrower is who borrows: a member of this node (UserID), or a member of
// a partner organisation, known by their actor and their organisation's.
type Borrower struct {
	UserID   int64  `json:"user_id,omitempty"`
	ActorIRI string `json:"actor,omitempty"`
	Name     string `json:"name"`
	// OrgIRI and OrgName are the borrower's organisation when it is a
	// partner; empty for this node's members.
	OrgIRI  string `json:"organization,omitempty"`
	OrgName string `json:"organization_name,omitempty"`
}

// Remote reports whether the borrower is a partner's member.
func (b Borrower) Remote() bool { return b.UserID == 0 }

// Loan is one borrowing of one item, from the request to the return. The
// lender's node is its authority: it mints the loan's IRI, decides and
// records every change; a partner borrower's node keeps a mirror of it.
type Loan struct {
	ID  int64  `json:"id"`
	IRI string `json:"iri"`
	// ItemID is the lent item on the lender's node (0 on a mirror);
	// ItemIRI and ItemName name it everywhere.
	ItemID   int64  `json:"item_id,omitempty"`
	ItemIRI  string `json:"item"`
	ItemName string `json:"item_name"`
	// LenderIRI and LenderName are the lending organisation.
	LenderIRI  string   `json:"lender"`
	LenderName string   `json:"lender_name"`
	Borrower   Borrower `json:"borrower"`
	// Mirror is set on a borrower's node for a partner's loan it keeps
	// for its member; only the lender's Updates change it.
	Mirror bool      `json:"mirror"`
	State  LoanState `json:"state"`
	// Start and End are the days asked for: pickup and return.
	Start Date `json:"start"`
	End   Date `json:"end"`
	// Due is the return day in force: End, moved by renewals and by staff.
	Due     Date   `json:"due"`
	Message string `json:"message,omitempty"`
	// Reason is why the last decision was taken (a rejection, a
	// cancellation by the lender), shown to the borrower.
	Reason string `json:"reason,omitempty"`
	// OfferIRI is the Offer a partner's member asked with: how both
	// nodes name the request before the lender mints the loan.
	OfferIRI     string    `json:"offer,omitempty"`
	Renewals     int       `json:"renewals"`
	DepositCents int64     `json:"deposit_cents"`
	DepositBack  bool      `json:"deposit_returned"`
	CheckedOutAt time.Time `json:"checked_out_at,omitzero"`
	ReturnedAt   time.Time `json:"returned_at,omitzero"`
	// Version grows with every change; a mirror applies an Update only if
	// it is newer than what it holds.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Overdue is Overdue(now) when the loan was read, for the API.
	IsOverdue bool `json:"overdue"`
}

// Days is the loan's length asked for, counting its first and last day.
func (l *Loan) Days() int { return l.Start.DaysUntil(l.End) + 1 }

// Overdue reports whether the loan is out past its due day on day today.
func (l *Loan) Overdue(today Date) bool {
	return l.State == LoanCheckedOut && today.After(l.Due)
}

// Occupies returns the span during which the loan keeps its item from
// others, given the buffer after it: from its first day to the end of its
// last (the due day once out), plus the buffer, in loc.
func (l *Loan) Occupies(buffer time.Duration, loc *time.Location) (from, to time.Time) {
	end := l.End
	if l.State == LoanCheckedOut && l.Due.After(end) {
		end = l.Due
	}
	return l.Start.In(loc), end.AddDays(1).In(loc).Add(buffer)
}

// Conflicts reports whether loans a and b, both holding their dates, want
// the same item at the same time, the buffer counted after each.
func Conflicts(a, b *Loan, buffer time.Duration, loc *time.Location) bool {
	af, at := a.Occupies(buffer, loc)
	bf, bt := b.Occupies(buffer, loc)
	return af.Before(bt) && bf.Before(at)
}

// LoanEvent is one transition of a loan: who did what, when and why. The
// loan's history, the item's and the borrower's are made of them.
type LoanEvent struct {
	ID     int64      `json:"id"`
	LoanID int64      `json:"loan_id"`
	Action LoanAction `json:"action"`
	From   LoanState  `json:"from"`
	To     LoanState  `json:"to"`
	// ActorName is who did it, as readers may see it; ActorIRI its actor.
	ActorIRI  string    `json:"actor,omitempty"`
	ActorName string    `json:"actor_name"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// maxLoanText bounds a request's message and a decision's reason.
const maxLoanText = 2000

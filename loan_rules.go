package shrooms

import (
	"strings"
)

// MaxLeadDays is how far ahead a loan may be asked for: a year, so that
// nobody books the drill for every Saturday of the decade.
const MaxLeadDays = 365

// LoanRequest asks for an item on some days. The borrower is the caller
// (a member here) or, across partners, the actor the lender's node
// verified.
type LoanRequest struct {
	ItemID int64
	// ItemIRI names a partner's item this node caches, for
	// RequestRemoteLoan.
	ItemIRI string
	Start   Date
	End     Date
	Message string
}

// BorrowerStanding is what the lender counts about a borrower when they
// ask: their loans out, their requests waiting or approved, whether one
// of their loans is overdue, whether the lender suspended them.
type BorrowerStanding struct {
	Loans     int
	Requests  int
	Overdue   bool
	Suspended bool
}

// CheckRequest applies the rules to a request for item by a borrower
// with standing b (remote: a partner's member) on day today. It does not
// look at other loans: the store checks the dates are free in the same
// transaction that records the request. Returns EINVALID naming the field,
// EFORBIDDEN when the borrower may not borrow the item, ECONFLICT when a
// limit is reached.
func (r *LendingRules) CheckRequest(req LoanRequest, item *Item, b BorrowerStanding, remote bool, today Date) error {
	if err := ItemLends(item, remote); err != nil {
		return err
	}
	if err := r.checkBorrower(b, true); err != nil {
		return err
	}
	if len(strings.TrimSpace(req.Message)) > maxLoanText {
		return Errorf(EINVALID, "message: must be at most %d characters", maxLoanText).
			Keyed("loans.error.message_long", "Max", maxLoanText).On("message")
	}
	return r.checkDays(req.Start, req.End, item, today)
}

// ItemLends says whether item is lent at all, and to this kind of
// borrower (remote: a partner's member). Returns EFORBIDDEN, or EINVALID
// for an item lent only with its kit.
func ItemLends(item *Item, remote bool) error {
	switch {
	case !item.Loanable || item.Status == StatusRetired:
		return Errorf(EFORBIDDEN, "this item is not lent").Keyed("loans.error.not_lent")
	case item.KitID != 0:
		return Errorf(EINVALID, "this item is lent with its kit").Keyed("loans.error.in_kit").On("item")
	case remote && !item.Loan.Partners:
		return Errorf(EFORBIDDEN, "this item is not lent to partners' members").Keyed("loans.error.not_partners")
	case !remote && !item.Loan.Members:
		return Errorf(EFORBIDDEN, "this item is not lent to members").Keyed("loans.error.not_members")
	}
	return nil
}

// checkBorrower applies the limits on one borrower; requesting counts
// requests, checking out counts loans.
func (r *LendingRules) checkBorrower(b BorrowerStanding, requesting bool) error {
	switch {
	case b.Suspended:
		return Errorf(EFORBIDDEN, "this borrower may not borrow at the moment").Keyed("loans.error.suspended")
	case r.BlockOverdue && b.Overdue:
		return Errorf(EFORBIDDEN, "a loan is overdue: return it before borrowing again").Keyed("loans.error.overdue_block")
	case requesting && r.MaxRequests > 0 && b.Requests >= r.MaxRequests:
		return Errorf(ECONFLICT, "at most %d requests at a time", r.MaxRequests).
			Keyed("loans.error.max_requests", "Max", r.MaxRequests)
	case !requesting && r.MaxLoans > 0 && b.Loans >= r.MaxLoans:
		return Errorf(ECONFLICT, "at most %d loans at a time", r.MaxLoans).Keyed("loans.error.max_loans", "Max", r.MaxLoans)
	}
	return nil
}

// checkDays applies the calendar: dates in order, from today to a year
// ahead, a length within the limits, pickup and return on open days.
func (r *LendingRules) checkDays(start, end Date, item *Item, today Date) error {
	switch {
	case start.IsZero():
		return Errorf(EINVALID, "start: required").Keyed("loans.error.start_required").On("start")
	case end.IsZero():
		return Errorf(EINVALID, "end: required").Keyed("loans.error.end_required").On("end")
	case start.Before(today):
		return Errorf(EINVALID, "start: must not be in the past").Keyed("loans.error.start_past").On("start")
	case today.DaysUntil(start) > MaxLeadDays:
		return Errorf(EINVALID, "start: at most %d days ahead", MaxLeadDays).
			Keyed("loans.error.start_far", "Max", MaxLeadDays).On("start")
	case end.Before(start):
		return Errorf(EINVALID, "end: must not be before start").Keyed("loans.error.end_before_start").On("end")
	}
	days, lo, hi := start.DaysUntil(end)+1, r.MinDays, r.MaxDaysFor(item)
	if days < lo || days > hi {
		return Errorf(EINVALID, "end: a loan lasts %d to %d days", lo, hi).
			Keyed("loans.error.length", "Min", lo, "Max", hi).On("end")
	}
	for _, d := range []struct {
		field string
		day   Date
	}{{"start", start}, {"end", end}} {
		if !r.Opening.IsOpen(d.day) {
			next, _ := r.Opening.NextOpen(d.day)
			return Errorf(EINVALID, "%s: %s is a closed day; the next open day is %s", d.field, d.day, next).
				Keyed("loans.error.closed_day", "Day", d.day.String(), "Next", next.String()).On(d.field)
		}
	}
	return nil
}

// CheckCheckOut applies the rules to handing item out on day today to a
// borrower with standing b: the item must be on the shelf and the
// borrower within their limits. Returns ECONFLICT or EFORBIDDEN.
func (r *LendingRules) CheckCheckOut(item *Item, b BorrowerStanding) error {
	switch item.Status {
	case StatusOnLoan:
		return Errorf(ECONFLICT, "the item is already out").Keyed("loans.error.item_out")
	case StatusInRepair:
		return Errorf(ECONFLICT, "the item is in repair").Keyed("loans.error.item_repair")
	case StatusRetired:
		return Errorf(ECONFLICT, "the item is retired").Keyed("loans.error.item_retired")
	}
	return r.checkBorrower(b, false)
}

// DueAtCheckOut is the due day of loan l checked out on day today: the
// day it was asked back, or, when it goes out so late that this day has
// passed, today plus its length; moved to an open day.
func (r *LendingRules) DueAtCheckOut(l *Loan, today Date) Date {
	due := l.End
	if due.Before(today) {
		due = today.AddDays(l.Days() - 1)
	}
	if d, ok := r.Opening.NextOpen(due); ok {
		due = d
	}
	return due
}

// Renew returns the new due day of loan l renewed on day today for item:
// the due day pushed by the loan's length, on the next open day, but no
// further than the longest loan counted from today (then the last open
// day within it); at most as often as the item's renewal limit, else the
// organisation's, allows. othersWait says someone waits for the item or
// holds dates the renewal would take. Returns ECONFLICT with the reason.
func (r *LendingRules) Renew(l *Loan, item *Item, othersWait bool, today Date) (Date, error) {
	if _, err := NextLoanState(l.State, LoanRenew); err != nil {
		return Date{}, err
	}
	switch {
	case l.Renewals >= r.RenewalLimitFor(item):
		return Date{}, Errorf(ECONFLICT, "this loan was renewed %d times, the most allowed", l.Renewals).
			Keyed("loans.error.renew_limit", "Count", l.Renewals)
	case othersWait:
		return Date{}, Errorf(ECONFLICT, "someone else is waiting for this item").Keyed("loans.error.renew_waited")
	}
	from := l.Due
	if from.Before(today) {
		from = today
	}
	due, limit := from.AddDays(l.Days()), today.AddDays(r.MaxDaysFor(item)-1)
	if d, ok := r.Opening.NextOpen(due); ok && !d.After(limit) {
		due = d
	} else if d, ok := r.Opening.PrevOpen(limit); ok {
		due = d
	}
	if !due.After(l.Due) {
		return Date{}, Errorf(ECONFLICT, "the loan is already as long as allowed").Keyed("loans.error.renew_max")
	}
	return due, nil
}

package store

import (
	"context"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxCalendarDays bounds the span of one availability answer.
const maxCalendarDays = 366

// FindAvailability returns an item's calendar from one day to another:
// the days loans hold (no borrower named), whether it is on the shelf,
// how many wait for it, the closed days. A caller from the network must be
// a linked partner whose policy shares loans. Returns ENOTFOUND for an
// item the caller may not read, EINVALID for a span backwards or over a
// year.
func (s *LoanService) FindAvailability(ctx context.Context, itemID int64, from, to shrooms.Date) (*shrooms.Availability, error) {
	if from.IsZero() || to.IsZero() || to.Before(from) || from.DaysUntil(to) > maxCalendarDays {
		return nil, shrooms.Errorf(shrooms.EINVALID, "to: the span must run forwards, at most %d days", maxCalendarDays).
			Keyed("loans.error.span", "Max", maxCalendarDays).On("to")
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := loanCallerOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	if c.p.Remote != "" && !c.p.SharesModule(loansModule) {
		// From the network, only partners we lend to see our calendars;
		// the item's rights then decide as for anyone.
		return nil, notFound("item not found").Keyed("items.error.db_item_not_found")
	}
	_, item, err := s.db.readableItem(ctx, tx, itemID)
	if err != nil {
		return nil, err
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	a := &shrooms.Availability{ItemID: itemID, From: from, To: to, OnShelf: item.Status == shrooms.StatusAvailable,
		Booked: []shrooms.BookedRange{}, Closed: []shrooms.Date{}}
	held, err := queryLoans(ctx, tx, `WHERE item_id = ? AND state IN ('pending', 'approved', 'checked_out')
		AND start_day <= ? AND MAX(end_day, due_day) >= ? ORDER BY start_day`, itemID, to.String(), from.String())
	if err != nil {
		return nil, err
	}
	for _, l := range held {
		a.Booked = append(a.Booked, shrooms.BookedRange{Start: l.Start, End: maxDate(l.End, l.Due), State: l.State})
	}
	if a.Waiting, err = activeWaiting(ctx, tx, itemID); err != nil {
		return nil, err
	}
	for d := from; !d.After(to); d = d.AddDays(1) {
		if !r.Opening.IsOpen(d) {
			a.Closed = append(a.Closed, d)
		}
	}
	return a, nil
}

// LoanSweep is what one sweep of the lending calendar did.
type LoanSweep struct {
	// Expired are loans whose days passed without a check-out.
	Expired []*shrooms.Loan
	// Lapsed are offers on a waiting list whose pickup day passed;
	// Offered the places offered in their stead.
	Lapsed  []*shrooms.WaitEntry
	Offered []*shrooms.WaitEntry
}

// SweepLoans expires, as the node, the requests and approved loans whose
// last day passed before today without a check-out, and the waiting-list
// offers whose pickup day passed, offering each item to the next in line.
// The scheduler calls it; running it twice changes nothing more.
func (s *LoanService) SweepLoans(ctx context.Context, now time.Time) (*LoanSweep, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sys := shrooms.Principal{System: true}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	today := r.Today(now)
	out := &LoanSweep{}
	stale, err := queryLoans(ctx, tx, `WHERE mirror = 0 AND state IN ('pending', 'approved') AND end_day < ?`, today.String())
	if err != nil {
		return nil, err
	}
	for _, l := range stale {
		if err := s.db.moveLoan(ctx, tx, sys, l, shrooms.LoanExpire, ""); err != nil {
			return nil, err
		}
		out.Expired = append(out.Expired, l)
	}
	lapsed, err := queryWaiting(ctx, tx, `WHERE state = 'offered' AND pickup_by < ?`, today.String())
	if err != nil {
		return nil, err
	}
	for _, w := range lapsed {
		if err := setWaitState(ctx, tx, now, w, shrooms.WaitExpire, w.PickupBy.String()); err != nil {
			return nil, err
		}
		out.Lapsed = append(out.Lapsed, w)
		next, err := offerNext(ctx, tx, now, w.ItemID, r, today)
		if err != nil {
			return nil, err
		}
		if next != nil {
			out.Offered = append(out.Offered, next)
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return out, nil
}

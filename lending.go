package shrooms

import (
	"time"
)

// Opening says on which days the organisation hands items out and takes
// them back: its weekly opening days, less the closed days (holidays). A
// pickup and a due date fall on an open day; a waiting list's pickup
// deadline counts open days only.
type Opening struct {
	// Weekdays lists the open days of the week; empty means every day.
	Weekdays []time.Weekday `json:"weekdays"`
	// Closed lists the days the organisation is closed although the week
	// says open.
	Closed []Date `json:"closed"`
}

// maxOpeningSearch bounds the search for an open day: a year, beyond
// which the calendar is taken to be closed for good.
const maxOpeningSearch = 366

// IsOpen reports whether d is an open day.
func (o Opening) IsOpen(d Date) bool {
	for _, c := range o.Closed {
		if c == d {
			return false
		}
	}
	if len(o.Weekdays) == 0 {
		return true
	}
	for _, w := range o.Weekdays {
		if w == d.Weekday() {
			return true
		}
	}
	return false
}

// NextOpen returns the first open day on or after d, and false when none
// comes within a year.
func (o Opening) NextOpen(d Date) (Date, bool) {
	for i := 0; i < maxOpeningSearch; i++ {
		if o.IsOpen(d) {
			return d, true
		}
		d = d.AddDays(1)
	}
	return Date{}, false
}

// PrevOpen returns the last open day on or before d, and false when none
// came within a year.
func (o Opening) PrevOpen(d Date) (Date, bool) {
	for i := 0; i < maxOpeningSearch; i++ {
		if o.IsOpen(d) {
			return d, true
		}
		d = d.AddDays(-1)
	}
	return Date{}, false
}

// AddOpenDays returns the n-th open day after d (d itself for n = 0 when it
// is open, else the next open day): a pickup deadline of "3 opening days".
func (o Opening) AddOpenDays(d Date, n int) (Date, bool) {
	d, ok := o.NextOpen(d)
	for ; ok && n > 0; n-- {
		d, ok = o.NextOpen(d.AddDays(1))
	}
	return d, ok
}

// LendingRules are the organisation's lending settings: the defaults an
// item's own LoanRules refine, and the limits on each borrower.
type LendingRules struct {
	// DefaultDays is the loan length offered when an item sets none.
	DefaultDays int `json:"default_days"`
	// MinDays and MaxDays bound a loan's length in days, counting its
	// first and last day; an item's MaxDays, when set, wins over MaxDays.
	MinDays int `json:"min_days"`
	MaxDays int `json:"max_days"`
	// BufferHours keep an item free between two loans (cleaning,
	// checking, charging batteries).
	BufferHours int `json:"buffer_hours"`
	// MaxLoans and MaxRequests bound what one borrower holds at once:
	// items out, and requests waiting or approved; 0 for no limit.
	MaxLoans    int `json:"max_loans"`
	MaxRequests int `json:"max_requests"`
	// RenewalLimit is how many times a loan may be renewed; each renewal
	// extends the due date by the loan's length, capped by MaxDays. An
	// item's own LoanRules.Renewals wins over it.
	RenewalLimit int `json:"renewal_limit"`
	// BlockOverdue refuses new requests from a borrower with a loan
	// overdue.
	BlockOverdue bool `json:"block_overdue"`
	// AutoApprove approves at once a request that conflicts with nothing.
	AutoApprove bool `json:"auto_approve"`
	// PickupDays is how many open days a borrower whose turn came on the
	// waiting list has to pick the item up.
	PickupDays int `json:"pickup_days"`
	// DueSoonDays is when the "due soon" reminder goes out, in days before
	// the due date (0: none); OverdueEveryDays how often an overdue one
	// repeats (0: once).
	DueSoonDays      int     `json:"due_soon_days"`
	OverdueEveryDays int     `json:"overdue_every_days"`
	Opening          Opening `json:"opening"`
	// TimeZone is the organisation's IANA zone: what "today" is, when a
	// day starts and ends; "" is UTC.
	TimeZone string `json:"time_zone"`
}

// Location is the rules' time zone (UTC when unset or unknown: Validate
// refuses an unknown one).
func (r *LendingRules) Location() *time.Location {
	if loc, err := time.LoadLocation(r.TimeZone); err == nil && r.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// Today is the day it is at now in the organisation's zone.
func (r *LendingRules) Today(now time.Time) Date { return DateOf(now.In(r.Location())) }

// DefaultLendingRules are the rules of a new node: two-week loans of one
// day to four weeks, a day's buffer, auto-approval on (what most lending
// libraries choose), borrowers with an overdue loan blocked.
func DefaultLendingRules() LendingRules {
	return LendingRules{DefaultDays: 14, MinDays: 1, MaxDays: 28, BufferHours: 24, MaxLoans: 5, MaxRequests: 5,
		RenewalLimit: 2, BlockOverdue: true, AutoApprove: true, PickupDays: 3, DueSoonDays: 2, OverdueEveryDays: 3}
}

// Validate checks the rules' ranges. Returns EINVALID naming the field.
func (r *LendingRules) Validate() error {
	for _, f := range []struct {
		name     string
		v, lo, h int
	}{
		{"default_days", r.DefaultDays, 1, MaxLoanDays},
		{"min_days", r.MinDays, 1, MaxLoanDays},
		{"max_days", r.MaxDays, 1, MaxLoanDays},
		{"buffer_hours", r.BufferHours, 0, 24 * 30},
		{"max_loans", r.MaxLoans, 0, 1000},
		{"max_requests", r.MaxRequests, 0, 1000},
		{"renewal_limit", r.RenewalLimit, 0, 100},
		{"pickup_days", r.PickupDays, 1, 60},
		{"due_soon_days", r.DueSoonDays, 0, 60},
		{"overdue_every_days", r.OverdueEveryDays, 0, 60},
	} {
		if f.v < f.lo || f.v > f.h {
			return Errorf(EINVALID, "%s: must be between %d and %d", f.name, f.lo, f.h).
				Keyed("loans.error.rule_range", "Min", f.lo, "Max", f.h).On(f.name)
		}
	}
	if r.MinDays > r.MaxDays {
		return Errorf(EINVALID, "min_days: must not exceed max_days").Keyed("loans.error.min_over_max").On("min_days")
	}
	if r.DefaultDays < r.MinDays || r.DefaultDays > r.MaxDays {
		return Errorf(EINVALID, "default_days: must be between min_days and max_days").
			Keyed("loans.error.default_outside").On("default_days")
	}
	if r.TimeZone != "" {
		if _, err := time.LoadLocation(r.TimeZone); err != nil || r.TimeZone == "Local" {
			return Errorf(EINVALID, "time_zone: %q is not a time zone", r.TimeZone).
				Keyed("loans.error.time_zone", "Value", r.TimeZone).On("time_zone")
		}
	}
	if len(r.Opening.Closed) > 1000 {
		return Errorf(EINVALID, "closed: at most 1000 closed days").Keyed("loans.error.closed_many", "Max", 1000).On("closed")
	}
	for _, w := range r.Opening.Weekdays {
		if w < time.Sunday || w > time.Saturday {
			return Errorf(EINVALID, "weekdays: %d is not a day of the week", w).Keyed("loans.error.weekday").On("weekdays")
		}
	}
	return nil
}

// MaxDaysFor is the longest loan of item: its own limit when it sets one,
// else the organisation's.
func (r *LendingRules) MaxDaysFor(item *Item) int {
	if item != nil && item.Loan.MaxDays > 0 {
		return item.Loan.MaxDays
	}
	return r.MaxDays
}

// RenewalLimitFor is how many times a loan of item may be renewed: its
// own limit when it sets one, else the organisation's.
func (r *LendingRules) RenewalLimitFor(item *Item) int {
	if item != nil && item.Loan.Renewals != nil {
		return *item.Loan.Renewals
	}
	return r.RenewalLimit
}

// Buffer is the time kept free between two loans of one item.
func (r *LendingRules) Buffer() time.Duration { return time.Duration(r.BufferHours) * time.Hour }

package shrooms_test

import (
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// rules of a workshop open on Saturdays only, closed on 2027-03-20.
func saturdayRules() shrooms.LendingRules {
	r := shrooms.DefaultLendingRules()
	r.Opening = shrooms.Opening{Weekdays: []time.Weekday{time.Saturday}, Closed: []shrooms.Date{day("2027-03-20")}}
	return r
}

func lendable() *shrooms.Item {
	return &shrooms.Item{Name: "Drill", Loanable: true, Status: shrooms.StatusAvailable,
		Loan: shrooms.LoanRules{Members: true, Partners: true}}
}

func TestCheckRequest(t *testing.T) {
	t.Parallel()
	today := day("2027-03-04") // a Thursday
	req := func(start, end string) shrooms.LoanRequest {
		return shrooms.LoanRequest{ItemID: 1, Start: day(start), End: day(end)}
	}
	ok := req("2027-03-06", "2027-03-13")
	for _, tc := range []struct {
		name   string
		req    shrooms.LoanRequest
		item   func(*shrooms.Item)
		b      shrooms.BorrowerStanding
		remote bool
		code   string
		key    string
		field  string
	}{
		{name: "a week, Saturday to Saturday", req: ok},
		{name: "a partner's member", req: ok, remote: true},
		{name: "not loanable", req: ok, item: func(i *shrooms.Item) { i.Loanable = false }, code: shrooms.EFORBIDDEN, key: "loans.error.not_lent"},
		{name: "retired", req: ok, item: func(i *shrooms.Item) { i.Status = shrooms.StatusRetired }, code: shrooms.EFORBIDDEN, key: "loans.error.not_lent"},
		{name: "in repair may still be asked for", req: ok, item: func(i *shrooms.Item) { i.Status = shrooms.StatusInRepair }},
		{name: "out may still be asked for later", req: ok, item: func(i *shrooms.Item) { i.Status = shrooms.StatusOnLoan }},
		{name: "inside a kit", req: ok, item: func(i *shrooms.Item) { i.KitID = 9 }, code: shrooms.EINVALID, key: "loans.error.in_kit", field: "item"},
		{name: "not to partners", req: ok, remote: true, item: func(i *shrooms.Item) { i.Loan.Partners = false }, code: shrooms.EFORBIDDEN, key: "loans.error.not_partners"},
		{name: "not to members", req: ok, item: func(i *shrooms.Item) { i.Loan.Members = false }, code: shrooms.EFORBIDDEN, key: "loans.error.not_members"},
		{name: "suspended", req: ok, b: shrooms.BorrowerStanding{Suspended: true}, code: shrooms.EFORBIDDEN, key: "loans.error.suspended"},
		{name: "overdue", req: ok, b: shrooms.BorrowerStanding{Overdue: true}, code: shrooms.EFORBIDDEN, key: "loans.error.overdue_block"},
		{name: "too many requests", req: ok, b: shrooms.BorrowerStanding{Requests: 5}, code: shrooms.ECONFLICT, key: "loans.error.max_requests"},
		{name: "loans out do not limit requests", req: ok, b: shrooms.BorrowerStanding{Loans: 5}},
		{name: "no start", req: shrooms.LoanRequest{End: day("2027-03-13")}, code: shrooms.EINVALID, key: "loans.error.start_required", field: "start"},
		{name: "no end", req: shrooms.LoanRequest{Start: day("2027-03-06")}, code: shrooms.EINVALID, key: "loans.error.end_required", field: "end"},
		{name: "in the past", req: req("2027-02-27", "2027-03-06"), code: shrooms.EINVALID, key: "loans.error.start_past", field: "start"},
		{name: "too far ahead", req: req("2028-03-11", "2028-03-18"), code: shrooms.EINVALID, key: "loans.error.start_far", field: "start"},
		{name: "end before start", req: req("2027-03-13", "2027-03-06"), code: shrooms.EINVALID, key: "loans.error.end_before_start", field: "end"},
		{name: "longer than the rules", req: req("2027-03-06", "2027-04-10"), code: shrooms.EINVALID, key: "loans.error.length", field: "end"},
		{name: "longer than the item allows", req: ok, item: func(i *shrooms.Item) { i.Loan.MaxDays = 7 }, code: shrooms.EINVALID, key: "loans.error.length", field: "end"},
		{name: "the item allows more than the rules", req: req("2027-03-06", "2027-04-10"), item: func(i *shrooms.Item) { i.Loan.MaxDays = 60 }},
		{name: "picked up on a closed weekday", req: req("2027-03-05", "2027-03-13"), code: shrooms.EINVALID, key: "loans.error.closed_day", field: "start"},
		{name: "returned on a closed day", req: req("2027-03-13", "2027-03-20"), code: shrooms.EINVALID, key: "loans.error.closed_day", field: "end"},
		{name: "a long message", req: shrooms.LoanRequest{Start: day("2027-03-06"), End: day("2027-03-13"), Message: strings.Repeat("x", 2001)}, code: shrooms.EINVALID, key: "loans.error.message_long", field: "message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, item := saturdayRules(), lendable()
			if tc.item != nil {
				tc.item(item)
			}
			err := r.CheckRequest(tc.req, item, tc.b, tc.remote, today)
			if shrooms.ErrorCode(err) != tc.code || shrooms.ErrorKey(err) != tc.key || shrooms.ErrorField(err) != tc.field {
				t.Fatalf("got %v (key %q field %q), want %q %q %q", err, shrooms.ErrorKey(err), shrooms.ErrorField(err), tc.code, tc.key, tc.field)
			}
		})
	}
}

func TestCheckCheckOut(t *testing.T) {
	t.Parallel()
	r := saturdayRules()
	for _, tc := range []struct {
		status shrooms.ItemStatus
		b      shrooms.BorrowerStanding
		key    string
	}{
		{shrooms.StatusAvailable, shrooms.BorrowerStanding{}, ""},
		{shrooms.StatusAvailable, shrooms.BorrowerStanding{Requests: 40}, ""},
		{shrooms.StatusOnLoan, shrooms.BorrowerStanding{}, "loans.error.item_out"},
		{shrooms.StatusInRepair, shrooms.BorrowerStanding{}, "loans.error.item_repair"},
		{shrooms.StatusRetired, shrooms.BorrowerStanding{}, "loans.error.item_retired"},
		{shrooms.StatusAvailable, shrooms.BorrowerStanding{Loans: 5}, "loans.error.max_loans"},
		{shrooms.StatusAvailable, shrooms.BorrowerStanding{Overdue: true}, "loans.error.overdue_block"},
	} {
		item := lendable()
		item.Status = tc.status
		if err := r.CheckCheckOut(item, tc.b); shrooms.ErrorKey(err) != tc.key {
			t.Errorf("%s %+v: %v, want %q", tc.status, tc.b, err, tc.key)
		}
	}
}

func TestDueAndRenewal(t *testing.T) {
	t.Parallel()
	r := saturdayRules()
	loan := func() *shrooms.Loan {
		return &shrooms.Loan{State: shrooms.LoanCheckedOut, Start: day("2027-03-06"), End: day("2027-03-13"), Due: day("2027-03-13")}
	}
	l := loan()
	if due := r.DueAtCheckOut(l, day("2027-03-06")); due != day("2027-03-13") {
		t.Errorf("due at check-out on time: %s", due)
	}
	// Picked up after its return day: a full length from today, moved to
	// the next open day (Thursday + 7 = Thursday → Saturday).
	if due := r.DueAtCheckOut(l, day("2027-03-18")); due != day("2027-03-27") {
		t.Errorf("due at a late check-out: %s", due)
	}
	// Renewed on its due day: its 8 days more end on Sunday the 21st, so
	// the next open day, the 27th (the 20th is closed).
	due, err := r.Renew(l, lendable(), false, day("2027-03-13"))
	if err != nil || due != day("2027-03-27") {
		t.Fatalf("renewal: %s, %v", due, err)
	}
	// At most 14 days from today: its 8 days more end on Sunday the 14th,
	// the next open day is past the limit (the 19th), so the last open day
	// within it, the 13th.
	short, early := lendable(), loan()
	short.Loan.MaxDays = 14
	early.Start, early.End, early.Due = day("2027-02-27"), day("2027-03-06"), day("2027-03-06")
	if due, err := r.Renew(early, short, false, day("2027-03-06")); err != nil || due != day("2027-03-13") {
		t.Fatalf("capped renewal: %s, %v", due, err)
	}
	for _, tc := range []struct {
		name  string
		loan  func(*shrooms.Loan)
		item  func(*shrooms.Item)
		waits bool
		key   string
	}{
		{name: "someone waits", waits: true, key: "loans.error.renew_waited"},
		{name: "limit reached", loan: func(l *shrooms.Loan) { l.Renewals = 2 }, key: "loans.error.renew_limit"},
		{name: "the item allows no renewal", item: func(i *shrooms.Item) { i.Loan.Renewals = ptr(0) }, key: "loans.error.renew_limit"},
		{name: "the item's limit reached before the organisation's", loan: func(l *shrooms.Loan) { l.Renewals = 1 },
			item: func(i *shrooms.Item) { i.Loan.Renewals = ptr(1) }, key: "loans.error.renew_limit"},
		{name: "the item's higher limit reached", loan: func(l *shrooms.Loan) { l.Renewals = 5 },
			item: func(i *shrooms.Item) { i.Loan.Renewals = ptr(5) }, key: "loans.error.renew_limit"},
		{name: "not out", loan: func(l *shrooms.Loan) { l.State = shrooms.LoanApproved }, key: "loans.error.transition"},
		{name: "already as long as the item allows", item: func(i *shrooms.Item) { i.Loan.MaxDays = 8 }, key: "loans.error.renew_max"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, item := loan(), lendable()
			if tc.loan != nil {
				tc.loan(l)
			}
			if tc.item != nil {
				tc.item(item)
			}
			_, err := r.Renew(l, item, tc.waits, day("2027-03-13"))
			if shrooms.ErrorCode(err) != shrooms.ECONFLICT || shrooms.ErrorKey(err) != tc.key {
				t.Fatalf("got %v, want %s", err, tc.key)
			}
		})
	}
	// The item's own limit wins over the organisation's 2, both ways.
	for _, tc := range []struct {
		item     *int
		renewals int
	}{{nil, 1}, {ptr(3), 2}, {ptr(100), 99}} {
		l, item := loan(), lendable()
		l.Renewals, item.Loan.Renewals = tc.renewals, tc.item
		if due, err := r.Renew(l, item, false, day("2027-03-13")); err != nil || due != day("2027-03-27") {
			t.Errorf("item limit %v, renewed %d times: %s, %v", tc.item, tc.renewals, due, err)
		}
	}
	if d := r.OfferDeadline(day("2027-03-06")); d != day("2027-04-03") {
		t.Errorf("offered on the 6th, 3 open days later (13th, 27th, 3 April; the 20th closed): %s", d)
	}
}

func TestLendingRulesValidate(t *testing.T) {
	t.Parallel()
	ok := shrooms.DefaultLendingRules()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	ok.TimeZone = "Europe/Paris"
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	// Late on the 6th in UTC is already the 7th in Paris.
	if got := ok.Today(time.Date(2027, 3, 6, 23, 30, 0, 0, time.UTC)); got != day("2027-03-07") {
		t.Fatalf("today in Paris: %s", got)
	}
	for field, change := range map[string]func(*shrooms.LendingRules){
		"min_days":     func(r *shrooms.LendingRules) { r.MinDays = 30 },
		"default_days": func(r *shrooms.LendingRules) { r.DefaultDays = 60 },
		"max_days":     func(r *shrooms.LendingRules) { r.MaxDays = 0 },
		"buffer_hours": func(r *shrooms.LendingRules) { r.BufferHours = -1 },
		"pickup_days":  func(r *shrooms.LendingRules) { r.PickupDays = 0 },
		"weekdays":     func(r *shrooms.LendingRules) { r.Opening.Weekdays = []time.Weekday{7} },
		"time_zone":    func(r *shrooms.LendingRules) { r.TimeZone = "Mars/Olympus" },
	} {
		r := shrooms.DefaultLendingRules()
		change(&r)
		if err := r.Validate(); shrooms.ErrorCode(err) != shrooms.EINVALID || shrooms.ErrorField(err) != field {
			t.Errorf("%s: %v (field %q)", field, err, shrooms.ErrorField(err))
		}
	}
}

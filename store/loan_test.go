package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// lending is a node with people and items to lend: a drill, and a kit
// (a tile cutter) with two contents. The clock starts on Saturday
// 2025-03-01; the rules are the defaults (a day's buffer, auto-approve),
// open every day.
type lending struct {
	*inv
	loans         *store.LoanService
	drill, kit    *shrooms.Item
	blade, spacer *shrooms.Item
}

func newLending(t *testing.T) *lending {
	t.Helper()
	v := newInv(t)
	x := &lending{inv: v, loans: v.db.Loans}
	lend := func(name string, kind shrooms.ItemKind, kit int64) *shrooms.Item {
		return v.item(t, &shrooms.Item{Name: name, Kind: kind, KitID: kit, Loanable: true, Audience: shrooms.AudienceMembers,
			Loan: shrooms.LoanRules{Members: true, Partners: true, DepositCents: 2000}})
	}
	x.drill = lend("Drill", shrooms.KindTool, 0)
	x.kit = lend("Tile cutter kit", shrooms.KindKit, 0)
	x.blade = lend("Diamond blade", shrooms.KindTool, x.kit.ID)
	x.spacer = lend("Spacers", shrooms.KindTool, x.kit.ID)
	return x
}

func d(s string) shrooms.Date {
	v, err := shrooms.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func (x *lending) request(t *testing.T, ctx context.Context, item *shrooms.Item, start, end string) *shrooms.Loan {
	t.Helper()
	l, err := x.loans.RequestLoan(ctx, shrooms.LoanRequest{ItemID: item.ID, Start: d(start), End: d(end)})
	if err != nil {
		t.Fatalf("RequestLoan %s %s..%s: %v", item.Name, start, end, err)
	}
	return l
}

func (x *lending) act(t *testing.T, ctx context.Context, l *shrooms.Loan, a shrooms.LoanAction, ch shrooms.LoanChange) *shrooms.Loan {
	t.Helper()
	out, err := x.loans.ActOnLoan(ctx, l.ID, a, ch)
	if err != nil {
		t.Fatalf("%s loan %d: %v", a, l.ID, err)
	}
	return out
}

func (x *lending) status(t *testing.T, item *shrooms.Item) shrooms.ItemStatus {
	t.Helper()
	i, err := x.db.Items.FindItemByID(sys, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	return i.Status
}

func wantRefusal(t *testing.T, err error, code, key string) {
	t.Helper()
	if shrooms.ErrorCode(err) != code || shrooms.ErrorKey(err) != key {
		t.Fatalf("got %v (key %q), want %s %s", err, shrooms.ErrorKey(err), code, key)
	}
}

// The whole local lifecycle: request (auto-approved), check-out with the
// deposit, renewal, check-in; the item's status and history follow, and
// every transition is an event.
func TestLoanLifecycle(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	l := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-08")
	if l.State != shrooms.LoanApproved || l.LenderIRI != x.org.IRI || l.Borrower.UserID != x.member.ID || l.IRI == "" {
		t.Fatalf("requested: %+v", l)
	}
	if _, err := x.loans.ActOnLoan(as(x.member), l.ID, shrooms.LoanCheckOut, shrooms.LoanChange{}); shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
		t.Fatalf("the borrower checked out: %v", err)
	}
	l = x.act(t, as(x.staff), l, shrooms.LoanCheckOut, shrooms.LoanChange{Note: "battery full"})
	if l.State != shrooms.LoanCheckedOut || l.Due != d("2025-03-08") || l.DepositCents != 2000 || l.CheckedOutAt.IsZero() {
		t.Fatalf("checked out: %+v", l)
	}
	if st := x.status(t, x.drill); st != shrooms.StatusOnLoan {
		t.Fatalf("drill is %s", st)
	}
	l = x.act(t, as(x.member), l, shrooms.LoanRenew, shrooms.LoanChange{})
	if l.Due != d("2025-03-16") || l.Renewals != 1 {
		t.Fatalf("renewed: due %s, %d renewals", l.Due, l.Renewals)
	}
	x.clock.Add(20 * 24 * time.Hour) // 21 March: overdue
	got, err := x.loans.FindLoanByID(as(x.member), l.ID)
	if err != nil || !got.IsOverdue {
		t.Fatalf("overdue: %+v, %v", got, err)
	}
	overdue, n, err := x.loans.FindLoans(as(x.staff), shrooms.LoanFilter{Desk: true, Overdue: true})
	if err != nil || n != 1 || overdue[0].ID != l.ID {
		t.Fatalf("desk overdue: %d, %v", n, err)
	}
	// An overdue borrower may not ask for more.
	_, err = x.loans.RequestLoan(as(x.member), shrooms.LoanRequest{ItemID: x.kit.ID, Start: d("2025-03-22"), End: d("2025-03-23")})
	wantRefusal(t, err, shrooms.EFORBIDDEN, "loans.error.overdue_block")
	l = x.act(t, as(x.staff), l, shrooms.LoanCheckIn, shrooms.LoanChange{DepositBack: true, Condition: shrooms.ConditionFair})
	if l.State != shrooms.LoanReturned || !l.DepositBack || l.ReturnedAt.IsZero() || l.IsOverdue {
		t.Fatalf("returned: %+v", l)
	}
	if st := x.status(t, x.drill); st != shrooms.StatusAvailable {
		t.Fatalf("drill is %s after check-in", st)
	}
	events, err := x.loans.FindLoanEvents(as(x.member), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, e := range events {
		trail = append(trail, fmt.Sprintf("%s:%s>%s:%s", e.Action, e.From, e.To, e.ActorName))
	}
	want := []string{"request:>pending:mia Name", "approve:pending>approved:", "checkout:approved>checked_out:sam Name",
		"renew:checked_out>checked_out:mia Name", "checkin:checked_out>returned:sam Name"}
	if fmt.Sprint(trail) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", trail, want)
	}
	history, _, err := x.db.Items.FindItemHistory(as(x.staff), x.drill.ID, 0, 10)
	if err != nil || len(history) < 3 || history[0].Action != shrooms.ActionCheckedIn || history[1].Action != shrooms.ActionCheckedOut {
		t.Fatalf("item history: %v %v", history, err)
	}
	// Returned is final.
	_, err = x.loans.ActOnLoan(as(x.staff), l.ID, shrooms.LoanRenew, shrooms.LoanChange{})
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.transition")
}

// Twenty members ask for overlapping days of one item at once: exactly
// one wins, the others are told the days are taken.
func TestNoDoubleBooking(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	var users []*shrooms.User
	for k := 0; k < 20; k++ {
		users = append(users, createUser(t, x.db, fmt.Sprintf("m%02d", k), shrooms.RoleMember))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(users))
	start := make(chan struct{})
	for k, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Days that all overlap the 10th.
			s := d("2025-03-03").AddDays(k % 7)
			_, errs[k] = x.loans.RequestLoan(as(u), shrooms.LoanRequest{ItemID: x.drill.ID, Start: s, End: s.AddDays(7)})
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case shrooms.ErrorKey(err) != "loans.error.days_taken":
			t.Errorf("refused with %v", err)
		}
	}
	holding, n, err := x.loans.FindLoans(as(x.staff), shrooms.LoanFilter{Desk: true,
		States: []shrooms.LoanState{shrooms.LoanPending, shrooms.LoanApproved}})
	if won != 1 || n != 1 || err != nil {
		t.Fatalf("%d won, %d holding (%v): %+v", won, n, err, holding)
	}
}

// The buffer keeps the day after a loan free; closed days cannot be
// pickup or return days; the rules are the admins'.
func TestLoanBufferAndOpening(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	other := createUser(t, x.db, "otto", shrooms.RoleMember)
	x.request(t, as(x.member), x.drill, "2025-03-03", "2025-03-07")
	_, err := x.loans.RequestLoan(as(other), shrooms.LoanRequest{ItemID: x.drill.ID, Start: d("2025-03-08"), End: d("2025-03-09")})
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.days_taken")
	x.request(t, as(other), x.drill, "2025-03-09", "2025-03-10")

	rules := shrooms.DefaultLendingRules()
	rules.Opening = shrooms.Opening{Weekdays: []time.Weekday{time.Saturday}}
	if err := x.loans.UpdateLendingRules(as(x.staff), rules); shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
		t.Fatalf("staff set the rules: %v", err)
	}
	if err := x.loans.UpdateLendingRules(as(x.admin), rules); err != nil {
		t.Fatal(err)
	}
	_, err = x.loans.RequestLoan(as(other), shrooms.LoanRequest{ItemID: x.kit.ID, Start: d("2025-03-03"), End: d("2025-03-08")})
	wantRefusal(t, err, shrooms.EINVALID, "loans.error.closed_day")
	if got, _ := x.loans.FindLendingRules(as(x.member)); len(got.Opening.Weekdays) != 1 {
		t.Fatalf("rules read back: %+v", got)
	}
	rules.BufferHours = -3
	if err := x.loans.UpdateLendingRules(as(x.admin), rules); shrooms.ErrorField(err) != "buffer_hours" {
		t.Fatalf("bad rules: %v", err)
	}
}

// A kit is lent with its contents; a content alone is not lent.
func TestKitLentWithContents(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	_, err := x.loans.RequestLoan(as(x.member), shrooms.LoanRequest{ItemID: x.blade.ID, Start: d("2025-03-01"), End: d("2025-03-02")})
	wantRefusal(t, err, shrooms.EINVALID, "loans.error.in_kit")
	l := x.request(t, as(x.member), x.kit, "2025-03-01", "2025-03-02")
	x.act(t, as(x.staff), l, shrooms.LoanCheckOut, shrooms.LoanChange{})
	for _, i := range []*shrooms.Item{x.kit, x.blade, x.spacer} {
		if st := x.status(t, i); st != shrooms.StatusOnLoan {
			t.Fatalf("%s is %s", i.Name, st)
		}
	}
	x.act(t, as(x.staff), l, shrooms.LoanCheckIn, shrooms.LoanChange{})
	for _, i := range []*shrooms.Item{x.kit, x.blade, x.spacer} {
		if st := x.status(t, i); st != shrooms.StatusAvailable {
			t.Fatalf("%s is %s after check-in", i.Name, st)
		}
	}
}

// An item in repair, retired or out cannot go out; damage at check-in
// sends it to repair.
func TestCheckOutNeedsTheItemOnTheShelf(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	other := createUser(t, x.db, "otto", shrooms.RoleMember)
	first := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-02")
	second := x.request(t, as(other), x.drill, "2025-03-05", "2025-03-06")
	x.act(t, as(x.staff), first, shrooms.LoanCheckOut, shrooms.LoanChange{})
	x.clock.Add(4 * 24 * time.Hour) // the 5th; the first loan is late
	_, err := x.loans.ActOnLoan(as(x.staff), second.ID, shrooms.LoanCheckOut, shrooms.LoanChange{})
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.item_out")
	x.act(t, as(x.staff), first, shrooms.LoanCheckIn, shrooms.LoanChange{ToRepair: true, Note: "chuck broken"})
	_, err = x.loans.ActOnLoan(as(x.staff), second.ID, shrooms.LoanCheckOut, shrooms.LoanChange{})
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.item_repair")
	if _, err := x.db.Items.UpdateItem(as(x.staff), x.drill.ID, shrooms.ItemUpdate{Status: ptr(shrooms.StatusRetired)}); err != nil {
		t.Fatal(err)
	}
	_, err = x.loans.ActOnLoan(as(x.staff), second.ID, shrooms.LoanCheckOut, shrooms.LoanChange{})
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.item_retired")
}

// The waiting list: a renewal is refused while someone waits; the return
// offers the item to the first in line, whom it waits for; a lapsed offer
// goes to the next.
func TestWaitingList(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	wait1 := createUser(t, x.db, "wanda", shrooms.RoleMember)
	wait2 := createUser(t, x.db, "walt", shrooms.RoleMember)
	l := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-08")
	x.act(t, as(x.staff), l, shrooms.LoanCheckOut, shrooms.LoanChange{})
	for _, u := range []*shrooms.User{wait1, wait2} {
		if _, err := x.loans.JoinWaitlist(as(u), x.drill.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, err := x.loans.JoinWaitlist(as(wait1), x.drill.ID)
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.in_line")
	_, err = x.loans.ActOnLoan(as(x.member), l.ID, shrooms.LoanRenew, shrooms.LoanChange{})
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.renew_waited")
	// The desk sees every line, item by item; a member does not.
	if all, err := x.loans.FindWaitlists(as(x.staff)); err != nil || len(all) != 2 || all[0].Borrower.UserID != wait1.ID ||
		all[1].Position != 2 || all[1].ItemName != "Drill" {
		t.Fatalf("desk's waiting lists: %+v %v", all, err)
	}
	if _, err := x.loans.FindWaitlists(as(wait1)); shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
		t.Fatalf("a member reads every line: %v", err)
	}
	mine, err := x.loans.FindWaitlist(as(wait2), 0)
	if err != nil || len(mine) != 1 || mine[0].Position != 2 || mine[0].ItemName != "Drill" {
		t.Fatalf("wait2's places: %+v %v", mine, err)
	}

	x.act(t, as(x.staff), l, shrooms.LoanCheckIn, shrooms.LoanChange{})
	line, err := x.loans.FindWaitlist(as(x.staff), x.drill.ID)
	if err != nil || len(line) != 2 || line[0].State != shrooms.WaitOffered || line[0].Borrower.UserID != wait1.ID ||
		line[0].PickupBy != d("2025-03-04") {
		t.Fatalf("line after the return: %+v %v", line, err)
	}
	// Held for wanda: walt's request for today cannot go out.
	walts := x.request(t, as(wait2), x.drill, "2025-03-05", "2025-03-06")
	_, err = x.loans.ActOnLoan(as(x.staff), walts.ID, shrooms.LoanCheckOut, shrooms.LoanChange{})
	wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.held")
	if _, err := x.loans.ActOnLoan(as(wait2), walts.ID, shrooms.LoanCancel, shrooms.LoanChange{Reason: "changed my mind"}); err != nil {
		t.Fatal(err)
	}

	// Wanda does not come: the sweep after her pickup day offers it to walt.
	x.clock.Add(4 * 24 * time.Hour)
	sweep, err := x.loans.SweepLoans(sys, x.clock.Now())
	if err != nil || len(sweep.Lapsed) != 1 || len(sweep.Offered) != 1 || sweep.Offered[0].Borrower.UserID != wait2.ID {
		t.Fatalf("sweep: %+v %v", sweep, err)
	}
	again, err := x.loans.SweepLoans(sys, x.clock.Now())
	if err != nil || len(again.Lapsed)+len(again.Offered)+len(again.Expired) != 0 {
		t.Fatalf("second sweep: %+v %v", again, err)
	}
	// Walt picks it up: his place is fulfilled.
	walt := x.request(t, as(wait2), x.drill, "2025-03-05", "2025-03-07")
	x.act(t, as(x.staff), walt, shrooms.LoanCheckOut, shrooms.LoanChange{})
	if line, _ := x.loans.FindWaitlist(as(x.staff), x.drill.ID); len(line) != 0 {
		t.Fatalf("line after walt's pickup: %+v", line)
	}
}

// Requests not picked up expire once their days pass; who sees what.
func TestLoanSweepAndRights(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	other := createUser(t, x.db, "otto", shrooms.RoleMember)
	l := x.request(t, as(x.member), x.drill, "2025-03-02", "2025-03-03")
	if _, err := x.loans.FindLoanByID(as(other), l.ID); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("another member sees the loan: %v", err)
	}
	if _, err := x.loans.ActOnLoan(as(other), l.ID, shrooms.LoanCancel, shrooms.LoanChange{}); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("another member cancels the loan: %v", err)
	}
	if _, _, err := x.loans.FindLoans(as(x.member), shrooms.LoanFilter{Desk: true}); shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
		t.Fatalf("a member opens the desk: %v", err)
	}
	if _, err := x.loans.RequestLoan(anon, shrooms.LoanRequest{ItemID: x.drill.ID, Start: d("2025-03-05"), End: d("2025-03-06")}); shrooms.ErrorCode(err) != shrooms.EUNAUTHORIZED {
		t.Fatalf("anonymous request: %v", err)
	}
	if mine, n, err := x.loans.FindLoans(as(x.member), shrooms.LoanFilter{}); err != nil || n != 1 || mine[0].ID != l.ID {
		t.Fatalf("my loans: %d %v", n, err)
	}
	x.clock.Add(3 * 24 * time.Hour) // the 4th
	sweep, err := x.loans.SweepLoans(sys, x.clock.Now())
	if err != nil || len(sweep.Expired) != 1 || sweep.Expired[0].State != shrooms.LoanExpired {
		t.Fatalf("sweep: %+v %v", sweep, err)
	}
	a, err := x.loans.FindAvailability(as(other), x.drill.ID, d("2025-03-01"), d("2025-03-31"))
	if err != nil || len(a.Booked) != 0 || !a.OnShelf {
		t.Fatalf("availability after expiry: %+v %v", a, err)
	}
}

// With lending on, a loanable item goes out and comes back only through
// its loans: an edit or the API cannot set on_loan by hand, nor take it
// back, so the item's status and its loans never disagree.
func TestLendingStatusByDesk(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	_, err := x.db.Items.UpdateItem(as(x.staff), x.drill.ID, shrooms.ItemUpdate{Status: ptr(shrooms.StatusOnLoan)})
	wantRefusal(t, err, shrooms.ECONFLICT, "items.error.status_desk")
	l := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-02")
	x.act(t, as(x.staff), l, shrooms.LoanCheckOut, shrooms.LoanChange{})
	_, err = x.db.Items.UpdateItem(as(x.staff), x.drill.ID, shrooms.ItemUpdate{Status: ptr(shrooms.StatusAvailable)})
	wantRefusal(t, err, shrooms.ECONFLICT, "items.error.status_desk")
	// Other changes, and items not lent, are not concerned.
	if _, err := x.db.Items.UpdateItem(as(x.staff), x.drill.ID, shrooms.ItemUpdate{Name: ptr("Drill (18 V)")}); err != nil {
		t.Fatal(err)
	}
	plain := x.item(t, &shrooms.Item{Name: "Bench", Kind: shrooms.KindTool})
	if _, err := x.db.Items.UpdateItem(as(x.staff), plain.ID, shrooms.ItemUpdate{Status: ptr(shrooms.StatusOnLoan)}); err != nil {
		t.Fatal(err)
	}
}

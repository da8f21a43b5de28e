package store_test

import (
	"fmt"
	"strconv"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// renewals checks a day's loan of item out to the member and renews it
// until refused; returns how many renewals passed and the refusal.
func (x *lending) renewals(t *testing.T, item *shrooms.Item) (int, error) {
	t.Helper()
	l := x.request(t, as(x.member), item, "2025-03-01", "2025-03-01")
	l = x.act(t, as(x.staff), l, shrooms.LoanCheckOut, shrooms.LoanChange{})
	for n := 0; n <= shrooms.MaxRenewals; n++ {
		next, err := x.loans.ActOnLoan(as(x.member), l.ID, shrooms.LoanRenew, shrooms.LoanChange{})
		if err != nil {
			return n, err
		}
		if next.Renewals != n+1 || !next.Due.After(l.Due) {
			t.Fatalf("renewal %d: %d renewals, due %s after %s", n+1, next.Renewals, next.Due, l.Due)
		}
		l = next
	}
	t.Fatal("renewed past the most an item may allow")
	return 0, nil
}

// An item's own renewal limit wins over the organisation's (2 by
// default), lower or higher; without one, the organisation's applies.
func TestItemRenewalLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		limit  *int
		passed int
	}{
		{"the organisation's rule", nil, 2},
		{"no renewal", ptr(0), 0},
		{"fewer than the organisation allows", ptr(1), 1},
		{"more than the organisation allows", ptr(4), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := newLending(t)
			item := x.item(t, &shrooms.Item{Name: "Sander", Kind: shrooms.KindTool, Loanable: true,
				Audience: shrooms.AudienceMembers, Loan: shrooms.LoanRules{Members: true, Renewals: tc.limit}})
			n, err := x.renewals(t, item)
			wantRefusal(t, err, shrooms.ECONFLICT, "loans.error.renew_limit")
			if n != tc.passed {
				t.Fatalf("renewed %d times, want %d", n, tc.passed)
			}
		})
	}
}

// The limit is stored and read back, changed, cleared to the
// organisation's rule, and each change is in the item's history.
func TestItemRenewalLimitStored(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	it := v.item(t, &shrooms.Item{Name: "Ladder", Kind: shrooms.KindTool, Loanable: true,
		Loan: shrooms.LoanRules{Members: true, Renewals: ptr(3)}})
	read := func() *shrooms.Item {
		t.Helper()
		got, err := v.db.Items.FindItemByID(as(v.staff), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := read(); got.Loan.Renewals == nil || *got.Loan.Renewals != 3 {
		t.Fatalf("created with 3 renewals, read %v", got.Loan.Renewals)
	}
	for _, want := range []*int{ptr(0), nil} {
		rules := shrooms.LoanRules{Members: true, Renewals: want}
		if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Loan: &rules}); err != nil {
			t.Fatal(err)
		}
		if got := read(); !got.Loan.Equal(rules) {
			t.Fatalf("updated to %v, read %v", want, got.Loan.Renewals)
		}
	}
	bad := shrooms.LoanRules{Renewals: ptr(shrooms.MaxRenewals + 1)}
	_, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Loan: &bad})
	if shrooms.ErrorField(err) != "renewals" {
		t.Fatalf("too many renewals: %v", err)
	}
	history, _, err := v.db.Items.FindItemHistory(as(v.staff), it.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var limits []string
	for _, e := range history {
		for _, c := range e.Fields {
			if c.Field == shrooms.ChangeLoan {
				limits = append(limits, limit(c.From.Loan)+">"+limit(c.To.Loan))
			}
		}
	}
	if want := "[0>org 3>0]"; fmt.Sprint(limits) != want {
		t.Fatalf("history of the limit %v, want %s", limits, want)
	}
}

func limit(l *shrooms.LoanRules) string {
	if l == nil || l.Renewals == nil {
		return "org"
	}
	return strconv.Itoa(*l.Renewals)
}

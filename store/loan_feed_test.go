package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// A member's calendar feed: made, read by whoever holds the secret (the
// approved and checked-out loans only, the owner's alone), rotated (the
// old secret is gone), revoked; a suspended owner's feed is gone too.
func TestLoanFeed(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	anon := context.Background()
	if f, err := x.loans.FindLoanFeed(as(x.member)); err != nil || f != nil {
		t.Fatalf("feed before any: %+v, %v", f, err)
	}
	if _, err := x.loans.FindLoanFeed(anon); shrooms.ErrorCode(err) != shrooms.EUNAUTHORIZED {
		t.Fatalf("anonymous feed: %v", err)
	}
	secret, f, err := x.loans.RotateLoanFeed(as(x.member))
	if err != nil || !strings.HasPrefix(secret, shrooms.LoanFeedPrefix) || len(secret) != 68 || f.UserID != x.member.ID {
		t.Fatalf("rotate: %q %+v %v", secret, f, err)
	}
	var stored int
	if err := x.raw.QueryRow(`SELECT COUNT(*) FROM loan_feeds WHERE token_hash = ?`, secret).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the secret is stored in clear: %d %v", stored, err)
	}

	out := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-05")
	x.act(t, as(x.staff), out, shrooms.LoanCheckOut, shrooms.LoanChange{})
	approved := x.request(t, as(x.member), x.kit, "2025-03-10", "2025-03-12")
	gone := x.request(t, as(x.member), x.drill, "2025-03-20", "2025-03-22")
	x.act(t, as(x.member), gone, shrooms.LoanCancel, shrooms.LoanChange{})
	x.request(t, as(x.staff), x.drill, "2025-04-01", "2025-04-02") // someone else's

	got, loans, err := x.loans.FindFeedLoans(anon, secret)
	if err != nil || got.UserID != x.member.ID || got.LastUsedAt.IsZero() {
		t.Fatalf("feed: %+v %v", got, err)
	}
	if len(loans) != 2 || loans[0].ID != out.ID || loans[1].ID != approved.ID || loans[0].State != shrooms.LoanCheckedOut {
		t.Fatalf("feed loans: %+v", loans)
	}
	x.clock.Add(10 * 24 * time.Hour)
	if _, loans, _ := x.loans.FindFeedLoans(anon, secret); !loans[0].IsOverdue {
		t.Fatalf("overdue not flagged: %+v", loans[0])
	}
	if f, err := x.loans.FindLoanFeed(as(x.member)); err != nil || f == nil || f.LastUsedAt.IsZero() {
		t.Fatalf("feed state: %+v %v", f, err)
	}

	newer, _, err := x.loans.RotateLoanFeed(as(x.member))
	if err != nil || newer == secret {
		t.Fatalf("rotate again: %v", err)
	}
	if _, _, err := x.loans.FindFeedLoans(anon, secret); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("old secret after rotation: %v", err)
	}
	if _, _, err := x.loans.FindFeedLoans(anon, newer); err != nil {
		t.Fatalf("new secret: %v", err)
	}

	if _, err := x.db.Users.UpdateUser(sys, x.member.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusSuspended)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := x.loans.FindFeedLoans(anon, newer); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("suspended owner's feed: %v", err)
	}
	if _, err := x.db.Users.UpdateUser(sys, x.member.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusActive)}); err != nil {
		t.Fatal(err)
	}

	if err := x.loans.RevokeLoanFeed(as(x.member)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := x.loans.FindFeedLoans(anon, newer); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("revoked secret: %v", err)
	}
	if err := x.loans.RevokeLoanFeed(as(x.member)); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("revoke twice: %v", err)
	}
}

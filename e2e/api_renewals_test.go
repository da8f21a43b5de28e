package e2e

import (
	"fmt"
	"testing"
)

// Tests of an item's own renewal limit (issue 13 item 1) through the API.

func ptr[T any](v T) *T { return &v }

// TestAPIItemRenewalLimit: an item says how often its loans may be
// renewed, more than the organisation's 2 here; a member renews until
// refused at the item's limit. An item without one answers no
// "renewals" and follows the organisation's rule; a bad limit is 400
// naming it.
func TestAPIItemRenewalLimit(t *testing.T) {
	t.Parallel()
	x := newLendingNode(t)
	rules := x.loan(t, "GET", "/api/v1/loans/rules", x.tk.member, nil, 200)
	if rules["renewal_limit"] != 2.0 {
		t.Fatalf("default rules: %v", rules)
	}
	status, body := x.api("POST", "/api/v1/items", x.tk.staff, map[string]any{"name": "Ladder", "kind": "tool",
		"audience": "members", "loanable": true, "loan": map[string]any{"max_days": 0, "deposit_cents": 0,
			"members": true, "partners": false, "renewals": 101}})
	apiWantError(t, "101 renewals", status, body, 400, "renewals")
	ladder := x.apiNewItem(x.tk.staff, map[string]any{"name": "Ladder", "kind": "tool", "audience": "members",
		"loanable": true, "loan": map[string]any{"max_days": 0, "deposit_cents": 0, "members": true, "partners": false,
			"renewals": 3}})
	item := x.loan(t, "GET", fmt.Sprintf("/api/v1/items/%d", ladder), x.tk.member, nil, 200)
	loan := item["loan"].(map[string]any)
	if loan["renewals"] != 3.0 {
		t.Fatalf("the ladder's loan rules: %v", loan)
	}
	wantDocumented(t, x.testNode, "LoanRules", loan)
	staff := loginAs(t, x.testNode, "sam", memberPassword)
	if p := staff.get(fmt.Sprintf("/items/%d", ladder)); !p.Has("Renewable 3 times at most") {
		t.Errorf("the ladder's page does not tell its limit:\n%s", p.Body)
	}
	if p := staff.get(fmt.Sprintf("/items/%d/edit", ladder)); !p.Has(`name="renewals"`) || !p.Has(`value="3"`) ||
		!p.Has("organisation’s rule (2 now)") {
		t.Errorf("the ladder's form does not show its limit and the organisation's:\n%s", p.Body)
	}
	drill := x.loan(t, "GET", fmt.Sprintf("/api/v1/items/%d", x.drill), x.tk.member, nil, 200)
	if _, ok := drill["loan"].(map[string]any)["renewals"]; ok {
		t.Fatalf("the drill has no limit of its own: %v", drill["loan"])
	}

	renewUntilRefused := func(item int64) (int, map[string]any) {
		t.Helper()
		l := x.loan(t, "POST", "/api/v1/loans", x.tk.member, map[string]any{"item": item, "start": x.day(0), "end": x.day(0)}, 201)
		path := fmt.Sprintf("/api/v1/loans/%v", l["id"])
		if l["state"] != "approved" {
			x.loan(t, "POST", path+"/approve", x.tk.staff, nil, 200)
		}
		x.loan(t, "POST", path+"/checkout", x.tk.staff, nil, 200)
		for n := 0; n < 10; n++ {
			status, body := x.api("POST", path+"/renew", x.tk.member, nil)
			if status != 200 {
				apiWantError(t, "renewal past the limit", status, body, 409, fmt.Sprintf("renewed %d times", n))
				return n, body
			}
			if body["renewals"] != float64(n+1) {
				t.Fatalf("renewal %d: %v", n+1, body)
			}
		}
		t.Fatal("renewed ten times")
		return 0, nil
	}
	if n, _ := renewUntilRefused(ladder); n != 3 {
		t.Fatalf("the ladder was renewed %d times, its limit is 3", n)
	}
	if n, _ := renewUntilRefused(x.saw); n != 2 {
		t.Fatalf("the saw was renewed %d times, the organisation's limit is 2", n)
	}

	// No renewal at all: PATCH replaces the loan rules; the limit 0 is
	// kept and answered (not left out as "none").
	patched := x.loan(t, "PATCH", fmt.Sprintf("/api/v1/items/%d", x.drill), x.tk.staff, map[string]any{"loan": map[string]any{
		"max_days": 0, "deposit_cents": 2000, "members": true, "partners": false, "renewals": 0}}, 200)
	if patched["loan"].(map[string]any)["renewals"] != 0.0 {
		t.Fatalf("patched: %v", patched["loan"])
	}
	if n, _ := renewUntilRefused(x.drill); n != 0 {
		t.Fatalf("the drill was renewed %d times, its limit is 0", n)
	}
	// The item's history spells the change out.
	if p := staff.get(fmt.Sprintf("/items/%d", x.drill)); !p.Has("No time limit; Not renewable;") {
		t.Errorf("the drill's history does not tell the limit:\n%s", p.Body)
	}
}

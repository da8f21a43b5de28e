package e2e

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Tests of the loans API (issue 13 item 7) over a real node.

// lendingNode is a node with a desk (staff sam), two members (mia and
// carol) and a drill and a saw lent to members.
type lendingNode struct {
	*testNode
	tk         inventoryTokens
	carol      string
	drill, saw int64
	today      shrooms.Date
	drillIRI   string
}

func newLendingNode(t *testing.T, opts ...nodeOption) *lendingNode {
	t.Helper()
	n := startNode(t, newTestClock(), opts...)
	x := &lendingNode{testNode: n, tk: newInventoryTokens(t, n), carol: memberToken(t, n, "carol")}
	lent := func(name string) int64 {
		return n.apiNewItem(x.tk.staff, map[string]any{"name": name, "kind": "tool", "audience": "members", "loanable": true,
			"loan": map[string]any{"max_days": 0, "deposit_cents": 2000, "members": true, "partners": false}})
	}
	x.drill, x.saw = lent("Drill"), lent("Saw")
	x.drillIRI = fmt.Sprintf("%s/items/%d", n.url(), x.drill)
	x.today = shrooms.DateOf(n.clock.Now().UTC()) // the default rules keep UTC
	return x
}

// day is today plus n days, as the API writes it.
func (x *lendingNode) day(n int) string { return x.today.AddDays(n).String() }

// loan calls an endpoint that answers a loan and checks the status.
func (x *lendingNode) loan(t *testing.T, method, path, token string, body any, want int) map[string]any {
	t.Helper()
	status, out := x.api(method, path, token, body)
	if status != want {
		t.Fatalf("%s %s: %d %v, want %d", method, path, status, out, want)
	}
	return out
}

// deskTotal is how many loans the node holds, as the desk counts them.
func (x *lendingNode) deskTotal(t *testing.T) float64 {
	t.Helper()
	return x.loan(t, "GET", "/api/v1/loans?scope=desk", x.tk.staff, nil, 200)["total"].(float64)
}

// TestAPILoanLifecycle: a member asks (by IRI), the desk approves (auto-
// approval turned off), checks out with a deposit; the member renews;
// the desk checks in. Each answer is the loan; its events tell the story.
func TestAPILoanLifecycle(t *testing.T) {
	t.Parallel()
	x := newLendingNode(t)

	rules := x.loan(t, "GET", "/api/v1/loans/rules", x.tk.member, nil, 200)
	if rules["auto_approve"] != true || rules["default_days"] != 14.0 {
		t.Fatalf("default rules: %v", rules)
	}
	rules["auto_approve"] = false
	status, body := x.api("PUT", "/api/v1/loans/rules", x.tk.staff, rules)
	apiWantError(t, "staff sets the rules", status, body, 403, "")
	if got := x.loan(t, "PUT", "/api/v1/loans/rules", x.tk.admin, rules, 200); got["auto_approve"] != false {
		t.Fatalf("rules stored: %v", got)
	}

	status, hdr, raw := x.apiSend("POST", "/api/v1/loans", x.tk.member, "application/json",
		fmt.Appendf(nil, `{"item": %q, "start": %q, "end": %q, "message": "For the shed."}`, x.drillIRI, x.day(0), x.day(6)))
	var l shrooms.Loan
	if status != 201 || json.Unmarshal(raw, &l) != nil {
		t.Fatalf("request: %d %s", status, raw)
	}
	if l.State != shrooms.LoanPending || l.ItemID != x.drill || l.ItemIRI != x.drillIRI || l.Start.String() != x.day(0) ||
		l.Due.String() != x.day(6) || l.Borrower.Name == "" || l.LenderName == "" || l.IsOverdue || l.Message != "For the shed." {
		t.Fatalf("requested: %s", raw)
	}
	path := fmt.Sprintf("/api/v1/loans/%d", l.ID)
	if hdr.Get("Location") != x.url()+path {
		t.Errorf("Location = %q", hdr.Get("Location"))
	}
	if !strings.Contains(string(raw), `"overdue":false`) || !strings.Contains(string(raw), `"state":"pending"`) {
		t.Errorf("the loan's JSON: %s", raw)
	}

	got := x.loan(t, "POST", path+"/approve", x.tk.staff, nil, 200)
	if got["state"] != "approved" {
		t.Fatalf("approved: %v", got)
	}
	got = x.loan(t, "POST", path+"/checkout", x.tk.staff, map[string]any{"note": "battery full", "deposit_cents": 1500, "condition": "good"}, 200)
	if got["state"] != "checked_out" || got["deposit_cents"] != 1500.0 || got["checked_out_at"] == nil {
		t.Fatalf("checked out: %v", got)
	}
	if item := x.loan(t, "GET", fmt.Sprintf("/api/v1/items/%d", x.drill), x.tk.member, nil, 200); item["status"] != "on_loan" {
		t.Fatalf("the drill is %v", item["status"])
	}
	got = x.loan(t, "POST", path+"/renew", x.tk.member, nil, 200)
	if got["renewals"] != 1.0 || got["due"] == x.day(6) {
		t.Fatalf("renewed: %v", got)
	}
	got = x.loan(t, "POST", path+"/checkin", x.tk.staff, map[string]any{"deposit_returned": true, "condition": "fair"}, 200)
	if got["state"] != "returned" || got["deposit_returned"] != true || got["returned_at"] == nil {
		t.Fatalf("returned: %v", got)
	}

	got = x.loan(t, "GET", path, x.tk.member, nil, 200)
	var actions []string
	for _, e := range got["events"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if strings.Join(actions, " ") != "request approve checkout renew checkin" || got["state"] != "returned" {
		t.Fatalf("history: %v (%v)", actions, got)
	}
	wantDocumented(t, x.testNode, "LoanWithEvents", got)
	wantDocumented(t, x.testNode, "LoanEvent", got["events"].([]any)[0].(map[string]any))
	wantDocumented(t, x.testNode, "LendingRules", rules)

	// Auto-approval back on: a request conflicting with nothing is
	// approved at once; the list filters by state and item.
	rules["auto_approve"] = true
	x.loan(t, "PUT", "/api/v1/loans/rules", x.tk.admin, rules, 200)
	auto := x.loan(t, "POST", "/api/v1/loans", x.tk.member, map[string]any{"item": x.saw, "start": x.day(1), "end": x.day(3)}, 201)
	if auto["state"] != "approved" {
		t.Fatalf("auto-approved: %v", auto)
	}
	wantDocumented(t, x.testNode, "Loan", auto)
	mine := x.loan(t, "GET", "/api/v1/loans?state=approved,pending", x.tk.member, nil, 200)
	if mine["total"] != 1.0 || mine["items"].([]any)[0].(map[string]any)["id"] != auto["id"] {
		t.Fatalf("my approved loans: %v", mine)
	}
	if all := x.loan(t, "GET", fmt.Sprintf("/api/v1/loans?item_id=%d", x.drill), x.tk.member, nil, 200); all["total"] != 1.0 {
		t.Fatalf("my loans of the drill: %v", all)
	}
	if over := x.loan(t, "GET", "/api/v1/loans?scope=desk&overdue=true", x.tk.staff, nil, 200); over["total"] != 0.0 {
		t.Fatalf("overdue: %v", over)
	}
	x.loan(t, "POST", fmt.Sprintf("/api/v1/loans/%v/cancel", auto["id"]), x.tk.member, map[string]any{"reason": "not needed"}, 200)
}

// TestAPILoanRights: a member cannot act for the desk nor see another's
// loan (404, as if it did not exist); the desk list is the desk's.
func TestAPILoanRights(t *testing.T) {
	t.Parallel()
	x := newLendingNode(t)
	l := x.loan(t, "POST", "/api/v1/loans", x.tk.member, map[string]any{"item": x.drill, "start": x.day(0), "end": x.day(2)}, 201)
	path := fmt.Sprintf("/api/v1/loans/%v", l["id"])

	for _, action := range []string{"approve", "reject", "checkout", "write_off"} {
		status, body := x.api("POST", path+"/"+action, x.tk.member, nil)
		apiWantError(t, "the borrower does "+action, status, body, 403, "desk")
	}
	status, body := x.api("GET", path, x.carol, nil)
	apiWantError(t, "another member reads it", status, body, 404, "not found")
	status, body = x.api("POST", path+"/cancel", x.carol, nil)
	apiWantError(t, "another member cancels it", status, body, 404, "not found")
	if theirs := x.loan(t, "GET", "/api/v1/loans", x.carol, nil, 200); theirs["total"] != 0.0 {
		t.Fatalf("carol's loans: %v", theirs)
	}
	status, body = x.api("GET", "/api/v1/loans?scope=desk", x.carol, nil)
	apiWantError(t, "a member reads the desk", status, body, 403, "desk")
	status, body = x.api("GET", "/api/v1/loans", "", nil)
	apiWantError(t, "no token", status, body, 401, "token")
	if got := x.loan(t, "GET", path, x.tk.member, nil, 200); got["state"] != "approved" {
		t.Fatalf("after the refusals: %v", got)
	}
}

// TestAPILoanValidation: bad input is 400 naming the field, and nothing
// is stored or changed.
func TestAPILoanValidation(t *testing.T) {
	t.Parallel()
	x := newLendingNode(t)
	long := strings.Repeat("x", 2001)
	for _, tc := range []struct {
		body    string
		status  int
		mention string
	}{
		{`{"start": "%[2]s", "end": "%[3]s"}`, 400, "item"},
		{`{"item": null, "start": "%[2]s", "end": "%[3]s"}`, 400, "item"},
		{`{"item": 0, "start": "%[2]s", "end": "%[3]s"}`, 400, "item"},
		{`{"item": true, "start": "%[2]s", "end": "%[3]s"}`, 400, "item"},
		{`{"item": "a drill", "start": "%[2]s", "end": "%[3]s"}`, 400, "item"},
		{`{"item": %[1]d, "start": "tomorrow", "end": "%[3]s"}`, 400, "start"},
		{`{"item": %[1]d, "start": "%[2]s", "end": "2025-02-30"}`, 400, "end"},
		{`{"item": %[1]d, "end": "%[3]s"}`, 400, "start"},
		{`{"item": %[1]d, "start": "%[2]s"}`, 400, "end"},
		{`{"item": %[1]d, "start": "%[3]s", "end": "%[2]s"}`, 400, "end"},
		{`{"item": %[1]d, "start": "2020-01-01", "end": "2020-01-03"}`, 400, "start"},
		{`{"item": %[1]d, "start": "%[2]s", "end": "%[3]s", "message": "` + long + `"}`, 400, "message"},
		{`{"item": %[1]d, "start": "%[2]s", "end": "%[3]s", "colour": "red"}`, 400, "colour"},
		{`["not", "an", "object"]`, 400, "JSON"},
		{`{"item": 999999, "start": "%[2]s", "end": "%[3]s"}`, 404, ""},
		{`{"item": "http://elsewhere.example/items/1", "start": "%[2]s", "end": "%[3]s"}`, 404, "item"},
		{`{"item": "%[4]s/items/999999", "start": "%[2]s", "end": "%[3]s"}`, 404, ""},
		{`{"item": "%[4]s/places/1", "start": "%[2]s", "end": "%[3]s"}`, 404, "item"},
	} {
		raw := fmt.Sprintf(tc.body, x.drill, x.day(1), x.day(3), x.url())
		status, body := x.api("POST", "/api/v1/loans", x.tk.member, json.RawMessage(raw))
		apiWantError(t, "request "+raw[:min(len(raw), 80)], status, body, tc.status, tc.mention)
	}
	if n := x.deskTotal(t); n != 0 {
		t.Fatalf("refused requests stored %v loans", n)
	}

	// Actions: a bad body changes nothing.
	l := x.loan(t, "POST", "/api/v1/loans", x.tk.member, map[string]any{"item": fmt.Sprint(x.drill), "start": x.day(0), "end": x.day(2)}, 201)
	path := fmt.Sprintf("/api/v1/loans/%v", l["id"])
	for _, tc := range []struct{ body, mention string }{
		{`{"deposit_cents": -1}`, "deposit_cents"},
		{`{"condition": "shiny"}`, "condition"},
		{`{"note": "` + long + `"}`, "note"},
		{`{"reason": "` + long + `"}`, "reason"},
		{`{"deposit": 5}`, "deposit"},
		{`"checkout"`, "JSON"},
	} {
		status, body := x.api("POST", path+"/checkout", x.tk.staff, json.RawMessage(tc.body))
		apiWantError(t, "checkout "+tc.body[:min(len(tc.body), 40)], status, body, 400, tc.mention)
	}
	if got := x.loan(t, "GET", path, x.tk.staff, nil, 200); got["state"] != "approved" || got["version"] != l["version"] {
		t.Fatalf("after refused check-outs: %v", got)
	}
	status, body := x.api("POST", path+"/checkin", x.tk.staff, nil)
	apiWantError(t, "check in an approved loan", status, body, 409, "approved")
	status, body = x.api("POST", path+"/lend", x.tk.staff, nil)
	if status != 404 && status != 405 {
		t.Errorf("unknown action: %d %v", status, body)
	}

	// Filters and paging.
	for _, q := range []struct{ query, mention string }{
		{"state=lent", "state"}, {"scope=everyone", "scope"}, {"overdue=maybe", "overdue"},
		{"item_id=x", "item_id"}, {"limit=0", "limit"},
	} {
		status, body := x.api("GET", "/api/v1/loans?"+q.query, x.tk.member, nil)
		apiWantError(t, "list ?"+q.query, status, body, 400, q.mention)
	}

	// Rules: a bad one is refused naming it, and the rules stay.
	rules := x.loan(t, "GET", "/api/v1/loans/rules", x.tk.admin, nil, 200)
	rules["min_days"] = 30.0
	status, body = x.api("PUT", "/api/v1/loans/rules", x.tk.admin, rules)
	apiWantError(t, "min over max", status, body, 400, "min_days")
	if got := x.loan(t, "GET", "/api/v1/loans/rules", x.tk.admin, nil, 200); got["min_days"] != 1.0 {
		t.Fatalf("rules after a refusal: %v", got)
	}
}

// TestAPIAvailabilityAndWaitlist: an item's calendar shows its booked
// days without names (by default this month and the next two); members
// join and leave its waiting list.
func TestAPIAvailabilityAndWaitlist(t *testing.T) {
	t.Parallel()
	x := newLendingNode(t)
	x.loan(t, "POST", "/api/v1/loans", x.tk.member, map[string]any{"item": x.drill, "start": x.day(2), "end": x.day(4)}, 201)

	path := fmt.Sprintf("/api/v1/items/%d/availability", x.drill)
	status, _, raw := x.apiSend("GET", path, x.carol, "", nil)
	var a shrooms.Availability
	if status != 200 || json.Unmarshal(raw, &a) != nil {
		t.Fatalf("availability: %d %s", status, raw)
	}
	first := shrooms.Date{Year: x.today.Year, Month: x.today.Month, Day: 1}
	if a.ItemID != x.drill || a.From != first || a.To.Month == x.today.Month || a.To.AddDays(1).Day != 1 || !a.OnShelf ||
		len(a.Booked) != 1 || a.Booked[0].Start.String() != x.day(2) || a.Booked[0].End.String() != x.day(4) || a.Booked[0].State != shrooms.LoanApproved {
		t.Fatalf("availability: %s", raw)
	}
	if strings.Contains(string(raw), "mia") || !strings.Contains(string(raw), `"closed":[]`) {
		t.Errorf("availability names the borrower or lacks closed days: %s", raw)
	}
	got := x.loan(t, "GET", path+"?from="+x.day(5)+"&to="+x.day(20), x.carol, nil, 200)
	if got["from"] != x.day(5) || len(got["booked"].([]any)) != 0 {
		t.Fatalf("availability after the loan: %v", got)
	}
	wantDocumented(t, x.testNode, "Availability", got)
	for _, q := range []struct{ query, mention string }{{"?from=soon", "from"}, {"?from=" + x.day(5) + "&to=" + x.day(1), "to"}, {"?to=2000-01-01", "to"}} {
		status, body := x.api("GET", path+q.query, x.carol, nil)
		apiWantError(t, "availability "+q.query, status, body, 400, q.mention)
	}
	status, body := x.api("GET", "/api/v1/items/999999/availability", x.carol, nil)
	apiWantError(t, "availability of nothing", status, body, 404, "")

	wl := fmt.Sprintf("/api/v1/items/%d/waitlist", x.drill)
	place := x.loan(t, "POST", wl, x.carol, nil, 201)
	if place["state"] == "" || place["item_id"] != float64(x.drill) {
		t.Fatalf("joined: %v", place)
	}
	wantDocumented(t, x.testNode, "WaitEntry", place)
	status, body = x.api("POST", wl, x.carol, nil)
	apiWantError(t, "join twice", status, body, 409, "already")
	x.loan(t, "POST", wl, x.tk.member, nil, 201)
	if mine := x.loan(t, "GET", "/api/v1/waitlist", x.carol, nil, 200); mine["total"] != 1.0 {
		t.Fatalf("carol's places: %v", mine)
	}
	if line := x.loan(t, "GET", wl, x.tk.staff, nil, 200); line["total"] != 2.0 {
		t.Fatalf("the desk's line: %v", line)
	}
	if line := x.loan(t, "GET", wl, x.carol, nil, 200); line["total"] != 1.0 {
		t.Fatalf("carol sees others in line: %v", line)
	}
	if a := x.loan(t, "GET", path, x.carol, nil, 200); a["waiting"] != 2.0 {
		t.Fatalf("waiting: %v", a)
	}
	status, _ = x.api("DELETE", wl, x.carol, nil)
	if status != 204 {
		t.Fatalf("leave: %d", status)
	}
	status, body = x.api("DELETE", wl, x.carol, nil)
	apiWantError(t, "leave twice", status, body, 404, "waiting list")
	if mine := x.loan(t, "GET", "/api/v1/waitlist", x.carol, nil, 200); mine["total"] != 0.0 {
		t.Fatalf("carol's places after leaving: %v", mine)
	}
}

// TestAPILoanPartnerItem: an IRI of a partner's cached item sends the
// request across: 201 with the member's mirror (pending, the lender
// named), which the lender's Accept then approves; a bad day is refused
// before anything leaves.
func TestAPILoanPartnerItem(t *testing.T) {
	t.Parallel()
	x := newLendingNodes(t)
	item := x.lend(t, "Partner drill")
	token := strings.TrimSpace(x.b.mustCLI("admin", "token", "create", "--user", "bea"))
	status, body := x.b.api("POST", "/api/v1/loans", token, map[string]any{"item": item.IRI, "start": x.day(-1).String(), "end": x.day(2).String()})
	if status != 400 || !strings.Contains(body["error"].(string), "start") {
		t.Fatalf("a day in the past: %d %v, want 400", status, body)
	}
	status, body = x.b.api("POST", "/api/v1/loans", token, map[string]any{"item": item.IRI, "start": x.day(1).String(), "end": x.day(3).String()})
	if status != 201 || body["state"] != "pending" || body["mirror"] != true || body["lender"] != x.a.org().IRI {
		t.Fatalf("partner's item: %d %v, want 201 pending", status, body)
	}
	wantDocumented(t, x.b, "Loan", body)
	drain(t, x.a, x.b, x.c)
	id := strconv.FormatFloat(body["id"].(float64), 'f', -1, 64)
	status, got := x.b.api("GET", "/api/v1/loans/"+id, token, nil)
	if status != 200 || got["state"] != "approved" || !strings.HasPrefix(got["iri"].(string), x.a.url()+"/loans/") {
		t.Fatalf("the mirror after A's answer: %d %v", status, got)
	}
	if _, n, err := x.a.m.DB.Loans.FindLoans(systemCtx, shrooms.LoanFilter{Desk: true}); err != nil || n != 1 {
		t.Fatalf("A holds %d loans: %v", n, err)
	}
}

// wantDocumented checks an answer against its schema in the node's
// OpenAPI document: every key it has is documented, every required one
// is there.
func wantDocumented(t *testing.T, n *testNode, schema string, got map[string]any) {
	t.Helper()
	_, _, raw := n.apiSend("GET", "/api/openapi.json", "", "", nil)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s, ok := doc.Components.Schemas[schema]
	if !ok {
		t.Fatalf("openapi.json has no schema %s", schema)
	}
	for k := range got {
		if _, ok := s.Properties[k]; !ok {
			t.Errorf("%s: answer key %q is not documented", schema, k)
		}
	}
	for _, k := range s.Required {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: required key %q is missing from %v", schema, k, got)
		}
	}
}

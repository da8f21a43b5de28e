package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestBinaryLoanAcrossPartners is the loans issue's "done when" for the
// API: three nodes from the built binary, linked with the CLI; A lends an
// item to partners (its desk decides, auto-approval off). A member of B
// and a member of C ask for the same days of it at once through their own
// node's API with the item's IRI on A: exactly one request waits on A's
// desk, the other is rejected with a reason. A's desk approves, checks
// out, renews and checks in through A's API, and the winner's own node
// shows each state. The nodes' own workers deliver; the test polls.
func TestBinaryLoanAcrossPartners(t *testing.T) {
	t.Parallel()
	cl := startBinCluster(t, "a", "b", "c")
	a, b, c := cl.nodes[0], cl.nodes[1], cl.nodes[2]
	cl.link(a, b, c)
	for _, n := range []*binNode{b, c} {
		cl.admin(a, "partner", "share", n.acct(), "--modules", "inventory,loans")
	}

	// A's admin works the desk: requests wait for a decision.
	desk := strings.TrimSpace(cl.admin(a, "token", "create", "--user", "admin"))
	status, rules := a.n.api("GET", "/api/v1/loans/rules", desk, nil)
	if status != 200 {
		t.Fatalf("A's rules: %d %v", status, rules)
	}
	rules["auto_approve"] = false
	if status, out := a.n.api("PUT", "/api/v1/loans/rules", desk, rules); status != 200 {
		t.Fatalf("A's rules: %d %v", status, out)
	}
	id := a.n.apiNewItem(desk, map[string]any{"name": "Tile cutter", "kind": "tool", "audience": "partners", "loanable": true,
		"loan": map[string]any{"members": true, "partners": true, "deposit_cents": 2500}})
	itemIRI := fmt.Sprintf("%s/items/%d", a.url(), id)

	type racer struct {
		n    *binNode
		m    binMember
		loan int64 // the mirror's ID on the racer's node
	}
	racers := []*racer{{n: b, m: cl.member(b, "bea")}, {n: c, m: cl.member(c, "cid")}}
	for _, r := range racers {
		cl.poll(r.n.name+" caches A's item", func() string {
			if hits := search(t, r.n.n, r.m.token, "tile cutter"); !found(hits, itemIRI) {
				return fmt.Sprintf("hits %+v", hits)
			}
			return ""
		})
	}

	// Both ask at once for the same days.
	today := shrooms.DateOf(time.Now().UTC())
	body := fmt.Appendf(nil, `{"item": %q, "start": %q, "end": %q, "message": "For the bathroom."}`,
		itemIRI, today.AddDays(2), today.AddDays(8))
	var wg sync.WaitGroup
	gate := make(chan struct{})
	answers := make([]string, len(racers))
	for i, r := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			status, out := postJSON(http.DefaultClient, r.n.url()+"/api/v1/loans", r.m.token, body)
			var l shrooms.Loan
			if status != 201 || json.Unmarshal(out, &l) != nil || !l.Mirror || l.State != shrooms.LoanPending || l.ItemIRI != itemIRI {
				answers[i] = fmt.Sprintf("%s: %d %s", r.n.name, status, out)
			}
			r.loan = l.ID
		}()
	}
	close(gate)
	wg.Wait()
	for _, msg := range answers {
		if msg != "" {
			t.Fatalf("request: %s", msg)
		}
	}
	mirror := func(r *racer) map[string]any {
		t.Helper()
		status, l := r.n.n.api("GET", fmt.Sprintf("/api/v1/loans/%d", r.loan), r.m.token, nil)
		if status != 200 {
			t.Fatalf("%s: the mirror: %d %v", r.n.name, status, l)
		}
		return l
	}

	// A decides the race: one request waits on its desk, the other is
	// rejected at once.
	var winner, loser *racer
	cl.poll("A decides the race", func() string {
		s0, s1 := mirror(racers[0])["state"], mirror(racers[1])["state"]
		switch {
		case s0 == "pending" && s1 == "rejected":
			winner, loser = racers[0], racers[1]
		case s0 == "rejected" && s1 == "pending":
			winner, loser = racers[1], racers[0]
		default:
			return fmt.Sprintf("B's %v, C's %v", s0, s1)
		}
		return ""
	})
	if l := mirror(loser); l["reason"] == nil || l["reason"] == "" {
		t.Fatalf("%s's rejection gives no reason: %v", loser.n.name, l)
	}
	_, pending := a.n.api("GET", "/api/v1/loans?scope=desk&state=pending", desk, nil)
	items, _ := pending["items"].([]any)
	if pending["total"] != 1.0 || len(items) != 1 {
		t.Fatalf("A's desk: %v", pending)
	}
	lent := items[0].(map[string]any)
	borrower := lent["borrower"].(map[string]any)
	if borrower["organization_name"] != "Workshop "+strings.ToUpper(winner.n.name) || lent["item_id"] != float64(id) {
		t.Fatalf("A's desk shows %v", lent)
	}
	loanPath := fmt.Sprintf("/api/v1/loans/%v", lent["id"])
	t.Logf("%s's member won the race; %s's was told: %v", winner.n.name, loser.n.name, mirror(loser)["reason"])

	// A's desk works the loan through A's API; the winner's node follows.
	steps := []struct {
		action string
		body   map[string]any
		check  func(l map[string]any) bool
	}{
		{"approve", nil, func(l map[string]any) bool { return l["state"] == "approved" }},
		{"checkout", map[string]any{"condition": "good", "note": "blade new"},
			func(l map[string]any) bool { return l["state"] == "checked_out" && l["deposit_cents"] == 2500.0 }},
		{"renew", nil, func(l map[string]any) bool { return l["renewals"] == 1.0 && l["due"] != today.AddDays(8).String() }},
		{"checkin", map[string]any{"deposit_returned": true, "condition": "good"},
			func(l map[string]any) bool { return l["state"] == "returned" && l["deposit_returned"] == true }},
	}
	for _, s := range steps {
		status, onA := a.n.api("POST", loanPath+"/"+s.action, desk, s.body)
		if status != 200 || !s.check(onA) {
			t.Fatalf("%s on A: %d %v", s.action, status, onA)
		}
		cl.poll(winner.n.name+" shows the loan after "+s.action, func() string {
			l := mirror(winner)
			if !s.check(l) || l["version"] != onA["version"] || l["due"] != onA["due"] || l["iri"] != onA["iri"] {
				return fmt.Sprintf("mirror %v\nA's loan %v", l, onA)
			}
			return ""
		})
		if s.action == "checkout" {
			if _, item := a.n.api("GET", fmt.Sprintf("/api/v1/items/%d", id), desk, nil); item["status"] != "on_loan" {
				t.Fatalf("A's item after the check-out: %v", item["status"])
			}
		}
	}
	var actions []string
	for _, e := range mirror(winner)["events"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if got := strings.Join(actions, " "); got != "request approve checkout renew checkin" {
		t.Fatalf("%s's history of the loan: %s", winner.n.name, got)
	}
	if _, item := a.n.api("GET", fmt.Sprintf("/api/v1/items/%d", id), desk, nil); item["status"] != "available" {
		t.Fatalf("A's item after the check-in: %v", item["status"])
	}
	if l := mirror(loser); l["state"] != "rejected" {
		t.Fatalf("%s's request at the end: %v", loser.n.name, l)
	}
	cl.noFailures()
	cl.stop()
}

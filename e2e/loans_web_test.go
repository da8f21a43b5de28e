package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// loanLink finds the first loan page a page links to.
var loanLink = regexp.MustCompile(`href="/loans/(\d+)"`)

// deskNode is a node with a member (mia), a staff member (sam) and a
// drill lent to members with a deposit; today is the clock's day (UTC,
// open every day by the default rules).
func deskNode(t *testing.T) (n *testNode, drill *shrooms.Item, today shrooms.Date) {
	t.Helper()
	n = startNode(t, newTestClock())
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	drill = createItem(t, n, &shrooms.Item{Name: "Lent drill", Audience: shrooms.AudienceMembers, Loanable: true,
		Loan: shrooms.LoanRules{Members: true, DepositCents: 2000, MaxDays: 14}})
	return n, drill, shrooms.DateOf(n.clock.Now().UTC())
}

// rulesForm is the lending rules form with the defaults, changed by set.
func rulesForm(set map[string]string) url.Values {
	f := url.Values{"default_days": {"14"}, "min_days": {"1"}, "max_days": {"28"}, "buffer_hours": {"0"},
		"max_loans": {"5"}, "max_requests": {"5"}, "renewal_limit": {"2"}, "pickup_days": {"3"},
		"due_soon_days": {"2"}, "overdue_every_days": {"3"}, "block_overdue": {"1"}, "time_zone": {""}}
	for k, v := range set {
		f.Set(k, v)
	}
	return f
}

// TestLoansWebLifecycle walks a loan through the web pages: the member
// asks for days on the item page, the desk approves, checks out and in,
// the member follows it in "My loans" and on the loan's page.
func TestLoansWebLifecycle(t *testing.T) {
	t.Parallel()
	n, drill, today := deskNode(t)
	admin := loginAs(t, n, "admin", adminPassword)
	mia := loginAs(t, n, "mia", memberPassword)
	sam := loginAs(t, n, "sam", memberPassword)
	item := fmt.Sprintf("/items/%d", drill.ID)

	// The rules page: a bad field is shown on it, then manual approval.
	p := admin.post("/admin/loans", rulesForm(map[string]string{"min_days": "30"}))
	if p.Status != http.StatusUnprocessableEntity || !p.Has("The shortest loan cannot be longer than the longest one.") ||
		!strings.Contains(p.Body, `id="min_days" name="min_days" class="form-control is-invalid" aria-invalid="true"`) {
		t.Fatalf("bad rules: %d\n%s", p.Status, p.Body)
	}
	p = admin.post("/admin/loans", rulesForm(map[string]string{"closed": today.AddDays(40).String()}))
	if p.Status != http.StatusOK || !p.Has("Lending rules saved.") || !p.Has(today.AddDays(40).String()) {
		t.Fatalf("save rules: %d\n%s", p.Status, p.Body)
	}
	if r, err := n.m.DB.Loans.FindLendingRules(systemCtx); err != nil || r.AutoApprove || len(r.Opening.Closed) != 1 {
		t.Fatalf("stored rules: %+v %v", r, err)
	}

	// The item page: calendar, on the shelf, the request form; no plain
	// status buttons for an item the desk lends.
	p = mia.get(item)
	for _, want := range []string{`id="calendar"`, "On the shelf now", `id="loan-request"`, `id="join-waitlist"`, `data-day="` + today.String() + `"`} {
		if !p.Has(want) {
			t.Errorf("item page lacks %s", want)
		}
	}
	if p.Has(`id="desk"`) {
		t.Error("the member sees the desk")
	}
	if p = sam.get(item); p.Has(`id="checkout"`) || !p.Has(`id="desk-idle"`) {
		t.Errorf("staff item page: quick status or no desk:\n%s", p.Body)
	}
	if p = sam.post(item+"/checkout", nil); p.Status != http.StatusConflict {
		t.Errorf("plain check-out of a lent item: %d", p.Status)
	}

	// A refused request shows the error on its field, with the days typed.
	p = mia.post(item+"/loans", url.Values{"start": {today.AddDays(3).String()}, "end": {today.String()}, "message": {"for shelves"}})
	if p.Status != http.StatusBadRequest || !p.Has("The return day cannot come before the pickup day.") ||
		!p.Has(`id="end" name="end" class="form-control is-invalid" aria-invalid="true"`) || !p.Has("for shelves") {
		t.Fatalf("bad request: %d\n%s", p.Status, p.Body)
	}
	end := today.AddDays(3)
	p = mia.post(item+"/loans", url.Values{"start": {today.String()}, "end": {end.String()}, "message": {"for shelves"}})
	if p.Path != "/loans" || !p.Has("Your request is recorded.") || !p.Has("Waiting for approval") {
		t.Fatalf("request: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	m := loanLink.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no loan link on My loans")
	}
	loan := "/loans/" + m[1]
	booked := regexp.MustCompile(`class="[^"]*\bbooked\b[^"]*" data-day="` + today.String() + `"`)
	if p = mia.get(item); !booked.MatchString(p.Body) {
		t.Errorf("the calendar does not show the days booked:\n%s", p.Body)
	}
	// Dates taken: the next request is refused on the page.
	createUser(t, n, "noa", shrooms.RoleMember, memberPassword)
	noa := loginAs(t, n, "noa", memberPassword)
	if p = noa.post(item+"/loans", url.Values{"start": {today.AddDays(1).String()}, "end": {today.AddDays(2).String()}}); p.Status != http.StatusConflict || !p.Has("The item is taken from") {
		t.Errorf("overlapping request: %d\n%s", p.Status, p.Body)
	}
	if p = noa.post(item+"/waitlist", nil); !p.Has("You are on the waiting list.") || !p.Has(`id="leave-waitlist"`) {
		t.Errorf("join the line: %d\n%s", p.Status, p.Body)
	}
	if p = noa.get("/loans"); !p.Has("Number 1 in line") {
		t.Errorf("my places:\n%s", p.Body)
	}

	// The desk: the request to decide, then the pickup.
	if p = mia.get("/desk"); p.Status != http.StatusForbidden {
		t.Errorf("member opens the desk: %d", p.Status)
	}
	p = sam.get("/desk")
	if !p.Has(`id="desk-requests"`) || !p.Has("Lent drill") || !p.Has("for shelves") || !p.Has(`id="desk-lines"`) {
		t.Fatalf("desk:\n%s", p.Body)
	}
	if p = sam.post(loan+"/approve", url.Values{"next": {"/desk"}}); p.Path != "/desk" || !p.Has("Request approved.") || !p.Has(`id="desk-pickups"`) {
		t.Fatalf("approve: %s\n%s", p.Path, p.Body)
	}
	if p = sam.get(item); !p.Has(`class="row g-2 align-items-end loan-checkout"`) || !p.Has(`value="20.00"`) {
		t.Errorf("item page: no check-out form with the deposit:\n%s", p.Body)
	}
	p = sam.post(loan+"/checkout", url.Values{"next": {item + "#lending"}, "deposit": {"20.00"}, "condition": {"good"}, "note": {"case complete"}})
	if !strings.HasPrefix(p.Path, item) || !p.Has("Checked out.") || !p.Has(`id="desk-out"`) {
		t.Fatalf("check out: %s\n%s", p.Path, p.Body)
	}
	if got, _ := n.m.DB.Items.FindItemByID(systemCtx, drill.ID); got.Status != shrooms.StatusOnLoan {
		t.Errorf("item after check-out: %s", got.Status)
	}
	due := end.String()
	if p = mia.get("/loans"); !p.Has(`id="my-out"`) || !p.Has("Due back on "+due) {
		t.Errorf("My loans after check-out:\n%s", p.Body)
	}
	if p = mia.get("/dashboard"); !p.Has(`id="loans-widget-list"`) || !p.Has("Lent drill") {
		t.Errorf("dashboard widget:\n%s", p.Body)
	}

	// Check-in; the member sees it returned, with its whole story.
	if p = sam.post(loan+"/checkin", url.Values{"deposit_back": {"1"}, "condition": {"fair"}}); p.Path != loan || !p.Has("Checked in.") {
		t.Fatalf("check in: %s\n%s", p.Path, p.Body)
	}
	if p = mia.get("/loans"); !p.Has(`id="my-history"`) || !p.Has("Returned") || p.Has(`id="my-out"`) {
		t.Errorf("My loans after check-in:\n%s", p.Body)
	}
	p = mia.get(loan)
	for _, want := range []string{"Requested", "Approved", "Checked out", "Checked in", "Sam", "Waiting for approval → Approved"} {
		if !p.Has(want) {
			t.Errorf("loan page lacks %q", want)
		}
	}
	if p = noa.get(loan); p.Status != http.StatusNotFound {
		t.Errorf("another member opens the loan: %d", p.Status)
	}

	// Every page speaks both languages: no message id shows.
	for _, w := range []*webClient{mia, sam, admin} {
		for _, lang := range []string{"en", "fr"} {
			w.lang = lang
			for _, path := range []string{item, "/loans", loan, "/desk", "/dashboard", "/admin/loans"} {
				if p := w.get(path); strings.Contains(p.Body, "loans.") || strings.Contains(p.Body, "nav.") {
					t.Errorf("%s in %s shows a message id:\n%s", path, lang, p.Body)
				}
			}
		}
	}
	mia.lang = "fr"
	if p = mia.get("/loans"); !p.Has("Mes prêts") || !p.Has("Rendu") {
		t.Errorf("French My loans:\n%s", p.Body)
	}
}

// TestLoansWebMenuAndWidget: "My loans" for members, "Desk" for staff,
// neither while the module is off; the desk's counts on its dashboard.
func TestLoansWebMenuAndWidget(t *testing.T) {
	t.Parallel()
	n, drill, today := deskNode(t)
	mia := loginAs(t, n, "mia", memberPassword)
	sam := loginAs(t, n, "sam", memberPassword)
	admin := loginAs(t, n, "admin", adminPassword)
	saw := createItem(t, n, &shrooms.Item{Name: "Public saw", Audience: shrooms.AudiencePublic, Loanable: true, Loan: shrooms.LoanRules{Members: true}})
	if p := newWebClient(t, n).get(fmt.Sprintf("/items/%d", saw.ID)); p.Status != http.StatusOK || !p.Has(`id="calendar"`) ||
		!p.Has("Log in to borrow this item.") || p.Has(`id="loan-request"`) {
		t.Errorf("anonymous item page:\n%s", p.Body)
	}
	if p := admin.get("/admin"); !p.Has(`href="/admin/loans"`) {
		t.Errorf("admin menu lacks the lending rules:\n%s", p.Body)
	}
	if p := mia.get("/dashboard"); !p.Has(`href="/loans"`) || p.Has(`href="/desk"`) || !p.Has("You have no loan or request.") {
		t.Errorf("member menu:\n%s", p.Body)
	}
	if p := mia.post(fmt.Sprintf("/items/%d/loans", drill.ID), url.Values{"start": {today.String()}, "end": {today.AddDays(1).String()}}); p.Path != "/loans" {
		t.Fatalf("request: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	p := sam.get("/dashboard")
	if !p.Has(`href="/desk"`) || !p.Has(`id="loans-desk-counts"`) || !p.Has("1 to hand over") || !p.Has("0 loans overdue") {
		t.Errorf("staff dashboard:\n%s", p.Body)
	}
	st, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, m := range st.Modules {
		if m != "loans" {
			mods = append(mods, m)
		}
	}
	st.Modules = mods
	if err := n.m.DB.Settings.UpdateSettings(systemCtx, st); err != nil {
		t.Fatal(err)
	}
	if p := sam.get("/dashboard"); p.Has(`href="/loans"`) || p.Has(`href="/desk"`) {
		t.Errorf("menu with the module off:\n%s", p.Body)
	}
	if p := sam.get("/desk"); p.Status != http.StatusNotFound {
		t.Errorf("desk with the module off: %d", p.Status)
	}
	if p := admin.get("/admin"); p.Has(`href="/admin/loans"`) || admin.get("/admin/loans").Status != http.StatusNotFound {
		t.Errorf("lending rules with the module off:\n%s", p.Body)
	}
	if p := sam.get(fmt.Sprintf("/items/%d", drill.ID)); p.Has(`id="lending"`) || !p.Has(`id="checkout"`) {
		t.Errorf("item page with the module off:\n%s", p.Body)
	}
}

// TestLoansWebOverdue: a loan past its due day is flagged for its
// borrower and listed on the desk with the contact the member shares
// with staff; renewing it from "My loans" works once nobody waits.
func TestLoansWebOverdue(t *testing.T) {
	t.Parallel()
	n, drill, today := deskNode(t)
	mia := loginAs(t, n, "mia", memberPassword)
	sam := loginAs(t, n, "sam", memberPassword)
	u := findUser(t, n, "mia")
	if err := n.m.DB.Profiles.UpdateProfile(systemCtx, &shrooms.Profile{UserID: u.ID, ContactEmail: "mia@home.example",
		ContactAudience: shrooms.AudienceMembers}); err != nil {
		t.Fatal(err)
	}
	p := mia.post(fmt.Sprintf("/items/%d/loans", drill.ID), url.Values{"start": {today.String()}, "end": {today.AddDays(1).String()}})
	m := loanLink.FindStringSubmatch(p.Body)
	if p.Path != "/loans" || !p.Has("Approved") || m == nil {
		t.Fatalf("request (auto-approved): %s\n%s", p.Path, p.Body)
	}
	loan := "/loans/" + m[1]
	if p = sam.post(loan+"/checkout", nil); !p.Has("Checked out.") {
		t.Fatalf("check out: %d\n%s", p.Status, p.Body)
	}
	n.clock.Advance(3 * 24 * time.Hour)
	if p = mia.get("/loans"); !p.Has("list-group-item-danger") || !p.Has("Overdue") {
		t.Errorf("My loans does not flag the overdue loan:\n%s", p.Body)
	}
	p = sam.get("/desk")
	if !p.Has(`id="desk-overdue"`) || !p.Has(`href="mailto:mia@home.example"`) {
		t.Errorf("desk overdue list:\n%s", p.Body)
	}
	if p = sam.get("/dashboard"); !p.Has("1 loan overdue") {
		t.Errorf("staff widget:\n%s", p.Body)
	}
	if p = mia.post(loan+"/renew", url.Values{"next": {"/loans"}}); p.Path != "/loans" || !p.Has("Renewed.") {
		t.Errorf("renew: %s %d\n%s", p.Path, p.Status, p.Body)
	}
}

// TestLoansWebRejectAndCancel: staff reject a request with a reason the
// member reads on the loan's page; the member cancels another from "My
// loans" and leaves the waiting list there.
func TestLoansWebRejectAndCancel(t *testing.T) {
	t.Parallel()
	n, drill, today := deskNode(t)
	if err := n.m.DB.Loans.UpdateLendingRules(systemCtx, manualRules()); err != nil {
		t.Fatal(err)
	}
	mia := loginAs(t, n, "mia", memberPassword)
	sam := loginAs(t, n, "sam", memberPassword)
	item := fmt.Sprintf("/items/%d", drill.ID)
	ask := func(start, end shrooms.Date) string {
		t.Helper()
		p := mia.post(item+"/loans", url.Values{"start": {start.String()}, "end": {end.String()}})
		m := loanLink.FindStringSubmatch(p.Body) // the requests come first
		if p.Path != "/loans" || m == nil {
			t.Fatalf("request: %s %d\n%s", p.Path, p.Status, p.Body)
		}
		return "/loans/" + m[1]
	}
	first := ask(today.AddDays(1), today.AddDays(2))
	if p := sam.post(first+"/reject", url.Values{"reason": {"Being serviced that week"}, "next": {"/desk"}}); p.Path != "/desk" || !p.Has("Request rejected.") {
		t.Fatalf("reject: %s\n%s", p.Path, p.Body)
	}
	if p := mia.get(first); !p.Has("Rejected") || !p.Has("Being serviced that week") {
		t.Errorf("rejected loan's page:\n%s", p.Body)
	}
	second := ask(today.AddDays(4), today.AddDays(5))
	if p := mia.post(second+"/cancel", url.Values{"next": {"/loans"}}); p.Path != "/loans" || !p.Has("Cancelled.") || p.Has(`id="my-requests"`) {
		t.Errorf("cancel: %s\n%s", p.Path, p.Body)
	}
	if p := mia.post(second+"/approve", nil); p.Status != http.StatusForbidden {
		t.Errorf("the member approves: %d", p.Status)
	}
	if p := mia.post(item+"/waitlist", nil); !p.Has(`id="leave-waitlist"`) {
		t.Fatalf("join: %d\n%s", p.Status, p.Body)
	}
	p := mia.get("/loans")
	m := regexp.MustCompile(`action="(/waitlist/\d+/leave)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no leave form on My loans:\n%s", p.Body)
	}
	if p = mia.post(m[1], url.Values{"next": {"/loans"}}); !p.Has("You left the waiting list.") || p.Has(`id="my-places"`) {
		t.Errorf("leave: %s\n%s", p.Path, p.Body)
	}
}

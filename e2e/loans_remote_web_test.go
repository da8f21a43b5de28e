package e2e

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// remotePage is B's page of a partner's item.
func remotePage(iri string) string { return "/remote/items?" + url.Values{"iri": {iri}}.Encode() }

// bookedDay matches a day cell of the calendar the lender holds.
func bookedDay(d shrooms.Date) *regexp.Regexp {
	return regexp.MustCompile(`<td class="[^"]*\bbooked\b[^"]*" data-day="` + d.String() + `"`)
}

// between is the part of s from the first start to the next end after
// it, "" when start is not in s.
func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(rest, end)
	return in
}

// TestRemoteItemWebLoan: a member of B finds A's partners-only item in
// B's search, opens B's page of it with A's calendar (a day A lent shows
// booked), asks for days through B's form, and follows the loan in "My
// loans" while A's desk checks it out and in through A's web pages.
func TestRemoteItemWebLoan(t *testing.T) {
	t.Parallel()
	x := newLendingNodes(t)
	drill := x.lend(t, "Cordless drill")
	ann := createUser(t, x.a, "ann", shrooms.RoleMember, memberPassword)
	if _, err := x.a.m.DB.Loans.RequestLoan(as(ann), shrooms.LoanRequest{ItemID: drill.ID, Start: x.day(3), End: x.day(4)}); err != nil {
		t.Fatal(err)
	}
	bea := loginAs(t, x.b, "bea", memberPassword)
	lender := x.a.org().Name

	// The search result links to B's page, not to A's site.
	page := remotePage(drill.IRI)
	p := bea.get("/search?q=drill")
	if !p.Has(`href="`+html.EscapeString(page)+`"`) || p.Has(`href="`+drill.IRI+`"`) {
		t.Fatalf("search result does not link to B's page %s:\n%s", page, p.Body)
	}
	// The API keeps url (A's page) and iri, and gives B's page as page.
	hits := search(t, x.b, memberToken(t, x.b, "bob"), "drill")
	if len(hits) != 1 || hits[0].IRI != drill.IRI || hits[0].URL != drill.IRI || hits[0].Page != x.b.url()+page {
		t.Fatalf("API search on B: %+v", hits)
	}
	month := x.day(3).In(time.UTC).Format("2006-01")
	p = bea.get(page + "&month=" + month)
	for _, want := range []string{`id="item-name">Cordless drill<`, `id="calendar"`, `id="loan-request"`, lender,
		`action="/remote/items/loans"`, `value="` + drill.IRI + `"`, "15.00"} {
		if !p.Has(want) {
			t.Errorf("B's page of the drill lacks %q", want)
		}
	}
	if p.Has(`id="partner-page"`) {
		t.Error("B links to A's page of a partners-only item, which a browser cannot open")
	}
	if !bookedDay(x.day(3)).MatchString(p.Body) || bookedDay(x.day(10)).MatchString(p.Body) {
		t.Fatalf("A's calendar on B: day %s should be booked, %s free:\n%s", x.day(3), x.day(10), p.Body)
	}

	// A refused request shows on its field, with the days kept.
	bad := url.Values{"iri": {drill.IRI}, "start": {x.day(8).String()}, "end": {x.day(6).String()}, "message": {"Shed"}}
	p = bea.post("/remote/items/loans", bad)
	if p.Status != http.StatusBadRequest || !p.Has(`id="form-error"`) || !p.Has(`value="`+x.day(8).String()+`"`) ||
		!p.Has(">Shed</textarea>") || !strings.Contains(p.Body, `is-invalid`) {
		t.Fatalf("bad days: %d\n%s", p.Status, p.Body)
	}
	// In French too.
	bea.lang = "fr"
	if p = bea.post("/remote/items/loans", bad); !p.Has("Demander ces dates") || p.Has("Request these dates") {
		t.Errorf("French page of a refused request:\n%s", p.Body)
	}
	bea.lang = "en"

	ok := url.Values{"iri": {drill.IRI}, "start": {x.day(6).String()}, "end": {x.day(8).String()}, "message": {"For the shed"}}
	p = bea.post("/remote/items/loans", ok)
	m := regexp.MustCompile(`^/loans/(\d+)$`).FindStringSubmatch(p.Path)
	if p.Status != http.StatusOK || m == nil || !p.Has("Your request is sent to the lending organisation.") ||
		!p.Has(`id="loan-item"><a href="`+html.EscapeString(page)+`"`) || !p.Has(lender) || p.Has(`href="/items/0"`) {
		t.Fatalf("after the request: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	loanPath := p.Path
	mirrors, _, err := x.b.m.DB.Loans.FindLoans(as(x.bea), shrooms.LoanFilter{})
	if err != nil || len(mirrors) != 1 || !mirrors[0].Mirror {
		t.Fatalf("B's mirrors: %+v %v", mirrors, err)
	}
	drain(t, x.a, x.b, x.c)
	loan := lenderLoan(t, x.a, mirrors[0].OfferIRI)
	if loan.State != shrooms.LoanApproved || loan.Message != "For the shed" {
		t.Fatalf("A's loan: %+v", loan)
	}
	if p = bea.get(loanPath); !p.Has("Approved") {
		t.Fatalf("B's loan page after A approved:\n%s", p.Body)
	}

	// A's desk hands it over; B's "My loans" shows it out, lent by A,
	// without a renewal A alone decides.
	admin := loginAs(t, x.a, "admin", adminPassword)
	id := loan.ID
	x.clock.Advance(6 * 24 * time.Hour) // the pickup day
	if p := admin.post("/loans/"+itoa(id)+"/checkout", url.Values{"deposit": {"15.00"}}); p.Status != http.StatusOK {
		t.Fatalf("A's check-out: %d\n%s", p.Status, p.Body)
	}
	drain(t, x.a, x.b, x.c)
	p = bea.get("/loans")
	out := between(p.Body, `id="my-out"`, "</ul>")
	if !strings.Contains(out, "Cordless drill") || !strings.Contains(out, "lent by "+lender) || strings.Contains(out, "/renew") {
		t.Fatalf("B's My loans with the drill out:\n%s", p.Body)
	}
	if p = bea.get(loanPath); !p.Has("Checked out") || p.Has(`/renew"`) || !p.Has(`id="kept-by-lender"`) {
		t.Fatalf("B's loan page with the drill out:\n%s", p.Body)
	}

	// A takes it back; B shows it returned.
	if p := admin.post("/loans/"+itoa(id)+"/checkin", url.Values{"deposit_back": {"1"}}); p.Status != http.StatusOK {
		t.Fatalf("A's check-in: %d\n%s", p.Status, p.Body)
	}
	drain(t, x.a, x.b, x.c)
	p = bea.get("/loans")
	if hist := between(p.Body, `id="my-history"`, "</ul>"); !strings.Contains(hist, "Cordless drill") || !strings.Contains(hist, "Returned") {
		t.Fatalf("B's My loans after the return:\n%s", p.Body)
	}
	if strings.Contains(p.Body, `id="my-out"`) {
		t.Error("the drill is still out on B")
	}
	// Bea's own node mailed her each decision of A's, as of a local loan.
	if _, err := x.b.m.Notifier.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	drainMail(t, x.b)
	var subjects []string
	for _, m := range mailsTo(x.bMail, "bea@example.org") {
		subjects = append(subjects, m.Subject)
	}
	if !slices.Contains(subjects, "Your loan of Cordless drill is approved") || !slices.Contains(subjects, "Cordless drill is back: thank you") {
		t.Fatalf("bea's mails from B: %q", subjects)
	}
}

// TestRemoteAvailabilityFetch: A serves an item's calendar to its
// partners' signed fetches only; B keeps it a minute and, when A is down,
// its page says the days are unknown.
func TestRemoteAvailabilityFetch(t *testing.T) {
	t.Parallel()
	x := newLendingNodes(t)
	drill := x.lend(t, "Hammer drill")
	from, to := x.day(0), x.day(30)
	path := strings.TrimPrefix(drill.IRI, x.a.url()) + "/availability?from=" + from.String() + "&to=" + to.String()

	status, body := orgSigner(t, x.b).get(x.a.url() + path)
	a, item, err := vocab.ParseAvailability([]byte(body))
	if status != http.StatusOK || err != nil || item != drill.IRI || a.From != from || a.To != to || !a.OnShelf {
		t.Fatalf("B's signed fetch: %d %v %s", status, err, body)
	}
	if status, _, _ := x.a.get(path, "application/activity+json"); status != http.StatusNotFound {
		t.Errorf("unsigned fetch: %d", status)
	}
	// C no longer shares loans with A: A keeps its calendar from C.
	x.a.mustCLI("admin", "partner", "share", x.c.acct(), "--modules", "inventory")
	if status, _ := orgSigner(t, x.c).get(x.a.url() + path); status != http.StatusNotFound {
		t.Errorf("C's signed fetch without loans: %d", status)
	}

	bea := loginAs(t, x.b, "bea", memberPassword)
	if p := bea.get(remotePage(drill.IRI)); !p.Has(`id="calendar"`) || p.Has(`id="availability-unknown"`) {
		t.Fatalf("B's page with A up:\n%s", p.Body)
	}
	// An item A does not lend to partners: its page, without a form.
	saw := newItem(t, x.a, "Band saw", shrooms.AudiencePartners)
	drain(t, x.a, x.b, x.c)
	if p := bea.get(remotePage(saw.IRI)); p.Status != http.StatusOK || !p.Has("Kept in the workshop.") || !p.Has(`id="not-lent"`) ||
		p.Has(`id="loan-request"`) || p.Has(`id="calendar"`) {
		t.Fatalf("B's page of an item A does not lend: %d\n%s", p.Status, p.Body)
	}
	if p := bea.get(remotePage(x.a.url() + "/items/999")); p.Status != http.StatusNotFound {
		t.Errorf("B's page of an item it does not cache: %d", p.Status)
	}

	x.a.stop()
	// Within the minute, B answers from what it fetched.
	if p := bea.get(remotePage(drill.IRI)); !p.Has(`id="calendar"`) {
		t.Fatalf("B's page within the minute:\n%s", p.Body)
	}
	x.clock.Advance(2 * time.Minute)
	p := bea.get(remotePage(drill.IRI))
	if p.Status != http.StatusOK || !p.Has("Availability unknown right now") || p.Has(`id="calendar"`) || !p.Has(`id="loan-request"`) {
		t.Fatalf("B's page with A down: %d\n%s", p.Status, p.Body)
	}
}

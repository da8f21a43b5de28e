package e2e

import (
	"fmt"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestBrowserRemoteLoan is borrowing across partners in real browsers,
// on a desktop and on a phone: a member of B finds A's item in B's
// search, asks for days on B's page of it, A's staff approve and check it
// out on A's desk, the member sees it out in "My loans" on B, A's staff
// check it in, and B shows it returned. No step needs JavaScript but
// setting the native date fields.
func TestBrowserRemoteLoan(t *testing.T) {
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.Name, func(t *testing.T) {
			requireBrowser(t)
			x := newLendingNodes(t)
			if err := x.a.m.DB.Loans.UpdateLendingRules(systemCtx, manualRules()); err != nil {
				t.Fatal(err)
			}
			createUser(t, x.a, "sam", shrooms.RoleStaff, memberPassword)
			drill := x.lend(t, "Cordless drill")
			login := func(b *browser, user string) {
				b.open("/login")
				b.fill("login", user)
				b.fill("password", memberPassword)
				b.submit(`form[action="/login"] button[type="submit"]`)
			}
			bea, sam := newBrowser(t, x.b, vp), newBrowser(t, x.a, vp)
			login(bea, "bea")
			login(sam, "sam")

			// The member finds the drill on B and opens B's page of it.
			bea.open("/search?q=drill")
			bea.submit(`a[href^="/remote/items?iri="]`)
			bea.waitVisible("#calendar")
			bea.waitText("On the shelf now")
			bea.waitText(x.a.org().Name)
			today, end := x.day(0), x.day(2)
			bea.eval(fmt.Sprintf(`document.getElementById("start").value = %q; document.getElementById("end").value = %q`, today, end))
			bea.fill("message", "For the shelves")
			bea.screenshot("remote-item-request")
			bea.checkOverflow("a partner's item page")
			bea.submit("#request-dates")
			bea.waitText("Your request is sent to the lending organisation.")
			if p := bea.path(); !strings.HasPrefix(p, "/loans/") {
				t.Fatalf("after the request: %s", p)
			}
			drain(t, x.a, x.b, x.c)

			// A's staff approve it on A's desk, then check it out there.
			sam.open("/desk")
			sam.waitText("For the shelves")
			sam.waitText(x.b.org().Name) // the borrower's home organisation
			sam.submit(`#desk-requests form[action$="/approve"] button`)
			sam.waitText("Request approved.")
			sam.waitVisible("#desk-pickups")
			sam.submit(`#desk-pickups form.loan-checkout button[type="submit"]`)
			sam.waitText("Checked out.")
			drain(t, x.a, x.b, x.c)

			// The member sees it out on B, lent by A.
			bea.open("/loans")
			bea.waitVisible("#my-out")
			bea.waitText("Due back on " + end.String())
			bea.waitText("lent by " + x.a.org().Name)
			bea.screenshot("remote-my-loans-out")
			bea.checkContrast("my loans with a partner's item")
			bea.checkOverflow("my loans with a partner's item")

			// A's staff check it in from the item page; B shows it returned.
			sam.open(fmt.Sprintf("/items/%d", drill.ID))
			sam.waitVisible("#desk-out")
			sam.submit(`#desk-loans form.loan-checkin button[type="submit"]`)
			sam.waitText("Checked in.")
			drain(t, x.a, x.b, x.c)

			bea.open("/loans")
			bea.waitVisible("#my-history")
			if txt := bea.text(); !strings.Contains(txt, "Returned") || strings.Contains(txt, "Due back on") {
				t.Errorf("My loans on B after the return:\n%s", txt)
			}
			bea.screenshot("remote-my-loans-returned")
		})
	}
}

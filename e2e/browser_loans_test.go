package e2e

import (
	"fmt"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestBrowserLoan is the local lending story in real browsers, on a
// desktop and on a phone: a member asks for days on the item page, staff
// approve on the desk and check the item out, the member finds it in "My
// loans" with its due date, staff check it in, the member sees it
// returned. No step needs JavaScript but setting the native date fields.
func TestBrowserLoan(t *testing.T) {
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.Name, func(t *testing.T) {
			requireBrowser(t)
			n, drill, today := deskNode(t)
			if err := n.m.DB.Loans.UpdateLendingRules(systemCtx, manualRules()); err != nil {
				t.Fatal(err)
			}
			item := fmt.Sprintf("/items/%d", drill.ID)
			login := func(b *browser, user string) {
				b.open("/login")
				b.fill("login", user)
				b.fill("password", memberPassword)
				b.submit(`form[action="/login"] button[type="submit"]`)
			}
			mia, sam := newBrowser(t, n, vp), newBrowser(t, n, vp)
			login(mia, "mia")
			login(sam, "sam")

			// The member asks for three days on the item page.
			mia.open(item)
			mia.waitVisible("#calendar")
			mia.waitText("On the shelf now")
			end := today.AddDays(2)
			mia.eval(fmt.Sprintf(`document.getElementById("start").value = %q; document.getElementById("end").value = %q`, today, end))
			mia.fill("message", "For the shelves")
			mia.screenshot("item-request")
			mia.checkOverflow("item page with the calendar")
			mia.submit("#request-dates")
			mia.waitText("Your request is recorded.")
			mia.waitText("Waiting for approval")
			if p := mia.path(); p != "/loans" {
				t.Fatalf("after the request: %s", p)
			}

			// Staff approve it on the desk, then check it out there.
			sam.open("/desk")
			sam.waitText("For the shelves")
			sam.screenshot("desk-request")
			sam.checkOverflow("desk")
			sam.submit(`#desk-requests form[action$="/approve"] button`)
			sam.waitText("Request approved.")
			sam.waitVisible("#desk-pickups")
			if got := sam.evalString(`document.querySelector("#desk-pickups input[name=deposit]").value`); got != "20.00" {
				t.Errorf("check-out form's deposit: %q, want the item's 20.00", got)
			}
			sam.screenshot("desk-pickup")
			sam.submit(`#desk-pickups form.loan-checkout button[type="submit"]`)
			sam.waitText("Checked out.")

			// The member sees it out, with its due date.
			mia.open("/loans")
			mia.waitVisible("#my-out")
			mia.waitText("Due back on " + end.String())
			mia.screenshot("my-loans-out")
			mia.checkContrast("my loans")
			mia.checkOverflow("my loans")

			// Staff check it in from the item page, as a scanned label
			// opens it.
			sam.open(item)
			sam.waitVisible("#desk-out")
			sam.submit(`#desk-loans form.loan-checkin button[type="submit"]`)
			sam.waitText("Checked in.")
			sam.waitVisible("#desk-idle")

			mia.open("/loans")
			mia.waitVisible("#my-history")
			if txt := mia.text(); !strings.Contains(txt, "Returned") || strings.Contains(txt, "Due back on") {
				t.Errorf("My loans after the return:\n%s", txt)
			}
			mia.screenshot("my-loans-returned")
			got, err := n.m.DB.Items.FindItemByID(systemCtx, drill.ID)
			if err != nil || got.Status != shrooms.StatusAvailable {
				t.Fatalf("item after check-in: %+v %v", got, err)
			}
		})
	}
}

// manualRules are the default rules with requests decided by staff.
func manualRules() shrooms.LendingRules {
	r := shrooms.DefaultLendingRules()
	r.AutoApprove = false
	return r
}

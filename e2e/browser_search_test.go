package e2e

import (
	"fmt"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestBrowserSearch: a member of B, in a real browser on a desktop and on
// a phone, opens the search from the menu, types words, ticks a type, and
// finds B's item and its partner A's, each with its organisation; then
// leaves A out of the search. No console error, CSP violation, low
// contrast or overflow on the way.
func TestBrowserSearch(t *testing.T) {
	t.Parallel()
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.Name, func(t *testing.T) {
			requireBrowser(t)
			clock := newTestClock()
			a, n := startNode(t, clock), startNode(t, clock)
			orgA := linkPartners(t, a, n)
			createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
			createItem(t, n, &shrooms.Item{Name: "Cordless drill", Description: "18 V, two batteries", Kind: shrooms.KindTool, Audience: shrooms.AudienceMembers})
			createItem(t, n, &shrooms.Item{Name: "Drill bits", Kind: shrooms.KindPart, Audience: shrooms.AudienceMembers})
			cacheRemote(t, a, n,
				remoteItem{slug: "drill", name: "Hammer drill", summary: "800 W, with a side handle and a depth stop for long afternoons of work on old walls", kind: shrooms.KindTool, status: shrooms.StatusAvailable},
				remoteItem{slug: "bits", name: "Masonry drill bits", kind: shrooms.KindPart, status: shrooms.StatusAvailable})

			b := newBrowser(t, n, vp)
			b.open("/login")
			b.fill("login", "mia")
			b.fill("password", memberPassword)
			b.submit(`form[action="/login"] button[type="submit"]`)

			b.openNavbar()
			if res := b.submit(`#nav a[href="/search"]`); pathOf(t, res) != "/search" || res.Status != 200 {
				t.Fatalf("the menu's search led to %s with %d", res.URL, res.Status)
			}
			b.waitVisible("#q")
			if b.has("#search-results") || b.has("#search-none") {
				t.Error("the empty search page shows results")
			}
			b.screenshot("search-form")

			b.fill("q", "drill")
			b.click("#type-tool")
			b.submit(`#search-form button[type="submit"]`)
			b.waitVisible("#search-results")
			got := b.text()
			for _, want := range []string{"Cordless drill", "Hammer drill", "This organisation"} {
				if !strings.Contains(got, want) {
					t.Errorf("the results lack %q:\n%s", want, got)
				}
			}
			for _, not := range []string{"Drill bits", "Masonry drill bits"} {
				if strings.Contains(got, not) {
					t.Errorf("the tool filter let %q through", not)
				}
			}
			// The partner's drill opens B's page of it, never A's site.
			if n := b.evalString(fmt.Sprintf(`String(document.querySelectorAll('#search-results a[href=%q]').length)`,
				remotePage(a.url()+"/items/search-drill"))); n != "1" {
				t.Errorf("%s links to B's page of the partner's drill", n)
			}
			if n := b.evalString(fmt.Sprintf(`String(document.querySelectorAll('#search-results a[href^=%q]').length)`, a.url())); n != "0" {
				t.Errorf("%s results link to the partner's site", n)
			}
			if b.evalString(`document.getElementById("type-tool").checked ? "yes" : "no"`) != "yes" {
				t.Error("the ticked type is not kept")
			}
			b.screenshot("search-results")

			// Leave A out: only B's drill remains.
			b.click(fmt.Sprintf("#in-%d", orgA.ID))
			b.submit(`#search-form button[type="submit"]`)
			b.waitVisible("#search-results")
			if got := b.text(); strings.Contains(got, "Hammer drill") || !strings.Contains(got, "Cordless drill") {
				t.Errorf("without A:\n%s", got)
			}
			b.waitVisible("#search-save button")

			// Nothing found: the helpful empty state.
			b.fill("q", "zeppelin")
			b.submit(`#search-form button[type="submit"]`)
			b.waitVisible("#search-none")
			b.screenshot("search-none")
		})
	}
}

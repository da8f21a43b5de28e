package e2e

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// TestBrowserPartners: on a desktop and on a phone, A's admin creates a
// partner invite and copies its URL with the copy button; B links with it;
// A's partners page, the invite page, a refused link and the unlink
// confirmation render without console or CSP errors, with enough contrast
// and nothing wider than the screen.
func TestBrowserPartners(t *testing.T) {
	t.Parallel()
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.Name, func(t *testing.T) {
			requireBrowser(t)
			clock := newTestClock()
			a, bn := startNode(t, clock), startNode(t, clock)

			br := newBrowser(t, a, vp)
			br.allowClipboard()
			br.open("/login")
			br.fill("login", "admin")
			br.fill("password", adminPassword)
			br.submit(`form[action="/login"] button[type="submit"]`)

			br.open("/admin/partners")
			br.waitVisible("#invite-note")
			br.checkContrast("partners (empty)")
			br.checkOverflow("partners (empty)")
			br.fill("invite-note", "Tool library of the next town")
			br.fill("invite-days", "14")
			br.submit(`#invite-form button[type="submit"]`)

			br.waitVisible("#copy-invite")
			invite := br.evalString(`document.getElementById("invite-url").value`)
			if !strings.HasPrefix(invite, a.org().IRI+"#invite=") {
				t.Fatalf("invite URL %q", invite)
			}
			br.screenshot("invite")
			br.checkContrast("invite")
			br.checkOverflow("invite")
			br.click("#copy-invite")
			br.waitJS(`document.getElementById("copy-status").textContent === "Copied."`, "the copy button to say copied")
			if got := br.clipboard(); got != invite {
				t.Errorf("clipboard holds %q, want the invite URL %q", got, invite)
			}

			// A refused link shows its error in the form.
			br.open("/admin/partners")
			br.fill("link-url", "https://example.org/actors/org")
			br.submit(`#link-form button[type="submit"]`)
			br.waitVisible("#link-form [role=alert]")
			if !strings.Contains(br.text(), "This is not an invite URL") {
				t.Errorf("the refused link does not say why:\n%s", br.text())
			}
			br.checkContrast("partners (link error)")
			br.checkOverflow("partners (link error)")

			// B's admin pastes the invite; the queues run.
			adminB := loginAs(t, bn, "admin", adminPassword)
			if p := adminB.post("/admin/partners/link", url.Values{"url": {invite}}); p.Status != 200 {
				t.Fatalf("B links: %d\n%s", p.Status, p.Body)
			}
			drain(t, a, bn)
			pa, ok := partnerSeen(t, a, bn)
			if !ok {
				t.Fatal("A has no partner B after the handshake")
			}
			br.open("/admin/partners")
			card := "#partner-" + strconv.FormatInt(pa.Actor.ID, 10)
			br.waitVisible(card + " .partner-state-linked")
			br.screenshot("partners")
			br.checkContrast("partners")
			br.checkOverflow("partners")

			// A click on the stock box, saved, sticks.
			box := card + " #policy-" + strconv.FormatInt(pa.Actor.ID, 10) + "-stock"
			was := br.eval(`document.querySelector(` + jsString(box) + `).checked`)
			br.click(box)
			br.submit(card + ` form[action$="/modules"] button[type="submit"]`)
			br.waitText("The sharing policy was saved.")
			if now := br.eval(`document.querySelector(` + jsString(box) + `).checked`); now == was {
				t.Errorf("the stock box is %s again after saving its change", now)
			}

			br.submit(card + ` a[href$="/unlink"]`)
			br.waitVisible(`form[action$="/unlink"] button[type="submit"]`)
			br.checkContrast("unlink")
			br.checkOverflow("unlink")
			br.submit(`form[action$="/unlink"] button[type="submit"]`)
			br.waitText("The partnership was ended")
		})
	}
}

// allowClipboard lets the node's pages read and write the clipboard, so
// that a test can read what a copy button put there.
func (b *browser) allowClipboard() {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-read"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: b.n.url()})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, chromedp.FromContext(ctx).Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-write"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: b.n.url()})
		return err
	}))
}

// clipboard returns the clipboard's text, as the page reads it.
func (b *browser) clipboard() string {
	b.t.Helper()
	ctx, cancel := b.waiting()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatal(err)
	}
	return s
}

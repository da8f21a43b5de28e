package e2e

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// TestBrowserWalk walks a fresh node the way its first people do, in a
// real browser, on a desktop and on a phone: the setup wizard makes the
// first admin, a member signs up, follows the link of the verification
// mail, logs in, sees the dashboard and switches it to French.
func TestBrowserWalk(t *testing.T) {
	t.Parallel()
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.Name, func(t *testing.T) {
			requireBrowser(t)
			srv := mailtest.NewServer(t)
			n := startNode(t, newTestClock(), withoutAdmin, withSMTP(srv))
			b := newBrowser(t, n, vp)

			walkSetup(t, b)
			b.logout()
			walkHome(t, b)
			walkSignup(t, b, srv)
			walkFrench(t, b)
			walkKeyboard(t, b)
		})
	}
}

// walkSetup fills the setup wizard and lands on the admin's dashboard.
func walkSetup(t *testing.T, b *browser) {
	res := b.open("/")
	if p := pathOf(t, res); p != "/setup" {
		t.Fatalf("a fresh node leads / to %s, want /setup", p)
	}
	b.waitVisible("#code")
	b.screenshot("setup")

	if b.n.m.SetupCode == "" {
		t.Fatal("the node without admin has no setup code")
	}
	b.fill("code", b.n.m.SetupCode)
	b.fill("org_name", "Repair Café Belleville")
	b.fill("org_handle", "repaircafe")
	b.fill("description", "We mend things together, every first Saturday.")
	b.fill("postal_address", "12 rue des Réparations\n75020 Paris")
	b.upload("logo", writeLogo(t))
	b.fill("username", "alice")
	b.fill("name", "Alice Admin")
	b.fill("email", "alice@example.org")
	b.fill("password", "correct-horse-battery")
	b.fill("password_confirm", "correct-horse-battery")
	for _, m := range []string{"people", "loans", "events"} {
		if b.eval(`document.getElementById("module-`+m+`").checked`) != "true" {
			t.Errorf("module %s is not enabled by default", m)
		}
	}
	b.fill("signup_mode", "open")
	b.screenshot("setup-filled")

	res = b.submit(`form[action="/setup"] button[type="submit"]`)
	if p := pathOf(t, res); p != "/dashboard" || res.Status != 200 {
		b.logNodeErrors()
		t.Fatalf("setup ended on %s with %d, want /dashboard with 200:\n%s", p, res.Status, b.text())
	}
	b.waitPresent("#account-menu")
	if who := b.evalString(`document.getElementById("account-menu").textContent.trim()`); who != "Alice Admin" {
		t.Errorf("after setup the account menu shows %q, want the admin", who)
	}
	if !b.has(`nav img[src^="/media/"]`) {
		t.Error("the uploaded logo is not in the navbar")
	}
	b.screenshot("dashboard-admin")

	org, err := b.n.m.DB.Actors.FindOrgActor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if org.Handle != "repaircafe" {
		t.Errorf("the organisation's handle is %q after setup, want repaircafe", org.Handle)
	}
}

// walkHome checks the public home page a logged-out visitor sees: the
// organisation as the wizard described it.
func walkHome(t *testing.T, b *browser) {
	if p := b.path(); p != "/" {
		t.Fatalf("logging out led to %s, want the home page", p)
	}
	b.waitText(msg(t, "en", "account.logout.done"))
	b.waitText("We mend things together")
	// The address keeps its lines, as typed.
	if got := b.evalString(`document.querySelector("main address")?.innerText`); got != "12 rue des Réparations\n75020 Paris" {
		t.Errorf("the home page shows the postal address as %q", got)
	}
	b.screenshot("home")
}

// logout opens the account menu and logs out, as a person does: on a
// phone the navbar is collapsed, so the menu button comes first.
func (b *browser) logout() {
	b.t.Helper()
	b.openNavbar()
	b.click("#account-menu")
	b.waitVisible(`.dropdown-menu.show form[action="/logout"] button`)
	b.screenshot("account-menu")
	res := b.submit(`.dropdown-menu.show form[action="/logout"] button`)
	if res.Status != 200 {
		b.t.Fatalf("logging out ended on %s with %d", res.URL, res.Status)
	}
	if b.has("#account-menu") {
		b.t.Fatalf("still logged in after logging out, on %s", b.path())
	}
}

// openNavbar opens the collapsed navbar on a narrow screen.
func (b *browser) openNavbar() {
	b.t.Helper()
	if !b.vp.Mobile {
		return
	}
	b.waitVisible(".navbar-toggler")
	b.click(".navbar-toggler")
	b.waitVisible("#nav.show")
}

// walkSignup signs a member up, verifies the address through the mail's
// link, logs in and checks the dashboard.
func walkSignup(t *testing.T, b *browser, srv *mailtest.Server) {
	b.openNavbar()
	if res := b.submit(`#nav a[href="/signup"]`); pathOf(t, res) != "/signup" || res.Status != 200 {
		t.Fatalf("the sign-up link led to %s with %d", res.URL, res.Status)
	}
	b.fill("username", "bob")
	b.fill("name", "Bob Membre")
	b.fill("email", "bob@example.org")
	b.fill("password", "a-long-member-password")
	b.fill("password_confirm", "a-long-member-password")
	b.screenshot("signup")
	res := b.submit(`form[action="/signup"] button[type="submit"]`)
	if res.Status != 200 {
		b.logNodeErrors()
		t.Fatalf("sign-up answered %d:\n%s", res.Status, b.text())
	}
	b.waitText(msg(t, "en", "account.verify.sent_title"))
	b.screenshot("check-inbox")

	drainMail(t, b.n)
	m, err := srv.WaitFor("bob@example.org", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	link := m.Link(b.n.url() + "/verify?token=")
	if link == "" {
		t.Fatalf("no verification link in the mail:\n%s", m.Text)
	}
	if res := b.open(link); pathOf(t, res) != "/verify" || res.Status != 200 {
		t.Fatalf("the mail's link answered %d on %s", res.Status, res.URL)
	}
	b.screenshot("verify")
	res = b.submit(`form[action="/verify"] button[type="submit"]`)
	if pathOf(t, res) != "/login" || res.Status != 200 {
		b.logNodeErrors()
		t.Fatalf("confirming the address ended on %s with %d:\n%s", res.URL, res.Status, b.text())
	}
	b.waitText(msg(t, "en", "account.verify.done"))

	b.fill("login", "bob")
	b.fill("password", "a-long-member-password")
	b.screenshot("login")
	res = b.submit(`form[action="/login"] button[type="submit"]`)
	if pathOf(t, res) != "/dashboard" || res.Status != 200 {
		b.logNodeErrors()
		t.Fatalf("logging in ended on %s with %d:\n%s", res.URL, res.Status, b.text())
	}
	b.waitVisible("#widget-welcome")
	b.waitText(strings.ReplaceAll(msg(t, "en", "dashboard.welcome.hello"), "{{.Name}}", "Bob Membre"))
	if who := b.evalString(`document.getElementById("account-menu").textContent.trim()`); who != "Bob Membre" {
		t.Errorf("the account menu shows %q, want the member", who)
	}
	if b.has(`#nav a[href="/admin"]`) {
		t.Error("a member's menu links to the admin pages")
	}
	if b.has(".alert-warning") {
		t.Errorf("the dashboard still warns after the address was confirmed:\n%s", b.text())
	}
	b.screenshot("dashboard")
}

// walkFrench switches the language with the footer's switcher, and the
// dashboard stays French on the next visit.
func walkFrench(t *testing.T, b *browser) {
	res := b.submit(`footer button[name="lang"][value="fr"]`)
	if pathOf(t, res) != "/dashboard" || res.Status != 200 {
		t.Fatalf("switching to French ended on %s with %d", res.URL, res.Status)
	}
	for i := 0; i < 2; i++ {
		if lang := b.evalString(`document.documentElement.lang`); lang != "fr" {
			t.Fatalf("<html lang=%q> after switching to French", lang)
		}
		want := map[string]string{
			`#nav a[href="/dashboard"]`: msg(t, "fr", "nav.dashboard"),
			"main h1":                   msg(t, "fr", "dashboard.title"),
			"#widget-welcome-title":     msg(t, "fr", "dashboard.widget.welcome"),
		}
		for _, key := range []string{"nav.dashboard", "dashboard.title", "dashboard.widget.welcome"} {
			if msg(t, "fr", key) == msg(t, "en", key) {
				t.Errorf("%s is not translated into French", key)
			}
		}
		for sel, text := range want {
			got := b.evalString(`document.querySelector(` + jsString(sel) + `)?.textContent.trim()`)
			if got != text {
				t.Errorf("%s reads %q in French, want %q", sel, got, text)
			}
		}
		b.waitText(strings.ReplaceAll(msg(t, "fr", "dashboard.welcome.hello"), "{{.Name}}", "Bob Membre"))
		if i == 0 {
			b.screenshot("dashboard-fr")
			b.open("/dashboard")
		}
	}
}

// walkKeyboard checks that the first Tab on a page reaches the skip link,
// and that the link takes the focus to the content.
func walkKeyboard(t *testing.T, b *browser) {
	b.open("/dashboard")
	b.do(chromedp.KeyEvent(kb.Tab))
	b.waitJS(`document.activeElement?.getAttribute("href") === "#main"`, "the skip link to have the focus after one Tab")
	if got := b.evalString(`document.activeElement.textContent.trim()`); got != msg(t, "fr", "nav.skip") {
		t.Errorf("the skip link reads %q", got)
	}
	// Shown, and on top: nothing (the navbar) covers it.
	if shown := b.eval(`(() => {
		const a = document.activeElement, r = a.getBoundingClientRect();
		if (r.width <= 1 || r.height <= 1) return false;
		const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return a === top || a.contains(top);
	})()`); shown != "true" {
		t.Error("the focused skip link is hidden or covered")
	}
	b.screenshot("skip-link-fr")
	b.do(chromedp.KeyEvent(kb.Enter))
	b.waitJS(`document.activeElement?.id === "main"`, "the content to have the focus after the skip link")
}

// msg returns a message of the catalogs in static/i18n.
func msg(t *testing.T, lang, key string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "static", "i18n", "*."+lang+".json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s catalog (%v)", lang, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]any
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if s, ok := cat[key].(string); ok {
			return s
		}
	}
	t.Fatalf("no message %s in the %s catalogs", key, lang)
	return ""
}

// pathOf returns the path of a response's URL.
func pathOf(t *testing.T, res *network.Response) string {
	t.Helper()
	u, err := url.Parse(res.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// writeLogo writes a small PNG logo and returns its path.
func writeLogo(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{R: 200, G: 80, B: 40, A: 255}
			if (x-32)*(x-32)+(y-24)*(y-24) > 400 && y < 40 || x < 26 || x > 38 {
				c = color.RGBA{R: 255, G: 250, B: 240, A: 255}
				if y >= 36 && x >= 26 && x <= 38 {
					c = color.RGBA{R: 240, G: 230, B: 210, A: 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	p := filepath.Join(t.TempDir(), "logo.png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

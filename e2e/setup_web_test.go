package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func setupForm(code string) url.Values {
	return url.Values{
		"code": {code}, "org_name": {"Atelier Soudé"}, "org_handle": {"atelier"},
		"description": {"Repair café"}, "postal_address": {"1 rue des Lilas\n75020 Paris"},
		"username": {"alice"}, "name": {"Alice"}, "email": {"alice@example.org"},
		"password": {"correct-horse-battery"}, "password_confirm": {"correct-horse-battery"},
		"modules": {"people", "inventory"}, "signup_mode": {"open"},
	}
}

// TestSetupWizard walks the first run: every page leads to /setup, which
// needs the code from the log, creates the first admin, renames the
// organisation and then closes for good.
func TestSetupWizard(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock(), withoutAdmin)
	if n.m.SetupCode == "" || !strings.Contains(n.logs.String(), n.m.SetupURL()) {
		t.Fatalf("the setup code is not in the log: %q", n.m.SetupCode)
	}
	w := newWebClient(t, n)
	for _, p := range []string{"/", "/login", "/dashboard", "/no/such/page"} {
		if got := w.get(p); got.Path != "/setup" {
			t.Errorf("GET %s ended on %s, want /setup", p, got.Path)
		}
	}
	if p := w.get("/setup?code=" + n.m.SetupCode); !p.Has(`value="`+n.m.SetupCode+`"`) || !p.Has(`name="modules" value="dues"`) {
		t.Errorf("the setup page does not carry the code or the modules:\n%s", p.Body)
	}

	bad := []struct {
		name   string
		change func(url.Values)
		status int
	}{
		{"no code", func(f url.Values) { f.Set("code", "") }, http.StatusForbidden},
		{"wrong code", func(f url.Values) { f.Set("code", "0123456789abcdef01") }, http.StatusForbidden},
		{"passwords differ", func(f url.Values) { f.Set("password_confirm", "another-password") }, http.StatusBadRequest},
		{"short password", func(f url.Values) { f.Set("password", "short"); f.Set("password_confirm", "short") }, http.StatusBadRequest},
		{"bad handle", func(f url.Values) { f.Set("org_handle", "Not A Handle") }, http.StatusBadRequest},
		{"bad e-mail", func(f url.Values) { f.Set("email", "nope") }, http.StatusBadRequest},
		{"unknown module", func(f url.Values) { f["modules"] = []string{"people", "casino"} }, http.StatusBadRequest},
		{"bad signup mode", func(f url.Values) { f.Set("signup_mode", "sometimes") }, http.StatusBadRequest},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			f := setupForm(n.m.SetupCode)
			c.change(f)
			p := w.post("/setup", f)
			if p.Status != c.status || p.Path != "/setup" || !p.Has(`id="form-error"`) {
				t.Errorf("status %d on %s, want %d with an error:\n%s", p.Status, p.Path, c.status, p.Body)
			}
			if !p.Has(`value="Atelier Soudé"`) && c.name != "no code" {
				t.Error("the form lost what was typed")
			}
			if need, _ := n.m.DB.Settings.NeedsSetup(context.Background()); !need {
				t.Fatal("a refused setup created an admin")
			}
		})
	}

	p := w.post("/setup", setupForm(n.m.SetupCode))
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Path, "/dashboard") {
		t.Fatalf("setup ended on %s with %d:\n%s", p.Path, p.Status, p.Body)
	}
	alice, err := n.m.DB.Users.FindUserByUsername(context.Background(), "alice")
	if err != nil || alice.Role != shrooms.RoleAdmin || !alice.Active() {
		t.Fatalf("alice = %+v, %v", alice, err)
	}
	settings, err := n.m.DB.Settings.FindSettings(context.Background())
	if err != nil || settings.Name != "Atelier Soudé" || settings.SignupMode != shrooms.SignupOpen ||
		strings.Join(settings.Modules, ",") != "people,inventory" {
		t.Fatalf("settings = %+v, %v", settings, err)
	}

	// The organisation was renamed: its actor and WebFinger answer under
	// the new handle, and the old one is gone.
	req, _ := http.NewRequest(http.MethodGet, n.url()+"/actors/atelier", nil)
	req.Header.Set("Accept", "application/activity+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var actor struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	_ = json.NewDecoder(res.Body).Decode(&actor)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || actor.ID != n.url()+"/actors/atelier" || actor.Name != "Atelier Soudé" {
		t.Errorf("renamed actor: %d %+v", res.StatusCode, actor)
	}
	if got := getStatus(t, n.url()+"/.well-known/webfinger?resource=acct:atelier@"+n.host()); got != http.StatusOK {
		t.Errorf("webfinger for the new handle: %d", got)
	}
	if got := getStatus(t, n.url()+"/.well-known/webfinger?resource=acct:org@"+n.host()); got != http.StatusNotFound {
		t.Errorf("webfinger for the old handle: %d", got)
	}

	// Setup is closed now, also to a second visitor with the code.
	other := newWebClient(t, n)
	if p := other.get("/"); p.Path != "/" || !p.Has("Atelier Soudé") {
		t.Errorf("home after setup: %s\n%s", p.Path, p.Body)
	}
	f := setupForm(n.m.SetupCode)
	f.Set("username", "mallory")
	f.Set("email", "mallory@example.org")
	if p := other.post("/setup", f); strings.HasPrefix(p.Path, "/setup") {
		t.Errorf("a second setup was not turned away: %s %d", p.Path, p.Status)
	}
	if _, err := n.m.DB.Users.FindUserByUsername(context.Background(), "mallory"); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Errorf("a second setup created mallory: %v", err)
	}

	// After a restart the node does not ask for setup again.
	n.restart()
	if n.m.SetupCode != "" {
		t.Error("a node with an admin printed a setup code")
	}
}

// TestSetupRefusesCrossSiteForms checks the CSRF defences on the one form
// a stranger could care most about.
func TestSetupRefusesCrossSiteForms(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock(), withoutAdmin)
	w := newWebClient(t, n)
	f := setupForm(n.m.SetupCode)
	f.Set("csrf", "forged")
	if p := w.post("/setup", f); p.Status != http.StatusForbidden {
		t.Errorf("forged CSRF token: %d", p.Status)
	}
	// A browser reports a cross-site form with Sec-Fetch-Site.
	f = setupForm(n.m.SetupCode)
	f.Set("csrf", w.csrf())
	req, _ := http.NewRequest(http.MethodPost, n.url()+"/setup", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := w.do(req); p.Status != http.StatusForbidden {
		t.Errorf("cross-site form: %d", p.Status)
	}
	if need, _ := n.m.DB.Settings.NeedsSetup(context.Background()); !need {
		t.Fatal("a forged form created an admin")
	}
}

func getStatus(t *testing.T, u string) int {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestKeyedErrorsSpeakFrench: errors raised outside the store reach a
// French page by their key, in French: a form field error marked on its
// field, an account error with its number, partner invite and link
// errors. The API answers with the English message and the code.
func TestKeyedErrorsSpeakFrench(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	admin := loginAs(t, n, "admin", adminPassword)
	admin.lang = "fr"
	admin.post("/language", url.Values{"lang": {"fr"}, "next": {"/"}})

	form := drillForm(0)
	form.Del("category")
	form.Set("name", strings.Repeat("n", shrooms.MaxItemName+1))
	p := admin.post("/items/new", form)
	if p.Status != http.StatusUnprocessableEntity || !p.Has("Le nom doit faire au plus 200 caractères.") ||
		!strings.Contains(p.Body, `id="name" name="name" class="form-control is-invalid"`) {
		t.Errorf("item name too long, in French: %d, want 422 marking the name\n%s", p.Status, p.Body)
	}

	p = admin.post("/account/password", url.Values{"current_password": {adminPassword}, "password": {"short"}, "password_confirm": {"short"}})
	if p.Status != http.StatusBadRequest || !p.Has("Le mot de passe doit faire au moins 10 caractères.") {
		t.Errorf("short password, in French: %d\n%s", p.Status, p.Body)
	}
	p = admin.post("/account/password", url.Values{"current_password": {adminPassword}, "password": {"long-enough-1"}, "password_confirm": {"long-enough-2"}})
	if !p.Has("Les deux mots de passe diffèrent.") {
		t.Errorf("passwords differ, in French: %d\n%s", p.Status, p.Body)
	}

	p = admin.post("/admin/partner-invites", url.Values{"note": {"Café"}, "days": {"400"}})
	if p.Status != http.StatusBadRequest && p.Status != http.StatusUnprocessableEntity || !p.Has("Validité : indiquez un nombre entier de jours, de 1 à 90.") {
		t.Errorf("invite validity, in French: %d\n%s", p.Status, p.Body)
	}

	// Linking to an invite of an actor this node does not have: the
	// federation's error, in French, on the partner link form.
	p = admin.post("/admin/partners/link", url.Values{"url": {n.url() + "/actors/nobody#invite=abc"}})
	if p.Status != http.StatusNotFound || !p.Has(`role="alert"`) || !p.Has("acteur local "+n.url()+"/actors/nobody.") {
		t.Errorf("partner link to no actor, in French: %d\n%s", p.Status, p.Body)
	}

	_, token := n.apiUser("api-admin", shrooms.RoleAdmin)
	status, body := n.api("GET", "/api/v1/items?limit=0", token, nil)
	if status != http.StatusBadRequest || body["error"] != "limit: must be between 1 and 200" || body["code"] != shrooms.EINVALID {
		t.Errorf("API limit error: %d %v", status, body)
	}
}

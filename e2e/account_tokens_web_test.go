package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// userToken creates an API token for the user as the system would (the
// CLI's 'admin token create') and returns its secret.
func userToken(t testing.TB, n *testNode, u *shrooms.User, name string) string {
	t.Helper()
	secret, _, err := n.m.DB.Users.CreateAPIToken(systemCtx, u.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// wantTokenStatus fails unless GET /api/v1/me with token answers want.
func wantTokenStatus(t *testing.T, n *testNode, what, token string, want int) {
	t.Helper()
	if status, body := n.api("GET", "/api/v1/me", token, nil); status != want {
		t.Errorf("%s: GET /api/v1/me answers %d %v, want %d", what, status, body, want)
	}
}

// resetSecret asks for a reset link for email, as the "forgot" page does,
// and returns the link's secret.
func resetSecret(t *testing.T, n *testNode, email string) string {
	t.Helper()
	_, secret, err := n.m.DB.Accounts.RequestPasswordReset(systemCtx, email, nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestPasswordResetRevokesTokens: whoever had the password or a token
// before a reset loses it: the reset ends every session and revokes every
// API token of the account, and only of that account.
func TestPasswordResetRevokesTokens(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	olga := createUser(t, n, "olga", shrooms.RoleMember, memberPassword)
	paul := createUser(t, n, "paul", shrooms.RoleMember, memberPassword)
	script, robot, others := userToken(t, n, olga, "script"), userToken(t, n, olga, "robot"), userToken(t, n, paul, "paul's")
	wantTokenStatus(t, n, "before the reset", script, http.StatusOK)

	c := newWebClient(t, n)
	secret := resetSecret(t, n, "olga@example.org")
	if r := c.acctSubmit("/reset", url.Values{"token": {secret}, "password": {"olgas-new-password"}, "password_confirm": {"olgas-new-password"}}, true); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("reset: %d to %q\n%s", r.Status, r.Location, r.Body)
	}
	wantTokenStatus(t, n, "token after the reset", script, http.StatusUnauthorized)
	wantTokenStatus(t, n, "second token after the reset", robot, http.StatusUnauthorized)
	wantTokenStatus(t, n, "another account's token", others, http.StatusOK)
	if ts, err := n.m.DB.Users.FindAPITokens(systemCtx, olga.ID); err != nil || len(ts) != 0 {
		t.Fatalf("tokens left after the reset: %v %v", ts, err)
	}
	c.acctLogIn("olga", "olgas-new-password", "/dashboard")
}

// TestRevokeAllTokens: the account page and the API each offer to revoke
// every token of the caller at once; the browser session stays, other
// accounts' tokens stay.
func TestRevokeAllTokens(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	rita := createUser(t, n, "rita", shrooms.RoleMember, memberPassword)
	sam := createUser(t, n, "sam", shrooms.RoleMember, memberPassword)
	a, b, others := userToken(t, n, rita, "a"), userToken(t, n, rita, "b"), userToken(t, n, sam, "sam's")

	c := loginAs(t, n, "rita", memberPassword)
	page := c.get("/account")
	form := regexp.MustCompile(`action="(/account/tokens/revoke-all)"`).FindStringSubmatch(page.Body)
	if form == nil {
		t.Fatalf("the account page offers no way to revoke every token:\n%s", page.Body)
	}
	if r := c.acctSubmit(form[1], nil, false); r.Status != http.StatusForbidden {
		t.Fatalf("revoke all without CSRF: %d, want 403", r.Status)
	}
	wantTokenStatus(t, n, "after a refused revoke", a, http.StatusOK)
	if r := c.acctSubmit(form[1], nil, true); r.Status != http.StatusSeeOther || r.Location != "/account" {
		t.Fatalf("revoke all: %d to %q\n%s", r.Status, r.Location, r.Body)
	}
	if p := c.get("/account"); p.Status != http.StatusOK || p.Path != "/account" || !p.Has("Your 2 API tokens are revoked.") {
		t.Fatalf("after revoking all: %d at %s\n%s", p.Status, p.Path, p.Body)
	}
	wantTokenStatus(t, n, "first token after revoke all", a, http.StatusUnauthorized)
	wantTokenStatus(t, n, "second token after revoke all", b, http.StatusUnauthorized)
	wantTokenStatus(t, n, "another account's token", others, http.StatusOK)

	// Through the API, with one of the tokens it revokes.
	x, y := userToken(t, n, rita, "x"), userToken(t, n, rita, "y")
	if status, body := n.api("DELETE", "/api/v1/me/tokens", x, nil); status != http.StatusOK || body["revoked"] != float64(2) {
		t.Fatalf("DELETE /api/v1/me/tokens: %d %v, want 200 with revoked 2", status, body)
	}
	wantTokenStatus(t, n, "the token that revoked all", x, http.StatusUnauthorized)
	wantTokenStatus(t, n, "its sibling", y, http.StatusUnauthorized)
	wantTokenStatus(t, n, "another account's token", others, http.StatusOK)
	if status, _ := n.api("DELETE", "/api/v1/me/tokens", "", nil); status != http.StatusUnauthorized {
		t.Fatalf("anonymous revoke all: %d, want 401", status)
	}
}

// TestPasswordChangeKeepsTokens: a change, made by someone who knows the
// current password, ends the other browser sessions but leaves the API
// tokens working, and says so next to the way to revoke them.
func TestPasswordChangeKeepsTokens(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tom := createUser(t, n, "tom", shrooms.RoleMember, memberPassword)
	token := userToken(t, n, tom, "backup script")
	c := loginAs(t, n, "tom", memberPassword)
	if r := c.acctSubmit("/account/password", url.Values{"current_password": {memberPassword}, "password": {"toms-new-password"}, "password_confirm": {"toms-new-password"}}, true); r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", r.Status, r.Body)
	}
	if p := c.get("/account"); !p.Has("Your API tokens still work") || !p.Has(`action="/account/tokens/revoke-all"`) {
		t.Fatalf("after the change the page does not say the tokens still work:\n%s", p.Body)
	}
	wantTokenStatus(t, n, "token after a password change", token, http.StatusOK)
}

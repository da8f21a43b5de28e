package e2e

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// acctReply is an answer the client did not follow: its status, where it
// redirects to and its body.
type acctReply struct {
	Status   int
	Location string
	Body     string
}

// acctSubmit posts a form without following the redirect, so that a test sees
// where a form sends the browser. The CSRF field is added when csrf is
// true.
func (w *webClient) acctSubmit(path string, form url.Values, csrf bool) acctReply {
	w.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf {
		form.Set("csrf", w.csrf())
	}
	req, err := http.NewRequest(http.MethodPost, w.n.url()+path, strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", w.lang)
	c := *w.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		w.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return acctReply{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b)}
}

// acctLogIn logs in through the form and fails unless it is sent to want.
func (w *webClient) acctLogIn(login, password, want string) {
	w.t.Helper()
	if r := w.acctSubmit("/login", url.Values{"login": {login}, "password": {password}}, true); r.Status != http.StatusSeeOther || r.Location != want {
		w.t.Fatalf("login as %s: %d to %q, want 303 to %s:\n%s", login, r.Status, r.Location, want, r.Body)
	}
}

// acctLoggedIn reports whether the client's session opens /account.
func (w *webClient) acctLoggedIn() bool {
	w.t.Helper()
	p := w.get("/account")
	switch {
	case p.Status == http.StatusOK && p.Path == "/account":
		return true
	case strings.HasPrefix(p.Path, "/login"):
		return false
	}
	w.t.Fatalf("GET /account: %d at %s", p.Status, p.Path)
	return false
}

// acctSessionCookie returns the client's session cookie value.
func (w *webClient) acctSessionCookie() *http.Cookie {
	u, _ := url.Parse(w.n.url())
	for _, c := range w.c.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "shrooms_session") {
			return c
		}
	}
	return nil
}

func acctSetSignupMode(t *testing.T, n *testNode, mode shrooms.SignupMode) {
	t.Helper()
	s, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	s.SignupMode = mode
	if err := n.m.DB.Settings.UpdateSettings(systemCtx, s); err != nil {
		t.Fatal(err)
	}
}

// acctMail sends the node's queued mail and returns the next one to an
// address.
func acctMail(t *testing.T, n *testNode, srv *mailtest.Server, to string) mailtest.Message {
	t.Helper()
	drainMail(t, n)
	m, err := srv.WaitFor(to, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func acctSignupForm(username, email, password string) url.Values {
	return url.Values{"username": {username}, "name": {"New Member"}, "email": {email},
		"password": {password}, "password_confirm": {password}}
}

// TestAccountSignupVerifyLogin: open sign-up mails a link; opening it
// shows a button and verifies nothing; the button verifies once; then the
// member logs in and lands on the dashboard.
func TestAccountSignupVerifyLogin(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	acctSetSignupMode(t, n, shrooms.SignupOpen)
	c := newWebClient(t, n)

	if p := c.get("/signup"); p.Status != 200 || !p.Has(`action="/signup"`) || !p.Has(`name="password_confirm"`) {
		t.Fatalf("signup page: %d\n%s", p.Status, p.Body)
	}
	bad := acctSignupForm("alice", "alice@example.org", "long-enough-password")
	bad.Set("password_confirm", "something-else-entirely")
	if p := c.post("/signup", bad); p.Status != 400 || !p.Has("The two passwords differ.") || !p.Has(`value="alice@example.org"`) {
		t.Fatalf("passwords differ: %d\n%s", p.Status, p.Body)
	}
	if p := c.post("/signup", acctSignupForm("alice", "alice@example.org", "short")); p.Status != 400 || !p.Has("at least 10 characters") {
		t.Fatalf("short password: %d\n%s", p.Status, p.Body)
	}
	if _, err := n.m.DB.Users.FindUserByUsername(systemCtx, "alice"); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("refused sign-ups created alice: %v", err)
	}

	p := c.post("/signup", acctSignupForm("alice", "alice@example.org", "long-enough-password"))
	if p.Status != 200 || !p.Has("Check your inbox") || !p.Has("alice@example.org") || !p.Has(`action="/verify/resend"`) {
		t.Fatalf("after sign-up: %d\n%s", p.Status, p.Body)
	}
	m := acctMail(t, n, srv, "alice@example.org")
	if !strings.Contains(m.Subject, "Confirm your e-mail address") || !strings.Contains(m.Text, "Hello New Member") || !strings.Contains(m.Text, "48 hours") {
		t.Errorf("verification mail: %q\n%s", m.Subject, m.Text)
	}
	link := linkIn(t, m.Text, n.url()+"/verify?token=")

	if r := c.acctSubmit("/login", url.Values{"login": {"alice"}, "password": {"long-enough-password"}}, true); r.Status != 403 ||
		!strings.Contains(r.Body, "confirm your e-mail address first") || !strings.Contains(r.Body, `href="/verify/resend"`) {
		t.Fatalf("login before verification: %d\n%s", r.Status, r.Body)
	}

	// A mail scanner fetching the link changes nothing.
	u, _ := url.Parse(link)
	page := c.get(u.RequestURI())
	if page.Status != 200 || !page.Has(`action="/verify"`) || !page.Has(`name="token" value="`+u.Query().Get("token")+`"`) {
		t.Fatalf("verify page: %d\n%s", page.Status, page.Body)
	}
	if st := findUser(t, n, "alice").Status; st != shrooms.StatusPending {
		t.Fatalf("GET of the link made alice %s", st)
	}

	if r := c.acctSubmit("/verify", url.Values{"token": {u.Query().Get("token")}}, true); r.Status != 303 || r.Location != "/login" {
		t.Fatalf("verify: %d to %q\n%s", r.Status, r.Location, r.Body)
	}
	if p := c.get("/login"); !p.Has("Your e-mail address is confirmed") || p.Has(u.Query().Get("token")) {
		t.Errorf("login page after verification:\n%s", p.Body)
	}
	if st := findUser(t, n, "alice").Status; st != shrooms.StatusActive {
		t.Fatalf("after verification alice is %s", st)
	}
	// The link works once.
	if p := c.post("/verify", url.Values{"token": {u.Query().Get("token")}}); p.Status != 400 || !p.Has("This link has expired or was already used.") || !p.Has(`action="/verify/resend"`) {
		t.Fatalf("second use: %d\n%s", p.Status, p.Body)
	}

	c.acctLogIn("alice", "long-enough-password", "/dashboard")
	if d := c.get("/dashboard"); d.Path != "/dashboard" || d.Status != 200 {
		t.Errorf("dashboard: %d at %s", d.Status, d.Path)
	}
	if a := c.get("/account"); a.Status != 200 || !a.Has("alice@example.org") {
		t.Fatalf("account page: %d\n%s", a.Status, a.Body)
	}
	// A taken username is said (usernames are public); a taken address is
	// not: the page is the one a new address gets, and the owner is told
	// by mail (TestSignupDoesNotTellWhoHasAnAccount).
	other := newWebClient(t, n)
	if p := other.post("/signup", acctSignupForm("alice", "alice2@example.org", "long-enough-password")); p.Status != 409 || !p.Has("This username is taken") {
		t.Errorf("taken username: %d\n%s", p.Status, p.Body)
	}
	if p := other.post("/signup", acctSignupForm("alice2", "alice@example.org", "long-enough-password")); p.Status != 200 || !p.Has("Check your inbox") {
		t.Errorf("taken e-mail: %d\n%s", p.Status, p.Body)
	}
}

// TestAccountVerifyExpiredAndResend: a link past 48 hours is refused;
// the resend form mails a new one, and says the same for any address.
func TestAccountVerifyExpiredAndResend(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	acctSetSignupMode(t, n, shrooms.SignupOpen)
	c := newWebClient(t, n)
	c.post("/signup", acctSignupForm("bob", "bob@example.org", "long-enough-password"))
	old := linkIn(t, acctMail(t, n, srv, "bob@example.org").Text, n.url()+"/verify?token=")
	n.clock.Advance(shrooms.VerifyEmailTTL + time.Minute)

	token := strings.TrimPrefix(old, n.url()+"/verify?token=")
	if p := c.post("/verify", url.Values{"token": {token}}); p.Status != 400 || !p.Has("This link has expired or was already used.") {
		t.Fatalf("expired link: %d\n%s", p.Status, p.Body)
	}
	if st := findUser(t, n, "bob").Status; st != shrooms.StatusPending {
		t.Fatalf("expired link made bob %s", st)
	}

	known := c.post("/verify/resend", url.Values{"email": {"bob@example.org"}})
	fresh := linkIn(t, acctMail(t, n, srv, "bob@example.org").Text, n.url()+"/verify?token=")
	before := len(srv.Messages())
	unknown := c.post("/verify/resend", url.Values{"email": {"nobody@example.org"}})
	drainMail(t, n)
	if known.Status != 200 || unknown.Status != 200 || strings.ReplaceAll(known.Body, "bob@", "x@") != strings.ReplaceAll(unknown.Body, "nobody@", "x@") {
		t.Errorf("resend answers differ: %d, %d\n%s\n---\n%s", known.Status, unknown.Status, known.Body, unknown.Body)
	}
	if len(srv.Messages()) != before {
		t.Errorf("a mail went to an unknown address")
	}
	if r := c.acctSubmit("/verify", url.Values{"token": {strings.TrimPrefix(fresh, n.url()+"/verify?token=")}}, true); r.Status != 303 || r.Location != "/login" {
		t.Fatalf("fresh link: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	c.acctLogIn("bob@example.org", "long-enough-password", "/dashboard")
}

// TestAccountLoginErrors: wrong passwords, the per-account rate limit
// (which holds even for the right password), suspended accounts and the
// ?next= redirect.
func TestAccountLoginErrors(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "carol", shrooms.RoleMember, "carols-long-password")
	c := newWebClient(t, n)

	if p := c.get("/login?next=" + url.QueryEscape("//evil.example/x")); p.Status != 200 || !p.Has(`name="next" value="//evil.example/x"`) {
		t.Fatalf("login page: %d\n%s", p.Status, p.Body)
	}
	r := c.acctSubmit("/login", url.Values{"login": {"carol"}, "password": {"carols-long-password"}, "next": {"//evil.example/x"}}, true)
	if r.Status != 303 || r.Location != "/dashboard" {
		t.Fatalf("next=//evil.example: %d to %q", r.Status, r.Location)
	}
	c2 := newWebClient(t, n)
	if r := c2.acctSubmit("/login", url.Values{"login": {"carol@example.org"}, "password": {"carols-long-password"}, "next": {"/account?tab=1"}}, true); r.Status != 303 || r.Location != "/account?tab=1" {
		t.Fatalf("next=/account: %d to %q", r.Status, r.Location)
	}
	if r := newWebClient(t, n).get("/account"); !strings.HasPrefix(r.Path, "/login?next=") || !strings.Contains(r.Body, `name="next" value="/account"`) {
		t.Fatalf("anonymous /account: %d at %s", r.Status, r.Path)
	}

	guest := newWebClient(t, n)
	for i := 0; i < shrooms.MaxLoginFailuresPerAccount; i++ {
		if r := guest.acctSubmit("/login", url.Values{"login": {"carol"}, "password": {"wrong-password-" + itoa(int64(i))}}, true); r.Status != 401 || !strings.Contains(r.Body, "Wrong username or password.") || !strings.Contains(r.Body, `value="carol"`) {
			t.Fatalf("wrong password %d: %d\n%s", i, r.Status, r.Body)
		}
	}
	r = guest.acctSubmit("/login", url.Values{"login": {"carol"}, "password": {"carols-long-password"}}, true)
	if r.Status != 429 || !regexp.MustCompile(`Too many attempts to log in\. Please try again in \d+ minutes?\.`).MatchString(r.Body) {
		t.Fatalf("after %d failures: %d\n%s", shrooms.MaxLoginFailuresPerAccount, r.Status, r.Body)
	}
	n.clock.Advance(shrooms.LoginWindow + time.Minute)
	guest.acctLogIn("carol", "carols-long-password", "/dashboard")

	dave := createUser(t, n, "dave", shrooms.RoleMember, "daves-long-password")
	suspended := shrooms.StatusSuspended
	if _, err := n.m.DB.Users.UpdateUser(systemCtx, dave.ID, shrooms.UserUpdate{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	if r := newWebClient(t, n).acctSubmit("/login", url.Values{"login": {"dave"}, "password": {"daves-long-password"}}, true); r.Status != 403 || !strings.Contains(r.Body, "This account is suspended.") {
		t.Fatalf("suspended: %d\n%s", r.Status, r.Body)
	}
	if r := newWebClient(t, n).acctSubmit("/login", url.Values{"login": {""}, "password": {""}}, true); r.Status != 400 {
		t.Fatalf("empty login: %d\n%s", r.Status, r.Body)
	}
}

// TestAccountSignupModes: closed refuses everyone; invite refuses without
// an invitation, and an invitation for the address makes an active
// account that is logged in at once.
func TestAccountSignupModes(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	c := newWebClient(t, n)

	acctSetSignupMode(t, n, shrooms.SignupClosed)
	if p := c.get("/signup"); !p.Has("Sign-up is closed") || p.Has(`action="/signup"`) {
		t.Fatalf("closed sign-up page: %d\n%s", p.Status, p.Body)
	}
	if p := c.post("/signup", acctSignupForm("erin", "erin@example.org", "long-enough-password")); p.Status != 403 || !p.Has(`role="alert"`) || !p.Has("Sign-up is closed on this site.") {
		t.Fatalf("closed sign-up: %d\n%s", p.Status, p.Body)
	}

	acctSetSignupMode(t, n, shrooms.SignupInvite)
	if p := c.get("/signup"); !p.Has("by invitation only") || p.Has(`action="/signup"`) {
		t.Fatalf("invite sign-up page: %d\n%s", p.Status, p.Body)
	}
	if p := c.post("/signup", acctSignupForm("erin", "erin@example.org", "long-enough-password")); p.Status != 403 || !p.Has("Sign-up here needs an invitation.") {
		t.Fatalf("sign-up without invitation: %d\n%s", p.Status, p.Body)
	}
	if p := c.post("/signup", url.Values{"invite": {"not-a-real-invitation"}, "username": {"erin"}, "email": {"erin@example.org"},
		"password": {"long-enough-password"}, "password_confirm": {"long-enough-password"}}); p.Status != 400 || !p.Has("This invitation has expired or was already used.") {
		t.Fatalf("sign-up with a wrong invitation: %d\n%s", p.Status, p.Body)
	}
	if _, err := n.m.DB.Users.FindUserByUsername(systemCtx, "erin"); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("refused sign-ups created erin: %v", err)
	}
	if drainMail(t, n); len(srv.Messages()) != 0 {
		t.Fatalf("refused sign-ups sent mail")
	}

	// The admin invites erin through the API, which mails the invitation.
	token := strings.TrimSpace(n.mustCLI("admin", "token", "create", "--user", "admin"))
	if status, body := n.api("POST", "/api/v1/invitations", token, map[string]string{"email": "erin@example.org", "language": "en"}); status != 201 {
		t.Fatalf("invite: %d %v", status, body)
	}
	m := acctMail(t, n, srv, "erin@example.org")
	org := "Node " + n.addr
	if !strings.Contains(m.Subject, "You are invited to join "+org) || !strings.Contains(m.Text, "Admin invites you to create an account at "+org) ||
		!strings.Contains(m.Text, "expires in 14 days") || !strings.Contains(m.Text, "-- \n"+org) {
		t.Errorf("invitation mail: %q\n%s", m.Subject, m.Text)
	}
	invite, _ := url.Parse(linkIn(t, m.Text, n.url()+"/signup?invite="))
	secret := invite.Query().Get("invite")
	if p := c.get("/signup?invite=" + url.QueryEscape(secret)); !p.Has(`name="invite" value="` + secret + `"`) {
		t.Fatalf("invited sign-up page: %d\n%s", p.Status, p.Body)
	}
	form := acctSignupForm("erin", "erin@example.org", "long-enough-password")
	form.Set("invite", secret)
	if r := c.acctSubmit("/signup", form, true); r.Status != 303 || r.Location != "/dashboard" {
		t.Fatalf("invited sign-up: %d to %q\n%s", r.Status, r.Location, r.Body)
	}
	if !c.acctLoggedIn() || findUser(t, n, "erin").Status != shrooms.StatusActive {
		t.Fatal("the invited member is not logged in and active")
	}
}

// TestAccountPasswordReset: the reset link (GET shows a form, the POST
// uses it once) sets a new password; the old one stops working and every
// session ends. The page says the same for unknown addresses.
func TestAccountPasswordReset(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	createUser(t, n, "frank", shrooms.RoleMember, "franks-old-password")
	other := newWebClient(t, n)
	other.acctLogIn("frank", "franks-old-password", "/dashboard")

	c := newWebClient(t, n)
	known := c.post("/forgot", url.Values{"email": {"frank@example.org"}})
	m := acctMail(t, n, srv, "frank@example.org")
	unknown := c.post("/forgot", url.Values{"email": {"nobody@example.org"}})
	drainMail(t, n)
	if known.Status != 200 || strings.ReplaceAll(known.Body, "frank@", "x@") != strings.ReplaceAll(unknown.Body, "nobody@", "x@") {
		t.Errorf("forgot answers differ:\n%s\n---\n%s", known.Body, unknown.Body)
	}
	if len(srv.Messages()) != 1 {
		t.Errorf("%d mails, want 1 (none to an unknown address)", len(srv.Messages()))
	}
	if !strings.Contains(m.Subject, "new password") || !strings.Contains(m.Text, "1 hour") {
		t.Errorf("reset mail: %q\n%s", m.Subject, m.Text)
	}
	link, _ := url.Parse(linkIn(t, m.Text, n.url()+"/reset?token="))
	token := link.Query().Get("token")
	if p := c.get(link.RequestURI()); p.Status != 200 || !p.Has(`name="token" value="`+token+`"`) {
		t.Fatalf("reset page: %d\n%s", p.Status, p.Body)
	}
	if p := c.post("/reset", url.Values{"token": {token}, "password": {"franks-new-password"}, "password_confirm": {"other-new-password"}}); p.Status != 400 || !p.Has("The two passwords differ.") {
		t.Fatalf("passwords differ: %d\n%s", p.Status, p.Body)
	}
	if r := c.acctSubmit("/reset", url.Values{"token": {token}, "password": {"franks-new-password"}, "password_confirm": {"franks-new-password"}}, true); r.Status != 303 || r.Location != "/login" {
		t.Fatalf("reset: %d to %q\n%s", r.Status, r.Location, r.Body)
	}
	if p := c.get("/login"); !p.Has("Your password is changed.") {
		t.Errorf("no notice after reset:\n%s", p.Body)
	}
	if other.acctLoggedIn() {
		t.Error("a session opened before the reset survived it")
	}
	if p := c.post("/reset", url.Values{"token": {token}, "password": {"third-password-here"}, "password_confirm": {"third-password-here"}}); p.Status != 400 || !p.Has("This link has expired or was already used.") || !p.Has(`href="/forgot"`) {
		t.Fatalf("second use: %d\n%s", p.Status, p.Body)
	}
	if r := c.acctSubmit("/login", url.Values{"login": {"frank"}, "password": {"franks-old-password"}}, true); r.Status != 401 {
		t.Fatalf("old password: %d", r.Status)
	}
	c.acctLogIn("frank", "franks-new-password", "/dashboard")
}

// TestAccountPasswordChange: the current password is checked; the change
// keeps this session and ends the others.
func TestAccountPasswordChange(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "gina", shrooms.RoleMember, "ginas-old-password")
	c, other := newWebClient(t, n), newWebClient(t, n)
	c.acctLogIn("gina", "ginas-old-password", "/dashboard")
	other.acctLogIn("gina", "ginas-old-password", "/dashboard")

	if p := c.post("/account/password", url.Values{"current_password": {"not-my-password"}, "password": {"ginas-new-password"}, "password_confirm": {"ginas-new-password"}}); p.Status != 400 || !p.Has("Your current password is wrong.") {
		t.Fatalf("wrong current password: %d\n%s", p.Status, p.Body)
	}
	if p := c.post("/account/password", url.Values{"current_password": {"ginas-old-password"}, "password": {"short"}, "password_confirm": {"short"}}); p.Status != 400 || !p.Has("at least 10 characters") {
		t.Fatalf("short password: %d\n%s", p.Status, p.Body)
	}
	if !other.acctLoggedIn() {
		t.Fatal("a refused change ended the other session")
	}
	r := c.acctSubmit("/account/password", url.Values{"current_password": {"ginas-old-password"}, "password": {"ginas-new-password"}, "password_confirm": {"ginas-new-password"}}, true)
	if r.Status != 303 || r.Location != "/account" {
		t.Fatalf("change: %d to %q\n%s", r.Status, r.Location, r.Body)
	}
	if p := c.get("/account"); p.Status != 200 || !p.Has("Your password is changed.") {
		t.Fatalf("this session after the change: %d at %s", p.Status, p.Path)
	}
	if other.acctLoggedIn() {
		t.Error("the other session survived the change")
	}
	if r := newWebClient(t, n).acctSubmit("/login", url.Values{"login": {"gina"}, "password": {"ginas-old-password"}}, true); r.Status != 401 {
		t.Fatalf("old password: %d", r.Status)
	}
	newWebClient(t, n).acctLogIn("gina", "ginas-new-password", "/dashboard")
}

var acctTokenRe = regexp.MustCompile(`shr_[0-9a-f]{64}`)

// TestAccountTokens: a token is shown once, opens the API, is listed with
// its name, and stops working once revoked.
func TestAccountTokens(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "hana", shrooms.RoleMember, "hanas-long-password")
	c := newWebClient(t, n)
	c.acctLogIn("hana", "hanas-long-password", "/dashboard")

	if p := c.post("/account/tokens", url.Values{"name": {"  "}}); p.Status != 400 || !p.Has("Please give the token a name.") {
		t.Fatalf("token without a name: %d\n%s", p.Status, p.Body)
	}
	p := c.post("/account/tokens", url.Values{"name": {"stock robot"}})
	secret := acctTokenRe.FindString(p.Body)
	if p.Status != 200 || secret == "" || !p.Has("will not be shown again") {
		t.Fatalf("created token: %d\n%s", p.Status, p.Body)
	}
	if status, body := n.api("GET", "/api/v1/me", secret, nil); status != 200 || body["username"] != "hana" {
		t.Fatalf("me with the new token: %d %v", status, body)
	}
	list := c.get("/account")
	if !list.Has("stock robot") || list.Has(secret) {
		t.Fatalf("token list: shows the name %v, the secret %v", list.Has("stock robot"), list.Has(secret))
	}
	m := regexp.MustCompile(`action="(/account/tokens/\d+/delete)"`).FindStringSubmatch(list.Body)
	if m == nil {
		t.Fatalf("no revoke form:\n%s", list.Body)
	}
	// Another member cannot revoke it.
	createUser(t, n, "ivan", shrooms.RoleMember, "ivans-long-password")
	ivan := newWebClient(t, n)
	ivan.acctLogIn("ivan", "ivans-long-password", "/dashboard")
	if r := ivan.acctSubmit(m[1], nil, true); r.Status != 404 {
		t.Fatalf("another member revoking: %d", r.Status)
	}
	if status, _ := n.api("GET", "/api/v1/me", secret, nil); status != 200 {
		t.Fatalf("token after another member's revoke: %d", status)
	}
	if r := c.acctSubmit(m[1], nil, true); r.Status != 303 || r.Location != "/account" {
		t.Fatalf("revoke: %d to %q", r.Status, r.Location)
	}
	if p := c.get("/account"); p.Has("stock robot") || !p.Has("The token is revoked.") {
		t.Errorf("after revoking:\n%s", p.Body)
	}
	if status, _ := n.api("GET", "/api/v1/me", secret, nil); status != 401 {
		t.Fatalf("revoked token: %d, want 401", status)
	}
}

// TestAccountLogoutAndCSRF: logging out ends the session for good, and a
// form without its CSRF field is refused and changes nothing.
func TestAccountLogoutAndCSRF(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "jade", shrooms.RoleMember, "jades-long-password")
	c := newWebClient(t, n)
	c.acctLogIn("jade", "jades-long-password", "/dashboard")

	if r := c.acctSubmit("/account/password", url.Values{"current_password": {"jades-long-password"}, "password": {"jades-new-password"}, "password_confirm": {"jades-new-password"}}, false); r.Status != 403 || !strings.Contains(r.Body, "This form has expired") {
		t.Fatalf("password change without CSRF: %d\n%s", r.Status, r.Body)
	}
	if r := c.acctSubmit("/account/tokens", url.Values{"name": {"sneaky"}}, false); r.Status != 403 {
		t.Fatalf("token without CSRF: %d", r.Status)
	}
	if r := c.acctSubmit("/logout", nil, false); r.Status != 403 {
		t.Fatalf("logout without CSRF: %d", r.Status)
	}
	if p := c.get("/account"); p.Status != 200 || p.Has("sneaky") {
		t.Fatalf("after refused forms: %d, token created %v", p.Status, p.Has("sneaky"))
	}
	if r := newWebClient(t, n).acctSubmit("/login", url.Values{"login": {"jade"}, "password": {"jades-long-password"}}, true); r.Status != 303 {
		t.Fatalf("the password changed without CSRF: login %d", r.Status)
	}

	old := c.acctSessionCookie()
	if old == nil {
		t.Fatal("no session cookie")
	}
	if r := c.acctSubmit("/logout", nil, true); r.Status != 303 || r.Location != "/" {
		t.Fatalf("logout: %d to %q", r.Status, r.Location)
	}
	if p := c.get("/"); !p.Has("You are logged out.") {
		t.Errorf("no notice after logout:\n%s", p.Body)
	}
	if c.acctLoggedIn() {
		t.Fatal("still logged in after logout")
	}
	// The old cookie, replayed, opens nothing.
	replay := newWebClient(t, n)
	u, _ := url.Parse(n.url())
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: old.Name, Value: old.Value, Path: "/"}})
	if replay.acctLoggedIn() {
		t.Fatal("the session cookie still works after logout")
	}
}

// TestAccountFrench: a French browser gets French pages and French mail;
// the account's language wins over the browser.
func TestAccountFrench(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	acctSetSignupMode(t, n, shrooms.SignupOpen)
	c := newWebClient(t, n)
	c.lang = "fr-FR,fr;q=0.9"

	if p := c.get("/login"); !p.Has(`lang="fr"`) || !p.Has("Connexion") || !p.Has("Mot de passe oublié ?") {
		t.Fatalf("French login page:\n%s", p.Body)
	}
	if r := c.acctSubmit("/login", url.Values{"login": {"nobody"}, "password": {"whatever-password"}}, true); r.Status != 401 || !strings.Contains(r.Body, html.EscapeString("Nom d'utilisateur ou mot de passe incorrect.")) {
		t.Fatalf("French login error: %d\n%s", r.Status, r.Body)
	}
	if p := c.post("/signup", acctSignupForm("kim", "kim@example.org", "long-enough-password")); !p.Has("Consultez votre boîte mail") {
		t.Fatalf("French sign-up: %d\n%s", p.Status, p.Body)
	}
	m := acctMail(t, n, srv, "kim@example.org")
	if !strings.Contains(m.Subject, "Confirmez votre adresse e-mail") || !strings.Contains(m.Text, "Bonjour New Member") || !strings.Contains(m.Text, "48 heures") {
		t.Fatalf("French verification mail: %q\n%s", m.Subject, m.Text)
	}
	link, _ := url.Parse(linkIn(t, m.Text, n.url()+"/verify?token="))
	c.post("/verify", url.Values{"token": {link.Query().Get("token")}})

	// The account's language follows it to an English browser.
	en := newWebClient(t, n)
	en.acctLogIn("kim", "long-enough-password", "/dashboard")
	if p := en.get("/account"); !p.Has("Compte et sécurité") {
		t.Fatalf("kim's account page is not in French:\n%s", p.Body)
	}
	if r := en.acctSubmit("/account/language", url.Values{"language": {""}}, true); r.Status != 303 || r.Location != "/account" {
		t.Fatalf("language: %d to %q", r.Status, r.Location)
	}
	if p := en.get("/account"); !p.Has("Account and security") {
		t.Fatalf("following the browser, the page is not in English:\n%s", p.Body)
	}
	if p := en.post("/account/language", url.Values{"language": {"de"}}); p.Status != 400 {
		t.Fatalf("unknown language: %d", p.Status)
	}
}

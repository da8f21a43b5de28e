package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// offSiteTargets are open-redirect spellings a link or a form can carry
// in next=. Browsers drop tabs and newlines from URLs and read a backslash
// as a slash, so most of these lead off the site if echoed in Location.
var offSiteTargets = []string{
	"/\t/evil.example/",
	"/\r\n/evil.example/",
	"\t//evil.example/",
	"//evil.example/",
	"///evil.example/",
	`/\evil.example/`,
	`\/evil.example/`,
	`/./\evil.example/`,
	"/%2Fevil.example/",
	"/\u3000/evil.example/",
	"http:evil.example",
	"https://evil.example/",
	"javascript:alert(1)",
}

// rawSend sends one request with the client's cookies and returns the
// answer as the server wrote it. It goes below http.Client, which refuses
// to read a Location header with a control character in it.
func (w *webClient) rawSend(method, path string, form url.Values) acctReply {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", w.csrf())
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.n.url()+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range w.c.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return acctReply{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b)}
}

// wantLocal fails unless r is a 303 whose Location is a plain path on
// this node: printable ASCII, no backslash, no "//" start, and resolving,
// as a browser would after dropping tabs and newlines, to the node itself.
func wantLocal(t *testing.T, n *testNode, what string, r acctReply, want string) {
	t.Helper()
	loc := r.Location
	if r.Status != http.StatusSeeOther {
		t.Errorf("%s: status %d, want 303", what, r.Status)
		return
	}
	for _, c := range []byte(loc) {
		if c <= ' ' || c >= 0x7f || c == '\\' {
			t.Errorf("%s: Location %q carries byte %#x", what, loc, c)
			return
		}
	}
	if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
		t.Errorf("%s: Location %q is not a path on this site", what, loc)
		return
	}
	base, _ := url.Parse(n.url() + "/login")
	u, err := base.Parse(loc)
	if err != nil || u.Host != n.host() || u.Scheme != "http" {
		t.Errorf("%s: Location %q resolves to %v (%v)", what, loc, u, err)
		return
	}
	if want != "" && loc != want {
		t.Errorf("%s: Location %q, want %q", what, loc, want)
	}
}

// TestRedirectTargetsStayLocal: the login page (GET when logged in, and
// POST) and the language switch send the browser only to a path on this
// node, whatever next= carries; a harmless path still goes through.
func TestRedirectTargetsStayLocal(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "dora", shrooms.RoleMember, memberPassword)
	anon := newWebClient(t, n)
	user := loginAs(t, n, "dora", memberPassword)

	for _, target := range offSiteTargets {
		q := url.QueryEscape(target)
		wantLocal(t, n, "GET /login?next="+q, user.rawSend("GET", "/login?next="+q, nil), "/dashboard")
		wantLocal(t, n, "POST /login next="+q,
			newWebClient(t, n).rawSend("POST", "/login", url.Values{"login": {"dora"}, "password": {memberPassword}, "next": {target}}), "/dashboard")
		wantLocal(t, n, "POST /language (visitor) next="+q,
			anon.rawSend("POST", "/language", url.Values{"lang": {"en"}, "next": {target}}), "/dashboard")
		wantLocal(t, n, "POST /language (member) next="+q,
			user.rawSend("POST", "/language", url.Values{"lang": {"en"}, "next": {target}}), "/dashboard")
	}

	// The raw query of the report: %09 is a tab once decoded.
	wantLocal(t, n, "GET /login?next=/%09/evil.example/", user.rawSend("GET", "/login?next=/%09/evil.example/", nil), "/dashboard")

	// What the site's own links and forms carry still works.
	wantLocal(t, n, "GET /login?next=/items?q=drill", user.rawSend("GET", "/login?next="+url.QueryEscape("/items?q=drill"), nil), "/items?q=drill")
	wantLocal(t, n, "language back to the page", anon.rawSend("POST", "/language", url.Values{"lang": {"en"}, "next": {"/search?q=perceuse%20rouge"}}), "/search?q=perceuse%20rouge")
}

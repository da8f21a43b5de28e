package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// withSMTP sends the node's mail through a real SMTP server the test runs.
func withSMTP(srv *mailtest.Server) nodeOption {
	return func(n *testNode) {
		host, port := srv.Addr()
		n.extra += fmt.Sprintf("mail:\n  from: \"Test node <node@example.org>\"\n  smtp:\n    host: %q\n    port: %d\n    security: none\n", host, port)
	}
}

// withoutAdmin leaves the node without an admin, as a fresh install is:
// its pages lead to the setup wizard.
func withoutAdmin(n *testNode) { n.noAdmin = true }

// webClient is a browser without JavaScript: it keeps cookies, follows
// redirects and fills in the CSRF field of the forms it posts.
type webClient struct {
	t    testing.TB
	n    *testNode
	c    *http.Client
	lang string
}

func newWebClient(t testing.TB, n *testNode) *webClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &webClient{t: t, n: n, c: &http.Client{Jar: jar}, lang: "en"}
}

// page is an HTML answer after redirects: its final path, status and body.
type page struct {
	Path   string
	Status int
	Body   string
}

// Has reports whether the page contains s.
func (p page) Has(s string) bool { return strings.Contains(p.Body, s) }

func (w *webClient) do(req *http.Request) page {
	w.t.Helper()
	req.Header.Set("Accept-Language", w.lang)
	res, err := w.c.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{Path: res.Request.URL.RequestURI(), Status: res.StatusCode, Body: string(b)}
}

// get fetches a page.
func (w *webClient) get(path string) page {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.n.url()+path, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.do(req)
}

// csrf returns the CSRF cookie, fetching a page first when there is none.
func (w *webClient) csrf() string {
	u, _ := url.Parse(w.n.url())
	for i := 0; i < 2; i++ {
		for _, c := range w.c.Jar.Cookies(u) {
			if strings.HasSuffix(c.Name, "shrooms_csrf") {
				return c.Value
			}
		}
		w.get("/healthz")
		w.get("/login")
	}
	w.t.Fatal("no CSRF cookie")
	return ""
}

// post sends a form as the browser would, with the CSRF token.
func (w *webClient) post(path string, form url.Values) page {
	w.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", w.csrf())
	}
	req, err := http.NewRequest(http.MethodPost, w.n.url()+path, strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(req)
}

// login logs in through the login form and fails the test if it does not
// reach the dashboard.
func (w *webClient) login(user, password string) {
	w.t.Helper()
	p := w.post("/login", url.Values{"login": {user}, "password": {password}})
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Path, "/dashboard") {
		w.t.Fatalf("login as %s: ended on %s with %d:\n%s", user, p.Path, p.Status, p.Body)
	}
}

var linkRe = regexp.MustCompile(`https?://[^\s"<>]+`)

// linkIn returns the first URL in a mail body starting with prefix.
func linkIn(t testing.TB, body, prefix string) string {
	t.Helper()
	for _, l := range linkRe.FindAllString(body, -1) {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no link starting with %s in:\n%s", prefix, body)
	return ""
}

package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// Shared helpers of the web, API and browser tests: accounts, logged-in
// clients, forms with files and test images. Write a helper here once
// rather than again in each test file.

// systemCtx is the context the tests use to reach the store directly, as
// the node itself does.
var systemCtx = shrooms.NewSystemContext(context.Background())

// memberPassword is the password of the accounts the tests create when the
// password itself does not matter.
const memberPassword = "mushroom-picker-42"

// createUser creates an active, verified account with the store, as the
// node's operator would: its e-mail is username@example.org and its name
// the username capitalised.
func createUser(t testing.TB, n *testNode, username string, role shrooms.Role, password string) *shrooms.User {
	t.Helper()
	u := &shrooms.User{Username: username, Email: username + "@example.org", Name: strings.ToUpper(username[:1]) + username[1:], Role: role}
	if err := n.m.DB.Users.CreateUser(systemCtx, u, password); err != nil {
		t.Fatal(err)
	}
	return u
}

// findUser reads an account by its username, as the system.
func findUser(t testing.TB, n *testNode, username string) *shrooms.User {
	t.Helper()
	u, err := n.m.DB.Users.FindUserByUsername(systemCtx, username)
	if err != nil {
		t.Fatalf("find %s: %v", username, err)
	}
	return u
}

// loginAs returns a new web client logged in through the login form.
func loginAs(t testing.TB, n *testNode, username, password string) *webClient {
	t.Helper()
	w := newWebClient(t, n)
	w.login(username, password)
	return w
}

// withSMTP sends the node's mail through a real SMTP server the test runs.
func withSMTP(srv *mailtest.Server) nodeOption {
	return func(n *testNode) {
		host, port := srv.Addr()
		n.config(func(c *Config) {
			c.Mail.From = "Test node <node@example.org>"
			c.Mail.SMTP.Host, c.Mail.SMTP.Port, c.Mail.SMTP.Security = host, port, "none"
		})
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

// postMultipart sends a form as a browser sends one with enctype
// multipart/form-data, with the CSRF token. With field "" the form has no
// file input; a nil file with a field is a file input left empty.
func (w *webClient) postMultipart(path string, form url.Values, field, filename string, file []byte) page {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if form.Get("csrf") == "" {
		form.Set("csrf", w.csrf())
	}
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				w.t.Fatal(err)
			}
		}
	}
	if field != "" {
		fw, err := mw.CreateFormFile(field, filename)
		if err != nil {
			w.t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			w.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		w.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, w.n.url()+path, &body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.do(req)
}

// testImage is a width×height colour gradient: a real picture to upload.
func testImage(width, height int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

// testPNG is testImage encoded as PNG.
func testPNG(t testing.TB, width, height int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(width, height)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testJPEG is testImage encoded as JPEG.
func testJPEG(t testing.TB, width, height int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(width, height), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

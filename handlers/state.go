package handlers

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/itemcsv"
)

// reqState is what the web middleware learns about a request: the node's
// settings, the logged-in user, the language and the CSRF token.
type reqState struct {
	Settings      *shrooms.Settings
	User          *shrooms.User
	Session       *shrooms.Session
	SessionSecret string
	Lang          string
	CSRF          string
}

type stateKey struct{}

// stateFrom returns the request's state; outside the web middleware (the
// API) it is an empty state in the default language.
func stateFrom(ctx context.Context) *reqState {
	if st, ok := ctx.Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{Lang: shrooms.Languages[0], Settings: &shrooms.Settings{}, User: shrooms.UserFromContext(ctx)}
}

// Cookie names. Over HTTPS they carry the __Host- prefix, which browsers
// only accept from a secure origin, for the whole host, without Domain.
const (
	sessionCookie = "shrooms_session"
	csrfCookie    = "shrooms_csrf"
	flashCookie   = "shrooms_flash"
	// maxFormBytes bounds a web form, an uploaded image included.
	maxFormBytes = shrooms.MaxMediaBytes*2 + 64<<10
)

func (s *server) secure() bool { return strings.HasPrefix(s.IRIs.Base, "https://") }

func (s *server) cookieName(name string) string {
	if s.secure() {
		return "__Host-" + name
	}
	return name
}

// setCookie sets an HTTP-only, SameSite=Lax cookie for the whole host,
// Secure over HTTPS. maxAge 0 makes it last for the browser session; a
// negative one deletes it.
func (s *server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
}

func (s *server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// webState loads the request's state for web pages: settings, the session
// (and its user, also put in the context for the services), the language
// and the CSRF token. It checks the CSRF token of every form sent, and
// sends every page to /setup while the node has no admin.
func (s *server) webState(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		settings, err := s.Settings.FindSettings(ctx)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		st := &reqState{Settings: settings}
		if secret := s.cookie(r, sessionCookie); secret != "" {
			sess, u, err := s.Sessions.FindSession(ctx, secret)
			switch {
			case err == nil:
				st.Session, st.User, st.SessionSecret = sess, u, secret
				ctx = shrooms.NewContextWithUser(ctx, u)
			case shrooms.ErrorCode(err) == shrooms.EUNAUTHORIZED:
				s.setCookie(w, sessionCookie, "", -1)
			default:
				s.fail(w, r, err, 0)
				return
			}
		}
		st.Lang = s.pages.cat.pickLanguage(r, st.User, settings.DefaultLanguage)
		if st.CSRF = s.cookie(r, csrfCookie); len(st.CSRF) != 64 {
			st.CSRF = shrooms.RandomToken(32)
			s.setCookie(w, csrfCookie, st.CSRF, 0)
		}
		r = r.WithContext(context.WithValue(ctx, stateKey{}, st))
		if !safeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, formLimit(r))
			if err := s.checkCSRF(r, st); err != nil {
				s.fail(w, r, err, 0)
				return
			}
		}
		if s.needsSetup(r) && !setupExempt(r.URL.Path) {
			http.Redirect(w, r, "/setup", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// formLimit bounds a form: CSV imports are larger than images.
func formLimit(r *http.Request) int64 {
	if r.URL.Path == "/items/import" {
		return itemcsv.MaxBytes + 64<<10
	}
	return maxFormBytes
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF refuses a form unless its csrf field matches the visitor's
// CSRF cookie (the attacker's page can neither read nor set it) and the
// browser does not say that the request comes from another site.
func (s *server) checkCSRF(r *http.Request, st *reqState) error {
	if err := s.crossOrigin.Check(r); err != nil {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "This form was sent from another site. Please use the form on this site.").Keyed("core.error.form_foreign")
	}
	var sent string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(formLimit(r)); err != nil {
			return shrooms.Errorf(shrooms.ETOOLARGE, "The form is too large.").Keyed("core.error.form_too_large")
		}
	} else if err := r.ParseForm(); err != nil {
		return shrooms.Errorf(shrooms.EINVALID, "The form could not be read.").Keyed("core.error.form_unreadable")
	}
	sent = r.PostFormValue("csrf")
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(st.CSRF)) != 1 {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "This form has expired. Please reload the page and try again.").Keyed("core.error.form_expired")
	}
	return nil
}

// needsSetup reports whether the node still has no admin. Once it has
// one, it never asks again.
func (s *server) needsSetup(r *http.Request) bool {
	if s.setupDone.Load() {
		return false
	}
	need, err := s.Settings.NeedsSetup(r.Context())
	if err != nil {
		s.Logger.Error("needs setup", "err", err)
		return false
	}
	if !need {
		s.setupDone.Store(true)
	}
	return need
}

func setupExempt(p string) bool {
	return p == "/setup" || p == "/healthz" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/media/") || p == "/theme.css"
}

var flashKey = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)

// flash keeps a message key for the next page, after a redirect.
func (s *server) flash(w http.ResponseWriter, key string) {
	s.setCookie(w, flashCookie, key, 60)
}

// takeFlash returns and deletes the pending message key.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	for _, c := range r.Cookies() {
		if strings.HasSuffix(c.Name, flashCookie) && flashKey.MatchString(c.Value) {
			http.SetCookie(w, &http.Cookie{Name: c.Name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(c.Name, "__Host-")})
			return c.Value
		}
	}
	return ""
}

// redirect answers a form with 303 See Other, and a flash message.
func (s *server) redirect(w http.ResponseWriter, r *http.Request, to, flashKey string) {
	if flashKey != "" {
		s.flash(w, flashKey)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// clientAddress is the address rate limits count: the peer, or, when the
// peer is a trusted reverse proxy, the last address it was asked for by
// someone untrusted (X-Forwarded-For, read from the right).
func (s *server) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(a) {
			return a.String()
		}
	}
	return host
}

func (s *server) trusted(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// requireLogin sends anonymous visitors to the login page, and back here
// afterwards.
func (s *server) requireLogin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if stateFrom(r.Context()).User == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next(w, r)
	}
}

// requireWebAdmin lets only admins through (after requireLogin).
func (s *server) requireWebAdmin(next http.HandlerFunc) http.HandlerFunc {
	return s.requireLogin(func(w http.ResponseWriter, r *http.Request) {
		if !stateFrom(r.Context()).User.IsAdmin() {
			s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "Only admins may open this page.").Keyed("core.error.admin_page"), 0)
			return
		}
		next(w, r)
	})
}

// requireModule hides the routes of a module that is off: they answer 404
// as if they did not exist.
func (s *server) requireModule(module string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !stateFrom(r.Context()).Settings.HasModule(module) {
			s.handleNotFound(w, r)
			return
		}
		next(w, r)
	}
}

// formValue returns a trimmed form value.
func formValue(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostFormValue(name))
}

// tokensEqual compares secrets in constant time.
func tokensEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

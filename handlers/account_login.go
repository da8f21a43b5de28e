package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// loginForm is what the login page shows and reads back.
type loginForm struct {
	Login string
	Next  string
	Error string
	// Pending offers to resend the confirmation mail.
	Pending bool
}

// handleLogin logs a user in with a username or e-mail address and a
// password, and sends them on to ?next= (on this site only).
func (s *server) handleLogin(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	f := &loginForm{Next: r.URL.Query().Get("next")}
	if r.Method != http.MethodPost {
		if st.User != nil {
			http.Redirect(w, r, safeNext(f.Next), http.StatusSeeOther)
			return
		}
		s.render(w, r, 0, "login", "account.login.title", f)
		return
	}
	f.Login, f.Next = formValue(r, "login"), formValue(r, "next")
	password := r.PostFormValue("password")
	if f.Login == "" || password == "" {
		f.Error = s.tr(r, "account.login.required")
		s.render(w, r, http.StatusBadRequest, "login", "account.login.title", f)
		return
	}
	old := st.SessionSecret
	if err := s.startSession(w, r, f.Login, password); err != nil {
		code := shrooms.ErrorCode(err)
		status := statusOf(code)
		switch code {
		case shrooms.EINTERNAL:
			s.fail(w, r, err, 0)
			return
		case shrooms.ETOOMANY:
			f.Error = s.tooManyText(r, err)
		default:
			f.Error = s.errorText(r, err)
			f.Pending = code == shrooms.EFORBIDDEN && shrooms.ErrorKey(err) == shrooms.ErrPending().Key
		}
		s.render(w, r, status, "login", "account.login.title", f)
		return
	}
	if old != "" { // a second login in the same browser replaces the first
		if err := s.Sessions.Logout(r.Context(), old); err != nil {
			s.Logger.Warn("logout of the replaced session", "err", err)
		}
	}
	s.redirect(w, r, safeNext(f.Next), "")
}

// tooManyText says in the page's language that logging in is refused for
// a while: the error's own text when it has a key (the store's carries the
// number of minutes), else a general one.
func (s *server) tooManyText(r *http.Request, err error) string {
	if shrooms.ErrorKey(err) != "" {
		return s.errorText(r, err)
	}
	return s.tr(r, "account.login.too_many")
}

// handleLogout ends the session and forgets its cookie.
func (s *server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if secret := stateFrom(r.Context()).SessionSecret; secret != "" {
		if err := s.Sessions.Logout(r.Context(), secret); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	s.setCookie(w, sessionCookie, "", -1)
	s.setCookie(w, csrfCookie, shrooms.RandomToken(32), 0)
	s.redirect(w, r, "/", "account.logout.done")
}

package handlers

import (
	"net/http"
	"net/url"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// forgotView is the "forgot your password" page: the form, or, once sent,
// the same answer for every address.
type forgotView struct {
	Email string
	Sent  bool
	Error string
}

// handleForgot queues a password reset link. Whether an account has the
// address or not, the page says the same, and the request does the same
// work: the store queues the mail in the transaction that makes the link,
// and the mail worker sends it later, so that neither the answer nor its
// time tells who has an account here.
func (s *server) handleForgot(w http.ResponseWriter, r *http.Request) {
	v := &forgotView{}
	if r.Method != http.MethodPost {
		s.render(w, r, 0, "forgot", "account.forgot.title", v)
		return
	}
	v.Email = formValue(r, "email")
	if !strings.Contains(v.Email, "@") {
		v.Error = s.tr(r, "account.error.email_invalid")
		s.render(w, r, http.StatusBadRequest, "forgot", "account.forgot.title", v)
		return
	}
	mail, err := s.mailRender(r.Context(), "reset", stateFrom(r.Context()).Lang, "", func(u *shrooms.User, secret string) map[string]any {
		return map[string]any{
			"Name":  displayName(u),
			"Link":  s.IRIs.Base + "/reset?token=" + url.QueryEscape(secret),
			"Hours": int(shrooms.ResetPasswordTTL.Hours()),
		}
	})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	_, _, err = s.Accounts.RequestPasswordReset(r.Context(), v.Email, mail)
	switch shrooms.ErrorCode(err) {
	case "", shrooms.ENOTFOUND, shrooms.EINVALID, shrooms.ETOOMANY: // the same page: it must not tell whether the address has an account
	default:
		s.fail(w, r, err, 0)
		return
	}
	v.Sent = true
	s.render(w, r, 0, "forgot", "account.forgot.title", v)
}

// resetView is the page a reset link leads to.
type resetView struct {
	Token string
	Error string
	// Used says the link is spent, so the page offers a new one instead
	// of the form.
	Used bool
}

// handleReset sets a new password with a reset link. Like verification
// links, a GET only shows the form: the link is used by the POST.
func (s *server) handleReset(w http.ResponseWriter, r *http.Request) {
	v := &resetView{Token: r.URL.Query().Get("token")}
	if r.Method != http.MethodPost {
		status := 0
		if v.Used = v.Token == ""; v.Used {
			v.Error, status = s.errorText(r, shrooms.ErrLinkUsed()), http.StatusBadRequest
		}
		s.render(w, r, status, "reset", "account.reset.title", v)
		return
	}
	v.Token = formValue(r, "token")
	password := r.PostFormValue("password")
	fail := func(err error) {
		v.Error = s.errorText(r, err)
		s.render(w, r, statusOf(shrooms.ErrorCode(err)), "reset", "account.reset.title", v)
	}
	if v.Token == "" {
		v.Used = true
		fail(shrooms.ErrLinkUsed())
		return
	}
	if password != r.PostFormValue("password_confirm") {
		fail(shrooms.Errorf(shrooms.EINVALID, "The two passwords differ.").Keyed("core.error.passwords_differ").On("password_confirm"))
		return
	}
	u, err := s.Accounts.ResetPassword(r.Context(), v.Token, password)
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		v.Used = shrooms.ErrorKey(err) == shrooms.ErrLinkUsed().Key
		fail(err)
		return
	}
	s.Logger.Info("password reset", "username", u.Username)
	s.redirect(w, r, "/login", "account.reset.done")
}

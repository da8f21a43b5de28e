package handlers

import (
	"net/http"
	"net/url"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// signupForm is what the sign-up page shows and reads back. The password
// is never sent back.
type signupForm struct {
	Mode       string
	Invitation string
	Username   string
	Name       string
	Email      string
	Error      string
}

// handleSignup creates an account as the sign-up mode allows. The store
// applies the mode; the page only explains it.
func (s *server) handleSignup(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	f := &signupForm{Mode: string(st.Settings.SignupMode), Invitation: r.URL.Query().Get("invite")}
	if r.Method != http.MethodPost {
		s.render(w, r, 0, "signup", "account.signup.title", f)
		return
	}
	f.Invitation = formValue(r, "invite")
	f.Username, f.Name, f.Email = formValue(r, "username"), formValue(r, "name"), formValue(r, "email")
	password := r.PostFormValue("password")
	fail := func(err error, status int) {
		f.Error = s.errorText(r, err)
		if status == 0 {
			status = statusOf(shrooms.ErrorCode(err))
		}
		s.render(w, r, status, "signup", "account.signup.title", f)
	}
	if password != r.PostFormValue("password_confirm") {
		fail(shrooms.Errorf(shrooms.EINVALID, "The two passwords differ.").Keyed("core.error.passwords_differ").On("password_confirm"), 0)
		return
	}
	verify, err := s.verificationMail(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	taken, err := s.mailRender(r.Context(), "signup_taken", st.Lang, "", func(u *shrooms.User, _ string) map[string]any {
		return map[string]any{"Name": displayName(u), "LoginLink": s.IRIs.Base + "/login", "ResetLink": s.IRIs.Base + "/forgot"}
	})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	u, secret, err := s.Accounts.SignUp(r.Context(), shrooms.SignUp{Username: f.Username, Email: f.Email,
		Name: f.Name, Password: password, Language: st.Lang, Invitation: f.Invitation, Mail: verify, TakenMail: taken})
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		fail(err, 0)
		return
	}
	if u != nil && secret == "" {
		// The invitation was for this address: the account is active.
		s.Logger.Info("sign-up", "username", u.Username, "status", u.Status)
		if err := s.startSession(w, r, f.Username, password); err != nil {
			s.redirect(w, r, "/login", "account.signup.active")
			return
		}
		s.redirect(w, r, "/dashboard", "account.signup.welcome")
		return
	}
	// A new pending account, or an address that has one (the store told
	// its owner by mail): the same page, so that sign-up cannot tell
	// which addresses have an account here.
	if u != nil {
		s.Logger.Info("sign-up", "username", u.Username, "status", u.Status)
	}
	s.render(w, r, 0, "verify", "account.verify.sent_title", &verifyView{Mode: "sent", Email: strings.TrimSpace(f.Email)})
}

// verificationMail renders the e-mail confirmation mail, in the account's
// language (or the page's), for the store to queue with the link.
func (s *server) verificationMail(r *http.Request) (shrooms.MailRender, error) {
	return s.mailRender(r.Context(), "verify", stateFrom(r.Context()).Lang, "", func(u *shrooms.User, secret string) map[string]any {
		return map[string]any{
			"Name":  displayName(u),
			"Link":  s.IRIs.Base + "/verify?token=" + url.QueryEscape(secret),
			"Hours": int(shrooms.VerifyEmailTTL.Hours()),
		}
	})
}

// verifyView is the verification page: "sent" (check your inbox),
// "confirm" (the button a link leads to), "failed" (a used or expired
// link) or "resend" (the form alone).
type verifyView struct {
	Mode  string
	Token string
	Email string
	Error string
	// Resent says the page answers the resend form, which tells nothing
	// about the address.
	Resent bool
}

// handleVerifyPage shows a button that confirms the address. A GET never
// uses the link: mail scanners and link previews fetch links on their
// own.
func (s *server) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" {
		s.render(w, r, 0, "verify", "account.verify.resend_title", &verifyView{Mode: "resend"})
		return
	}
	s.render(w, r, 0, "verify", "account.verify.title", &verifyView{Mode: "confirm", Token: token})
}

// handleVerify uses the verification link and sends the member to the
// login page.
func (s *server) handleVerify(w http.ResponseWriter, r *http.Request) {
	token := formValue(r, "token")
	if token == "" {
		s.render(w, r, http.StatusBadRequest, "verify", "account.verify.title",
			&verifyView{Mode: "failed", Error: s.errorText(r, shrooms.ErrLinkUsed())})
		return
	}
	u, err := s.Accounts.VerifyEmail(r.Context(), token)
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		s.render(w, r, statusOf(shrooms.ErrorCode(err)), "verify", "account.verify.title",
			&verifyView{Mode: "failed", Error: s.errorText(r, err)})
		return
	}
	s.Logger.Info("e-mail verified", "username", u.Username)
	s.redirect(w, r, "/login", "account.verify.done")
}

func (s *server) handleResendPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, 0, "verify", "account.verify.resend_title", &verifyView{Mode: "resend"})
}

// handleResend mails a new verification link. The answer is the same
// whether or not a pending account has that address, so that the form
// cannot tell who has an account here.
func (s *server) handleResend(w http.ResponseWriter, r *http.Request) {
	email := formValue(r, "email")
	v := &verifyView{Mode: "resend", Email: email}
	if !strings.Contains(email, "@") {
		v.Error = s.tr(r, "account.error.email_invalid")
		s.render(w, r, http.StatusBadRequest, "verify", "account.verify.resend_title", v)
		return
	}
	verify, err := s.verificationMail(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	_, _, err = s.Accounts.CreateVerification(r.Context(), email, verify)
	switch shrooms.ErrorCode(err) {
	case "": // queued with the link, sent by the mail worker
	case shrooms.ENOTFOUND, shrooms.ECONFLICT, shrooms.EINVALID, shrooms.ETOOMANY: // the same page: it must not tell whether the address has an account
	default:
		s.fail(w, r, err, 0)
		return
	}
	v.Mode, v.Resent = "sent", true
	s.render(w, r, 0, "verify", "account.verify.sent_title", v)
}

// displayName is how a mail greets a user.
func displayName(u *shrooms.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}

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
		f.Error = s.accountErrorText(r, err)
		if status == 0 {
			status = statusOf(shrooms.ErrorCode(err))
		}
		s.render(w, r, status, "signup", "account.signup.title", f)
	}
	if password != r.PostFormValue("password_confirm") {
		fail(shrooms.Errorf(shrooms.EINVALID, "The two passwords differ."), 0)
		return
	}
	u, secret, err := s.Accounts.SignUp(r.Context(), shrooms.SignUp{Username: f.Username, Email: f.Email,
		Name: f.Name, Password: password, Language: st.Lang, Invitation: f.Invitation})
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		fail(err, 0)
		return
	}
	s.Logger.Info("sign-up", "username", u.Username, "status", u.Status)
	if secret == "" {
		// The invitation was for this address: the account is active.
		if err := s.startSession(w, r, f.Username, password); err != nil {
			s.redirect(w, r, "/login", "account.signup.active")
			return
		}
		s.redirect(w, r, "/dashboard", "account.signup.welcome")
		return
	}
	v := &verifyView{Mode: "sent", Email: u.Email}
	if err := s.sendVerification(r, u, secret); err != nil {
		v.Error = s.errorText(r, err)
	}
	s.render(w, r, 0, "verify", "account.verify.sent_title", v)
}

// sendVerification mails the e-mail confirmation link, in the user's
// language (or the page's).
func (s *server) sendVerification(r *http.Request, u *shrooms.User, secret string) error {
	err := s.sendMail(r.Context(), mailLanguage(r, u), u.Email, "verify", map[string]any{
		"Name":  displayName(u),
		"Link":  s.IRIs.Base + "/verify?token=" + url.QueryEscape(secret),
		"Hours": int(shrooms.VerifyEmailTTL.Hours()),
	})
	if err != nil {
		s.Logger.Warn("verification mail not sent", "user", u.Username, "err", err)
		if shrooms.ErrorCode(err) != shrooms.EUNAVAILABLE {
			err = errMailNotSent
		}
	}
	return err
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
			&verifyView{Mode: "failed", Error: s.errorText(r, errLinkUsed)})
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

// errMailNotSent is the mailer's answer when a mail could not be handed
// over, also used for the other reasons a mail was not sent.
var errMailNotSent = shrooms.Errorf(shrooms.EUNAVAILABLE, "the e-mail could not be sent; please try again later")

// errLinkUsed is the store's answer for a link it does not know.
var errLinkUsed = shrooms.Errorf(shrooms.EINVALID, "this link has expired or was already used")

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
	u, secret, err := s.Accounts.CreateVerification(r.Context(), email)
	switch shrooms.ErrorCode(err) {
	case "":
		_ = s.sendVerification(r, u, secret) // logged; not shown, it would tell the address exists
	case shrooms.ENOTFOUND, shrooms.ECONFLICT, shrooms.EINVALID, shrooms.ETOOMANY: // the same page: it must not tell whether the address has an account
	default:
		s.fail(w, r, err, 0)
		return
	}
	v.Mode, v.Resent = "sent", true
	s.render(w, r, 0, "verify", "account.verify.sent_title", v)
}

// mailLanguage is the language of a mail to u: their choice, else the
// page's.
func mailLanguage(r *http.Request, u *shrooms.User) string {
	if u != nil && shrooms.IsLanguage(u.Language) {
		return u.Language
	}
	return stateFrom(r.Context()).Lang
}

// displayName is how a mail greets a user.
func displayName(u *shrooms.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}

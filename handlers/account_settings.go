package handlers

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// accountView is the account and security page. Each form has its own
// error, shown next to it.
type accountView struct {
	User          *shrooms.User
	Tokens        []*shrooms.APIToken
	PasswordError string
	LanguageError string
	TokenError    string
	TokenName     string
	// NewToken and NewTokenName are set once, on the page that answers
	// the creation: the secret is never shown again.
	NewToken     string
	NewTokenName string
	// FeedShown is set when the member may have a calendar feed of
	// their loans; Feed is it, if they have one. NewFeedURL is shown
	// once, on the page that answers its creation.
	FeedShown  bool
	Feed       *shrooms.LoanFeed
	NewFeedURL string
}

// accountPage renders the account page with v's messages and status.
func (s *server) accountPage(w http.ResponseWriter, r *http.Request, status int, v *accountView) {
	st := stateFrom(r.Context())
	v.User = st.User
	tokens, err := s.Users.FindAPITokens(r.Context(), st.User.ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	v.Tokens = tokens
	if err := s.accountFeed(r, v); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, status, "account", "account.title", v)
}

func (s *server) handleAccount(w http.ResponseWriter, r *http.Request) {
	s.accountPage(w, r, 0, &accountView{})
}

// handleChangePassword sets a new password after checking the current
// one, and ends the user's other sessions (this one stays).
func (s *server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	current, password := r.PostFormValue("current_password"), r.PostFormValue("password")
	fail := func(err error) {
		s.accountPage(w, r, statusOf(shrooms.ErrorCode(err)), &accountView{PasswordError: s.errorText(r, err)})
	}
	if password != r.PostFormValue("password_confirm") {
		fail(shrooms.Errorf(shrooms.EINVALID, "The two passwords differ.").Keyed("core.error.passwords_differ").On("password_confirm"))
		return
	}
	if err := s.Accounts.ChangePassword(r.Context(), current, password, st.SessionSecret); err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		fail(err)
		return
	}
	s.Logger.Info("password changed", "username", st.User.Username)
	s.redirect(w, r, "/account", "account.password.changed")
}

// handleAccountLanguage keeps the user's interface language; "" follows
// the browser.
func (s *server) handleAccountLanguage(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	lang := formValue(r, "language")
	if _, err := s.Users.UpdateUser(r.Context(), st.User.ID, shrooms.UserUpdate{Language: &lang}); err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		s.accountPage(w, r, statusOf(shrooms.ErrorCode(err)), &accountView{LanguageError: s.errorText(r, err)})
		return
	}
	// The visitor's language cookie would otherwise win over the browser.
	if lang == "" {
		s.setCookie(w, languageCookie, "", -1)
	} else {
		s.setCookie(w, languageCookie, lang, 365*24*3600)
	}
	s.redirect(w, r, "/account", "account.language.saved")
}

// handleCreateToken creates a personal API token and shows its secret,
// this once, on the page that answers.
func (s *server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	name := formValue(r, "name")
	if name == "" {
		s.accountPage(w, r, http.StatusBadRequest, &accountView{TokenError: s.tr(r, "account.tokens.name_required")})
		return
	}
	secret, t, err := s.Users.CreateAPIToken(r.Context(), st.User.ID, name)
	if err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.fail(w, r, err, 0)
			return
		}
		s.accountPage(w, r, statusOf(shrooms.ErrorCode(err)), &accountView{TokenError: s.errorText(r, err), TokenName: name})
		return
	}
	s.Logger.Info("API token created", "username", st.User.Username, "token", t.ID)
	s.accountPage(w, r, 0, &accountView{NewToken: secret, NewTokenName: t.Name})
}

// handleDeleteToken revokes one of the user's tokens.
func (s *server) handleDeleteToken(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil {
		s.handleNotFound(w, r)
		return
	}
	if err := s.Users.DeleteAPIToken(r.Context(), st.User.ID, id); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.Logger.Info("API token revoked", "username", st.User.Username, "token", id)
	s.redirect(w, r, "/account", "account.tokens.revoked")
}

// handleDeleteTokens revokes every token of the user at once, for when
// one may be in someone else's hands. The browser session stays.
func (s *server) handleDeleteTokens(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	n, err := s.Users.DeleteAPITokens(r.Context(), st.User.ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.Logger.Info("all API tokens revoked", "username", st.User.Username, "count", n)
	s.redirect(w, r, "/account", "account.tokens.all_revoked."+strconv.Itoa(n))
}

package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// setupForm is what the setup wizard shows and reads back.
type setupForm struct {
	Code          string
	OrgName       string
	OrgHandle     string
	Description   string
	PostalAddress string
	AdminUsername string
	AdminName     string
	AdminEmail    string
	Modules       []string
	SignupMode    string
	AllModules    []string
	Error         string
}

// handleSetup is the first-run wizard: while the node has no admin, every
// page leads here. It asks for the setup code printed in the server's log,
// so that a stranger who finds a fresh node on the internet cannot claim
// it.
func (s *server) handleSetup(w http.ResponseWriter, r *http.Request) {
	if !s.needsSetup(r) {
		s.redirect(w, r, "/login", "setup.already_done")
		return
	}
	ctx := r.Context()
	org, err := s.Actors.FindOrgActor(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	st := stateFrom(ctx)
	f := &setupForm{Code: r.URL.Query().Get("code"), OrgName: st.Settings.Name, OrgHandle: org.Handle,
		Modules: shrooms.Modules, SignupMode: string(shrooms.SignupOpen), AllModules: shrooms.Modules}
	if r.Method != http.MethodPost {
		s.render(w, r, 0, "setup", "setup.title", f)
		return
	}
	f.Code, f.OrgName, f.OrgHandle = formValue(r, "code"), formValue(r, "org_name"), formValue(r, "org_handle")
	f.Description, f.PostalAddress = formValue(r, "description"), formValue(r, "postal_address")
	f.AdminUsername, f.AdminName, f.AdminEmail = formValue(r, "username"), formValue(r, "name"), formValue(r, "email")
	f.Modules, f.SignupMode = r.PostForm["modules"], formValue(r, "signup_mode")
	if f.Modules == nil {
		f.Modules = []string{}
	}
	password := r.PostFormValue("password")
	fail := func(err error) {
		f.Error = s.errorText(r, err)
		s.render(w, r, statusOf(shrooms.ErrorCode(err)), "setup", "setup.title", f)
	}
	if s.SetupCode == "" || !tokensEqual(f.Code, s.SetupCode) {
		fail(shrooms.Errorf(shrooms.EFORBIDDEN, "The setup code is wrong. It is printed in the server's log.").Keyed("core.error.setup_code").On("code"))
		return
	}
	if password != r.PostFormValue("password_confirm") {
		fail(shrooms.Errorf(shrooms.EINVALID, "The two passwords differ.").Keyed("core.error.passwords_differ").On("password_confirm"))
		return
	}
	mode, err := shrooms.ParseSignupMode(f.SignupMode)
	if err != nil {
		fail(err)
		return
	}
	setup := &shrooms.Setup{
		OrgHandle: f.OrgHandle,
		Settings: shrooms.Settings{Name: f.OrgName, Description: f.Description, PostalAddress: f.PostalAddress,
			SignupMode: mode, Modules: f.Modules, DefaultLanguage: st.Lang},
		Admin:    shrooms.User{Username: f.AdminUsername, Name: f.AdminName, Email: f.AdminEmail, Role: shrooms.RoleAdmin, Language: st.Lang},
		Password: password,
	}
	sys := shrooms.NewSystemContext(ctx)
	logo, err := s.readImage(r, "logo", logoSide)
	if err != nil {
		fail(err)
		return
	}
	if logo != nil {
		if err := s.Media.CreateMedia(sys, logo); err != nil {
			fail(err)
			return
		}
		setup.Settings.LogoID = logo.ID
	}
	if _, err := s.Settings.CompleteSetup(ctx, setup); err != nil {
		fail(err)
		return
	}
	s.setupDone.Store(true)
	s.Logger.Info("setup done", "admin", f.AdminUsername, "org", f.OrgHandle)
	if err := s.startSession(w, r, f.AdminUsername, password); err != nil {
		s.redirect(w, r, "/login", "setup.done")
		return
	}
	s.redirect(w, r, "/dashboard", "setup.done")
}

// startSession logs a user in and sets the session cookie.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, login, password string) error {
	secret, _, _, err := s.Sessions.Login(r.Context(), shrooms.LoginRequest{Login: login, Password: password,
		Address: s.clientAddress(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	// A new login gets a new CSRF token too, so that a token seen before
	// logging in is worthless after.
	s.setCookie(w, csrfCookie, shrooms.RandomToken(32), 0)
	s.setCookie(w, sessionCookie, secret, int(shrooms.SessionIdleTTL.Seconds()))
	return nil
}

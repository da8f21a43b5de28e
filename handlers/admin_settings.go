package handlers

import (
	"net/http"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// adminSettings is the settings form: the organisation, its look, who may
// sign up, the default language and the modules.
type adminSettings struct {
	adminPage
	S          *shrooms.Settings
	AllModules []string
	// AudienceModules have a default audience to choose, from Audiences.
	AudienceModules []string
	Audiences       []shrooms.Audience
}

// audienceModules are the modules whose records' default audience the
// settings page sets.
var audienceModules = []string{"inventory", "stock"}

// handleAdminSettings shows the settings (GET) and saves them (POST): it
// reads the current settings, changes the fields of the form and saves
// the whole, so that settings the form does not show are kept.
func (s *server) handleAdminSettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cur, err := s.Settings.FindSettings(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &adminSettings{adminPage: adminPage{Section: "settings"}, S: cur, AllModules: shrooms.Modules,
		AudienceModules: audienceModules, Audiences: shrooms.Audiences}
	if cur.PrimaryColor == "" {
		cur.PrimaryColor = shrooms.DefaultPrimaryColor
	}
	if cur.AccentColor == "" {
		cur.AccentColor = shrooms.DefaultAccentColor
	}
	if r.Method != http.MethodPost {
		s.render(w, r, 0, "admin_settings", "admin.settings.title", d)
		return
	}
	next := *cur
	next.Modules = append([]string(nil), cur.Modules...)
	err = s.saveSettings(r, &next)
	if err == nil {
		s.redirect(w, r, "/admin/settings", "admin.settings.saved")
		return
	}
	d.S, d.Error = &next, s.errorText(r, err)
	setRetryAfter(w, err)
	s.render(w, r, statusOf(shrooms.ErrorCode(err)), "admin_settings", "admin.settings.title", d)
}

// saveSettings applies the form to st and saves it.
func (s *server) saveSettings(r *http.Request, st *shrooms.Settings) error {
	ctx := r.Context()
	st.Name, st.Description, st.PostalAddress = formValue(r, "name"), formValue(r, "description"), formValue(r, "postal_address")
	st.PrimaryColor = colorField(r, "primary_color", st.PrimaryColor)
	st.AccentColor = colorField(r, "accent_color", st.AccentColor)
	st.CustomCSS = strings.TrimSpace(r.PostFormValue("custom_css"))
	st.Modules = r.PostForm["modules"]
	st.DefaultLanguage = formValue(r, "default_language")
	st.DefaultAudiences = defaultAudiences(r, st.DefaultAudiences)
	mode, err := shrooms.ParseSignupMode(formValue(r, "signup_mode"))
	if err != nil {
		return err
	}
	st.SignupMode = mode
	if r.PostFormValue("remove_logo") != "" {
		st.LogoID = 0
	}
	// Refuse a bad form before storing its logo, which would be left
	// unused.
	if err := st.Validate(); err != nil {
		return err
	}
	logo, err := s.readImage(r, "logo", logoSide)
	if err != nil {
		return err
	}
	if logo != nil {
		if err := s.Media.CreateMedia(ctx, logo); err != nil {
			return err
		}
		st.LogoID = logo.ID
	}
	return s.Settings.UpdateSettings(ctx, st)
}

// colorField reads a colour given by a colour picker (name) and its text
// twin (name_text), for browsers without a picker and for people who type
// codes. Both start at the stored colour, so whichever was changed wins,
// the typed one when both were.
func colorField(r *http.Request, name, current string) string {
	typed, picked := formValue(r, name+"_text"), formValue(r, name)
	if typed != "" && !strings.EqualFold(typed, current) {
		return strings.ToLower(typed)
	}
	if picked != "" {
		return strings.ToLower(picked)
	}
	return current
}

// defaultAudiences reads the default audience selects into a copy of cur
// (the map is shared with the stored settings); a module the form does
// not name keeps its value. Validate refuses unknown audiences.
func defaultAudiences(r *http.Request, cur map[string]shrooms.Audience) map[string]shrooms.Audience {
	out := map[string]shrooms.Audience{}
	for m, a := range cur {
		out[m] = a
	}
	for _, m := range audienceModules {
		if v, ok := r.PostForm["default_audience_"+m]; ok {
			out[m] = shrooms.Audience(strings.TrimSpace(v[0]))
		}
	}
	return out
}

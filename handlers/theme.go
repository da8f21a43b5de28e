package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// handleMedia serves an uploaded image. Images are re-encoded on upload,
// so what is served is always a plain PNG or JPEG.
func (s *server) handleMedia(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	m, err := s.Media.FindMedia(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeMedia(w, m)
}

// writeMedia answers with an image. Not every image is public (avatars
// have an audience, partners' thumbnails are for members): shared caches
// must not keep them.
func writeMedia(w http.ResponseWriter, m *shrooms.Media) {
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("Content-Length", strconv.Itoa(len(m.Data)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "inline")
	_, _ = w.Write(m.Data)
}

// handleThemeCSS serves the organisation's colours as Bootstrap variables.
func (s *server) handleThemeCSS(w http.ResponseWriter, r *http.Request) {
	st, err := s.Settings.FindSettings(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := st.Validate(); err != nil { // old rows: fill defaults, refuse odd colours
		st.PrimaryColor, st.AccentColor = shrooms.DefaultPrimaryColor, shrooms.DefaultAccentColor
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	fmt.Fprint(w, themeCSS(st.PrimaryColor, st.AccentColor))
}

// themeCSS overrides Bootstrap's primary and success colours. Colours were
// validated as #rrggbb, so they cannot break out of the declarations.
func themeCSS(primary, accent string) string {
	rgb := func(hex string) string {
		v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
		return fmt.Sprintf("%d, %d, %d", v>>16&0xff, v>>8&0xff, v&0xff)
	}
	return fmt.Sprintf(`:root {
  --bs-primary: %[1]s; --bs-primary-rgb: %[2]s;
  --bs-link-color: %[1]s; --bs-link-color-rgb: %[2]s;
  --bs-link-hover-color: %[1]s;
  --shrooms-primary: %[1]s; --shrooms-accent: %[3]s; --shrooms-accent-rgb: %[4]s;
}
.btn-primary { --bs-btn-bg: %[1]s; --bs-btn-border-color: %[1]s; --bs-btn-hover-bg: %[1]s; --bs-btn-hover-border-color: %[1]s; --bs-btn-active-bg: %[1]s; --bs-btn-disabled-bg: %[1]s; --bs-btn-disabled-border-color: %[1]s; }
.btn-outline-primary { --bs-btn-color: %[1]s; --bs-btn-border-color: %[1]s; --bs-btn-hover-bg: %[1]s; --bs-btn-hover-border-color: %[1]s; --bs-btn-active-bg: %[1]s; }
.bg-primary, .navbar.bg-primary { background-color: %[1]s !important; }
.form-check-input:checked { background-color: %[1]s; border-color: %[1]s; }
.form-control:focus, .form-select:focus, .form-check-input:focus { border-color: %[1]s; box-shadow: 0 0 0 .25rem rgba(%[2]s, .25); }
.page-link { --bs-pagination-color: %[1]s; --bs-pagination-active-bg: %[1]s; --bs-pagination-active-border-color: %[1]s; }
.text-bg-accent { background-color: %[3]s !important; color: #fff !important; }
`, primary, rgb(primary), accent, rgb(accent))
}

// handleCustomCSS serves the admins' own stylesheet, after the theme.
func (s *server) handleCustomCSS(w http.ResponseWriter, r *http.Request) {
	st, err := s.Settings.FindSettings(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write([]byte(st.CustomCSS))
}

// handleLanguage switches the interface language: a cookie for visitors,
// and the account's setting for a logged-in user.
func (s *server) handleLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !shrooms.IsLanguage(lang) {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "language: must be one of %s", strings.Join(shrooms.Languages, ", ")).Keyed("account.error.language").On("language"), 0)
		return
	}
	s.setCookie(w, languageCookie, lang, 365*24*3600)
	if u := stateFrom(r.Context()).User; u != nil {
		if _, err := s.Users.UpdateUser(r.Context(), u.ID, shrooms.UserUpdate{Language: &lang}); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

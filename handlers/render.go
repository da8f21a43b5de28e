package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/static"
)

// view is what every page template gets; Data is the page's own.
type view struct {
	Lang     string
	Title    string
	Settings *shrooms.Settings
	User     *shrooms.User
	CSRF     string
	Menu     []menuEntry
	// Flash is a translated notice from the previous request (after a
	// redirect).
	Flash string
	Path  string
	// Here is the page's own address as the browser sent it (escaped path
	// and query): the language switch comes back to it through safeNext.
	Here    string
	Version string
	// Unread is the logged-in user's unread notifications, for the bell.
	Unread int
	Data   any
}

// pages holds every page template, parsed once per language so that the
// "t" function speaks that language.
type pages struct {
	set map[string]map[string]*template.Template // lang → page → template
	cat *catalog
}

// pageNames lists the page templates: every templates/*.html but the
// layout and the partials (_*.html).
func pageNames() ([]string, []string, error) {
	files, err := fs.Glob(static.FS, "templates/*.html")
	if err != nil {
		return nil, nil, err
	}
	var names, partials []string
	for _, f := range files {
		base := path.Base(f)
		switch {
		case base == "layout.html":
		case strings.HasPrefix(base, "_"):
			partials = append(partials, f)
		default:
			names = append(names, strings.TrimSuffix(base, ".html"))
		}
	}
	return names, partials, nil
}

func templateFuncs(cat *catalog, lang string) template.FuncMap {
	return template.FuncMap{
		"t":            func(id string, args ...any) string { return cat.translate(lang, id, args...) },
		"asset":        static.URL,
		"languages":    func() []string { return shrooms.Languages },
		"languageName": func(l string) string { return languageName[l] },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			if lang == "fr" {
				return t.Format("02/01/2006")
			}
			return t.Format("2006-01-02")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			if lang == "fr" {
				return t.Format("02/01/2006 15:04")
			}
			return t.Format("2006-01-02 15:04")
		},
		"moduleDescription": func(m string) string { return cat.translate(lang, "module."+m+".description") },
		"moduleName":        func(m string) string { return cat.translate(lang, "module."+m) },
		"inSection":         func(path, href string) bool { return path == href || strings.HasPrefix(path, href+"/") },
		"add":               func(a, b int) int { return a + b },
		"deref":             func(n *int) int { return *n },
		"sub":               func(a, b int) int { return a - b },
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
	}
}

func parsePages(cat *catalog) (*pages, error) {
	names, partials, err := pageNames()
	if err != nil {
		return nil, err
	}
	p := &pages{set: map[string]map[string]*template.Template{}, cat: cat}
	for _, lang := range shrooms.Languages {
		p.set[lang] = map[string]*template.Template{}
		for _, name := range names {
			files := append([]string{"templates/layout.html"}, partials...)
			files = append(files, "templates/"+name+".html")
			t, err := template.New(name).Funcs(templateFuncs(cat, lang)).ParseFS(static.FS, files...)
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", name, err)
			}
			p.set[lang][name] = t
		}
	}
	return p, nil
}

// render executes a page into a buffer first, so that a failing template
// never sends half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, title string, data any) {
	v := s.newView(w, r, title, data)
	t := s.pages.set[v.Lang][name]
	if t == nil {
		s.Logger.Error("no template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Logger.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.Lang)
	w.Header().Set("Cache-Control", "no-store")
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// newView fills what every page shows from the request's state.
func (s *server) newView(w http.ResponseWriter, r *http.Request, title string, data any) view {
	st := stateFrom(r.Context())
	v := view{Lang: st.Lang, Settings: st.Settings, User: st.User, CSRF: st.CSRF, Path: r.URL.Path, Here: r.URL.RequestURI(),
		Version: shrooms.Version, Data: data}
	v.Title = s.pages.cat.translate(v.Lang, title)
	v.Menu = s.menu(r.Context(), st)
	if st.User != nil && s.Notices != nil {
		n, err := s.Notices.CountUnreadNotifications(r.Context())
		if err != nil {
			s.Logger.Warn("unread notifications", "err", err)
		}
		v.Unread = n
	}
	if key := takeFlash(w, r); key != "" {
		v.Flash = s.flashText(v.Lang, key)
	}
	return v
}

// flashText translates a flash key; a last part that is a number is the
// message's Count: "import.done.12" is import.done with Count 12.
func (s *server) flashText(lang, key string) string {
	if i := strings.LastIndexByte(key, '.'); i > 0 {
		if n, err := strconv.Atoi(key[i+1:]); err == nil {
			return s.pages.cat.translate(lang, key[:i], "Count", n)
		}
	}
	return s.pages.cat.translate(lang, key)
}

// tr translates a key in the request's language.
func (s *server) tr(r *http.Request, id string, args ...any) string {
	return s.pages.cat.translate(stateFrom(r.Context()).Lang, id, args...)
}

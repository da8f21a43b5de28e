package handlers

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/static"
)

// catalog holds every UI string in every language, from
// static/i18n/AREA.LANG.json (flat keys like "nav.dashboard"; a plural is
// an object with "one" and "other").
type catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	tags    []language.Tag
	locs    map[string]*i18n.Localizer
	// missing remembers keys already reported, so a missing string is
	// logged once, not on every page.
	missing sync.Map
}

func loadCatalog() (*catalog, error) {
	c := &catalog{bundle: i18n.NewBundle(language.English), locs: map[string]*i18n.Localizer{}}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(static.FS, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := static.FS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if _, err := c.bundle.ParseMessageFileBytes(b, path.Base(f)); err != nil {
			return nil, fmt.Errorf("message catalog %s: %w", f, err)
		}
	}
	for _, l := range shrooms.Languages {
		tag := language.Make(l)
		c.tags = append(c.tags, tag)
		c.locs[l] = i18n.NewLocalizer(c.bundle, l)
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// translate returns the message id in lang, filled with args (pairs of
// name and value; a "Count" value also picks the plural form). A missing
// message shows as its id, so that a page still renders.
func (c *catalog) translate(lang, id string, args ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) > 0 {
		data := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			k := fmt.Sprint(args[i])
			data[k] = args[i+1]
			if k == "Count" {
				cfg.PluralCount = args[i+1]
			}
		}
		cfg.TemplateData = data
	}
	loc := c.locs[lang]
	if loc == nil {
		loc = c.locs[shrooms.Languages[0]]
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		c.missing.LoadOrStore(lang+":"+id, true)
		return id
	}
	return s
}

// Missing lists the keys looked up but missing, for tests.
func (c *catalog) Missing() []string {
	var out []string
	c.missing.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	return out
}

// languageCookie keeps a visitor's language choice before they log in.
const languageCookie = "shrooms_lang"

// pickLanguage chooses the interface language: the user's choice, then the
// visitor's cookie, then the browser's Accept-Language, then the node's
// default.
func (c *catalog) pickLanguage(r *http.Request, u *shrooms.User, fallback string) string {
	if u != nil && shrooms.IsLanguage(u.Language) {
		return u.Language
	}
	if ck, err := r.Cookie(languageCookie); err == nil && shrooms.IsLanguage(ck.Value) {
		return ck.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		if tags, _, err := language.ParseAcceptLanguage(al); err == nil && len(tags) > 0 {
			_, i, conf := c.matcher.Match(tags...)
			if conf != language.No {
				return shrooms.Languages[i]
			}
		}
	}
	if shrooms.IsLanguage(fallback) {
		return fallback
	}
	return shrooms.Languages[0]
}

// languageName is how each language names itself in the switcher.
var languageName = map[string]string{"en": "English", "fr": "Français"}

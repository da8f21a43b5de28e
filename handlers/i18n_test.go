package handlers

import (
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/static"
)

// catalogKeys reads every static/i18n/*.LANG.json into one key set per
// language.
func catalogKeys(t *testing.T) map[string]map[string]bool {
	t.Helper()
	files, err := fs.Glob(static.FS, "i18n/*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, f := range files {
		parts := strings.Split(path.Base(f), ".")
		if len(parts) != 3 || !shrooms.IsLanguage(parts[1]) {
			t.Fatalf("%s: catalogs are named AREA.LANG.json with LANG one of %v", f, shrooms.Languages)
		}
		b, err := static.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if out[parts[1]] == nil {
			out[parts[1]] = map[string]bool{}
		}
		for k := range m {
			if out[parts[1]][k] {
				t.Errorf("%s: key %q is also in another %s catalog", f, k, parts[1])
			}
			out[parts[1]][k] = true
		}
	}
	return out
}

// TestCatalogsAgree checks that every language has exactly the same keys:
// no string is left in English on a French page.
func TestCatalogsAgree(t *testing.T) {
	keys := catalogKeys(t)
	base := keys[shrooms.Languages[0]]
	for _, lang := range shrooms.Languages[1:] {
		var missing, extra []string
		for k := range base {
			if !keys[lang][k] {
				missing = append(missing, k)
			}
		}
		for k := range keys[lang] {
			if !base[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("%s catalog: missing %v; not in %s: %v", lang, missing, shrooms.Languages[0], extra)
		}
	}
}

// tCall finds the literal keys passed to t in templates: {{t "key" …}}
// and (t "key" …).
var tCall = regexp.MustCompile(`[{(]\s*t\s+"([^"]+)"`)

// TestTemplatesUseKnownKeys checks that every key a template or a mail
// asks for exists in the catalogs.
func TestTemplatesUseKnownKeys(t *testing.T) {
	keys := catalogKeys(t)[shrooms.Languages[0]]
	var files []string
	for _, pat := range []string{"templates/*.html", "mail/*.txt"} {
		m, err := fs.Glob(static.FS, pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no templates found")
	}
	for _, f := range files {
		b, err := static.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tCall.FindAllStringSubmatch(string(b), -1) {
			if !keys[m[1]] {
				t.Errorf("%s uses %q, which no catalog has", f, m[1])
			}
		}
	}
}

// TestModulesHaveNames checks that every module has a name and a
// description in the catalogs, as the setup wizard shows them.
func TestModulesHaveNames(t *testing.T) {
	keys := catalogKeys(t)[shrooms.Languages[0]]
	for _, m := range shrooms.Modules {
		for _, k := range []string{"module." + m, "module." + m + ".description"} {
			if !keys[k] {
				t.Errorf("no catalog entry %q", k)
			}
		}
	}
}

// TestPagesParse parses every page in every language, as NewRouter does.
func TestPagesParse(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsePages(cat); err != nil {
		t.Fatal(err)
	}
	if _, err := parseMails(cat); err != nil {
		t.Fatal(err)
	}
	if got := cat.translate("fr", "nav.dashboard"); got != "Tableau de bord" {
		t.Errorf("fr nav.dashboard = %q", got)
	}
	if got := cat.translate("en", "home.followers", "Count", 1); got != "1 follower" {
		t.Errorf("en home.followers 1 = %q", got)
	}
	if got := cat.translate("en", "home.followers", "Count", 3); got != "3 followers" {
		t.Errorf("en home.followers 3 = %q", got)
	}
}

// inlineCode finds what the Content-Security-Policy blocks: inline
// scripts, event handler attributes, style attributes and javascript: URLs.
var inlineCode = regexp.MustCompile(`(?i)<script(\s[^>]*)?>[^<]|\son[a-z]+\s*=|\sstyle\s*=|javascript:`)

// TestTemplatesNeedNoInlineCode keeps the templates within the CSP, which
// allows no inline script nor style: a violation would be blocked in the
// browser (and fail the browser tests).
func TestTemplatesNeedNoInlineCode(t *testing.T) {
	files, err := fs.Glob(static.FS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := static.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := inlineCode.FindString(string(b)); m != "" {
			t.Errorf("%s: %q is blocked by the Content-Security-Policy", f, m)
		}
	}
}

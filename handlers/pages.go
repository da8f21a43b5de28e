package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/static"
)

// pageNames are the templates every page is built from, with layout.html.
var pageNames = []string{"home", "actor", "error"}

type pages struct{ set map[string]*template.Template }

func parsePages() (*pages, error) {
	p := &pages{set: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.ParseFS(static.FS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.set[name] = t
	}
	return p, nil
}

// pageData is what every page template gets.
type pageData struct {
	Title     string
	NodeName  string
	Version   string
	Message   string
	Org       *shrooms.Actor
	Actor     *shrooms.Actor
	Followers int
	Following int
}

// render executes a page into a buffer first, so that a failing template
// never sends half a page.
func (p *pages) render(w http.ResponseWriter, name string, d pageData) {
	if d.NodeName == "" {
		d.NodeName = "SHROOMS"
	}
	d.Version = shrooms.Version
	var buf bytes.Buffer
	if err := p.set[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

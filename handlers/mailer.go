package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/static"
)

// mails holds the e-mail templates (static/mail/NAME.txt, each defining
// "subject" and "body"), parsed once per language.
type mails map[string]map[string]*template.Template

func parseMails(cat *catalog) (mails, error) {
	files, err := fs.Glob(static.FS, "mail/*.txt")
	if err != nil {
		return nil, err
	}
	out := mails{}
	for _, lang := range shrooms.Languages {
		out[lang] = map[string]*template.Template{}
		funcs := template.FuncMap{"t": func(id string, args ...any) string { return cat.translate(lang, id, args...) }}
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".txt")
			if name == "footer" {
				continue
			}
			t, err := template.New(name).Funcs(funcs).ParseFS(static.FS, "mail/footer.txt", f)
			if err != nil {
				return nil, fmt.Errorf("mail template %s: %w", name, err)
			}
			out[lang][name] = t
		}
	}
	return out, nil
}

// sendMail renders the mail template name in lang and sends it to to.
// data gets NodeName and BaseURL added. A mail that could not be handed
// over is EUNAVAILABLE, for the page to say so and offer a retry.
func (s *server) sendMail(ctx context.Context, lang, to, name string, data map[string]any) error {
	t := s.mails[lang][name]
	if t == nil {
		return fmt.Errorf("no mail template %s", name)
	}
	if data == nil {
		data = map[string]any{}
	}
	settings, err := s.Settings.FindSettings(ctx)
	if err != nil {
		return err
	}
	data["NodeName"], data["BaseURL"] = settings.Name, s.IRIs.Base
	var subject, body bytes.Buffer
	if err := t.ExecuteTemplate(&subject, "subject", data); err != nil {
		return fmt.Errorf("mail %s subject: %w", name, err)
	}
	if err := t.ExecuteTemplate(&body, "body", data); err != nil {
		return fmt.Errorf("mail %s body: %w", name, err)
	}
	return s.Mailer.Send(ctx, shrooms.Message{To: to, Subject: strings.TrimSpace(subject.String()), Text: strings.TrimLeft(body.String(), "\n")})
}

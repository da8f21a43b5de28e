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

// mailRender returns the MailRender of template name for the store to
// call inside the transaction of the change that sends it: no handler
// talks SMTP; the mail worker sends what the store queued. The mail goes
// to the account the store passes (in its language, else lang) or, when
// there is none (an invitation), to to. data gives the template's fields
// for the account and the link's secret; NodeName and BaseURL are added.
func (s *server) mailRender(ctx context.Context, name, lang, to string, data func(u *shrooms.User, secret string) map[string]any) (shrooms.MailRender, error) {
	if s.mails[shrooms.Languages[0]][name] == nil {
		return nil, fmt.Errorf("no mail template %s", name)
	}
	// Read before the store's transaction, not inside it.
	settings, err := s.Settings.FindSettings(ctx)
	if err != nil {
		return nil, err
	}
	return func(u *shrooms.User, secret string) (shrooms.Message, error) {
		l, rcpt := lang, to
		if u != nil {
			rcpt = u.Email
			if shrooms.IsLanguage(u.Language) {
				l = u.Language
			}
		}
		if !shrooms.IsLanguage(l) {
			l = shrooms.Languages[0]
		}
		d := data(u, secret)
		d["NodeName"], d["BaseURL"] = settings.Name, s.IRIs.Base
		t := s.mails[l][name]
		var subject, body bytes.Buffer
		if err := t.ExecuteTemplate(&subject, "subject", d); err != nil {
			return shrooms.Message{}, fmt.Errorf("mail %s subject: %w", name, err)
		}
		if err := t.ExecuteTemplate(&body, "body", d); err != nil {
			return shrooms.Message{}, fmt.Errorf("mail %s body: %w", name, err)
		}
		return shrooms.Message{To: rcpt, Subject: strings.TrimSpace(subject.String()), Text: strings.TrimLeft(body.String(), "\n")}, nil
	}, nil
}

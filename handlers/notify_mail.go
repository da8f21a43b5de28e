package handlers

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// noticeDays are the params of a notification that are days, shown in
// the reader's way.
var noticeDays = map[string]bool{"Start": true, "End": true, "Due": true, "PickupBy": true}

// noticeText translates part ("subject" or "body") of notification n in
// lang: its kind's message with the item and its params; a Days param is
// the message's Count.
func (c *catalog) noticeText(lang string, n *shrooms.Notification, part string) string {
	args := []any{"Item", n.ItemName}
	for k, v := range n.Params {
		if noticeDays[k] {
			if d, err := shrooms.ParseDate(v); err == nil && lang == "fr" {
				v = d.In(time.UTC).Format("02/01/2006")
			}
		}
		args = append(args, k, v)
		if k == "Days" {
			count, _ := strconv.Atoi(v)
			args = append(args, "Count", count)
		}
	}
	return c.translate(lang, fmt.Sprintf("notify.%s.%s", n.Kind, part), args...)
}

// NotificationMails returns the renderer of notification mail that the
// notifications worker calls: the "notification" mail template, in the
// member's language, with a link to what it is about and to the
// preferences. The store never renders; the handlers own the words.
func NotificationMails(settings shrooms.SettingsService, iris shrooms.IRIs) (shrooms.NotificationRender, error) {
	parsed, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	cat := parsed.pages.cat
	return func(ctx context.Context, u *shrooms.User, n *shrooms.Notification) (shrooms.Message, error) {
		st, err := settings.FindSettings(ctx)
		if err != nil {
			return shrooms.Message{}, err
		}
		lang := u.Language
		if !shrooms.IsLanguage(lang) {
			lang = shrooms.Languages[0]
		}
		t := parsed.mails[lang]["notification"]
		if t == nil {
			return shrooms.Message{}, fmt.Errorf("no mail template notification")
		}
		d := map[string]any{"Name": displayName(u), "NodeName": st.Name, "BaseURL": iris.Base,
			"Subject": cat.noticeText(lang, n, "subject"), "Text": cat.noticeText(lang, n, "body"),
			"Link": iris.Base + n.Link(), "PrefsLink": iris.Base + "/account/notifications"}
		var subject, body bytes.Buffer
		if err := t.ExecuteTemplate(&subject, "subject", d); err != nil {
			return shrooms.Message{}, fmt.Errorf("notification mail subject: %w", err)
		}
		if err := t.ExecuteTemplate(&body, "body", d); err != nil {
			return shrooms.Message{}, fmt.Errorf("notification mail body: %w", err)
		}
		return shrooms.Message{To: u.Email, Subject: strings.TrimSpace(subject.String()), Text: strings.TrimLeft(body.String(), "\n")}, nil
	}, nil
}

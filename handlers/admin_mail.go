package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// mailShown is how many mails the admin mail page lists; it says how many
// there are in all.
const mailShown = 100

// adminMail is the mail outbox as admins see it: by default what has not
// gone out (pending, being sent, dead), newest first, with the last error
// and buttons to retry or discard a mail.
type adminMail struct {
	adminPage
	State  string
	States []shrooms.MailState
	Mails  []*shrooms.Mail
	Total  int
	// Dead counts the mails that gave up, whatever the filter.
	Dead int
}

func (s *server) handleAdminMail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state, err := shrooms.ParseMailState(r.URL.Query().Get("state"))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &adminMail{adminPage: adminPage{Section: "mail"}, State: string(state),
		States: []shrooms.MailState{shrooms.MailDead, shrooms.MailPending, shrooms.MailSending, shrooms.MailSent}}
	if d.Mails, d.Total, err = s.Mail.FindMail(ctx, shrooms.MailFilter{State: state, Limit: mailShown}); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if _, d.Dead, err = s.Mail.FindMail(ctx, shrooms.MailFilter{State: shrooms.MailDead, Limit: 1}); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "admin_mail", "admin.mail.title", d)
}

// handleAdminMailRetry puts a mail back in the queue, due now.
func (s *server) handleAdminMailRetry(w http.ResponseWriter, r *http.Request) {
	if err := s.Mail.RetryMail(r.Context(), pathID(r), s.Now()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/mail", "admin.mail.retried")
}

// handleAdminMailDiscard deletes a mail that has not gone out.
func (s *server) handleAdminMailDiscard(w http.ResponseWriter, r *http.Request) {
	if err := s.Mail.DiscardMail(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/mail", "admin.mail.discarded")
}

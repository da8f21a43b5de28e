package handlers

import (
	"net/http"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// mailJSON is a mail of the outbox in the API, without its body: the
// body may hold a live link (a reset, an invitation).
type mailJSON struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	To            string    `json:"to"`
	Subject       string    `json:"subject"`
	MessageID     string    `json:"message_id"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// apiMail lists the mail outbox, for admins, newest first; ?state=
// filters.
func (s *server) apiMail(w http.ResponseWriter, r *http.Request) {
	state, err := shrooms.ParseMailState(r.URL.Query().Get("state"))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	offset, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	ms, total, err := s.Mail.FindMail(r.Context(), shrooms.MailFilter{State: state, Offset: offset, Limit: limit})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ms, total, func(m *shrooms.Mail) mailJSON {
		return mailJSON{ID: m.ID, Kind: m.Kind, To: m.Message.To, Subject: m.Message.Subject, MessageID: m.Message.ID,
			State: string(m.State), Attempts: m.Attempts, NextAttemptAt: m.NextAttemptAt, LastError: m.LastError,
			CreatedAt: m.CreatedAt, SentAt: m.SentAt}
	})
}

// apiRetryMail puts a dead or waiting mail back in the queue, due now.
func (s *server) apiRetryMail(w http.ResponseWriter, r *http.Request) {
	if err := s.Mail.RetryMail(r.Context(), pathID(r), s.Now()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiDiscardMail deletes a mail that has not gone out.
func (s *server) apiDiscardMail(w http.ResponseWriter, r *http.Request) {
	if err := s.Mail.DiscardMail(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package shrooms

import "context"

// Message is one e-mail, with a plain-text body and an optional HTML one.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends e-mail. Send returns once the message is handed over to
// the SMTP server (or written to the mail folder when none is configured);
// EUNAVAILABLE means it could not be, and the caller should offer a retry.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

package shrooms

import (
	"context"
	"time"
)

// Message is one e-mail, with a plain-text body and an optional HTML one.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	// ID is the Message-ID (without angle brackets). The mail outbox gives
	// each message one when it is queued and sends every attempt with it,
	// so that a copy sent twice (see MailQueue) can be recognised as the
	// same message. "" lets the Mailer make one up.
	ID string
}

// Mailer sends e-mail. Send returns once the message is handed over to
// the SMTP server (or written to the mail folder when none is configured);
// EUNAVAILABLE means it could not be, and the caller should retry later.
// Only the mail worker calls it: everything else queues mail in the
// outbox, in the transaction of the change that causes it.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// MailRender renders a mail that a change sends, for the account it
// concerns (nil when there is none yet, as for an invitation) and the
// secret of the link it carries ("" when none). The store calls it inside
// the change's transaction and queues the result in that transaction, so
// that the mail exists exactly when the change does. The templates live
// with the handlers; the secret never has to leave the store otherwise.
type MailRender func(u *User, secret string) (Message, error)

// Kinds of queued mail, shown to admins and used to bound how many
// notices one address gets.
const (
	MailVerify      = "verify"       // the e-mail confirmation link of a new account
	MailReset       = "reset"        // a password reset link
	MailInvitation  = "invitation"   // an admin's invitation
	MailSignupTaken = "signup_taken" // someone signed up with an address that has an account
)

// MailState is where one queued mail stands.
type MailState string

// Mail states. A sending mail is held by a worker until its lease ends;
// one still sending after that (the node stopped mid-send) is tried
// again. A dead mail gave up after MailMaxAttempts and waits for an admin
// to retry or discard it.
const (
	MailPending MailState = "pending"
	MailSending MailState = "sending"
	MailSent    MailState = "sent"
	MailDead    MailState = "dead"
)

// ParseMailState returns EINVALID for an unknown state; "" is no filter.
func ParseMailState(s string) (MailState, error) {
	switch st := MailState(s); st {
	case "", MailPending, MailSending, MailSent, MailDead:
		return st, nil
	}
	return "", Errorf(EINVALID, "state: must be pending, sending, sent or dead").Keyed("mail.error.state").On("state")
}

// Mail is one message in the mail outbox.
type Mail struct {
	ID            int64
	Kind          string
	Message       Message
	State         MailState
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time
}

// MailFilter selects queued mail. Zero fields do not filter.
type MailFilter struct {
	State  MailState
	Offset int
	Limit  int
}

// MailQueue is the durable mail outbox. Rows are inserted by the store
// methods whose changes send mail (SignUp, RequestPasswordReset,
// CreateInvitation …), in their transactions; the mail worker sends them.
//
// SMTP cannot give exactly-once delivery: if the node stops after the
// server accepted a message but before MarkMailSent committed, the
// message is sent again after its lease. Both copies carry the same
// Message-ID, so that mail clients and servers that deduplicate on it
// show one. A mail marked sent is never sent again.
type MailQueue interface {
	// ClaimMail leases up to limit mails due at now, oldest first, until
	// now+lease: pending ones, and sending ones whose lease ran out. Each
	// claim counts as an attempt.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Mail, error)

	// MarkMailSent records that the SMTP server accepted mail id, and
	// forgets its bodies, which may carry a live link.
	MarkMailSent(ctx context.Context, id int64, now time.Time) error

	// MarkMailFailed records a failed attempt: the mail is tried again at
	// next, or dead when dead is true. errMsg is shown to admins.
	MarkMailFailed(ctx context.Context, id int64, now time.Time, errMsg string, next time.Time, dead bool) error

	// FindMail returns matching mail, newest first, and the total count
	// ignoring Offset and Limit, for admins. Returns EUNAUTHORIZED,
	// EFORBIDDEN.
	FindMail(ctx context.Context, filter MailFilter) ([]*Mail, int, error)

	// RetryMail puts a dead or pending mail back in the queue, due now,
	// with its attempts counted from zero, for admins. Returns
	// EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, ECONFLICT when it is sent or
	// being sent.
	RetryMail(ctx context.Context, id int64, now time.Time) error

	// DiscardMail deletes a mail that is not sent, for admins. Returns
	// EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, ECONFLICT when it is sent or
	// being sent.
	DiscardMail(ctx context.Context, id int64) error
}

-- 0009_mail_outbox: every mail the node sends is queued here, in the
-- transaction of the change that causes it (sign-up, reset link,
-- invitation …), and the mail worker sends it with retries. A request
-- never talks SMTP: its time cannot tell whether an address has an
-- account, and a mail server that is down loses nothing.

CREATE TABLE mail_outbox (
	id              INTEGER PRIMARY KEY,
	-- kind says what the mail is for (verify, reset, invitation,
	-- signup_taken …), for admins and to bound notices per address.
	kind            TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	subject         TEXT NOT NULL,
	body_text       TEXT NOT NULL,
	body_html       TEXT NOT NULL DEFAULT '',
	-- message_id is the Message-ID every attempt carries, so that a copy
	-- sent twice (a crash between the server's OK and the commit) can be
	-- recognised as one message.
	message_id      TEXT NOT NULL UNIQUE,
	state           TEXT NOT NULL DEFAULT 'pending',
	attempts        INTEGER NOT NULL DEFAULT 0,
	-- next_attempt_at (unix ms) is when a pending mail is due, or when
	-- the lease of a sending one ends.
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER,
	CONSTRAINT mail_outbox_state CHECK (state IN ('pending', 'sending', 'sent', 'dead'))
);

CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient, kind, created_at);

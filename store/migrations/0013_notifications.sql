-- 0013_notifications: notices to members. A notification is written in
-- the transaction of the change it tells about (a loan approved, an item
-- offered), with its e-mail pending when the member wants mail of its
-- kind; the notifications worker renders that mail into the mail outbox
-- and marks it queued, in one transaction, so nothing is lost or doubled.

CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	-- What it is about; the loan or item may be gone later, the name stays.
	loan_id    INTEGER REFERENCES loans (id) ON DELETE SET NULL,
	item_id    INTEGER REFERENCES items (id) ON DELETE SET NULL,
	item_name  TEXT NOT NULL DEFAULT '',
	-- params: a JSON object of strings, the details the text shows.
	params     TEXT NOT NULL DEFAULT '{}',
	-- in_app is 0 for a notice the member wants by mail only.
	in_app     INTEGER NOT NULL DEFAULT 1,
	mail_state TEXT NOT NULL DEFAULT 'none',
	created_at INTEGER NOT NULL,
	read_at    INTEGER,
	CONSTRAINT notifications_mail CHECK (mail_state IN ('none', 'pending', 'queued', 'skipped'))
);

CREATE INDEX notifications_user ON notifications (user_id, id) WHERE in_app = 1;
CREATE INDEX notifications_unread ON notifications (user_id) WHERE in_app = 1 AND read_at IS NULL;
CREATE INDEX notifications_mail_pending ON notifications (id) WHERE mail_state = 'pending';

-- A member's channel per kind; a kind without a row has its default.
CREATE TABLE notification_prefs (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind    TEXT NOT NULL,
	channel TEXT NOT NULL,
	PRIMARY KEY (user_id, kind),
	CONSTRAINT notification_prefs_channel CHECK (channel IN ('both', 'mail', 'in_app', 'none'))
) WITHOUT ROWID;

-- The scheduled reminders written: one row per reminder, so that each goes
-- out once however often the scheduler runs, across restarts. seq tells
-- the occurrences apart: the due day for "due soon" (a renewal brings a
-- new one), the due day and the repeat's number for "overdue".
CREATE TABLE notification_reminders (
	kind       TEXT NOT NULL,
	loan_id    INTEGER NOT NULL REFERENCES loans (id) ON DELETE CASCADE,
	seq        TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (kind, loan_id, seq)
) WITHOUT ROWID;

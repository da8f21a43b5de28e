-- 0014_loan_feeds: each member's private calendar feed of their loans.
-- Only the SHA-256 of the secret in the feed's address is kept, as for
-- API tokens; one feed per member, rotated by replacing its row.

CREATE TABLE loan_feeds (
	user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER
);

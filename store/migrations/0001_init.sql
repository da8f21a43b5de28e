-- 0001_init: node settings, actors, users, follows, the transactional
-- outbox, deliveries, remote host health and the durable inbox.
--
-- Timestamps are INTEGER unix milliseconds; NULL means "never".
-- A shipped migration is never edited: add a new file instead.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE actors (
	id                          INTEGER PRIMARY KEY,
	iri                         TEXT NOT NULL UNIQUE,
	kind                        TEXT NOT NULL,
	handle                      TEXT NOT NULL,
	host                        TEXT NOT NULL,
	local                       INTEGER NOT NULL DEFAULT 0,
	name                        TEXT NOT NULL DEFAULT '',
	summary                     TEXT NOT NULL DEFAULT '',
	url                         TEXT NOT NULL DEFAULT '',
	inbox                       TEXT NOT NULL,
	outbox                      TEXT NOT NULL DEFAULT '',
	followers                   TEXT NOT NULL DEFAULT '',
	following                   TEXT NOT NULL DEFAULT '',
	shared_inbox                TEXT NOT NULL DEFAULT '',
	key_id                      TEXT NOT NULL,
	public_key_pem              TEXT NOT NULL,
	private_key_pem             TEXT NOT NULL DEFAULT '',
	manually_approves_followers INTEGER NOT NULL DEFAULT 0,
	fetched_at                  INTEGER,
	created_at                  INTEGER NOT NULL,
	updated_at                  INTEGER NOT NULL,
	CONSTRAINT actors_local_bool CHECK (local IN (0, 1)),
	CONSTRAINT actors_handle_set CHECK (handle <> ''),
	CONSTRAINT actors_local_key CHECK (local = 0 OR private_key_pem <> '')
);

-- Local actors share one handle namespace (the organisation and every
-- user); remote handles repeat across hosts.
CREATE UNIQUE INDEX actors_local_handle ON actors (handle) WHERE local = 1;
CREATE INDEX actors_key_id ON actors (key_id);

CREATE TABLE users (
	id             INTEGER PRIMARY KEY,
	username       TEXT NOT NULL UNIQUE,
	email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name           TEXT NOT NULL DEFAULT '',
	role           TEXT NOT NULL,
	password_hash  TEXT NOT NULL,
	actor_id       INTEGER NOT NULL UNIQUE REFERENCES actors (id),
	last_active_at INTEGER,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	CONSTRAINT users_role CHECK (role IN ('admin', 'staff', 'member'))
);

CREATE INDEX users_last_active ON users (last_active_at);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	token_hash   TEXT NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER
);

CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE follows (
	id           INTEGER PRIMARY KEY,
	activity_iri TEXT NOT NULL UNIQUE,
	follower_id  INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	followee_id  INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	state        TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (follower_id, followee_id),
	CONSTRAINT follows_not_self CHECK (follower_id <> followee_id),
	CONSTRAINT follows_state CHECK (state IN ('pending', 'accepted', 'rejected'))
);

CREATE INDEX follows_followee ON follows (followee_id, state);

-- The transactional outbox: one row per activity a local actor publishes,
-- written in the transaction of the change it announces.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	actor_id        INTEGER NOT NULL REFERENCES actors (id),
	activity_iri    TEXT NOT NULL UNIQUE,
	activity_type   TEXT NOT NULL,
	activity        TEXT NOT NULL, -- JSON of shrooms.Activity
	public          INTEGER NOT NULL DEFAULT 0,
	payload         BLOB,          -- JSON-LD, set when published
	published       INTEGER NOT NULL DEFAULT 0,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	CONSTRAINT outbox_public_bool CHECK (public IN (0, 1)),
	CONSTRAINT outbox_published_bool CHECK (published IN (0, 1))
);

CREATE INDEX outbox_unpublished ON outbox (next_attempt_at, id) WHERE published = 0;
CREATE INDEX outbox_actor ON outbox (actor_id, public, id);
CREATE INDEX outbox_public ON outbox (public, id);

-- One POST of one outbox entry to one inbox.
CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY,
	outbox_id       INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
	actor_id        INTEGER NOT NULL REFERENCES actors (id),
	recipient       TEXT NOT NULL DEFAULT '',
	inbox           TEXT NOT NULL,
	host            TEXT NOT NULL,
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	locked_until    INTEGER,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	delivered_at    INTEGER,
	UNIQUE (outbox_id, inbox),
	CONSTRAINT deliveries_state CHECK (state IN ('pending', 'delivered', 'dead')),
	CONSTRAINT deliveries_host_set CHECK (host <> '')
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_state ON deliveries (state, id);
CREATE INDEX deliveries_host ON deliveries (host, state, id);

-- Reachability of remote hosts: the per-host circuit breaker.
CREATE TABLE hosts (
	host            TEXT PRIMARY KEY,
	failures        INTEGER NOT NULL DEFAULT 0,
	backoff_until   INTEGER,
	last_success_at INTEGER,
	last_failure_at INTEGER,
	last_error      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Verified activities as received, stored before the inbox answers 202.
CREATE TABLE inbox_activities (
	id              INTEGER PRIMARY KEY,
	activity_iri    TEXT NOT NULL UNIQUE,
	actor_iri       TEXT NOT NULL,
	raw             BLOB NOT NULL,
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	locked_until    INTEGER,
	note            TEXT NOT NULL DEFAULT '',
	received_at     INTEGER NOT NULL,
	processed_at    INTEGER,
	CONSTRAINT inbox_state CHECK (state IN ('pending', 'done', 'failed')),
	CONSTRAINT inbox_iri_set CHECK (activity_iri <> '')
);

CREATE INDEX inbox_due ON inbox_activities (received_at, id) WHERE state = 'pending';
-- Failed activities, for admins; every insert would pay for a full index
-- by state, and the inbox is the busiest table.
CREATE INDEX inbox_failed ON inbox_activities (id) WHERE state = 'failed';

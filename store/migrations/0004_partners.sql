-- 0004_partners: partnerships between organisations, their sharing
-- policies and sync progress, partner invites, and blocked hosts.

-- One row per remote organisation in a partnership, whatever its state;
-- the state itself is derived from the two follows and blocked.
CREATE TABLE partners (
	actor_id         INTEGER PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
	modules          TEXT NOT NULL DEFAULT '', -- comma-separated shared modules
	blocked          INTEGER NOT NULL DEFAULT 0,
	sync_state       TEXT NOT NULL DEFAULT 'due',
	sync_gen         INTEGER NOT NULL DEFAULT 0,
	sync_fetched     INTEGER NOT NULL DEFAULT 0,
	sync_total       INTEGER NOT NULL DEFAULT 0,
	sync_next        TEXT NOT NULL DEFAULT '',
	sync_started_at  INTEGER,
	sync_finished_at INTEGER,
	sync_next_at     INTEGER,
	sync_error       TEXT NOT NULL DEFAULT '',
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	CONSTRAINT partners_blocked_bool CHECK (blocked IN (0, 1)),
	CONSTRAINT partners_sync_state CHECK (sync_state IN ('due', 'running', 'done', 'failed'))
);

-- Hosts whose traffic the inbox refuses: a blocked actor blocks its host.
CREATE TABLE blocked_hosts (
	host       TEXT PRIMARY KEY,
	actor_id   INTEGER REFERENCES actors (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Single-use invitations to link; only the token's SHA-256 is kept.
CREATE TABLE partner_invites (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	note       TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	used_by    TEXT NOT NULL DEFAULT '',
	revoked_at INTEGER
);

-- 0002_accounts: account states, sessions, single-use e-mail links,
-- invitations, login rate limits, groups and module grants, media,
-- profiles with addresses, and the actors' icons and deletion.
--
-- The node settings added here (description, postal_address, logo_id,
-- primary_color, accent_color, custom_css, signup_mode, default_language)
-- live in the key/value settings table; a missing key reads as its
-- default, so nothing is inserted for them.

-- Accounts created before this migration were usable: they stay active and
-- count as verified since they were created.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
	CONSTRAINT users_status CHECK (status IN ('pending', 'active', 'suspended'));
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- JSON array of widget IDs; NULL shows the default dashboard.
ALTER TABLE users ADD COLUMN dashboard TEXT;
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
UPDATE users SET email_verified_at = created_at;

CREATE INDEX users_role_status ON users (role, status);

ALTER TABLE actors ADD COLUMN icon_url TEXT NOT NULL DEFAULT '';
-- A deleted local actor keeps its row, so that its handle stays taken
-- (actors_local_handle) and nobody else can ever speak under its IRI.
ALTER TABLE actors ADD COLUMN deleted_at INTEGER;

-- Browser logins. Only the SHA-256 of the cookie's secret is kept.
CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	token_hash   TEXT NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	address      TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Single-use links sent by e-mail: address verification and password
-- reset. Only the SHA-256 of the secret is kept.
CREATE TABLE email_tokens (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	purpose    TEXT NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	CONSTRAINT email_tokens_purpose CHECK (purpose IN ('verify', 'reset'))
);

CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

-- An admin's invitation of one e-mail address, with a role.
CREATE TABLE invitations (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	email      TEXT NOT NULL COLLATE NOCASE,
	role       TEXT NOT NULL,
	invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	CONSTRAINT invitations_role CHECK (role IN ('admin', 'staff', 'member'))
);

CREATE INDEX invitations_open ON invitations (id) WHERE used_at IS NULL;

-- Failed logins, per account ('account': "user:ID" or "login:NAME") and
-- per client address, for the rate limits. Rows older than the window
-- are pruned by the logins that follow.
CREATE TABLE login_failures (
	id   INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	key  TEXT NOT NULL,
	at   INTEGER NOT NULL,
	CONSTRAINT login_failures_kind CHECK (kind IN ('account', 'address'))
);

CREATE INDEX login_failures_key ON login_failures (kind, key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- Teams of users.
CREATE TABLE groups (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
	description TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	CONSTRAINT groups_name_set CHECK (name <> '')
);

CREATE TABLE group_members (
	group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;

CREATE INDEX group_members_user ON group_members (user_id, group_id);

-- Module access of a role or a group: access is shrooms.Access (1 read,
-- 2 write, 3 both). Admins hold every right and get no grant.
CREATE TABLE grants (
	id       INTEGER PRIMARY KEY,
	module   TEXT NOT NULL,
	role     TEXT,
	group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
	access   INTEGER NOT NULL,
	CONSTRAINT grants_subject CHECK ((role IS NULL) <> (group_id IS NULL)),
	CONSTRAINT grants_role CHECK (role IS NULL OR role IN ('staff', 'member')),
	CONSTRAINT grants_access CHECK (access BETWEEN 0 AND 3)
);

CREATE UNIQUE INDEX grants_module_role ON grants (module, role) WHERE role IS NOT NULL;
CREATE UNIQUE INDEX grants_module_group ON grants (module, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX grants_group ON grants (group_id);

-- shrooms.DefaultGrants: staff manage every module, members use it.
INSERT INTO grants (module, role, access) VALUES
	('people', 'staff', 3), ('people', 'member', 1),
	('inventory', 'staff', 3), ('inventory', 'member', 1),
	('stock', 'staff', 3), ('stock', 'member', 1),
	('loans', 'staff', 3), ('loans', 'member', 1),
	('repairs', 'staff', 3), ('repairs', 'member', 1),
	('events', 'staff', 3), ('events', 'member', 1),
	('projects', 'staff', 3), ('projects', 'member', 1),
	('locations', 'staff', 3), ('locations', 'member', 1),
	('dues', 'staff', 3), ('dues', 'member', 1),
	('pages', 'staff', 3), ('pages', 'member', 1),
	('notifications', 'staff', 3), ('notifications', 'member', 1);

-- Uploaded images, already re-encoded. owner_id NULL: the organisation.
CREATE TABLE media (
	id           INTEGER PRIMARY KEY,
	content_type TEXT NOT NULL,
	width        INTEGER NOT NULL DEFAULT 0,
	height       INTEGER NOT NULL DEFAULT 0,
	size         INTEGER NOT NULL,
	data         BLOB NOT NULL,
	owner_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	CONSTRAINT media_content_type CHECK (content_type IN ('image/png', 'image/jpeg')),
	CONSTRAINT media_size CHECK (size = length(data))
);

CREATE INDEX media_owner ON media (owner_id);

-- What a member tells about themselves; the name is users.name.
CREATE TABLE profiles (
	user_id          INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	bio              TEXT NOT NULL DEFAULT '',
	avatar_id        INTEGER REFERENCES media (id) ON DELETE SET NULL,
	contact_email    TEXT NOT NULL DEFAULT '',
	phone            TEXT NOT NULL DEFAULT '',
	website          TEXT NOT NULL DEFAULT '',
	bio_audience     TEXT NOT NULL DEFAULT 'members',
	avatar_audience  TEXT NOT NULL DEFAULT 'members',
	contact_audience TEXT NOT NULL DEFAULT 'members',
	updated_at       INTEGER NOT NULL,
	CONSTRAINT profiles_bio_audience CHECK (bio_audience IN ('public', 'partners', 'members', 'staff')),
	CONSTRAINT profiles_avatar_audience CHECK (avatar_audience IN ('public', 'partners', 'members', 'staff')),
	CONSTRAINT profiles_contact_audience CHECK (contact_audience IN ('public', 'partners', 'members', 'staff'))
);

CREATE INDEX profiles_avatar ON profiles (avatar_id);

CREATE TABLE addresses (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	label       TEXT NOT NULL DEFAULT '',
	street      TEXT NOT NULL DEFAULT '',
	postal_code TEXT NOT NULL DEFAULT '',
	city        TEXT NOT NULL DEFAULT '',
	region      TEXT NOT NULL DEFAULT '',
	country     TEXT NOT NULL DEFAULT '',
	audience    TEXT NOT NULL,
	UNIQUE (user_id, position),
	CONSTRAINT addresses_audience CHECK (audience IN ('public', 'partners', 'members', 'staff'))
);

-- 0005_remote_cache: partners' objects kept for cross-instance search, and
-- each member's choice of the organisations their searches include.

CREATE TABLE remote_objects (
	id         INTEGER PRIMARY KEY,
	iri        TEXT NOT NULL UNIQUE,
	actor_id   INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	type       TEXT NOT NULL,
	kind       TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL DEFAULT '',
	summary    TEXT NOT NULL DEFAULT '',
	content    TEXT NOT NULL DEFAULT '',
	-- tags are filter tokens (kind, status, partner) indexed beside the
	-- text so that filters narrow the full-text match itself.
	tags       TEXT NOT NULL DEFAULT '',
	url        TEXT NOT NULL DEFAULT '',
	image_url  TEXT NOT NULL DEFAULT '',
	public     INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL,
	deleted    INTEGER NOT NULL DEFAULT 0, -- a tombstone, never indexed
	raw        BLOB,
	sync_gen   INTEGER NOT NULL DEFAULT 0,
	cached_at  INTEGER NOT NULL,
	CONSTRAINT remote_objects_public_bool CHECK (public IN (0, 1)),
	CONSTRAINT remote_objects_deleted_bool CHECK (deleted IN (0, 1))
);

CREATE INDEX remote_objects_actor ON remote_objects (actor_id, sync_gen);

-- Same tokenizer as items_fts, so that a word matches alike in the local
-- catalogue and the cache.
CREATE VIRTUAL TABLE remote_fts USING fts5 (
	name, summary, content, tags,
	content = 'remote_objects', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER remote_fts_insert AFTER INSERT ON remote_objects WHEN new.deleted = 0 BEGIN
	INSERT INTO remote_fts (rowid, name, summary, content, tags) VALUES (new.id, new.name, new.summary, new.content, new.tags);
END;
CREATE TRIGGER remote_fts_delete AFTER DELETE ON remote_objects WHEN old.deleted = 0 BEGIN
	INSERT INTO remote_fts (remote_fts, rowid, name, summary, content, tags) VALUES ('delete', old.id, old.name, old.summary, old.content, old.tags);
END;
-- One trigger for both halves of an update: SQLite fires several
-- triggers of one event newest first, which would index the new text
-- before removing the old, and the removal would take the words both
-- versions share out of the index.
CREATE TRIGGER remote_fts_update AFTER UPDATE OF name, summary, content, tags, deleted ON remote_objects BEGIN
	INSERT INTO remote_fts (remote_fts, rowid, name, summary, content, tags)
		SELECT 'delete', old.id, old.name, old.summary, old.content, old.tags WHERE old.deleted = 0;
	INSERT INTO remote_fts (rowid, name, summary, content, tags)
		SELECT new.id, new.name, new.summary, new.content, new.tags WHERE new.deleted = 0;
END;

-- Organisations a member left out of their searches; every other linked
-- partner (and the local catalogue) is included.
CREATE TABLE search_exclusions (
	user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, actor_id)
) WITHOUT ROWID;

-- 0007_remote_media: local copies of the thumbnails of partners' cached
-- objects, so that search shows them from this node (the CSP allows our
-- own images only, and hot-linking would tell partners who searched).

CREATE TABLE remote_media (
	object_id    INTEGER PRIMARY KEY REFERENCES remote_objects (id) ON DELETE CASCADE,
	-- source_url is the remote_objects.image_url this row fetches; a
	-- fetch that finishes after the image changed stores nothing.
	source_url   TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'pending',
	attempts     INTEGER NOT NULL DEFAULT 0,
	-- next_at is when a pending fetch is due (unix ms); 0 is now.
	next_at      INTEGER NOT NULL DEFAULT 0,
	content_type TEXT NOT NULL DEFAULT '',
	width        INTEGER NOT NULL DEFAULT 0,
	height       INTEGER NOT NULL DEFAULT 0,
	data         BLOB,
	fetched_at   INTEGER,
	last_error   TEXT NOT NULL DEFAULT '',
	CONSTRAINT remote_media_state CHECK (state IN ('pending', 'done', 'failed'))
);

CREATE INDEX remote_media_due ON remote_media (next_at) WHERE state = 'pending';

-- The cache queues a thumbnail whenever an object's image address
-- appears or changes, in the transaction of the change, without a
-- statement more in the ingest batch. A tombstone clears image_url and so
-- drops the thumbnail; a purge deletes the object and the cascade does.
CREATE TRIGGER remote_media_insert AFTER INSERT ON remote_objects WHEN new.image_url <> '' BEGIN
	INSERT INTO remote_media (object_id, source_url) VALUES (new.id, new.image_url);
END;
CREATE TRIGGER remote_media_update AFTER UPDATE OF image_url ON remote_objects
	WHEN new.image_url IS NOT old.image_url BEGIN
	DELETE FROM remote_media WHERE object_id = new.id;
	INSERT INTO remote_media (object_id, source_url) SELECT new.id, new.image_url WHERE new.image_url <> '';
END;

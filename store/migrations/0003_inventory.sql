-- 0003_inventory: categories with custom fields, places, items with
-- photos, history and comments, stock movements, and the catalogue's
-- full-text index.
--
-- Times are Unix milliseconds. Money is in cents. A *_id of NULL means
-- none (for items.owner_id: the organisation).

CREATE TABLE categories (
	id         INTEGER PRIMARY KEY,
	parent_id  INTEGER REFERENCES categories (id) ON DELETE RESTRICT,
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE UNIQUE INDEX categories_sibling ON categories (coalesce(parent_id, 0), name COLLATE NOCASE);
CREATE INDEX categories_parent ON categories (parent_id);

-- What admins want to know about the items of a category. choices is a
-- JSON array of strings (only for type 'choice').
CREATE TABLE custom_fields (
	id          INTEGER PRIMARY KEY,
	category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
	key         TEXT NOT NULL,
	label       TEXT NOT NULL,
	type        TEXT NOT NULL,
	choices     TEXT NOT NULL DEFAULT '[]',
	required    INTEGER NOT NULL DEFAULT 0,
	position    INTEGER NOT NULL,
	UNIQUE (category_id, key),
	CONSTRAINT custom_fields_type CHECK (type IN ('text', 'number', 'date', 'choice', 'bool'))
);

CREATE TABLE places (
	id          INTEGER PRIMARY KEY,
	parent_id   INTEGER REFERENCES places (id) ON DELETE RESTRICT,
	kind        TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	street      TEXT NOT NULL DEFAULT '',
	postal_code TEXT NOT NULL DEFAULT '',
	city        TEXT NOT NULL DEFAULT '',
	country     TEXT NOT NULL DEFAULT '',
	latitude    REAL,
	longitude   REAL,
	public      INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	CONSTRAINT places_kind CHECK (kind IN ('workshop', 'storage', 'shelf', 'other')),
	CONSTRAINT places_point CHECK ((latitude IS NULL) = (longitude IS NULL)),
	CONSTRAINT places_latitude CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
	CONSTRAINT places_longitude CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180)
);

CREATE INDEX places_parent ON places (parent_id);

-- fields is a JSON object of custom field values by key. quantity can
-- never go negative: the CHECK is the last line behind the store's
-- conditional UPDATE.
CREATE TABLE items (
	id                 INTEGER PRIMARY KEY,
	kind               TEXT NOT NULL,
	name               TEXT NOT NULL,
	description        TEXT NOT NULL DEFAULT '',
	category_id        INTEGER REFERENCES categories (id) ON DELETE RESTRICT,
	condition          TEXT NOT NULL,
	value_cents        INTEGER NOT NULL DEFAULT 0,
	status             TEXT NOT NULL,
	loanable           INTEGER NOT NULL DEFAULT 0,
	loan_max_days      INTEGER NOT NULL DEFAULT 0,
	loan_deposit_cents INTEGER NOT NULL DEFAULT 0,
	loan_members       INTEGER NOT NULL DEFAULT 1,
	loan_partners      INTEGER NOT NULL DEFAULT 0,
	owner_id           INTEGER REFERENCES users (id) ON DELETE SET NULL,
	group_id           INTEGER REFERENCES groups (id) ON DELETE SET NULL,
	place_id           INTEGER REFERENCES places (id) ON DELETE RESTRICT,
	kit_id             INTEGER REFERENCES items (id) ON DELETE SET NULL,
	audience           TEXT NOT NULL,
	fields             TEXT NOT NULL DEFAULT '{}',
	quantity           INTEGER NOT NULL DEFAULT 0,
	unit               TEXT NOT NULL DEFAULT '',
	min_quantity       INTEGER NOT NULL DEFAULT 0,
	version            INTEGER NOT NULL DEFAULT 1,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	CONSTRAINT items_kind CHECK (kind IN ('tool', 'device', 'part', 'kit')),
	CONSTRAINT items_condition CHECK (condition IN ('new', 'good', 'fair', 'poor', 'broken')),
	CONSTRAINT items_status CHECK (status IN ('available', 'on_loan', 'in_repair', 'retired')),
	CONSTRAINT items_audience CHECK (audience IN ('public', 'partners', 'members', 'staff')),
	CONSTRAINT items_quantity CHECK (quantity >= 0),
	CONSTRAINT items_min_quantity CHECK (min_quantity >= 0),
	CONSTRAINT items_money CHECK (value_cents >= 0 AND loan_deposit_cents >= 0)
);

-- The catalogue's orders and filters carry the columns of the visibility
-- condition (audience, owner, group), so that rows a member may not see
-- are skipped inside the index: deep pages and counts stay fast at
-- 100,000 items (store/item_bench_test.go).
CREATE INDEX items_name ON items (name COLLATE NOCASE, id, audience, owner_id, group_id);
CREATE INDEX items_created ON items (created_at, id, audience, owner_id, group_id);
CREATE INDEX items_updated ON items (updated_at, id, audience, owner_id, group_id);
CREATE INDEX items_category ON items (category_id, name COLLATE NOCASE, audience, owner_id, group_id);
CREATE INDEX items_place ON items (place_id, name COLLATE NOCASE, audience, owner_id, group_id);
CREATE INDEX items_visible ON items (audience, owner_id, group_id);
CREATE INDEX items_status ON items (status, name COLLATE NOCASE);
CREATE INDEX items_kind ON items (kind, name COLLATE NOCASE);
CREATE INDEX items_owner ON items (owner_id);
CREATE INDEX items_group ON items (group_id);
CREATE INDEX items_kit ON items (kit_id);
CREATE INDEX items_audience ON items (audience, name COLLATE NOCASE);
CREATE INDEX items_low_stock ON items (quantity) WHERE kind = 'part' AND min_quantity > 0 AND quantity <= min_quantity;

-- The catalogue search: name, description and custom field values.
CREATE VIRTUAL TABLE items_fts USING fts5 (
	name, description, fields,
	content = 'items', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
	INSERT INTO items_fts (rowid, name, description, fields) VALUES (new.id, new.name, new.description, new.fields);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
	INSERT INTO items_fts (items_fts, rowid, name, description, fields) VALUES ('delete', old.id, old.name, old.description, old.fields);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF name, description, fields ON items BEGIN
	INSERT INTO items_fts (items_fts, rowid, name, description, fields) VALUES ('delete', old.id, old.name, old.description, old.fields);
	INSERT INTO items_fts (rowid, name, description, fields) VALUES (new.id, new.name, new.description, new.fields);
END;

-- Photos in order; both images are media rows, removed with the photo.
CREATE TABLE item_photos (
	item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
	thumb_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	PRIMARY KEY (item_id, media_id)
);

CREATE INDEX item_photos_media ON item_photos (media_id);
CREATE INDEX item_photos_thumb ON item_photos (thumb_id);

-- Every change of an item: who (user_name is kept when the account goes),
-- what, and fields as a JSON array of {field, from, to}.
CREATE TABLE item_changes (
	id        INTEGER PRIMARY KEY,
	item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	user_name TEXT NOT NULL DEFAULT '',
	action    TEXT NOT NULL,
	fields    TEXT NOT NULL DEFAULT '[]',
	note      TEXT NOT NULL DEFAULT '',
	at        INTEGER NOT NULL
);

CREATE INDEX item_changes_item ON item_changes (item_id, id);

CREATE TABLE item_comments (
	id          INTEGER PRIMARY KEY,
	item_id     INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	author_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	author_name TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);

CREATE INDEX item_comments_item ON item_comments (item_id, id);

CREATE TABLE stock_movements (
	id        INTEGER PRIMARY KEY,
	item_id   INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	kind      TEXT NOT NULL,
	amount    INTEGER NOT NULL,
	delta     INTEGER NOT NULL,
	balance   INTEGER NOT NULL,
	reason    TEXT NOT NULL DEFAULT '',
	user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	user_name TEXT NOT NULL DEFAULT '',
	at        INTEGER NOT NULL,
	CONSTRAINT stock_movements_kind CHECK (kind IN ('in', 'out', 'adjust', 'repair')),
	CONSTRAINT stock_movements_balance CHECK (balance >= 0)
);

CREATE INDEX stock_movements_item ON stock_movements (item_id, id);

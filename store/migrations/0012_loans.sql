-- 0012_loans: lending. A loan is one record from the request to the
-- return; the lender's node is its authority. loan_events keep every
-- transition (who, when, why); waitlist holds each item's line.
-- Days are TEXT 'YYYY-MM-DD' in the organisation's calendar, so that
-- they sort and compare as days.

CREATE TABLE loans (
	id                 INTEGER PRIMARY KEY,
	iri                TEXT NOT NULL UNIQUE,
	-- item_id is the lent item on this node; NULL on a mirror of a
	-- partner's loan, or once the item is deleted (the loan stays for
	-- the history, with the item's IRI and name).
	item_id            INTEGER REFERENCES items (id) ON DELETE SET NULL,
	item_iri           TEXT NOT NULL,
	item_name          TEXT NOT NULL,
	lender_iri         TEXT NOT NULL,
	lender_name        TEXT NOT NULL,
	-- A local borrower is borrower_user_id; a partner's member is known
	-- by their actor and organisation.
	borrower_user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
	borrower_actor_iri TEXT NOT NULL DEFAULT '',
	borrower_name      TEXT NOT NULL,
	borrower_org_iri   TEXT NOT NULL DEFAULT '',
	borrower_org_name  TEXT NOT NULL DEFAULT '',
	-- mirror is 1 for a partner's loan that this node keeps for its
	-- member; the lender's Updates change it, nothing else does.
	mirror             INTEGER NOT NULL DEFAULT 0,
	state              TEXT NOT NULL,
	start_day          TEXT NOT NULL,
	end_day            TEXT NOT NULL,
	due_day            TEXT NOT NULL,
	message            TEXT NOT NULL DEFAULT '',
	renewals           INTEGER NOT NULL DEFAULT 0,
	deposit_cents      INTEGER NOT NULL DEFAULT 0,
	deposit_back       INTEGER NOT NULL DEFAULT 0,
	checked_out_at     INTEGER,
	returned_at        INTEGER,
	version            INTEGER NOT NULL DEFAULT 1,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	CONSTRAINT loans_state CHECK (state IN ('pending', 'approved', 'rejected', 'cancelled', 'expired',
		'checked_out', 'returned', 'lost')),
	CONSTRAINT loans_days CHECK (start_day <= end_day)
);

-- The dates an item's loans hold: what the double-booking check reads.
CREATE INDEX loans_item_holding ON loans (item_id, start_day)
	WHERE state IN ('pending', 'approved', 'checked_out');
CREATE INDEX loans_borrower ON loans (borrower_user_id, state, start_day);
CREATE INDEX loans_borrower_actor ON loans (borrower_actor_iri, state) WHERE borrower_actor_iri != '';
CREATE INDEX loans_state_due ON loans (state, due_day);

CREATE TABLE loan_events (
	id         INTEGER PRIMARY KEY,
	loan_id    INTEGER NOT NULL REFERENCES loans (id) ON DELETE CASCADE,
	action     TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	-- The actor who did it: a local user's, a partner's member's, or
	-- the organisation's for the node's own sweeps.
	user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
	actor_iri  TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	at         INTEGER NOT NULL
);

CREATE INDEX loan_events_loan ON loan_events (loan_id, id);

CREATE TABLE waitlist (
	id                 INTEGER PRIMARY KEY,
	item_id            INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	borrower_user_id   INTEGER REFERENCES users (id) ON DELETE CASCADE,
	borrower_actor_iri TEXT NOT NULL DEFAULT '',
	borrower_name      TEXT NOT NULL,
	borrower_org_iri   TEXT NOT NULL DEFAULT '',
	borrower_org_name  TEXT NOT NULL DEFAULT '',
	state              TEXT NOT NULL,
	pickup_by          TEXT NOT NULL DEFAULT '',
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	CONSTRAINT waitlist_state CHECK (state IN ('waiting', 'offered', 'fulfilled', 'expired', 'cancelled'))
);

CREATE INDEX waitlist_item ON waitlist (item_id, id) WHERE state IN ('waiting', 'offered');
-- One place in line per borrower and item.
CREATE UNIQUE INDEX waitlist_once ON waitlist (item_id, borrower_user_id, borrower_actor_iri)
	WHERE state IN ('waiting', 'offered');

-- 0015_loans_federated: lending across partners. A partner's member asks
-- with an Offer; offer_iri names the request on both nodes until the
-- lender's loan IRI is known (and after: an Update carries it). reason is
-- why the last decision was taken. loan_suspensions lists the partners'
-- members this node no longer lends to.

ALTER TABLE loans ADD COLUMN offer_iri TEXT NOT NULL DEFAULT '';
ALTER TABLE loans ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- The same Offer is one request, however often it is delivered; on the
-- borrower's node, one mirror per Offer.
CREATE UNIQUE INDEX loans_offer ON loans (offer_iri, mirror) WHERE offer_iri != '';

CREATE TABLE loan_suspensions (
	actor_iri  TEXT PRIMARY KEY,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

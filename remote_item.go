package shrooms

import "context"

// RemoteItemService reads partners' items for this node's own pages of
// them, so that a member who finds a partner's item borrows it without
// leaving this node. It is implemented where documents are parsed and
// partners fetched (federation).
type RemoteItemService interface {
	// FindRemoteItem returns a partner's cached item (Type "Item") with
	// Item and Extra parsed from Raw and Actor loaded, for members.
	// Returns EUNAUTHORIZED, ENOTFOUND (not cached, not an item, not of a
	// linked partner, or a document that no longer parses).
	FindRemoteItem(ctx context.Context, iri string) (*RemoteObject, error)

	// FindRemoteAvailability asks the partner lending the cached item iri
	// for its calendar from one day to another, by a fetch signed by this
	// node's organisation; answers are kept briefly, so that a busy page
	// does not ask the partner on every view. Returns the codes of
	// FindRemoteItem, EINVALID for a bad span, EUNAVAILABLE when the
	// partner does not answer or refuses.
	FindRemoteAvailability(ctx context.Context, iri string, from, to Date) (*Availability, error)
}

// AvailabilityPath is what a lender adds to an item's IRI for the item's
// calendar (GET, with from and to as YYYY-MM-DD), served to linked
// partners that may read the item.
const AvailabilityPath = "/availability"

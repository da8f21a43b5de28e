package shrooms

import (
	"context"
	"encoding/json"
	"time"
)

// RemoteObject is a partner's object as this node keeps it in its remote
// cache: the searchable fields, and the document as received so that
// properties this node does not understand are kept.
type RemoteObject struct {
	ID int64
	// IRI is the object's id; ActorID the partner organisation actor that
	// published it (Actor is loaded by finders).
	IRI     string
	ActorID int64
	Actor   *Actor
	// Type is the object's SHROOMS type: "Item" for now.
	Type string
	// Kind and Status are an item's kind and availability.
	Kind    ItemKind
	Status  ItemStatus
	Name    string
	Summary string
	// Content is the plain text indexed besides name and summary
	// (description, category, custom field values).
	Content string
	// URL is the object's HTML page on its node; ImageURL its first
	// thumbnail or photo, "" for none.
	URL      string
	ImageURL string
	// Public is true when the object was addressed to the public, false
	// when it was shared with this node as a partner.
	Public bool
	// Updated orders versions: an older version never replaces a newer one.
	Updated time.Time
	// Deleted marks a tombstone, kept so that a late Create or Update of
	// a deleted object is not resurrected.
	Deleted bool
	// Raw is the object as received, unknown properties included.
	Raw json.RawMessage
	// Item is Raw parsed as an item, when Type is "Item"; Extra holds the
	// properties vocab did not understand. The store leaves both nil (it
	// does not import vocab): callers that need them parse Raw.
	Item  *Item
	Extra map[string]any
	// SyncGen is the sync generation that last saw the object.
	SyncGen  int64
	CachedAt time.Time
}

// RemoteOp is what a change does to the cache.
type RemoteOp string

// Remote cache operations: Put stores a Create, an Update or a fetched
// object; Delete leaves a tombstone; Withdraw leaves one too, for an
// object whose audience no longer includes this node.
const (
	RemotePut      RemoteOp = "put"
	RemoteDelete   RemoteOp = "delete"
	RemoteWithdraw RemoteOp = "withdraw"
)

// RemoteChange is one change to apply to the cache.
type RemoteChange struct {
	Op RemoteOp
	// ActorIRI is the verified partner organisation the change comes from;
	// it must be linked (our follow accepted) and not blocked.
	ActorIRI string
	// Object is the object to store (Put), or carries IRI and Updated
	// (the deletion time) for Delete and Withdraw.
	Object RemoteObject
	// SyncGen, when not 0, marks the object as seen by that sync.
	SyncGen int64
}

// RemoteResult is what became of one RemoteChange.
type RemoteResult string

// Results: applied; stale (an equal or newer version is cached); refused
// (the sender is not a linked partner, or the object is not its own).
const (
	RemoteApplied RemoteResult = "applied"
	RemoteStale   RemoteResult = "stale"
	RemoteRefused RemoteResult = "refused"
)

// SearchQuery is a cross-instance search. Text is the user's words (never
// query syntax); zero fields do not filter.
type SearchQuery struct {
	Text string
	// Kinds keeps only these item kinds.
	Kinds []ItemKind
	// Instances keeps only these organisation actor IDs (our own
	// organisation's ID stands for the local catalogue). Nil means the
	// caller's saved choice.
	Instances []int64
	// Available keeps only items available now.
	Available bool
	Offset    int
	Limit     int
}

// SearchHit is one result: a local item, or a cached remote object, with
// the organisation that holds it.
type SearchHit struct {
	Org *Actor
	// Local is set for an item of this node, Remote for a cached one.
	Local  *Item
	Remote *RemoteObject
	// Name, Summary, Kind, Status, URL and ImageURL are the common view
	// of either.
	Name     string
	Summary  string
	Kind     ItemKind
	Status   ItemStatus
	URL      string
	ImageURL string
	// Score orders hits: higher is better.
	Score float64
}

// SearchResults is one page of hits; More tells whether a next page exists.
type SearchResults struct {
	Hits []*SearchHit
	More bool
}

// SearchInstance is an organisation a member can include in searches.
type SearchInstance struct {
	Org      *Actor
	Local    bool
	Included bool
}

// MaxSearchCandidates bounds how many matches of a query are ranked: the
// newest matches, per source, up to this many. Ranking every match of a
// common word over a million objects costs a quarter of a second; the
// newest few thousand rank in milliseconds and answer what people look
// for.
const MaxSearchCandidates = 2000

// RemoteCacheService keeps partners' objects.
type RemoteCacheService interface {
	// ApplyRemoteChanges applies changes in order in one transaction (a
	// batch from the inbox or one page of a sync) and returns each one's
	// result. Only a system context may call it.
	ApplyRemoteChanges(ctx context.Context, changes []RemoteChange) ([]RemoteResult, error)

	// PurgeRemote removes every cached object of a partner actor and
	// returns how many.
	PurgeRemote(ctx context.Context, actorID int64) (int, error)

	// FindRemoteObject returns a cached object (not a tombstone) by IRI,
	// for members. Returns ENOTFOUND.
	FindRemoteObject(ctx context.Context, iri string) (*RemoteObject, error)

	// CountRemoteObjects counts a partner's cached objects (tombstones
	// excluded).
	CountRemoteObjects(ctx context.Context, actorID int64) (int, error)

	RemoteMediaService
}

// RemoteMediaMaxAttempts is how often a partner's thumbnail is fetched
// before it is given up (state failed): a partner that is down for a day
// still gets its pictures once the backoff lets a later attempt through.
const RemoteMediaMaxAttempts = 5

// RemoteMediaJob is a partner's thumbnail due to be fetched: the cached
// object it belongs to and the address the partner gave for it.
type RemoteMediaJob struct {
	ObjectID  int64
	ObjectIRI string
	SourceURL string
	// Attempts is how many fetches failed so far.
	Attempts int
}

// RemoteMediaService keeps local copies of the thumbnails of partners'
// cached objects, so that search results show pictures without the
// browser loading them from the partner (the CSP allows images from this
// node only, and hot-linking would tell partners who searched). A Put that
// changes an object's ImageURL queues its thumbnail in the same
// transaction; a tombstone or a purge drops it.
type RemoteMediaService interface {
	// FindDueRemoteMedia returns up to limit thumbnails due to be fetched,
	// oldest due first, of linked partners only. System context only.
	FindDueRemoteMedia(ctx context.Context, limit int) ([]*RemoteMediaJob, error)

	// SaveRemoteMedia stores the fetched, re-encoded thumbnail of a job.
	// Nothing is stored when the object's image changed meanwhile (the
	// newer address is due instead). System context only.
	SaveRemoteMedia(ctx context.Context, job *RemoteMediaJob, m *Media) error

	// FailRemoteMedia records a failed fetch: it is tried again after
	// HostBackoff(attempts), and given up after RemoteMediaMaxAttempts or
	// at once when permanent (another host, not an image, too large).
	// hostDown (the partner did not answer) puts off the partner's other
	// pending thumbnails as long, so that a dead partner costs one timeout
	// per backoff rather than one per picture. System context only.
	FailRemoteMedia(ctx context.Context, job *RemoteMediaJob, permanent, hostDown bool, reason string) error

	// FindRemoteMedia returns the cached thumbnail of a remote object for
	// logged-in users, while the object is visible to them (not a
	// tombstone, of a linked partner). Returns EUNAUTHORIZED, ENOTFOUND.
	FindRemoteMedia(ctx context.Context, objectID int64) (*Media, error)

	// FindRemoteThumbs returns, of the given remote objects, those whose
	// thumbnail is cached: their size and type, without Data, keyed by
	// object ID (Media.ID is the object ID). For logged-in users.
	FindRemoteThumbs(ctx context.Context, objectIDs []int64) (map[int64]*Media, error)
}

// SearchService searches the local catalogue and the cache together.
// Members only: anonymous callers get EUNAUTHORIZED.
type SearchService interface {
	// Search returns the best hits for q, the caller's rights applied to
	// local items. Returns EINVALID for an empty text or a bad filter.
	Search(ctx context.Context, q SearchQuery) (*SearchResults, error)

	// FindSearchInstances returns our organisation and every linked
	// partner, with whether the caller's searches include them.
	FindSearchInstances(ctx context.Context) ([]*SearchInstance, error)

	// SetSearchInstances saves the caller's choice: the organisations
	// (actor IDs) their searches include. Returns EINVALID for an ID that
	// is neither ours nor a linked partner.
	SetSearchInstances(ctx context.Context, included []int64) error
}

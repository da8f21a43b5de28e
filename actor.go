package shrooms

import (
	"context"
	"time"
)

// ActorKind is an ActivityStreams actor type.
type ActorKind string

// Actor kinds SHROOMS creates or meets.
const (
	KindOrganization ActorKind = "Organization"
	KindPerson       ActorKind = "Person"
	KindService      ActorKind = "Service"
	KindGroup        ActorKind = "Group"
	KindApplication  ActorKind = "Application"
)

// Actor is an ActivityPub actor, local (with a private key) or remote (a
// cached copy of its document).
type Actor struct {
	ID        int64
	IRI       string
	Kind      ActorKind
	Handle    string // preferredUsername
	Host      string // host[:port] of IRI
	Local     bool
	Name      string
	Summary   string
	URL       string // HTML profile
	Inbox     string
	Outbox    string
	Followers string
	Following string
	// SharedInbox is endpoints.sharedInbox, "" when the actor has none.
	SharedInbox string
	KeyID       string
	// PublicKeyPEM is the PKIX public key, PEM encoded.
	PublicKeyPEM string
	// PrivateKeyPEM is the PKCS#1 private key of a local actor, "" for remote ones.
	PrivateKeyPEM string
	// IconURL is the avatar or logo, "" for none.
	IconURL string
	// ManuallyApprovesFollowers makes incoming Follows wait for an admin.
	ManuallyApprovesFollowers bool
	FetchedAt                 time.Time // when a remote document was last fetched
	CreatedAt                 time.Time
	UpdatedAt                 time.Time
}

// Acct returns handle@host.
func (a *Actor) Acct() string { return a.Handle + "@" + a.Host }

// DeliveryInbox is where activities for this actor go: its shared inbox
// when it has one, so that one POST reaches every recipient on a host.
func (a *Actor) DeliveryInbox() string {
	if a.SharedInbox != "" {
		return a.SharedInbox
	}
	return a.Inbox
}

// Validate checks a remote actor document before it is cached. The actor's
// inbox and key must live on the actor's own host.
func (a *Actor) Validate() error {
	switch {
	case a.IRI == "" || HostOf(a.IRI) == "":
		return Errorf(EINVALID, "actor id must be an absolute URL").Keyed("federation.error.actor_id")
	case a.Inbox == "" || HostOf(a.Inbox) != HostOf(a.IRI):
		return Errorf(EINVALID, "actor inbox must be on the actor's host").Keyed("federation.error.actor_inbox_host")
	case a.SharedInbox != "" && HostOf(a.SharedInbox) != HostOf(a.IRI):
		return Errorf(EINVALID, "actor shared inbox must be on the actor's host").Keyed("federation.error.actor_shared_inbox_host")
	case a.KeyID == "" || HostOf(a.KeyID) != HostOf(a.IRI):
		return Errorf(EINVALID, "actor key must be on the actor's host").Keyed("federation.error.actor_key_host")
	case a.PublicKeyPEM == "":
		return Errorf(EINVALID, "actor has no public key").Keyed("federation.error.actor_no_key")
	case a.Handle == "":
		return Errorf(EINVALID, "actor has no preferredUsername").Keyed("federation.error.actor_no_username")
	}
	return nil
}

// ActorService stores local actors and caches remote ones.
type ActorService interface {
	// UpdateLocalActor changes a local actor's name, summary and follow
	// approval setting. Returns ENOTFOUND.
	UpdateLocalActor(ctx context.Context, a *Actor) error

	// FindActorByID returns ENOTFOUND if there is no such actor.
	FindActorByID(ctx context.Context, id int64) (*Actor, error)

	// FindActorByIRI returns the local or cached actor with this IRI, or
	// ENOTFOUND.
	FindActorByIRI(ctx context.Context, iri string) (*Actor, error)

	// FindActorByKeyID returns the actor owning the key, or ENOTFOUND.
	FindActorByKeyID(ctx context.Context, keyID string) (*Actor, error)

	// FindLocalActor returns the local actor with this handle, or ENOTFOUND.
	FindLocalActor(ctx context.Context, handle string) (*Actor, error)

	// FindOrgActor returns the node's Organization actor. Its handle can
	// change during the browser setup, so callers ask rather than keep it.
	FindOrgActor(ctx context.Context) (*Actor, error)

	// UpsertRemoteActor caches a fetched remote actor document, keyed by IRI,
	// and sets a.ID. Returns EINVALID (see Actor.Validate) or EFORBIDDEN when
	// the IRI is local.
	UpsertRemoteActor(ctx context.Context, a *Actor) error
}

// ActorResolver finds remote actors on the network.
type ActorResolver interface {
	// ResolveHandle finds an actor from "handle@host", "@handle@host",
	// "acct:handle@host" or an actor URL (WebFinger, then a signed fetch)
	// and caches it. Returns EINVALID for a malformed address, ENOTFOUND
	// when the account does not exist, EUNAVAILABLE when its server does not
	// answer.
	ResolveHandle(ctx context.Context, address string) (*Actor, error)
}

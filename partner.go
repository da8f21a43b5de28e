package shrooms

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// PartnerState is where a partnership stands, seen from this node.
type PartnerState string

// Partner states. A partnership is two organisation actors following each
// other: linked when both follows are accepted, pending-in while the
// partner's Follow waits for our admin, pending-out while ours waits for
// theirs (or for their follow back), blocked when our admin blocked it.
const (
	PartnerPendingOut PartnerState = "pending-out"
	PartnerPendingIn  PartnerState = "pending-in"
	PartnerLinked     PartnerState = "linked"
	PartnerBlocked    PartnerState = "blocked"
)

// PartnerStates lists the states in the order admins read them.
var PartnerStates = []PartnerState{PartnerLinked, PartnerPendingIn, PartnerPendingOut, PartnerBlocked}

// SharedModules are the modules whose partners-only objects a sharing
// policy can give a partner. Items of kind part belong to stock, every
// other item to inventory; loans lets the partner's members borrow.
var SharedModules = []string{"inventory", "stock", "loans", "events", "projects"}

// SyncState is where the backfill or resync of one partner's objects stands.
type SyncState string

// Sync states: due (never synced, or asked for again), running (pages are
// being fetched), done (the last sync completed), failed (it will be
// retried at NextAt).
const (
	SyncDue     SyncState = "due"
	SyncRunning SyncState = "running"
	SyncDone    SyncState = "done"
	SyncFailed  SyncState = "failed"
)

// PartnerSync is the progress of fetching a partner's shared collection
// into the remote cache: the backfill after linking, then each resync.
type PartnerSync struct {
	State SyncState
	// Generation numbers the syncs; cache entries a completed sync did not
	// see are removed (they were deleted while a delivery was missed).
	Generation int64
	// Fetched and Total count objects of the running or last sync; Total
	// is the collection's totalItems (0 when unknown).
	Fetched, Total int
	// Next is the URL of the next page to fetch while running.
	Next       string
	StartedAt  time.Time
	FinishedAt time.Time // last completed sync, zero if never
	NextAt     time.Time // when a failed sync is retried
	LastError  string
	// Failures counts the failed sync steps since the last successful one;
	// the retry backs off with it.
	Failures int
}

// Partner is a remote organisation this node is linked to, linking with or
// has blocked.
type Partner struct {
	Actor *Actor
	State PartnerState
	// Modules is the sharing policy: the SharedModules whose partners-only
	// objects this partner receives and may fetch.
	Modules []string
	// Ours is our organisation's follow of the partner, Theirs the
	// partner's follow of our organisation; nil when there is none.
	Ours, Theirs *Follow
	// LastDeliveryAt is the last successful delivery to the partner's
	// host (zero if never); QueueDepth counts deliveries still pending.
	LastDeliveryAt time.Time
	QueueDepth     int
	Sync           PartnerSync
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Shares reports whether the policy gives p the partners-only objects of
// module.
func (p *Partner) Shares(module string) bool {
	for _, m := range p.Modules {
		if m == module {
			return true
		}
	}
	return false
}

// PartnerStateOf derives a partnership's state from the two follows.
func PartnerStateOf(blocked bool, ours, theirs *Follow) PartnerState {
	accepted := func(f *Follow) bool { return f != nil && f.State == FollowAccepted }
	switch {
	case blocked:
		return PartnerBlocked
	case accepted(ours) && accepted(theirs):
		return PartnerLinked
	case theirs != nil && theirs.State == FollowPending:
		return PartnerPendingIn
	default:
		return PartnerPendingOut
	}
}

// ParsePartnerModules validates a sharing policy: a subset of
// SharedModules, returned in their order without duplicates. An empty list
// shares nothing.
func ParsePartnerModules(mods []string) ([]string, error) {
	want := map[string]bool{}
	for _, m := range mods {
		for _, part := range strings.Split(m, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !oneOf(part, SharedModules) {
				return nil, Errorf(EINVALID, "modules: unknown module %q (shared modules: %s)", part, strings.Join(SharedModules, ", ")).Keyed("partners.error.module_unknown", "Module", part, "Modules", strings.Join(SharedModules, ", ")).On("modules")
			}
			want[part] = true
		}
	}
	out := []string{}
	for _, m := range SharedModules {
		if want[m] {
			out = append(out, m)
		}
	}
	return out, nil
}

// ItemModule is the module whose sharing policy governs an item kind.
func ItemModule(k ItemKind) string {
	if k == KindPart {
		return "stock"
	}
	return "inventory"
}

// Invite lifetimes.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour
	MaxInviteTTL     = 90 * 24 * time.Hour
)

// PartnerInvite is a single-use, expiring, revocable invitation to link
// with this node. Only a hash of its token is stored.
type PartnerInvite struct {
	ID int64
	// Note is the admin's reminder of whom it was for.
	Note string
	// CreatedBy is the admin's user ID, 0 when made at the command line.
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until used
	// UsedBy is the IRI of the organisation that used it.
	UsedBy    string
	RevokedAt time.Time // zero unless revoked
}

// Valid reports whether the invite can still be used at now.
func (i *PartnerInvite) Valid(now time.Time) bool {
	return i.State(now) == InviteValid
}

// InviteState is where a partner invite stands, as the admin page, the
// API and the command line name it.
type InviteState string

// Invite states: valid (it can still be used), used (an organisation
// linked with it), revoked (an admin withdrew it unused), expired (its
// lifetime ran out unused).
const (
	InviteValid   InviteState = "valid"
	InviteUsed    InviteState = "used"
	InviteRevoked InviteState = "revoked"
	InviteExpired InviteState = "expired"
)

// State names the invite's state at now. When several facts hold, used
// wins: a use is what happened to the invite and cannot be undone (the
// partnership it opened stays), and the page shows who used it, while a
// revocation or expiry recorded beside a use (a revoke racing the use, or
// rows from an older release) withdrew nothing. Revoked comes before
// expired because it is the admin's own act and happened while the invite
// was still valid.
func (i *PartnerInvite) State(now time.Time) InviteState {
	switch {
	case !i.UsedAt.IsZero():
		return InviteUsed
	case !i.RevokedAt.IsZero():
		return InviteRevoked
	case !now.Before(i.ExpiresAt):
		return InviteExpired
	}
	return InviteValid
}

// InviteURL is what an admin hands to the other organisation: our
// organisation actor's IRI with the token in the fragment, so that opening
// it in a browser shows who invites and never sends the token to a server.
func InviteURL(orgIRI, token string) string { return orgIRI + "#invite=" + token }

// ParseInviteURL splits an invite URL into the inviting actor's IRI and
// the token. Returns EINVALID naming what is wrong.
func ParseInviteURL(s string) (actorIRI, token string, err error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", Errorf(EINVALID, "url: an invite URL starts with https:// (or http://)").Keyed("partners.error.url_scheme").On("url")
	}
	token, ok := strings.CutPrefix(u.Fragment, "invite=")
	if !ok || token == "" || len(token) > 200 {
		return "", "", Errorf(EINVALID, "url: this is not an invite URL (it has no #invite= part)").Keyed("partners.error.url_no_invite").On("url")
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), token, nil
}

// PartnerLinker links this node with a remote organisation from what an
// admin pastes, so that the admin page, /api/v1 and the command line take
// the same steps: read the invite URL, resolve the organisation on the
// network, then ask PartnerService.LinkPartner. It is implemented where
// actors are resolved (federation).
type PartnerLinker interface {
	// LinkPartnerByInvite follows the organisation that issued inviteURL
	// (see InviteURL) with the invite's token; the other node accepts and
	// follows back without its admin acting. Returns EINVALID when the
	// URL is empty or not an invite URL, the codes of
	// ActorResolver.ResolveHandle when the organisation cannot be fetched,
	// and those of PartnerService.LinkPartner.
	LinkPartnerByInvite(ctx context.Context, inviteURL string) (*Partner, error)

	// AskPartner follows the organisation at address (handle@host or an
	// actor URL) without an invite: the link waits for its admin to
	// approve. Returns the codes of ActorResolver.ResolveHandle and of
	// PartnerService.LinkPartner.
	AskPartner(ctx context.Context, address string) (*Partner, error)
}

// PartnerFilter selects partners. Zero fields do not filter.
type PartnerFilter struct {
	State PartnerState
	// ActorIDs keeps only these partner actors.
	ActorIDs []int64
}

// PartnerService manages partnerships: invites, linking, the sharing
// policy, unlinking and blocking, and the bookkeeping of syncs. Every
// method needs an admin, or a system context (CLI, federation); changes
// write their activities to the outbox in the same transaction.
type PartnerService interface {
	// CreatePartnerInvite makes an invite valid for ttl (0 means
	// DefaultInviteTTL, at most MaxInviteTTL) and returns it with its
	// token, which is shown once. Returns EINVALID for a bad ttl or note.
	CreatePartnerInvite(ctx context.Context, ttl time.Duration, note string) (*PartnerInvite, string, error)

	// FindPartnerInvites returns every invite, newest first.
	FindPartnerInvites(ctx context.Context) ([]*PartnerInvite, error)

	// RevokePartnerInvite revokes an unused invite. Returns ENOTFOUND,
	// ECONFLICT when it was used or revoked already.
	RevokePartnerInvite(ctx context.Context, id int64) error

	// LinkPartner makes our organisation follow the remote organisation
	// actor remoteID with an invite token (may be "" to ask without an
	// invite), and records the partner with the default sharing policy.
	// Returns EINVALID when the actor is not a remote Organization,
	// ECONFLICT when already linked or pending, EFORBIDDEN when blocked.
	LinkPartner(ctx context.Context, remoteID int64, token string) (*Partner, error)

	// FindPartners returns matching partners, linked first then by name.
	FindPartners(ctx context.Context, filter PartnerFilter) ([]*Partner, error)

	// FindPartner returns the partner with this actor ID, or ENOTFOUND.
	FindPartner(ctx context.Context, actorID int64) (*Partner, error)

	// SetPartnerModules replaces a partner's sharing policy. Objects that
	// start or stop being shared with it are sent to it (Create) or
	// withdrawn (Delete). Returns ENOTFOUND, EINVALID for unknown modules.
	SetPartnerModules(ctx context.Context, actorID int64, modules []string) (*Partner, error)

	// UnlinkPartner ends a partnership: Undo of our Follow, Reject of
	// theirs, and the partner's objects leave the cache. Returns ENOTFOUND.
	UnlinkPartner(ctx context.Context, actorID int64) error

	// BlockPartner sends a Block, drops both follows and the partner's
	// cached objects, and refuses its traffic from then on. Any remote
	// actor can be blocked. Returns ENOTFOUND.
	BlockPartner(ctx context.Context, actorID int64) error

	// UnblockPartner lifts a block (Undo of the Block); nothing is linked
	// again until one side links. Returns ENOTFOUND, ECONFLICT when not
	// blocked.
	UnblockPartner(ctx context.Context, actorID int64) error

	// ReceiveBlock records that the remote actor actorIRI blocked us: both
	// follows with it are dropped and its cached objects purged; nothing
	// is sent. Returns ENOTFOUND for an unknown actor.
	ReceiveBlock(ctx context.Context, actorIRI string) error

	// Blocked reports whether traffic from this actor IRI is refused: the
	// actor or its host is blocked.
	Blocked(ctx context.Context, actorIRI string) (bool, error)

	// RequestPartnerSync marks a linked partner's objects due for a resync
	// now. Returns ENOTFOUND, ECONFLICT when not linked.
	RequestPartnerSync(ctx context.Context, actorID int64) error

	// FindPartnersToSync returns linked partners whose sync is due: never
	// synced, asked for, running (resumed after a restart), failed and
	// due for a retry, or last completed before now-interval.
	FindPartnersToSync(ctx context.Context, now time.Time, interval time.Duration) ([]*Partner, error)

	// StartPartnerSync begins a new sync generation from page first, with
	// total objects announced, and returns the generation.
	StartPartnerSync(ctx context.Context, actorID int64, first string, total int) (int64, error)

	// RecordPartnerSyncPage records progress of generation gen: fetched
	// objects so far and the next page ("" when the collection is done).
	RecordPartnerSyncPage(ctx context.Context, actorID, gen int64, fetched int, next string) error

	// FinishPartnerSync completes generation gen: cached objects of this
	// partner that the sync did not see and that were not changed since it
	// started are removed. Returns how many were removed.
	FinishPartnerSync(ctx context.Context, actorID, gen int64) (int, error)

	// FailPartnerSync records a failed sync, retried at next.
	FailPartnerSync(ctx context.Context, actorID int64, msg string, next time.Time) error
}

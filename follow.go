package shrooms

import (
	"context"
	"time"
)

// FollowState is where a follow relationship stands.
type FollowState string

// Follow states.
const (
	FollowPending  FollowState = "pending"
	FollowAccepted FollowState = "accepted"
	FollowRejected FollowState = "rejected"
)

// Follow is one actor following another. Exactly one side is local.
type Follow struct {
	ID int64
	// ActivityIRI is the IRI of the Follow activity that created it.
	ActivityIRI string
	FollowerID  int64
	FolloweeID  int64
	Follower    *Actor // loaded by finders
	Followee    *Actor // loaded by finders
	State       FollowState
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Outgoing reports whether a local actor is the follower.
func (f *Follow) Outgoing() bool { return f.Follower != nil && f.Follower.Local }

// InitialFollowState is the state an incoming Follow starts in: accepted at
// once unless the followed local actor approves followers by hand.
func InitialFollowState(followee *Actor) FollowState {
	if followee.ManuallyApprovesFollowers {
		return FollowPending
	}
	return FollowAccepted
}

// FollowFilter selects follows. Zero fields do not filter.
type FollowFilter struct {
	ID         int64
	FollowerID int64
	FolloweeID int64
	State      FollowState
	Offset     int
	Limit      int
}

// FollowAnswer is a remote Accept or Reject of a local actor's Follow.
type FollowAnswer struct {
	// FollowIRI is the answered Follow activity's IRI.
	FollowIRI string
	// FollowerIRI is the local follower named in an embedded Follow, used
	// when the peer's Follow IRI is unknown to us.
	FollowerIRI string
	// ActorIRI is the verified signer, who must be the followee.
	ActorIRI string
}

// FollowService manages follow relationships. Each method that changes one
// also writes the activity announcing the change to the outbox, in the same
// transaction.
type FollowService interface {
	// CreateFollow makes local actor localID follow remote actor remoteID:
	// a pending Follow and its outbox entry. A previously rejected follow is
	// sent again. Returns ENOTFOUND, EINVALID (local follows, self follows),
	// ECONFLICT if already pending or accepted.
	CreateFollow(ctx context.Context, localID, remoteID int64) (*Follow, error)

	// ReceiveFollow records a remote actor's Follow of a local actor: it
	// starts in InitialFollowState, and an accepted one writes an Accept to
	// the outbox. A repeated Follow of an accepted pair is accepted again
	// (peers resend when they lost our Accept). Returns ENOTFOUND when the
	// followee is not a local actor or the follower is not cached.
	//
	// A remote Organization following our organisation is a partnership
	// request: it is accepted, and followed back, when inviteToken is a
	// valid partner invite (which it uses up) or when our organisation
	// already follows it; otherwise it waits in the follow-request queue
	// whatever ManuallyApprovesFollowers says. A blocked actor's Follow is
	// EFORBIDDEN.
	ReceiveFollow(ctx context.Context, activityIRI, followerIRI, followeeIRI, inviteToken string) (*Follow, error)

	// ApproveFollowRequest accepts a pending incoming follow and writes an
	// Accept; an Organization following our organisation is followed back
	// (a partnership). Returns ENOTFOUND, ECONFLICT when it is not pending.
	ApproveFollowRequest(ctx context.Context, id int64) (*Follow, error)

	// RejectFollowRequest rejects a pending or accepted incoming follow and
	// writes a Reject. Returns ENOTFOUND, ECONFLICT when already rejected.
	RejectFollowRequest(ctx context.Context, id int64) (*Follow, error)

	// ReceiveFollowAccept marks a local actor's follow accepted. Returns
	// ENOTFOUND for an unknown follow, EFORBIDDEN when ans.ActorIRI is not
	// the followee.
	ReceiveFollowAccept(ctx context.Context, ans FollowAnswer) (*Follow, error)

	// ReceiveFollowReject marks a local actor's follow rejected; same codes.
	ReceiveFollowReject(ctx context.Context, ans FollowAnswer) (*Follow, error)

	// ReceiveUndoFollow deletes a remote actor's follow of a local actor,
	// found by the Follow's IRI or else by the pair. Returns ENOTFOUND,
	// EFORBIDDEN when actorIRI is not the follower.
	ReceiveUndoFollow(ctx context.Context, followIRI, actorIRI, followeeIRI string) error

	// Unfollow deletes local actor localID's follow of remoteID and writes
	// an Undo. Returns ENOTFOUND.
	Unfollow(ctx context.Context, localID, remoteID int64) error

	// FindFollows returns matching follows, newest first, with both actors
	// loaded, and the total count ignoring Offset and Limit. A request from
	// the network or an anonymous one sees accepted follows only
	// (Principal.SeesFollowState).
	FindFollows(ctx context.Context, filter FollowFilter) ([]*Follow, int, error)
}

package store

import (
	"context"
	"database/sql"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// This file holds the follow changes a remote actor starts (Follow, Undo,
// Accept and Reject of our Follows) and the admin's answers to incoming
// requests.

// answerFollow writes the local followee's Accept or Reject of follow f
// to the outbox. It embeds the Follow, as Mastodon expects.
func (db *DB) answerFollow(ctx context.Context, tx *sql.Tx, typ shrooms.ActivityType, f *shrooms.Follow, now time.Time) error {
	act := &shrooms.Activity{
		IRI:        db.iris.NewActivity(),
		Type:       typ,
		Actor:      f.Followee.IRI,
		Object:     f.ActivityIRI,
		ObjectType: followType,
		Embedded: &shrooms.Activity{IRI: f.ActivityIRI, Type: shrooms.ActivityFollow,
			Actor: f.Follower.IRI, Object: f.Followee.IRI},
		To:        []string{f.Follower.IRI},
		Published: now,
	}
	_, err := db.insertOutbox(ctx, tx, f.Followee.ID, act)
	return err
}

// ReceiveFollow records a remote actor's Follow of a local actor. A new
// follow starts in InitialFollowState(followee); an accepted one writes an
// Accept to the outbox. For a known pair: an accepted follow takes the
// new activity IRI and is accepted again (the peer lost our Accept); a
// pending one takes the new IRI and keeps waiting; a rejected one is a
// new request. Returns ENOTFOUND when the followee is not a local actor
// or the follower is not a cached remote actor, EINVALID without an
// activity IRI, ECONFLICT when the IRI names another follow.
func (db *DB) ReceiveFollow(ctx context.Context, activityIRI, followerIRI, followeeIRI, inviteToken string) (*shrooms.Follow, error) {
	if activityIRI == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "follow activity id is required")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	followee, err := findActorByIRI(ctx, tx, followeeIRI)
	if err == nil && !followee.Local {
		err = notFound("no local actor %q", followeeIRI)
	}
	if err != nil {
		return nil, err
	}
	follower, err := findActorByIRI(ctx, tx, followerIRI)
	if err == nil && follower.Local {
		err = notFound("no remote actor %q", followerIRI)
	}
	if err != nil {
		return nil, err
	}
	now := db.now()
	f, err := findFollowByPair(ctx, tx, follower.ID, followee.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case f == nil:
		if f, err = insertFollow(ctx, tx, follower, followee, shrooms.InitialFollowState(followee), activityIRI, now); err != nil {
			return nil, err
		}
	case f.State == shrooms.FollowRejected:
		err = setFollow(ctx, tx, f, shrooms.InitialFollowState(followee), activityIRI, now)
	default: // pending stays pending, accepted is accepted again
		err = setFollow(ctx, tx, f, f.State, activityIRI, now)
	}
	if err != nil {
		return nil, err
	}
	if f.State == shrooms.FollowAccepted {
		if err := db.answerFollow(ctx, tx, shrooms.ActivityAccept, f, now); err != nil {
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return f, nil
}

// findIncomingFollow returns follow id when its followee is local, or
// ENOTFOUND.
func findIncomingFollow(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Follow, error) {
	f, err := findFollow(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if f == nil || !f.Followee.Local {
		return nil, notFound("follow request %d not found", id)
	}
	return f, nil
}

// ApproveFollowRequest accepts a pending incoming follow and writes an
// Accept, for admins and the system. Returns ENOTFOUND (also for an
// outgoing follow), ECONFLICT when it is not pending, EUNAUTHORIZED,
// EFORBIDDEN.
func (db *DB) ApproveFollowRequest(ctx context.Context, id int64) (*shrooms.Follow, error) {
	return db.answerFollowRequest(ctx, id, shrooms.ActivityAccept)
}

// RejectFollowRequest rejects a pending or accepted incoming follow (the
// latter removes a follower) and writes a Reject, for admins and the
// system. Returns ENOTFOUND, ECONFLICT when already rejected,
// EUNAUTHORIZED, EFORBIDDEN.
func (db *DB) RejectFollowRequest(ctx context.Context, id int64) (*shrooms.Follow, error) {
	return db.answerFollowRequest(ctx, id, shrooms.ActivityReject)
}

func (db *DB) answerFollowRequest(ctx context.Context, id int64, typ shrooms.ActivityType) (*shrooms.Follow, error) {
	tx, err := db.writeAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	f, err := findIncomingFollow(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	state := shrooms.FollowAccepted
	if typ == shrooms.ActivityReject {
		state = shrooms.FollowRejected
		if f.State == shrooms.FollowRejected {
			return nil, shrooms.Errorf(shrooms.ECONFLICT, "follow request is already rejected")
		}
	} else if f.State != shrooms.FollowPending {
		return nil, shrooms.Errorf(shrooms.ECONFLICT, "follow request is %s, not pending", f.State)
	}
	now := db.now()
	if err := setFollow(ctx, tx, f, state, f.ActivityIRI, now); err != nil {
		return nil, err
	}
	if err := db.answerFollow(ctx, tx, typ, f, now); err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return f, nil
}

// ReceiveFollowAccept marks a local actor's follow accepted. The follow
// is found by ans.FollowIRI or, when the peer answered a Follow IRI we do
// not know, by the pair (local ans.FollowerIRI, followee ans.ActorIRI).
// Accepting an accepted follow is a no-op. Nothing is written to the
// outbox. Returns ENOTFOUND for an unknown follow, EFORBIDDEN when
// ans.ActorIRI is not the followee.
func (db *DB) ReceiveFollowAccept(ctx context.Context, ans shrooms.FollowAnswer) (*shrooms.Follow, error) {
	return db.receiveFollowAnswer(ctx, ans, shrooms.FollowAccepted)
}

// ReceiveFollowReject marks a local actor's follow rejected; same lookup
// and codes as ReceiveFollowAccept.
func (db *DB) ReceiveFollowReject(ctx context.Context, ans shrooms.FollowAnswer) (*shrooms.Follow, error) {
	return db.receiveFollowAnswer(ctx, ans, shrooms.FollowRejected)
}

func (db *DB) receiveFollowAnswer(ctx context.Context, ans shrooms.FollowAnswer, state shrooms.FollowState) (*shrooms.Follow, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var f *shrooms.Follow
	if ans.FollowIRI != "" {
		if f, err = findFollow(ctx, tx, `activity_iri = ?`, ans.FollowIRI); err != nil {
			return nil, err
		}
	}
	if f == nil && ans.FollowerIRI != "" {
		if f, err = findFollowByIRIs(ctx, tx, ans.FollowerIRI, ans.ActorIRI); err != nil {
			return nil, err
		}
		if f != nil && !f.Follower.Local {
			f = nil
		}
	}
	if f == nil {
		return nil, notFound("follow %q not found", ans.FollowIRI)
	}
	if f.Followee.IRI != ans.ActorIRI {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "only the followed actor may answer a follow")
	}
	if f.State != state {
		if err := setFollow(ctx, tx, f, state, f.ActivityIRI, db.now()); err != nil {
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return f, nil
}

// ReceiveUndoFollow deletes a remote actor's follow of a local actor,
// found by the Follow's IRI or else by the pair (actorIRI, followeeIRI).
// Returns ENOTFOUND, EFORBIDDEN when actorIRI is not the follower.
func (db *DB) ReceiveUndoFollow(ctx context.Context, followIRI, actorIRI, followeeIRI string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var f *shrooms.Follow
	if followIRI != "" {
		if f, err = findFollow(ctx, tx, `activity_iri = ?`, followIRI); err != nil {
			return err
		}
	}
	if f == nil && followeeIRI != "" {
		if f, err = findFollowByIRIs(ctx, tx, actorIRI, followeeIRI); err != nil {
			return err
		}
	}
	if f == nil {
		return notFound("follow %q not found", followIRI)
	}
	if f.Follower.IRI != actorIRI {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "only the follower may undo a follow")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM follows WHERE id = ?`, f.ID); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

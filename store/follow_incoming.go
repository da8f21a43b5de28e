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
// new request. A remote Organization following our organisation asks for
// a partnership instead (partnerFollowState): accepted with a valid
// invite or when we follow it already, then followed back; otherwise it
// waits for an admin. Returns ENOTFOUND when the followee is not a local
// actor or the follower is not a cached remote actor, EFORBIDDEN when
// the follower or its host is blocked, EINVALID without an activity IRI,
// ECONFLICT when the IRI names another follow.
func (s *FollowService) ReceiveFollow(ctx context.Context, activityIRI, followerIRI, followeeIRI, inviteToken string) (*shrooms.Follow, error) {
	if activityIRI == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "follow activity id is required").Keyed("core.error.db_activity_id_required")
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	followee, err := findActorByIRI(ctx, tx, followeeIRI)
	if err == nil && !followee.Local {
		err = notFound("no local actor %q", followeeIRI).Keyed("core.error.db_actor_not_found")
	}
	if err != nil {
		return nil, err
	}
	follower, err := findActorByIRI(ctx, tx, followerIRI)
	if err == nil && follower.Local {
		err = notFound("no remote actor %q", followerIRI).Keyed("core.error.db_actor_not_found")
	}
	if err != nil {
		return nil, err
	}
	now := s.db.now()
	if blocked, err := blockedActor(ctx, tx, follower); err != nil {
		return nil, err
	} else if blocked {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "blocked").Keyed("core.error.db_blocked")
	}
	f, err := findFollowByPair(ctx, tx, follower.ID, followee.ID)
	if err != nil {
		return nil, err
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	partnership := isPartnership(org, follower, followee)
	initial := shrooms.InitialFollowState(followee)
	if partnership {
		if initial, err = s.db.partnerFollowState(ctx, tx, org, follower, f, inviteToken, now); err != nil {
			return nil, err
		}
	}
	wasAccepted := f != nil && f.State == shrooms.FollowAccepted
	switch {
	case f == nil:
		if f, err = insertFollow(ctx, tx, follower, followee, initial, activityIRI, now); err != nil {
			return nil, err
		}
	case f.State == shrooms.FollowRejected || partnership && f.State == shrooms.FollowPending:
		err = setFollow(ctx, tx, f, initial, activityIRI, now)
	default: // pending stays pending, accepted is accepted again
		err = setFollow(ctx, tx, f, f.State, activityIRI, now)
	}
	if err != nil {
		return nil, err
	}
	if f.State == shrooms.FollowAccepted {
		if err := s.db.answerFollow(ctx, tx, shrooms.ActivityAccept, f, now); err != nil {
			return nil, err
		}
	}
	if partnership && f.State == shrooms.FollowAccepted && !wasAccepted {
		if err := s.db.partnerAccepted(ctx, tx, org, follower, now); err != nil {
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return f, nil
}

// partnerFollowState is the state a remote organisation's Follow of our
// organisation takes, with its partners row made: accepted when the pair
// is accepted already, when inviteToken is a valid invite (used up
// here), or when we follow it already (we asked first); pending, for an
// admin, otherwise — whatever ManuallyApprovesFollowers says. An invalid
// token is never told apart from none.
func (db *DB) partnerFollowState(ctx context.Context, tx *sql.Tx, org, follower *shrooms.Actor,
	f *shrooms.Follow, inviteToken string, now time.Time) (shrooms.FollowState, error) {
	if err := ensurePartner(ctx, tx, follower.ID, now); err != nil {
		return "", err
	}
	if f != nil && f.State == shrooms.FollowAccepted {
		return shrooms.FollowAccepted, nil
	}
	if ok, err := useInvite(ctx, tx, inviteToken, follower.IRI, now); err != nil || ok {
		return shrooms.FollowAccepted, err
	}
	ours, err := findFollowByPair(ctx, tx, org.ID, follower.ID)
	if err != nil {
		return "", err
	}
	if ours != nil && ours.State != shrooms.FollowRejected {
		return shrooms.FollowAccepted, nil
	}
	return shrooms.FollowPending, nil
}

// partnerAccepted completes a partnership once we accepted the remote
// organisation's Follow: we follow it back unless we do already, and a
// partnership that is now linked is due for a backfill.
func (db *DB) partnerAccepted(ctx context.Context, tx *sql.Tx, org, remote *shrooms.Actor, now time.Time) error {
	if err := db.followBack(ctx, tx, org, remote); err != nil {
		return err
	}
	return markLinked(ctx, tx, org, remote.ID, now)
}

// findIncomingFollow returns follow id when its followee is local, or
// ENOTFOUND.
func findIncomingFollow(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Follow, error) {
	f, err := findFollow(ctx, tx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if f == nil || !f.Followee.Local {
		return nil, notFound("follow request %d not found", id).Keyed("partners.error.db_follow_request_not_found")
	}
	return f, nil
}

// ApproveFollowRequest accepts a pending incoming follow and writes an
// Accept, for admins and the system; a remote organisation following ours
// is followed back (a partnership). Returns ENOTFOUND (also for an
// outgoing follow), ECONFLICT when it is not pending, EUNAUTHORIZED,
// EFORBIDDEN.
func (s *FollowService) ApproveFollowRequest(ctx context.Context, id int64) (*shrooms.Follow, error) {
	return s.db.answerFollowRequest(ctx, id, shrooms.ActivityAccept)
}

// RejectFollowRequest rejects a pending or accepted incoming follow (the
// latter removes a follower) and writes a Reject, for admins and the
// system. Returns ENOTFOUND, ECONFLICT when already rejected,
// EUNAUTHORIZED, EFORBIDDEN.
func (s *FollowService) RejectFollowRequest(ctx context.Context, id int64) (*shrooms.Follow, error) {
	return s.db.answerFollowRequest(ctx, id, shrooms.ActivityReject)
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
			return nil, shrooms.Errorf(shrooms.ECONFLICT, "follow request is already rejected").Keyed("partners.error.db_follow_rejected")
		}
	} else if f.State != shrooms.FollowPending {
		return nil, shrooms.Errorf(shrooms.ECONFLICT, "follow request is %s, not pending", f.State).Keyed("partners.error.db_follow_not_pending", "State", f.State).
			Keyed("partners.error.db_follow_not_pending", "State", f.State)
	}
	now := db.now()
	if err := setFollow(ctx, tx, f, state, f.ActivityIRI, now); err != nil {
		return nil, err
	}
	if err := db.answerFollow(ctx, tx, typ, f, now); err != nil {
		return nil, err
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if isPartnership(org, f.Follower, f.Followee) {
		if err := db.partnerAnswered(ctx, tx, org, f.Follower, state, now); err != nil {
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return f, nil
}

// partnerAnswered applies an admin's answer to a remote organisation's
// request: approved, it is a partner (followed back); rejected while we
// do not follow it, its partners row goes (unless it records a block).
func (db *DB) partnerAnswered(ctx context.Context, tx *sql.Tx, org, remote *shrooms.Actor, state shrooms.FollowState, now time.Time) error {
	if state == shrooms.FollowAccepted {
		if err := ensurePartner(ctx, tx, remote.ID, now); err != nil {
			return err
		}
		return db.partnerAccepted(ctx, tx, org, remote, now)
	}
	ours, err := findFollowByPair(ctx, tx, org.ID, remote.ID)
	if err != nil || ours != nil {
		return err
	}
	return dropPartner(ctx, tx, remote.ID)
}

// ReceiveFollowAccept marks a local actor's follow accepted. The follow
// is found by ans.FollowIRI or, when the peer answered a Follow IRI we do
// not know, by the pair (local ans.FollowerIRI, followee ans.ActorIRI).
// Accepting an accepted follow is a no-op. Nothing is written to the
// outbox; a partnership that becomes linked is due for a backfill.
// Returns ENOTFOUND for an unknown follow, EFORBIDDEN when ans.ActorIRI
// is not the followee.
func (s *FollowService) ReceiveFollowAccept(ctx context.Context, ans shrooms.FollowAnswer) (*shrooms.Follow, error) {
	return s.db.receiveFollowAnswer(ctx, ans, shrooms.FollowAccepted)
}

// ReceiveFollowReject marks a local actor's follow rejected; same lookup
// and codes as ReceiveFollowAccept. A remote organisation rejecting our
// organisation's follow has its objects leave the cache.
func (s *FollowService) ReceiveFollowReject(ctx context.Context, ans shrooms.FollowAnswer) (*shrooms.Follow, error) {
	return s.db.receiveFollowAnswer(ctx, ans, shrooms.FollowRejected)
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
		return nil, notFound("follow %q not found", ans.FollowIRI).Keyed("partners.error.db_follow_not_found")
	}
	if f.Followee.IRI != ans.ActorIRI {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "only the followed actor may answer a follow").Keyed("core.error.db_follow_answer_forbidden")
	}
	if f.State != state {
		if err := setFollow(ctx, tx, f, state, f.ActivityIRI, db.now()); err != nil {
			return nil, err
		}
		if err := partnerFollowAnswered(ctx, tx, f, db.now()); err != nil {
			return nil, err
		}
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return f, nil
}

// partnerFollowAnswered applies a remote organisation's answer to our
// organisation's follow f: accepted, the partnership may now be linked
// (due for a backfill); rejected, its objects leave our cache.
func partnerFollowAnswered(ctx context.Context, tx *sql.Tx, f *shrooms.Follow, now time.Time) error {
	org, err := findOrgActor(ctx, tx)
	if err != nil || !isPartnership(org, f.Follower, f.Followee) || f.FollowerID != org.ID {
		return err
	}
	if f.State == shrooms.FollowAccepted {
		return markLinked(ctx, tx, org, f.FolloweeID, now)
	}
	_, err = purgeRemoteCache(ctx, tx, f.FolloweeID)
	return err
}

// ReceiveUndoFollow deletes a remote actor's follow of a local actor,
// found by the Follow's IRI or else by the pair (actorIRI, followeeIRI).
// A partner organisation undoing its follow of ours unlinks: see
// partnerLeft. Returns ENOTFOUND, EFORBIDDEN when actorIRI is not the
// follower.
func (s *FollowService) ReceiveUndoFollow(ctx context.Context, followIRI, actorIRI, followeeIRI string) error {
	tx, err := s.db.beginWrite(ctx)
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
		return notFound("follow %q not found", followIRI).Keyed("partners.error.db_follow_not_found")
	}
	if f.Follower.IRI != actorIRI {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "only the follower may undo a follow").Keyed("core.error.db_follow_undo_forbidden")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM follows WHERE id = ?`, f.ID); err != nil {
		return dbError(err, nil)
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return err
	}
	if isPartnership(org, f.Follower, f.Followee) {
		if err := s.db.partnerLeft(ctx, tx, org, f.Follower); err != nil {
			return err
		}
	}
	return commit(tx)
}

// partnerLeft ends our side of a partnership the remote organisation
// unlinked: our follow goes with an Undo, its objects leave the cache and
// its partners row goes (unless it records a block).
func (db *DB) partnerLeft(ctx context.Context, tx *sql.Tx, org, remote *shrooms.Actor) error {
	ours, err := findFollowByPair(ctx, tx, org.ID, remote.ID)
	if err != nil {
		return err
	}
	if ours != nil {
		if err := db.undoFollow(ctx, tx, ours); err != nil {
			return err
		}
	}
	if _, err := purgeRemoteCache(ctx, tx, remote.ID); err != nil {
		return err
	}
	return dropPartner(ctx, tx, remote.ID)
}

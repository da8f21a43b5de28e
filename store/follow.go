package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// followType is the ObjectType of activities about a Follow.
const followType = string(shrooms.ActivityFollow)

const followColumns = `id, activity_iri, follower_id, followee_id, state, created_at, updated_at`

func scanFollow(s scanner) (*shrooms.Follow, error) {
	var f shrooms.Follow
	var state string
	var created, updated sql.NullInt64
	if err := s.Scan(&f.ID, &f.ActivityIRI, &f.FollowerID, &f.FolloweeID, &state, &created, &updated); err != nil {
		return nil, err
	}
	f.State, f.CreatedAt, f.UpdatedAt = shrooms.FollowState(state), fromMS(created), fromMS(updated)
	return &f, nil
}

// findFollow returns the follow matching cond with both actors loaded,
// or nil when there is none.
func findFollow(ctx context.Context, tx *sql.Tx, cond string, args ...any) (*shrooms.Follow, error) {
	f, err := scanFollow(tx.QueryRowContext(ctx, `SELECT `+followColumns+` FROM follows WHERE `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find follow: %w", err)
	}
	return f, loadFollowActors(ctx, tx, f)
}

func loadFollowActors(ctx context.Context, tx *sql.Tx, f *shrooms.Follow) error {
	var err error
	if f.Follower, err = findActorByID(ctx, tx, f.FollowerID); err != nil {
		return err
	}
	f.Followee, err = findActorByID(ctx, tx, f.FolloweeID)
	return err
}

// findFollowByPair returns the follow of followerID to followeeID, or nil.
func findFollowByPair(ctx context.Context, tx *sql.Tx, followerID, followeeID int64) (*shrooms.Follow, error) {
	return findFollow(ctx, tx, `follower_id = ? AND followee_id = ?`, followerID, followeeID)
}

// findFollowByIRIs returns the follow between the actors with these IRIs,
// or nil when either actor or the follow is unknown.
func findFollowByIRIs(ctx context.Context, tx *sql.Tx, followerIRI, followeeIRI string) (*shrooms.Follow, error) {
	return findFollow(ctx, tx, `follower_id = (SELECT id FROM actors WHERE iri = ?)
		AND followee_id = (SELECT id FROM actors WHERE iri = ?)`, followerIRI, followeeIRI)
}

// setFollow changes a follow's state and activity IRI.
func setFollow(ctx context.Context, tx *sql.Tx, f *shrooms.Follow, state shrooms.FollowState, activityIRI string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE follows SET state = ?, activity_iri = ?, updated_at = ? WHERE id = ?`,
		string(state), activityIRI, now.UnixMilli(), f.ID); err != nil {
		return dbError(err, nil)
	}
	f.State, f.ActivityIRI, f.UpdatedAt = state, activityIRI, now
	return nil
}

// insertFollow stores a new follow between two loaded actors.
func insertFollow(ctx context.Context, tx *sql.Tx, follower, followee *shrooms.Actor, state shrooms.FollowState, activityIRI string, now time.Time) (*shrooms.Follow, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, activityIRI, follower.ID, followee.ID, string(state), now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return nil, dbError(err, nil)
	}
	f := &shrooms.Follow{ActivityIRI: activityIRI, FollowerID: follower.ID, FolloweeID: followee.ID,
		Follower: follower, Followee: followee, State: state, CreatedAt: now, UpdatedAt: now}
	if f.ID, err = res.LastInsertId(); err != nil {
		return nil, fmt.Errorf("insert follow: %w", err)
	}
	return f, nil
}

// CreateFollow makes local actor localID follow remote actor remoteID: a
// pending follow and its Follow activity in the outbox, one transaction,
// for admins and the system (EUNAUTHORIZED, EFORBIDDEN).
// A rejected follow is sent again under a new activity IRI. Returns
// ENOTFOUND for an unknown actor, EINVALID when the follower is not local,
// the followee is local or both are the same actor, ECONFLICT "already
// following" or "follow request already sent". Our organisation following
// a remote Organization starts a partnership, as LinkPartner without a
// token: a pending request of theirs is accepted, EFORBIDDEN when blocked.
func (s *FollowService) CreateFollow(ctx context.Context, localID, remoteID int64) (*shrooms.Follow, error) {
	if localID == remoteID {
		return nil, shrooms.Errorf(shrooms.EINVALID, "an actor cannot follow itself").Keyed("partners.error.db_follow_self")
	}
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	local, err := findActorByID(ctx, tx, localID)
	if err != nil {
		return nil, err
	}
	remote, err := findActorByID(ctx, tx, remoteID)
	if err != nil {
		return nil, err
	}
	switch {
	case !local.Local:
		return nil, shrooms.Errorf(shrooms.EINVALID, "follower must be a local actor").Keyed("partners.error.db_follower_local")
	case remote.Local:
		return nil, shrooms.Errorf(shrooms.EINVALID, "followee must be a remote actor").Keyed("partners.error.db_followee_remote")
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	var f *shrooms.Follow
	if isPartnership(org, local, remote) {
		f, err = s.db.startPartnership(ctx, tx, org, remote, "")
	} else {
		f, err = s.db.sendFollow(ctx, tx, local, remote, "")
	}
	if err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return f, nil
}

// sendFollow makes local follow remote, in the caller's transaction: a
// pending follow (a rejected one is asked again under a new IRI) and its
// Follow activity, carrying inviteToken when not "". Returns ECONFLICT
// when the follow is pending or accepted already.
func (db *DB) sendFollow(ctx context.Context, tx *sql.Tx, local, remote *shrooms.Actor, inviteToken string) (*shrooms.Follow, error) {
	now := db.now()
	iri := db.iris.NewActivity()
	f, err := findFollowByPair(ctx, tx, local.ID, remote.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case f == nil:
		if f, err = insertFollow(ctx, tx, local, remote, shrooms.FollowPending, iri, now); err != nil {
			return nil, err
		}
	case f.State == shrooms.FollowAccepted:
		return nil, shrooms.Errorf(shrooms.ECONFLICT, "already following").Keyed("partners.error.db_already_following")
	case f.State == shrooms.FollowPending:
		return nil, shrooms.Errorf(shrooms.ECONFLICT, "follow request already sent").Keyed("partners.error.db_follow_sent")
	default: // rejected: ask again
		if err := setFollow(ctx, tx, f, shrooms.FollowPending, iri, now); err != nil {
			return nil, err
		}
	}
	act := &shrooms.Activity{
		IRI:         iri,
		Type:        shrooms.ActivityFollow,
		Actor:       local.IRI,
		Object:      remote.IRI,
		ObjectType:  string(remote.Kind),
		InviteToken: inviteToken,
		To:          []string{remote.IRI},
		Published:   now,
	}
	if _, err := db.insertOutbox(ctx, tx, local.ID, act); err != nil {
		return nil, err
	}
	return f, nil
}

// Unfollow deletes local actor localID's follow of remoteID, whatever its
// state, and writes an Undo of the Follow to the outbox, for admins and
// the system. Returns ENOTFOUND when there is no such follow by a local
// actor, EUNAUTHORIZED, EFORBIDDEN.
func (s *FollowService) Unfollow(ctx context.Context, localID, remoteID int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	f, err := findFollowByPair(ctx, tx, localID, remoteID)
	if err != nil {
		return err
	}
	if f == nil || !f.Follower.Local {
		return notFound("actor %d does not follow actor %d", localID, remoteID).Keyed("partners.error.db_not_following")
	}
	if err := s.db.undoFollow(ctx, tx, f); err != nil {
		return err
	}
	return commit(tx)
}

// undoFollow deletes a local actor's follow f and writes the Undo of its
// Follow, in the caller's transaction.
func (db *DB) undoFollow(ctx context.Context, tx *sql.Tx, f *shrooms.Follow) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM follows WHERE id = ?`, f.ID); err != nil {
		return dbError(err, nil)
	}
	act := &shrooms.Activity{
		IRI:        db.iris.NewActivity(),
		Type:       shrooms.ActivityUndo,
		Actor:      f.Follower.IRI,
		Object:     f.ActivityIRI,
		ObjectType: followType,
		Embedded: &shrooms.Activity{IRI: f.ActivityIRI, Type: shrooms.ActivityFollow,
			Actor: f.Follower.IRI, Object: f.Followee.IRI},
		To:        []string{f.Followee.IRI},
		Published: db.now(),
	}
	_, err := db.insertOutbox(ctx, tx, f.FollowerID, act)
	return err
}

// FindFollows returns matching follows, newest first, with both actors
// loaded (local ones with their private key, as every actor finder), and
// the total count ignoring Offset and Limit.
func (s *FollowService) FindFollows(ctx context.Context, filter shrooms.FollowFilter) ([]*shrooms.Follow, int, error) {
	offset, limit := page(filter.Offset, filter.Limit)
	var conds []string
	var args []any
	for _, c := range []struct {
		set  bool
		cond string
		arg  any
	}{
		{filter.ID != 0, "id = ?", filter.ID},
		{filter.FollowerID != 0, "follower_id = ?", filter.FollowerID},
		{filter.FolloweeID != 0, "followee_id = ?", filter.FolloweeID},
		{filter.State != "", "state = ?", string(filter.State)},
	} {
		if c.set {
			conds, args = append(conds, c.cond), append(args, c.arg)
		}
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	if !p.SeesFollowState(filter.State) {
		conds, args = append(conds, "state = ?"), append(args, string(shrooms.FollowAccepted))
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM follows`+where(conds), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count follows: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+followColumns+` FROM follows`+where(conds)+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find follows: %w", err)
	}
	var out []*shrooms.Follow
	for rows.Next() {
		f, err := scanFollow(rows)
		if err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("find follows: %w", err)
		}
		out = append(out, f)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("find follows: %w", err)
	}
	for _, f := range out {
		if err := loadFollowActors(ctx, tx, f); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

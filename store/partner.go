package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// This file holds the partnership rules shared by the partner service and
// the follow changes: the partners row, blocks, the cache purge and the
// follow back. A partnership is our organisation actor and a remote one
// following each other; the partners row keeps the sharing policy, the
// block and the sync progress.

// linkedPartnersSQL selects the actor IDs (column actor_id) of the linked,
// unblocked partners of the organisation actor bound to both ? — both
// follows accepted, no block on the actor nor its host. Callers add
// conditions on p (partners) and a (actors).
const linkedPartnersSQL = `SELECT p.actor_id FROM partners p
	JOIN actors a ON a.id = p.actor_id
	JOIN follows o ON o.follower_id = ? AND o.followee_id = p.actor_id AND o.state = 'accepted'
	JOIN follows t ON t.follower_id = p.actor_id AND t.followee_id = ? AND t.state = 'accepted'
	WHERE p.blocked = 0 AND NOT EXISTS (SELECT 1 FROM blocked_hosts b WHERE b.host = a.host)`

// sharesModuleSQL is the condition that partner row p shares module ?.
const sharesModuleSQL = `(',' || p.modules || ',') LIKE ('%,' || ? || ',%')`

// isPartnership reports whether a follow between a and b is a
// partnership's: one is our organisation, the other a remote Organization.
func isPartnership(org, a, b *shrooms.Actor) bool {
	switch {
	case a.ID == org.ID:
		return !b.Local && b.Kind == shrooms.KindOrganization
	case b.ID == org.ID:
		return !a.Local && a.Kind == shrooms.KindOrganization
	}
	return false
}

// ensurePartner creates actorID's partners row with the default policy,
// every shared module, unless it exists.
func ensurePartner(ctx context.Context, tx *sql.Tx, actorID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO partners (actor_id, modules, created_at, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (actor_id) DO NOTHING`,
		actorID, strings.Join(shrooms.SharedModules, ","), now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return dbError(err, nil)
	}
	return nil
}

// dropPartner deletes actorID's partners row unless it records a block.
func dropPartner(ctx context.Context, tx *sql.Tx, actorID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM partners WHERE actor_id = ? AND blocked = 0`, actorID); err != nil {
		return dbError(err, nil)
	}
	return nil
}

// purgeRemoteCache removes every object of actorID from the remote cache;
// the FTS triggers keep the index right.
func purgeRemoteCache(ctx context.Context, tx *sql.Tx, actorID int64) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM remote_objects WHERE actor_id = ?`, actorID)
	if err != nil {
		return 0, dbError(err, nil)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge cache: %w", err)
	}
	return int(n), nil
}

// blockedActor reports whether a is blocked, itself or through its host.
func blockedActor(ctx context.Context, tx *sql.Tx, a *shrooms.Actor) (bool, error) {
	var blocked bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM partners WHERE actor_id = ? AND blocked = 1)
		OR EXISTS (SELECT 1 FROM blocked_hosts WHERE host = ?)`, a.ID, a.Host).Scan(&blocked)
	if err != nil {
		return false, fmt.Errorf("check block: %w", err)
	}
	return blocked, nil
}

// followBack makes our organisation follow remote, unless a follow is
// pending or accepted already: the second half of a partnership.
func (db *DB) followBack(ctx context.Context, tx *sql.Tx, org, remote *shrooms.Actor) error {
	ours, err := findFollowByPair(ctx, tx, org.ID, remote.ID)
	if err != nil {
		return err
	}
	if ours != nil && ours.State != shrooms.FollowRejected {
		return nil
	}
	_, err = db.sendFollow(ctx, tx, org, remote, "")
	return err
}

// markLinked makes a partnership that just became linked due for a
// backfill, when both follows between org and remote are accepted.
func markLinked(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, remoteID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE partners SET sync_state = 'due', sync_next_at = NULL, updated_at = ?
		WHERE actor_id IN (`+linkedPartnersSQL+` AND p.actor_id = ?)`, now.UnixMilli(), org.ID, org.ID, remoteID)
	if err != nil {
		return dbError(err, nil)
	}
	return nil
}

// dropFollows deletes every follow between remote actor actorID and the
// local actors, silently: for blocks, where nothing more is said.
func dropFollows(ctx context.Context, tx *sql.Tx, actorID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM follows WHERE follower_id = ? OR followee_id = ?`, actorID, actorID); err != nil {
		return dbError(err, nil)
	}
	return nil
}

// remotePartnerActor loads remote actor id for the partner methods.
func remotePartnerActor(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Actor, error) {
	a, err := findActorByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if a.Local {
		return nil, notFound("partner %d not found", id).Keyed("partners.error.db_partner_not_found")
	}
	return a, nil
}

// requirePartnerRow returns ENOTFOUND unless actorID has a partners row.
func requirePartnerRow(ctx context.Context, tx *sql.Tx, actorID int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM partners WHERE actor_id = ?`, actorID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("partner %d not found", actorID).Keyed("partners.error.db_partner_not_found")
	} else if err != nil {
		return fmt.Errorf("find partner: %w", err)
	}
	return nil
}

// Blocked reports whether traffic from actorIRI is refused: the actor is
// blocked, or its host. It is asked for every inbox POST, so it is one
// indexed query. For admins and the system.
// blockedSQL tells whether a host (first argument) or an actor IRI
// (second) is blocked.
const blockedSQL = `SELECT EXISTS (SELECT 1 FROM blocked_hosts WHERE host = ?)
	OR EXISTS (SELECT 1 FROM partners p JOIN actors a ON a.id = p.actor_id WHERE a.iri = ? AND p.blocked = 1)`

func (s *PartnerService) Blocked(ctx context.Context, actorIRI string) (bool, error) {
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var blocked bool
	err = tx.QueryRowContext(ctx, blockedSQL, shrooms.HostOf(actorIRI), actorIRI).Scan(&blocked)
	if err != nil {
		return false, fmt.Errorf("check block: %w", err)
	}
	return blocked, nil
}

// ReceiveBlock records that remote actor actorIRI blocked us: every follow
// with it goes, its cached objects too, and its partners row unless we
// blocked it as well. Nothing is sent. Returns ENOTFOUND for an unknown
// or local actor.
func (s *PartnerService) ReceiveBlock(ctx context.Context, actorIRI string) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, err := findActorByIRI(ctx, tx, actorIRI)
	if err == nil && a.Local {
		err = notFound("no remote actor %q", actorIRI).Keyed("core.error.db_actor_not_found")
	}
	if err != nil {
		return err
	}
	if err := dropFollows(ctx, tx, a.ID); err != nil {
		return err
	}
	if _, err := purgeRemoteCache(ctx, tx, a.ID); err != nil {
		return err
	}
	if err := dropPartner(ctx, tx, a.ID); err != nil {
		return err
	}
	return commit(tx)
}

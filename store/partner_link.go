package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// This file holds what an admin does to a partnership: link, share,
// unlink, block, unblock and ask for a resync.

// LinkPartner makes our organisation follow remote Organization remoteID,
// the Follow carrying token (an invite of theirs, or "" to ask without),
// and records the partner with the default policy, every shared module.
// A pending request of theirs is accepted at the same time: both admins
// want the link. For admins and the system. Returns ENOTFOUND, EINVALID
// when the actor is not a remote Organization, ECONFLICT when our follow
// is pending or accepted already, EFORBIDDEN when it is blocked.
func (s *PartnerService) LinkPartner(ctx context.Context, remoteID int64, token string) (*shrooms.Partner, error) {
	if len(token) > 200 {
		return nil, shrooms.Errorf(shrooms.EINVALID, "token: this is not an invite token").Keyed("partners.error.db_invite_token").On("token")
	}
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	remote, err := findActorByID(ctx, tx, remoteID)
	if err != nil {
		return nil, err
	}
	if remote.Local || remote.Kind != shrooms.KindOrganization {
		return nil, shrooms.Errorf(shrooms.EINVALID, "only a remote organisation can be a partner").Keyed("partners.error.db_partner_remote")
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.startPartnership(ctx, tx, org, remote, token); err != nil {
		return nil, err
	}
	p, err := findPartner(ctx, tx, remote.ID)
	if err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return p, nil
}

// startPartnership makes org follow remote Organization remote in the
// caller's transaction, the Follow carrying token when not "", records the
// partner with the default policy and accepts a pending request of theirs:
// both admins want the link, whichever asked first. Returns EFORBIDDEN
// when remote is blocked, ECONFLICT as sendFollow.
func (db *DB) startPartnership(ctx context.Context, tx *sql.Tx, org, remote *shrooms.Actor, token string) (*shrooms.Follow, error) {
	if blocked, err := blockedActor(ctx, tx, remote); err != nil {
		return nil, err
	} else if blocked {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "this organisation is blocked; unblock it first").Keyed("partners.error.db_partner_blocked")
	}
	now := db.now()
	if err := ensurePartner(ctx, tx, remote.ID, now); err != nil {
		return nil, err
	}
	f, err := db.sendFollow(ctx, tx, org, remote, token)
	if err != nil {
		return nil, err
	}
	theirs, err := findFollowByPair(ctx, tx, remote.ID, org.ID)
	if err != nil || theirs == nil || theirs.State != shrooms.FollowPending {
		return f, err
	}
	if err := setFollow(ctx, tx, theirs, shrooms.FollowAccepted, theirs.ActivityIRI, now); err != nil {
		return nil, err
	}
	return f, db.answerFollow(ctx, tx, shrooms.ActivityAccept, theirs, now)
}

// SetPartnerModules replaces a partner's sharing policy. When the partner
// is linked, the partners-only items of the modules it gains are sent to
// it (Create) and those of the modules it loses withdrawn (Delete), in the
// same transaction; linking itself sends nothing per item, the partner
// backfills. For admins and the system. Returns ENOTFOUND, EINVALID for
// unknown modules, EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) SetPartnerModules(ctx context.Context, actorID int64, modules []string) (*shrooms.Partner, error) {
	mods, err := shrooms.ParsePartnerModules(modules)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	before, err := findPartner(ctx, tx, actorID)
	if err != nil {
		return nil, err
	}
	now := s.db.now()
	if _, err := tx.ExecContext(ctx, `UPDATE partners SET modules = ?, updated_at = ? WHERE actor_id = ?`,
		strings.Join(mods, ","), now.UnixMilli(), actorID); err != nil {
		return nil, dbError(err, nil)
	}
	if before.State == shrooms.PartnerLinked {
		if err := s.db.sendPolicyChange(ctx, tx, before.Actor, before.Modules, mods); err != nil {
			return nil, err
		}
	}
	p, err := findPartner(ctx, tx, actorID)
	if err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return p, nil
}

// sendPolicyChange sends partner the partners-only items of the modules
// in after and not in before, and deletes for it those of the modules in
// before and not in after. Only items federate for now (inventory and
// stock), and only while the inventory module is on.
func (db *DB) sendPolicyChange(ctx context.Context, tx *sql.Tx, partner *shrooms.Actor, before, after []string) error {
	on, err := moduleOn(ctx, tx, inventory)
	if err != nil || !on {
		return err
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return err
	}
	to := itemRecipients{partners: []string{partner.IRI}}
	for _, m := range shrooms.SharedModules {
		gained, lost := slices.Contains(after, m) && !slices.Contains(before, m), slices.Contains(before, m) && !slices.Contains(after, m)
		if !gained && !lost {
			continue
		}
		ids, err := partnersItemIDs(ctx, tx, m)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if lost {
				if err := db.sendItemDelete(ctx, tx, org, id, to, nil); err != nil {
					return err
				}
				continue
			}
			i, err := db.loadItem(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := db.sendItem(ctx, tx, org, shrooms.ActivityCreate, i, to); err != nil {
				return err
			}
		}
	}
	return nil
}

// partnersItemIDs lists the partners-only items of module, in ID order:
// parts for stock, every other kind for inventory, none for the modules
// that have no items.
func partnersItemIDs(ctx context.Context, tx *sql.Tx, module string) ([]int64, error) {
	var cond string
	switch module {
	case "stock":
		cond = `kind = 'part'`
	case "inventory":
		cond = `kind <> 'part'`
	default:
		return nil, nil
	}
	return queryColumn[int64](ctx, tx, "find shared items",
		`SELECT id FROM items WHERE audience = 'partners' AND `+cond+` ORDER BY id`)
}

// UnlinkPartner ends a partnership: the Undo of our Follow, the Reject of
// theirs, its cached objects purged and its partners row deleted (a block
// stays). For admins and the system. Returns ENOTFOUND, EUNAUTHORIZED,
// EFORBIDDEN.
func (s *PartnerService) UnlinkPartner(ctx context.Context, actorID int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, err := findPartner(ctx, tx, actorID)
	if err != nil {
		return err
	}
	if p.Ours != nil {
		if err := s.db.undoFollow(ctx, tx, p.Ours); err != nil {
			return err
		}
	}
	if p.Theirs != nil && p.Theirs.State != shrooms.FollowRejected {
		if err := setFollow(ctx, tx, p.Theirs, shrooms.FollowRejected, p.Theirs.ActivityIRI, s.db.now()); err != nil {
			return err
		}
		if err := s.db.answerFollow(ctx, tx, shrooms.ActivityReject, p.Theirs, s.db.now()); err != nil {
			return err
		}
	}
	if _, err := purgeRemoteCache(ctx, tx, actorID); err != nil {
		return err
	}
	if err := dropPartner(ctx, tx, actorID); err != nil {
		return err
	}
	return commit(tx)
}

// BlockPartner blocks any remote actor: a Block to it, every follow with
// it dropped silently, its cached objects purged, its partners row (made
// if missing, sharing nothing) marked blocked and, for an Organization,
// its host blocked too. Blocking again does nothing. For admins and the
// system. Returns ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) BlockPartner(ctx context.Context, actorID int64) error {
	tx, remote, org, err := s.db.blockWrite(ctx, actorID)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := s.db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO partners (actor_id, modules, blocked, created_at, updated_at)
		VALUES (?, '', 1, ?, ?) ON CONFLICT (actor_id) DO UPDATE SET blocked = 1, updated_at = excluded.updated_at
		WHERE blocked = 0`, remote.ID, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("block: %w", err)
	} else if n == 0 {
		return nil // already blocked: nothing more to say
	}
	if remote.Kind == shrooms.KindOrganization {
		if _, err := tx.ExecContext(ctx, `INSERT INTO blocked_hosts (host, actor_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (host) DO NOTHING`, remote.Host, remote.ID, now.UnixMilli()); err != nil {
			return dbError(err, nil)
		}
	}
	if err := dropFollows(ctx, tx, remote.ID); err != nil {
		return err
	}
	if _, err := purgeRemoteCache(ctx, tx, remote.ID); err != nil {
		return err
	}
	act := blockActivity(s.db.iris.NewActivity(), org, remote)
	act.To, act.Published = []string{remote.IRI}, now
	if _, err := s.db.insertOutbox(ctx, tx, org.ID, act); err != nil {
		return err
	}
	return commit(tx)
}

// UnblockPartner lifts a block: the Undo of the Block, the flag and the
// host block removed. Nothing is linked again until one side links, so a
// row left without follows is deleted. For admins and the system. Returns
// ENOTFOUND, ECONFLICT when not blocked, EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) UnblockPartner(ctx context.Context, actorID int64) error {
	tx, remote, org, err := s.db.blockWrite(ctx, actorID)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE partners SET blocked = 0, updated_at = ? WHERE actor_id = ? AND blocked = 1`,
		s.db.now().UnixMilli(), remote.ID)
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("unblock: %w", err)
	} else if n == 0 {
		return shrooms.Errorf(shrooms.ECONFLICT, "not blocked").Keyed("partners.error.db_not_blocked")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM blocked_hosts WHERE actor_id = ? OR host = ?`, remote.ID, remote.Host); err != nil {
		return dbError(err, nil)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM partners WHERE actor_id = ? AND NOT EXISTS
		(SELECT 1 FROM follows WHERE follower_id = ? OR followee_id = ?)`, remote.ID, remote.ID, remote.ID); err != nil {
		return dbError(err, nil)
	}
	// The Undo names the Block it takes back: the last one we sent.
	blockIRI := ""
	err = tx.QueryRowContext(ctx, `SELECT activity_iri FROM outbox WHERE actor_id = ? AND activity_type = 'Block'
		AND json_extract(activity, '$.object') = ? ORDER BY id DESC LIMIT 1`, org.ID, remote.IRI).Scan(&blockIRI)
	if errors.Is(err, sql.ErrNoRows) {
		blockIRI = s.db.iris.NewActivity()
	} else if err != nil {
		return fmt.Errorf("unblock: %w", err)
	}
	now := s.db.now()
	act := &shrooms.Activity{
		IRI:        s.db.iris.NewActivity(),
		Type:       shrooms.ActivityUndo,
		Actor:      org.IRI,
		Object:     blockIRI,
		ObjectType: string(shrooms.ActivityBlock),
		Embedded:   blockActivity(blockIRI, org, remote),
		To:         []string{remote.IRI},
		Published:  now,
	}
	if _, err := s.db.insertOutbox(ctx, tx, org.ID, act); err != nil {
		return err
	}
	return commit(tx)
}

// blockWrite opens the write transaction of a block or unblock, as an
// admin or the system, with the remote actor and our organisation.
func (db *DB) blockWrite(ctx context.Context, actorID int64) (tx *sql.Tx, remote, org *shrooms.Actor, err error) {
	if tx, err = db.writeAsAdmin(ctx); err != nil {
		return nil, nil, nil, err
	}
	if remote, err = remotePartnerActor(ctx, tx, actorID); err == nil {
		org, err = findOrgActor(ctx, tx)
	}
	if err != nil {
		tx.Rollback()
		return nil, nil, nil, err
	}
	return tx, remote, org, nil
}

// blockActivity is our organisation's Block of remote, unaddressed.
func blockActivity(iri string, org, remote *shrooms.Actor) *shrooms.Activity {
	return &shrooms.Activity{IRI: iri, Type: shrooms.ActivityBlock, Actor: org.IRI, Object: remote.IRI,
		ObjectType: string(remote.Kind)}
}

// RequestPartnerSync makes a linked partner's objects due for a resync
// now. For admins and the system. Returns ENOTFOUND, ECONFLICT when not
// linked, EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) RequestPartnerSync(ctx context.Context, actorID int64) error {
	tx, err := s.db.writeAsAdmin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, err := findPartner(ctx, tx, actorID)
	if err != nil {
		return err
	}
	if p.State != shrooms.PartnerLinked {
		return shrooms.Errorf(shrooms.ECONFLICT, "partner is %s, not linked", p.State).Keyed("partners.error.db_not_linked", "State", p.State)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE partners SET sync_state = 'due', sync_next_at = NULL, updated_at = ?
		WHERE actor_id = ?`, s.db.now().UnixMilli(), actorID); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

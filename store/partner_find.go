package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// partnerColumns is what scanPartner reads, with the partner actor's
// host queue: hosts.last_success_at and the pending deliveries.
const partnerColumns = `p.actor_id, p.modules, p.blocked, p.sync_state, p.sync_gen, p.sync_fetched,
	p.sync_total, p.sync_next, p.sync_started_at, p.sync_finished_at, p.sync_next_at, p.sync_error,
	p.sync_failures, p.created_at, p.updated_at,
	(SELECT h.last_success_at FROM hosts h WHERE h.host = a.host),
	(SELECT COUNT(*) FROM deliveries d WHERE d.host = a.host AND d.state = 'pending')`

// partnerRow is a partners row and what scanPartner read beside it.
type partnerRow struct {
	p       *shrooms.Partner
	actorID int64
	blocked bool
}

func scanPartner(s scanner) (*partnerRow, error) {
	var r partnerRow
	var p shrooms.Partner
	var modules, state string
	var started, finished, next, created, updated, delivered sql.NullInt64
	if err := s.Scan(&r.actorID, &modules, &r.blocked, &state, &p.Sync.Generation, &p.Sync.Fetched,
		&p.Sync.Total, &p.Sync.Next, &started, &finished, &next, &p.Sync.LastError, &p.Sync.Failures,
		&created, &updated, &delivered, &p.QueueDepth); err != nil {
		return nil, err
	}
	p.Modules = []string{}
	if modules != "" {
		p.Modules = strings.Split(modules, ",")
	}
	p.Sync.State = shrooms.SyncState(state)
	p.Sync.StartedAt, p.Sync.FinishedAt, p.Sync.NextAt = fromMS(started), fromMS(finished), fromMS(next)
	p.CreatedAt, p.UpdatedAt, p.LastDeliveryAt = fromMS(created), fromMS(updated), fromMS(delivered)
	r.p = &p
	return &r, nil
}

// findPartners loads the partners rows matching cond (on p and a), with
// their actors, both follows and state, ordered as admins read them:
// linked, pending-in, pending-out, blocked, then by name.
func findPartners(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]*shrooms.Partner, error) {
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+partnerColumns+` FROM partners p JOIN actors a ON a.id = p.actor_id
		WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("find partners: %w", err)
	}
	var found []*partnerRow
	for rows.Next() {
		r, err := scanPartner(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("find partners: %w", err)
		}
		found = append(found, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("find partners: %w", err)
	}
	out := make([]*shrooms.Partner, 0, len(found))
	for _, r := range found {
		p := r.p
		if p.Actor, err = findActorByID(ctx, tx, r.actorID); err != nil {
			return nil, err
		}
		p.Actor.PrivateKeyPEM = ""
		if p.Ours, err = findFollowByPair(ctx, tx, org.ID, r.actorID); err != nil {
			return nil, err
		}
		if p.Theirs, err = findFollowByPair(ctx, tx, r.actorID, org.ID); err != nil {
			return nil, err
		}
		hostBlocked, err := blockedActor(ctx, tx, p.Actor)
		if err != nil {
			return nil, err
		}
		p.State = shrooms.PartnerStateOf(r.blocked || hostBlocked, p.Ours, p.Theirs)
		out = append(out, p)
	}
	rank := map[shrooms.PartnerState]int{}
	for k, s := range shrooms.PartnerStates {
		rank[s] = k
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.State] != rank[b.State] {
			return rank[a.State] < rank[b.State]
		}
		if na, nb := strings.ToLower(a.Actor.Name), strings.ToLower(b.Actor.Name); na != nb {
			return na < nb
		}
		return a.Actor.ID < b.Actor.ID
	})
	return out, nil
}

// findPartner loads one partner, or ENOTFOUND.
func findPartner(ctx context.Context, tx *sql.Tx, actorID int64) (*shrooms.Partner, error) {
	ps, err := findPartners(ctx, tx, `p.actor_id = ?`, actorID)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("partner %d not found", actorID).Keyed("partners.error.db_partner_not_found")
	}
	return ps[0], nil
}

// FindPartners returns matching partners, linked first, then pending-in,
// pending-out and blocked, each by name; for admins and the system.
// Returns EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) FindPartners(ctx context.Context, filter shrooms.PartnerFilter) ([]*shrooms.Partner, error) {
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cond, args := "1", []any{}
	if filter.ActorIDs != nil {
		if len(filter.ActorIDs) == 0 {
			return []*shrooms.Partner{}, nil
		}
		cond = "p.actor_id IN (?" + strings.Repeat(", ?", len(filter.ActorIDs)-1) + ")"
		for _, id := range filter.ActorIDs {
			args = append(args, id)
		}
	}
	ps, err := findPartners(ctx, tx, cond, args...)
	if err != nil {
		return nil, err
	}
	if filter.State == "" {
		return ps, nil
	}
	out := []*shrooms.Partner{}
	for _, p := range ps {
		if p.State == filter.State {
			out = append(out, p)
		}
	}
	return out, nil
}

// FindPartner returns the partner with this actor ID, for admins and the
// system. Returns ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN.
func (s *PartnerService) FindPartner(ctx context.Context, actorID int64) (*shrooms.Partner, error) {
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findPartner(ctx, tx, actorID)
}

// FindPartnersToSync returns the linked partners whose sync is due at
// now: never synced or asked for (due), interrupted (running, resumed),
// failed and due for a retry, or done before now-interval. For admins and
// the system.
func (s *PartnerService) FindPartnersToSync(ctx context.Context, now time.Time, interval time.Duration) ([]*shrooms.Partner, error) {
	tx, err := s.db.readAsAdmin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, err
	}
	return findPartners(ctx, tx, `p.actor_id IN (`+linkedPartnersSQL+` AND (p.sync_state IN ('due', 'running')
		OR (p.sync_state = 'failed' AND COALESCE(p.sync_next_at, 0) <= ?)
		OR (p.sync_state = 'done' AND COALESCE(p.sync_finished_at, 0) <= ?)))`,
		org.ID, org.ID, now.UnixMilli(), now.Add(-interval).UnixMilli())
}

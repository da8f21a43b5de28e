package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	shrooms "github.com/shrooms-org/shrooms"
)

// linkedPartners returns our organisation actor and the linked partners'
// actors (linkedPartnersSQL: both follows accepted, not blocked, host not
// blocked), by name. Only they are ever searched or shown.
func linkedPartners(ctx context.Context, tx *sql.Tx) (*shrooms.Actor, []*shrooms.Actor, error) {
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+actorColumns+` FROM actors WHERE id IN (`+linkedPartnersSQL+`)
		ORDER BY name COLLATE NOCASE, id`, org.ID, org.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("find linked partners: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.Actor
	for rows.Next() {
		a, err := scanActor(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("find linked partners: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("find linked partners: %w", err)
	}
	return org, out, nil
}

// isLinkedPartner reports whether actorID is a linked partner.
func isLinkedPartner(ctx context.Context, tx *sql.Tx, actorID int64) (bool, error) {
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT ? IN (`+linkedPartnersSQL+`)`, actorID, org.ID, org.ID).Scan(&ok); err != nil {
		return false, fmt.Errorf("check partner: %w", err)
	}
	return ok, nil
}

// searchExclusions returns the organisations a user left out of searches.
func searchExclusions(ctx context.Context, tx *sql.Tx, userID int64) (map[int64]bool, error) {
	ids, err := queryColumn[int64](ctx, tx, "load search choice",
		`SELECT actor_id FROM search_exclusions WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// searchInstances lists our organisation then the linked partners, with
// whether the caller's searches include them (the system excludes none).
func searchInstances(ctx context.Context, tx *sql.Tx, p shrooms.Principal) ([]*shrooms.SearchInstance, error) {
	org, partners, err := linkedPartners(ctx, tx)
	if err != nil {
		return nil, err
	}
	excluded := map[int64]bool{}
	if p.User != nil {
		if excluded, err = searchExclusions(ctx, tx, p.User.ID); err != nil {
			return nil, err
		}
	}
	out := []*shrooms.SearchInstance{{Org: org, Local: true, Included: !excluded[org.ID]}}
	for _, a := range partners {
		out = append(out, &shrooms.SearchInstance{Org: a, Included: !excluded[a.ID]})
	}
	return out, nil
}

// FindSearchInstances returns our organisation and every linked partner,
// with whether the caller's searches include them, for logged-in users
// (EUNAUTHORIZED).
func (s *SearchService) FindSearchInstances(ctx context.Context) ([]*shrooms.SearchInstance, error) {
	tx, err := s.db.readAsUser(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return nil, err
	}
	return searchInstances(ctx, tx, p)
}

// SetSearchInstances saves the caller's choice of the organisations their
// searches include, as the list of those left out, so that a partner
// linked later is included. Returns EINVALID for an ID that is neither
// ours nor a linked partner, EUNAUTHORIZED for anyone but an active user.
func (s *SearchService) SetSearchInstances(ctx context.Context, included []int64) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, err := principal(ctx, tx)
	if err != nil {
		return err
	}
	if !p.User.Active() {
		return shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("core.error.db_login_first")
	}
	all, err := searchInstances(ctx, tx, p)
	if err != nil {
		return err
	}
	known := map[int64]bool{}
	for _, in := range all {
		known[in.Org.ID] = true
	}
	for _, id := range included {
		if !known[id] {
			// No ID in the message, so that the catalogs translate it; the
			// form and the API both sent the list they were given.
			return shrooms.Errorf(shrooms.EINVALID, "instances: choose this organisation or linked partners only").Keyed("search.error.db_instances").On("instances").
				Keyed("search.error.db_instances").On("instances")
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_exclusions WHERE user_id = ?`, p.User.ID); err != nil {
		return fmt.Errorf("save search choice: %w", err)
	}
	for _, in := range all {
		if slices.Contains(included, in.Org.ID) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_exclusions (user_id, actor_id) VALUES (?, ?)`,
			p.User.ID, in.Org.ID); err != nil {
			return dbError(err, nil)
		}
	}
	return commit(tx)
}

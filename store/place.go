package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// locations is the module places belong to.
const locations = "locations"

// placeCaller resolves the caller for places: the module must be on
// (ENOTFOUND otherwise); public reports whether they see only public
// places (anonymous visitors and anyone without the module's read grant).
func placeCaller(ctx context.Context, tx *sql.Tx) (p shrooms.Principal, grants []shrooms.Grant, public bool, err error) {
	if p, err = principal(ctx, tx); err != nil || p.System {
		return p, nil, false, err
	}
	on, err := moduleOn(ctx, tx, locations)
	if err != nil {
		return p, nil, false, err
	}
	if !on {
		return p, nil, false, notFound("module %s is off", locations).Keyed("core.error.db_module_off", "Module", locations)
	}
	if grants, err = findGrants(ctx, tx); err != nil {
		return p, nil, false, err
	}
	return p, grants, p.ModuleAccess(grants, locations)&shrooms.AccessRead == 0, nil
}

// FindPlaces returns the places the caller may see, in tree order, with
// their item counts. Anonymous visitors see public places only.
func (s *PlaceService) FindPlaces(ctx context.Context) ([]*shrooms.Place, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, grants, public, err := placeCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	vis, args, err := itemsCounted(ctx, tx, p, grants)
	if err != nil {
		return nil, err
	}
	all, err := findPlaces(ctx, tx, vis, args)
	if err != nil {
		return nil, err
	}
	if !public {
		return all, nil
	}
	return publicPlaces(all), nil
}

// publicPlaces keeps the public places for a caller who may read only
// those, each with its path as placePath cuts it: a members-only
// parent's name is not theirs to read.
func publicPlaces(all []*shrooms.Place) []*shrooms.Place {
	nodes := make(map[int64]placeNode, len(all))
	for _, p := range all {
		nodes[p.ID] = placeNode{parent: p.ParentID, name: p.Name, public: p.Public}
	}
	var out []*shrooms.Place
	for _, p := range all {
		if path, ok := placePath(nodes, p.ID, false); ok {
			p.Path, p.Depth = path, strings.Count(path, " › ")
			out = append(out, p)
		}
	}
	return out
}

// FindPlaceByID returns ENOTFOUND for an unknown place or one the caller
// may not see.
func (s *PlaceService) FindPlaceByID(ctx context.Context, id int64) (*shrooms.Place, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	caller, grants, public, err := placeCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	vis, args, err := itemsCounted(ctx, tx, caller, grants)
	if err != nil {
		return nil, err
	}
	all, err := findPlaces(ctx, tx, vis, args)
	if err != nil {
		return nil, err
	}
	if public {
		all = publicPlaces(all)
	}
	for _, p := range all {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, shrooms.Errorf(shrooms.ENOTFOUND, "place not found").Keyed("places.error.not_found")
}

// CreatePlace stores a new place for a locations manager. Returns
// EINVALID, ENOTFOUND for an unknown parent, ECONFLICT for a tree too
// deep, EFORBIDDEN, EUNAUTHORIZED.
func (s *PlaceService) CreatePlace(ctx context.Context, p *shrooms.Place) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := s.db.placeWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkTreeParent(ctx, tx, "places", "place", 0, p.ParentID); err != nil {
		return err
	}
	now := s.db.now().UnixMilli()
	lat, lon := placePoint(p)
	res, err := tx.ExecContext(ctx, `INSERT INTO places (parent_id, kind, name, description, street, postal_code, city,
		country, latitude, longitude, public, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(p.ParentID), string(p.Kind), p.Name, p.Description, p.Street, p.PostalCode, p.City, p.Country,
		lat, lon, boolInt(p.Public), now, now)
	if err != nil {
		return dbError(err, nil)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create place: %w", err)
	}
	return s.db.commitPlace(ctx, tx, p)
}

// UpdatePlace changes a place. Returns as CreatePlace, ENOTFOUND for an
// unknown place, and ECONFLICT when the new parent is the place or one of
// its descendants.
func (s *PlaceService) UpdatePlace(ctx context.Context, p *shrooms.Place) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := s.db.placeWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findPlace(ctx, tx, "1 = 1", nil, p.ID); err != nil {
		return err
	}
	if err := checkTreeParent(ctx, tx, "places", "place", p.ID, p.ParentID); err != nil {
		return err
	}
	lat, lon := placePoint(p)
	if _, err := tx.ExecContext(ctx, `UPDATE places SET parent_id = ?, kind = ?, name = ?, description = ?, street = ?,
		postal_code = ?, city = ?, country = ?, latitude = ?, longitude = ?, public = ?, updated_at = ? WHERE id = ?`,
		nullID(p.ParentID), string(p.Kind), p.Name, p.Description, p.Street, p.PostalCode, p.City, p.Country,
		lat, lon, boolInt(p.Public), s.db.now().UnixMilli(), p.ID); err != nil {
		return dbError(err, nil)
	}
	return s.db.commitPlace(ctx, tx, p)
}

// DeletePlace removes a place without children or items. Returns
// ECONFLICT, ENOTFOUND, EFORBIDDEN.
func (s *PlaceService) DeletePlace(ctx context.Context, id int64) error {
	tx, err := s.db.placeWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findPlace(ctx, tx, "1 = 1", nil, id); err != nil {
		return err
	}
	var used int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM items WHERE place_id = ?)
		+ (SELECT count(*) FROM places WHERE parent_id = ?)`, id, id).Scan(&used); err != nil {
		return fmt.Errorf("delete place: %w", err)
	}
	if used > 0 {
		return shrooms.Errorf(shrooms.ECONFLICT, "the place still has items or places inside it").Keyed("places.error.not_empty")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM places WHERE id = ?`, id); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}

// placeWrite opens a write transaction for a locations manager.
func (db *DB) placeWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	p, err := principal(ctx, tx)
	if err == nil {
		err = requireModule(ctx, tx, p, locations, shrooms.AccessWrite)
	}
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// commitPlace reloads the place's path and count, then commits.
func (db *DB) commitPlace(ctx context.Context, tx *sql.Tx, p *shrooms.Place) error {
	caller, err := principal(ctx, tx)
	if err != nil {
		return err
	}
	grants, err := findGrants(ctx, tx)
	if err != nil {
		return err
	}
	vis, args, err := itemsCounted(ctx, tx, caller, grants)
	if err != nil {
		return err
	}
	got, err := findPlace(ctx, tx, vis, args, p.ID)
	if err != nil {
		return err
	}
	if err := commit(tx); err != nil {
		return err
	}
	*p = *got
	return nil
}

// placePoint is the coordinates as stored: NULL without a point.
func placePoint(p *shrooms.Place) (lat, lon any) {
	if !p.HasPoint {
		return nil, nil
	}
	return p.Latitude, p.Longitude
}

// itemsCounted is the SQL condition (on items aliased i) of the items a
// place's count includes: those the caller may read, none while the
// inventory module is off. A count of hidden items would tell visitors
// what members keep.
func itemsCounted(ctx context.Context, tx *sql.Tx, p shrooms.Principal, grants []shrooms.Grant) (string, []any, error) {
	if p.System {
		return "1 = 1", nil, nil
	}
	on, err := moduleOn(ctx, tx, inventory)
	if err != nil || !on {
		return "0 = 1", nil, err
	}
	vis, args := itemCaller{p: p, grants: grants}.visibility()
	return vis, args, nil
}

func findPlace(ctx context.Context, tx *sql.Tx, vis string, args []any, id int64) (*shrooms.Place, error) {
	all, err := findPlaces(ctx, tx, vis, args)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, shrooms.Errorf(shrooms.ENOTFOUND, "place not found").Keyed("places.error.not_found")
}

// findPlaces loads every place with the count of its items matching vis
// (see itemsCounted), in tree order. Places are few (a workshop has tens
// or hundreds), so one scan serves paths, order and lookups.
func findPlaces(ctx context.Context, tx *sql.Tx, vis string, args []any) ([]*shrooms.Place, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, COALESCE(p.parent_id, 0), p.kind, p.name, p.description, p.street,
		p.postal_code, p.city, p.country, p.latitude, p.longitude, p.public,
		(SELECT count(*) FROM items i WHERE i.place_id = p.id AND `+vis+`) FROM places p`, args...)
	if err != nil {
		return nil, fmt.Errorf("find places: %w", err)
	}
	defer rows.Close()
	byID := map[int64]*shrooms.Place{}
	var nodes []treeNode
	for rows.Next() {
		var p shrooms.Place
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Description, &p.Street, &p.PostalCode, &p.City,
			&p.Country, &lat, &lon, &p.Public, &p.Items); err != nil {
			return nil, fmt.Errorf("find places: %w", err)
		}
		p.HasPoint, p.Latitude, p.Longitude = lat.Valid && lon.Valid, lat.Float64, lon.Float64
		byID[p.ID] = &p
		nodes = append(nodes, treeNode{ID: p.ID, Parent: p.ParentID, Name: p.Name})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find places: %w", err)
	}
	out := make([]*shrooms.Place, 0, len(nodes))
	for _, n := range treeOrder(nodes) {
		p := byID[n.ID]
		p.Path, p.Depth = n.Path, n.Depth
		out = append(out, p)
	}
	return out, nil
}

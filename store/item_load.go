package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemColumns are the columns of an item row, in scanItem's order. The
// query aliases items as i.
const itemColumns = `i.id, i.kind, i.name, i.description, COALESCE(i.category_id, 0), i.condition, i.value_cents,
	i.status, i.loanable, i.loan_max_days, i.loan_deposit_cents, i.loan_members, i.loan_partners, i.loan_renewals,
	COALESCE(i.owner_id, 0), COALESCE(i.group_id, 0), COALESCE(i.place_id, 0), COALESCE(i.kit_id, 0),
	i.audience, i.fields, i.quantity, i.unit, i.min_quantity, i.version, i.created_at, i.updated_at`

// scanItem reads itemColumns, then extra destinations.
func (db *DB) scanItem(s scanner, extra ...any) (*shrooms.Item, error) {
	var i shrooms.Item
	var fields string
	var created, updated sql.NullInt64
	dest := []any{&i.ID, &i.Kind, &i.Name, &i.Description, &i.CategoryID, &i.Condition, &i.ValueCents,
		&i.Status, &i.Loanable, &i.Loan.MaxDays, &i.Loan.DepositCents, &i.Loan.Members, &i.Loan.Partners, &i.Loan.Renewals,
		&i.OwnerID, &i.GroupID, &i.PlaceID, &i.KitID,
		&i.Audience, &fields, &i.Quantity, &i.Unit, &i.MinQuantity, &i.Version, &created, &updated}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if fields != "" && fields != "{}" {
		if err := json.Unmarshal([]byte(fields), &i.Fields); err != nil {
			return nil, fmt.Errorf("item %d: decode fields: %w", i.ID, err)
		}
	}
	i.IRI = db.iris.Item(i.ID)
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(updated)
	return &i, nil
}

// loadItem returns the whole item: category path, place, owner name, kit,
// contents, field definitions and photos with absolute URLs. It checks no
// rights: callers do. Returns ENOTFOUND.
func (db *DB) loadItem(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Item, error) {
	i, err := db.scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("item not found").Keyed("items.error.db_item_not_found")
	} else if err != nil {
		return nil, fmt.Errorf("load item: %w", err)
	}
	if i.CategoryID != 0 {
		cats, err := itemTreePaths(ctx, tx, "categories")
		if err != nil {
			return nil, err
		}
		i.CategoryPath = cats[i.CategoryID]
		if i.FieldDefs, err = itemFieldDefs(ctx, tx, i.CategoryID); err != nil {
			return nil, err
		}
	}
	if i.PlaceID != 0 {
		if i.Place, err = loadItemPlace(ctx, tx, i.PlaceID); err != nil {
			return nil, err
		}
	}
	if i.OwnerID != 0 {
		var name, username string
		err := tx.QueryRowContext(ctx, `SELECT name, username FROM users WHERE id = ?`, i.OwnerID).Scan(&name, &username)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("load item owner: %w", err)
		}
		i.OwnerName = displayName(name, username)
	}
	if i.KitID != 0 {
		var k shrooms.ItemRef
		err := tx.QueryRowContext(ctx, `SELECT id, name, status FROM items WHERE id = ?`, i.KitID).Scan(&k.ID, &k.Name, &k.Status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("load item kit: %w", err)
		} else if err == nil {
			i.Kit = &k
		}
	}
	if i.Kind == shrooms.KindKit {
		if i.Contents, err = itemRefs(ctx, tx, `kit_id = ?`, i.ID); err != nil {
			return nil, err
		}
	}
	if i.Photos, err = db.itemPhotos(ctx, tx, i.ID); err != nil {
		return nil, err
	}
	return i, nil
}

// displayName is a person's name as the node shows it: their name, or
// their username when they gave none.
func displayName(name, username string) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	return username
}

// itemRefs lists id, name and status of the items matching cond, by name.
func itemRefs(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]shrooms.ItemRef, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, status FROM items i WHERE `+cond+
		` ORDER BY name COLLATE NOCASE, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load item refs: %w", err)
	}
	defer rows.Close()
	var out []shrooms.ItemRef
	for rows.Next() {
		var r shrooms.ItemRef
		if err := rows.Scan(&r.ID, &r.Name, &r.Status); err != nil {
			return nil, fmt.Errorf("load item refs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// itemPhotos lists an item's photos in order.
func (db *DB) itemPhotos(ctx context.Context, tx *sql.Tx, itemID int64) ([]shrooms.Photo, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.media_id, p.thumb_id, m.width, m.height, m.content_type
		FROM item_photos p JOIN media m ON m.id = p.media_id WHERE p.item_id = ? ORDER BY p.position`, itemID)
	if err != nil {
		return nil, fmt.Errorf("load item photos: %w", err)
	}
	defer rows.Close()
	var out []shrooms.Photo
	for rows.Next() {
		var ph shrooms.Photo
		if err := rows.Scan(&ph.MediaID, &ph.ThumbID, &ph.Width, &ph.Height, &ph.ContentType); err != nil {
			return nil, fmt.Errorf("load item photos: %w", err)
		}
		ph.URL, ph.ThumbURL = db.iris.Media(ph.MediaID), db.iris.Media(ph.ThumbID)
		out = append(out, ph)
	}
	return out, rows.Err()
}

// itemTreePaths returns the path ("Tools › Power tools") of every row of
// a tree table (categories or places). The tables are small next to
// items, so one scan per call beats a recursive query per row.
func itemTreePaths(ctx context.Context, tx *sql.Tx, table string) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), name FROM `+table)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", table, err)
	}
	defer rows.Close()
	type node struct {
		parent int64
		name   string
	}
	nodes := map[int64]node{}
	for rows.Next() {
		var id int64
		var n node
		if err := rows.Scan(&id, &n.parent, &n.name); err != nil {
			return nil, fmt.Errorf("load %s: %w", table, err)
		}
		nodes[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load %s: %w", table, err)
	}
	paths := make(map[int64]string, len(nodes))
	var path func(id int64, depth int) string
	path = func(id int64, depth int) string {
		if p, ok := paths[id]; ok {
			return p
		}
		n, ok := nodes[id]
		if !ok || depth > len(nodes) { // a cycle would be a bug elsewhere; do not loop
			return ""
		}
		p := n.name
		if n.parent != 0 {
			if pp := path(n.parent, depth+1); pp != "" {
				p = pp + " › " + n.name
			}
		}
		paths[id] = p
		return p
	}
	for id := range nodes {
		path(id, 0)
	}
	return paths, nil
}

// itemFieldDefs returns the custom fields of a category and its
// ancestors, root first, each category's in position order.
func itemFieldDefs(ctx context.Context, tx *sql.Tx, categoryID int64) ([]shrooms.CustomField, error) {
	if categoryID == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE up (id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM categories WHERE id = ?
			UNION ALL
			SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id WHERE up.depth < 100
		)
		SELECT f.id, f.category_id, f.key, f.label, f.type, f.choices, f.required
		FROM custom_fields f JOIN up ON up.id = f.category_id
		ORDER BY up.depth DESC, f.position, f.id`, categoryID)
	if err != nil {
		return nil, fmt.Errorf("load custom fields: %w", err)
	}
	defer rows.Close()
	var out []shrooms.CustomField
	for rows.Next() {
		var f shrooms.CustomField
		var choices string
		if err := rows.Scan(&f.ID, &f.CategoryID, &f.Key, &f.Label, &f.Type, &choices, &f.Required); err != nil {
			return nil, fmt.Errorf("load custom fields: %w", err)
		}
		if choices != "" && choices != "[]" {
			if err := json.Unmarshal([]byte(choices), &f.Choices); err != nil {
				return nil, fmt.Errorf("custom field %d: decode choices: %w", f.ID, err)
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// loadItemPlace returns a place with its path, or ENOTFOUND.
func loadItemPlace(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Place, error) {
	var p shrooms.Place
	var lat, lon sql.NullFloat64
	err := tx.QueryRowContext(ctx, `SELECT id, COALESCE(parent_id, 0), kind, name, description, street, postal_code,
		city, country, latitude, longitude, public FROM places WHERE id = ?`, id).
		Scan(&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Description, &p.Street, &p.PostalCode, &p.City, &p.Country,
			&lat, &lon, &p.Public)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("place not found").Keyed("places.error.not_found")
	} else if err != nil {
		return nil, fmt.Errorf("load place: %w", err)
	}
	p.HasPoint, p.Latitude, p.Longitude = lat.Valid && lon.Valid, lat.Float64, lon.Float64
	paths, err := itemTreePaths(ctx, tx, "places")
	if err != nil {
		return nil, err
	}
	p.Path = paths[id]
	p.Depth = strings.Count(p.Path, " › ")
	return &p, nil
}

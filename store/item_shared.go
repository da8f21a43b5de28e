package store

import (
	"context"
	"database/sql"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxSharedPage bounds one page of the shared collection.
const maxSharedPage = 200

// sharedAudiences is the SQL condition (on items aliased i) of what may
// leave the node at all: public and partners-only items. Who may read
// which of them is the caller's visibility.
const sharedAudiences = `+i.audience IN ('public', 'partners')`

// sharedSnapshot loads an item as it may leave the node: the same
// stripping as a federated Create (no member's name, no private place; a
// public item names only public kits and contents, a partners-only one
// partners-only ones too — the collection serves it only to partners).
func (db *DB) sharedSnapshot(ctx context.Context, tx *sql.Tx, id int64) (*shrooms.Item, error) {
	i, err := db.loadItem(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	snap := publicSnapshot(i)
	if err := keepSharedRefs(ctx, tx, snap); err != nil {
		return nil, err
	}
	return snap, nil
}

// FindSharedItems returns the page of the shared collection after item
// afterID, ascending by ID: of the public and partners-only items, those
// the caller of ctx may read (a partner the partners-only ones of the
// modules its policy shares, anyone else the public ones), as snapshots
// that may leave the node, with how many there are in all. With the
// inventory module off the collection is empty.
func (s *ItemService) FindSharedItems(ctx context.Context, afterID int64, limit int) ([]*shrooms.Item, int, error) {
	if limit <= 0 || limit > maxSharedPage {
		limit = maxSharedPage
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	if on, err := moduleOn(ctx, tx, inventory); err != nil || !on {
		return nil, 0, err
	}
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	vis, args := c.visibility()
	cond := sharedAudiences + ` AND ` + vis
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items i WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count shared items: %w", err)
	}
	ids, err := queryColumn[int64](ctx, tx, "find shared items",
		`SELECT i.id FROM items i WHERE i.id > ? AND `+cond+` ORDER BY i.id LIMIT ?`,
		append(append([]any{afterID}, args...), limit)...)
	if err != nil {
		return nil, 0, err
	}
	items := make([]*shrooms.Item, 0, len(ids))
	for _, id := range ids {
		i, err := s.db.sharedSnapshot(ctx, tx, id)
		if err != nil {
			return nil, 0, err
		}
		items = append(items, i)
	}
	return items, total, nil
}

// FindSharedItem returns one item of the shared collection as
// FindSharedItems would: public or partners-only, and readable by the
// caller under the same rules as FindItemByID. Returns ENOTFOUND for
// anything else, whether it exists or not.
func (s *ItemService) FindSharedItem(ctx context.Context, id int64) (*shrooms.Item, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := sharedItem(ctx, s.db, tx, id); err != nil {
		return nil, err
	}
	return s.db.sharedSnapshot(ctx, tx, id)
}

// sharedItem loads item id when it may leave the node (public or
// partners-only, inventory on) and the caller of ctx may read it; ENOTFOUND
// otherwise, with the same message whether it exists or not.
func sharedItem(ctx context.Context, db *DB, tx *sql.Tx, id int64) (*shrooms.Item, error) {
	if on, err := moduleOn(ctx, tx, inventory); err != nil || !on {
		if err == nil {
			err = notFound("item not found").Keyed("items.error.db_item_not_found")
		}
		return nil, err
	}
	_, i, err := db.readableItem(ctx, tx, id)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return nil, notFound("item not found").Keyed("items.error.db_item_not_found")
	}
	if err != nil {
		return nil, err
	}
	if i.Audience != shrooms.AudiencePublic && i.Audience != shrooms.AudiencePartners {
		return nil, notFound("item not found").Keyed("items.error.db_item_not_found")
	}
	return i, nil
}

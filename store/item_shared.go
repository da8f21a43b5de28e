package store

import (
	"context"
	"database/sql"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxSharedPage bounds one page of the shared collection.
const maxSharedPage = 200

// sharedCond is the SQL condition (on items) of what a reader may get
// from the shared collection: public items, and partners-only items of the
// given modules (already limited to the modules that are on). It is empty
// when nothing may be shared, because the inventory module is off.
func sharedCond(ctx context.Context, tx *sql.Tx, modules []string) (string, error) {
	on, err := settingValues(ctx, tx)
	if err != nil {
		return "", err
	}
	s := settingsFrom(on)
	if !s.HasModule("inventory") {
		return "", nil
	}
	inv, stock := false, false
	for _, m := range modules {
		switch {
		case m == "inventory":
			inv = true
		case m == "stock" && s.HasModule("stock"):
			stock = true
		}
	}
	switch {
	case inv && stock:
		return `(audience = 'public' OR audience = 'partners')`, nil
	case inv:
		return `(audience = 'public' OR (audience = 'partners' AND kind <> 'part'))`, nil
	case stock:
		return `(audience = 'public' OR (audience = 'partners' AND kind = 'part'))`, nil
	}
	return `audience = 'public'`, nil
}

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
// afterID, ascending by ID: public items and the partners-only items of
// modules (SharedModules a partner's policy gives it; nil for an unsigned
// reader), as snapshots that may leave the node, with how many there are
// in all. A module that is off shares nothing; with the inventory module
// off the collection is empty. The caller (federation) decides who the
// reader is and which modules it gets.
func (db *DB) FindSharedItems(ctx context.Context, afterID int64, modules []string, limit int) ([]*shrooms.Item, int, error) {
	if limit <= 0 || limit > maxSharedPage {
		limit = maxSharedPage
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	cond, err := sharedCond(ctx, tx, modules)
	if err != nil || cond == "" {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE `+cond).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count shared items: %w", err)
	}
	ids, err := queryColumn[int64](ctx, tx, "find shared items",
		`SELECT id FROM items WHERE id > ? AND `+cond+` ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, 0, err
	}
	items := make([]*shrooms.Item, 0, len(ids))
	for _, id := range ids {
		i, err := db.sharedSnapshot(ctx, tx, id)
		if err != nil {
			return nil, 0, err
		}
		items = append(items, i)
	}
	return items, total, nil
}

// FindSharedItem returns one item of the shared collection as
// FindSharedItems would: public, or partners-only of one of modules.
// Returns ENOTFOUND for anything else, whether it exists or not.
func (db *DB) FindSharedItem(ctx context.Context, id int64, modules []string) (*shrooms.Item, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cond, err := sharedCond(ctx, tx, modules)
	if err != nil {
		return nil, err
	}
	if cond == "" {
		return nil, notFound("item not found")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE id = ? AND `+cond, id).Scan(&n); err != nil {
		return nil, fmt.Errorf("find shared item: %w", err)
	}
	if n == 0 {
		return nil, notFound("item not found")
	}
	return db.sharedSnapshot(ctx, tx, id)
}

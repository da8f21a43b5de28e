package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxTreeDepth bounds category and place trees: deeper is a mistake, and
// the bound keeps every walk up or down the tree short.
const maxTreeDepth = 8

// FindCategories returns every category in tree order with its own
// fields and item count. Categories are not secret: anyone may list them
// while the inventory module is on. Returns ENOTFOUND when it is off.
func (s *CategoryService) FindCategories(ctx context.Context) ([]*shrooms.Category, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	return findCategories(ctx, tx, c)
}

// FindCategoryByID returns one category with its own fields. Returns
// ENOTFOUND.
func (s *CategoryService) FindCategoryByID(ctx context.Context, id int64) (*shrooms.Category, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	return findCategory(ctx, tx, c, id)
}

// FindFieldsFor returns the fields of a category and its ancestors, root
// first. Returns ENOTFOUND.
func (s *CategoryService) FindFieldsFor(ctx context.Context, id int64) ([]shrooms.CustomField, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	if id != 0 {
		if _, err := findCategory(ctx, tx, c, id); err != nil {
			return nil, err
		}
	}
	return itemFieldDefs(ctx, tx, id)
}

// CreateCategory stores a new category for an inventory manager. Returns
// EINVALID, ENOTFOUND for an unknown parent, ECONFLICT for a taken name
// among its siblings or a tree too deep, EFORBIDDEN.
func (s *CategoryService) CreateCategory(ctx context.Context, c *shrooms.Category) error {
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := s.db.categoryWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkTreeParent(ctx, tx, "categories", "category", 0, c.ParentID); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO categories (parent_id, name, created_at) VALUES (?, ?, ?)`,
		nullID(c.ParentID), c.Name, s.db.now().UnixMilli())
	if err != nil {
		return categoryError(err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create category: %w", err)
	}
	if err := commit(tx); err != nil {
		return err
	}
	return s.db.fillCategory(ctx, c)
}

// UpdateCategory renames or moves a category. Returns as CreateCategory,
// and ECONFLICT when the new parent is the category or one of its
// descendants.
func (s *CategoryService) UpdateCategory(ctx context.Context, c *shrooms.Category) error {
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := s.db.categoryWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findCategory(ctx, tx, everything, c.ID); err != nil {
		return err
	}
	if err := checkTreeParent(ctx, tx, "categories", "category", c.ID, c.ParentID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE categories SET parent_id = ?, name = ? WHERE id = ?`,
		nullID(c.ParentID), c.Name, c.ID); err != nil {
		return categoryError(err)
	}
	if err := commit(tx); err != nil {
		return err
	}
	return s.db.fillCategory(ctx, c)
}

// DeleteCategory removes a category without items or subcategories.
// Returns ECONFLICT, ENOTFOUND, EFORBIDDEN.
func (s *CategoryService) DeleteCategory(ctx context.Context, id int64) error {
	tx, err := s.db.categoryWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findCategory(ctx, tx, everything, id); err != nil {
		return err
	}
	var used int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM items WHERE category_id = ?)
		+ (SELECT count(*) FROM categories WHERE parent_id = ?)`, id, id).Scan(&used); err != nil {
		return fmt.Errorf("delete category: %w", err)
	}
	if used > 0 {
		return shrooms.Errorf(shrooms.ECONFLICT, "the category still has items or subcategories").Keyed("items.categories.error.not_empty")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM categories WHERE id = ?`, id); err != nil {
		return categoryError(err)
	}
	return commit(tx)
}

// SetCategoryFields replaces a category's own field definitions, for
// admins. Returns EINVALID naming the field, ECONFLICT for a key that
// repeats or is used by an ancestor or a descendant, ENOTFOUND.
func (s *CategoryService) SetCategoryFields(ctx context.Context, id int64, fields []shrooms.CustomField) error {
	seen := map[string]bool{}
	for i := range fields {
		if err := fields[i].Validate(); err != nil {
			return err
		}
		if seen[fields[i].Key] {
			return shrooms.Errorf(shrooms.ECONFLICT, "field key %s is used twice", fields[i].Key).Keyed("items.error.db_field_key_twice", "Key", fields[i].Key).On("fields").
				Keyed("items.error.db_field_key_twice", "Key", fields[i].Key).On("fields")
		}
		seen[fields[i].Key] = true
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return err
	}
	if err := c.p.RequireAdmin(); err != nil {
		return err
	}
	if _, err := findCategory(ctx, tx, everything, id); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE
		up (id, depth) AS (SELECT parent_id, 1 FROM categories WHERE id = ?1 AND parent_id IS NOT NULL
			UNION ALL SELECT c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.id
			WHERE c.parent_id IS NOT NULL AND up.depth < 100),
		down (id, depth) AS (SELECT id, 1 FROM categories WHERE parent_id = ?1
			UNION ALL SELECT c.id, down.depth + 1 FROM categories c JOIN down ON c.parent_id = down.id WHERE down.depth < 100)
		SELECT key FROM custom_fields WHERE category_id IN (SELECT id FROM up UNION SELECT id FROM down)`, id)
	if err != nil {
		return fmt.Errorf("set fields: %w", err)
	}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			rows.Close()
			return fmt.Errorf("set fields: %w", err)
		}
		if seen[key] {
			rows.Close()
			return shrooms.Errorf(shrooms.ECONFLICT, "field key %s is already used by a parent or a subcategory", key).Keyed("items.error.db_field_key_used", "Key", key).On("fields").
				Keyed("items.error.db_field_key_used", "Key", key).On("fields")
		}
	}
	rows.Close()
	if _, err := tx.ExecContext(ctx, `DELETE FROM custom_fields WHERE category_id = ?`, id); err != nil {
		return fmt.Errorf("set fields: %w", err)
	}
	for pos, f := range fields {
		choices, _ := json.Marshal(f.Choices)
		if f.Choices == nil {
			choices = []byte("[]")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO custom_fields (category_id, key, label, type, choices, required, position)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, f.Key, f.Label, string(f.Type), string(choices), boolInt(f.Required), pos); err != nil {
			return dbError(err, nil)
		}
	}
	return commit(tx)
}

// categoryWrite opens a write transaction for an inventory manager.
func (db *DB) categoryWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	c, err := inventoryCaller(ctx, tx)
	if err == nil {
		err = c.module(shrooms.AccessWrite)
	}
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// fillCategory reloads what the store sets on a category (path, depth,
// fields) after a write.
func (db *DB) fillCategory(ctx context.Context, c *shrooms.Category) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	caller, err := inventoryCaller(ctx, tx)
	if err != nil {
		return err
	}
	got, err := findCategory(ctx, tx, caller, c.ID)
	if err != nil {
		return err
	}
	*c = *got
	return nil
}

// categoryError names the sibling clash.
func categoryError(err error) error {
	return dbError(err, map[string]*shrooms.Error{"index 'categories_sibling'": refusal("name: another category here has this name").
		Keyed("items.error.db_category_sibling").On("name")})
}

// everything is the caller of existence checks inside writes: it counts
// every item.
var everything = itemCaller{p: shrooms.Principal{System: true}}

func findCategory(ctx context.Context, tx *sql.Tx, c itemCaller, id int64) (*shrooms.Category, error) {
	all, err := findCategories(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, notFound("category not found").Keyed("items.error.db_category_not_found")
}

// findCategories loads every category with its own fields and the count
// of its items that caller may read, in tree order: a count of hidden
// items would tell anonymous visitors what members keep.
func findCategories(ctx context.Context, tx *sql.Tx, caller itemCaller) ([]*shrooms.Category, error) {
	vis, args := caller.visibility()
	rows, err := tx.QueryContext(ctx, `SELECT c.id, COALESCE(c.parent_id, 0), c.name,
		(SELECT count(*) FROM items i WHERE i.category_id = c.id AND `+vis+`) FROM categories c`, args...)
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	var all []*shrooms.Category
	byID := map[int64]*shrooms.Category{}
	for rows.Next() {
		var c shrooms.Category
		if err := rows.Scan(&c.ID, &c.ParentID, &c.Name, &c.Items); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find categories: %w", err)
		}
		all = append(all, &c)
		byID[c.ID] = &c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	frows, err := tx.QueryContext(ctx, `SELECT id, category_id, key, label, type, choices, required
		FROM custom_fields ORDER BY category_id, position, id`)
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var f shrooms.CustomField
		var choices string
		if err := frows.Scan(&f.ID, &f.CategoryID, &f.Key, &f.Label, &f.Type, &choices, &f.Required); err != nil {
			return nil, fmt.Errorf("find categories: %w", err)
		}
		if err := json.Unmarshal([]byte(choices), &f.Choices); err != nil {
			return nil, fmt.Errorf("custom field %d: %w", f.ID, err)
		}
		if c := byID[f.CategoryID]; c != nil {
			c.Fields = append(c.Fields, f)
		}
	}
	if err := frows.Err(); err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	nodes := make([]treeNode, len(all))
	for i, c := range all {
		nodes[i] = treeNode{ID: c.ID, Parent: c.ParentID, Name: c.Name}
	}
	out := make([]*shrooms.Category, 0, len(all))
	for _, n := range treeOrder(nodes) {
		c := byID[n.ID]
		c.Path, c.Depth = n.Path, n.Depth
		out = append(out, c)
	}
	return out, nil
}

// treeNode is a row of a tree table, placed by treeOrder.
type treeNode struct {
	ID, Parent int64
	Name, Path string
	Depth      int
}

// treeOrder returns the nodes depth first, siblings by name, with their
// paths and depths. Orphans (a parent that is gone) count as roots.
func treeOrder(nodes []treeNode) []treeNode {
	known := map[int64]bool{}
	children := map[int64][]treeNode{}
	for _, n := range nodes {
		known[n.ID] = true
	}
	for _, n := range nodes {
		p := n.Parent
		if !known[p] {
			p = 0
		}
		children[p] = append(children[p], n)
	}
	out := make([]treeNode, 0, len(nodes))
	var walk func(parent int64, path string, depth int)
	walk = func(parent int64, path string, depth int) {
		kids := children[parent]
		sort.Slice(kids, func(i, j int) bool {
			a, b := strings.ToLower(kids[i].Name), strings.ToLower(kids[j].Name)
			if a != b {
				return a < b
			}
			return kids[i].ID < kids[j].ID
		})
		for _, k := range kids {
			k.Path, k.Depth = k.Name, depth
			if path != "" {
				k.Path = path + " › " + k.Name
			}
			out = append(out, k)
			if depth < 100 {
				walk(k.ID, k.Path, depth+1)
			}
		}
	}
	walk(0, "", 0)
	return out
}

// checkTreeParent checks that parent exists in table and that making it
// id's parent (id 0: a new row) keeps the tree a tree, at most
// maxTreeDepth deep. Returns ENOTFOUND "<what> parent not found" or
// ECONFLICT.
func checkTreeParent(ctx context.Context, tx *sql.Tx, table, what string, id, parent int64) error {
	if parent == 0 {
		return nil
	}
	depth := 0
	for cur := parent; cur != 0; depth++ {
		if cur == id {
			return treeError(shrooms.Errorf(shrooms.ECONFLICT, "parent: a %s cannot be inside itself", what), what, "parent_self")
		}
		var next sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT parent_id FROM `+table+` WHERE id = ?`, cur).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			if cur == parent {
				return treeError(shrooms.Errorf(shrooms.ENOTFOUND, "parent %s not found", what), what, "parent_missing")
			}
			break
		} else if err != nil {
			return fmt.Errorf("check parent: %w", err)
		}
		if depth > 100 {
			break
		}
		cur = next.Int64
	}
	below := 0
	if id != 0 {
		if err := tx.QueryRowContext(ctx, `WITH RECURSIVE down (id, depth) AS (
			SELECT id, 1 FROM `+table+` WHERE parent_id = ?
			UNION ALL SELECT t.id, down.depth + 1 FROM `+table+` t JOIN down ON t.parent_id = down.id WHERE down.depth < 100)
			SELECT COALESCE(max(depth), 0) FROM down`, id).Scan(&below); err != nil {
			return fmt.Errorf("check parent: %w", err)
		}
	}
	if depth+below >= maxTreeDepth {
		return treeError(shrooms.Errorf(shrooms.ECONFLICT, "parent: at most %d levels", maxTreeDepth), what, "parent_depth")
	}
	return nil
}

// treeError gives e, an error about the parent chosen for a place or a
// category, its field and the key of its kind of tree: the keys are
// literal, so that the catalog test finds them.
func treeError(e *shrooms.Error, what, kind string) error {
	e.On("parent")
	switch what + "." + kind {
	case "place.parent_self":
		e.Keyed("places.error.parent_self")
	case "place.parent_missing":
		e.Keyed("places.error.parent_missing")
	case "place.parent_depth":
		e.Keyed("places.error.parent_depth", "Max", maxTreeDepth)
	case "category.parent_self":
		e.Keyed("items.categories.error.parent_self")
	case "category.parent_missing":
		e.Keyed("items.categories.error.parent_missing")
	case "category.parent_depth":
		e.Keyed("items.categories.error.parent_depth", "Max", maxTreeDepth)
	}
	return e
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// inventory is the module items, categories, comments and imports belong to.
const inventory = "inventory"

// itemCaller is who acts on items, with the grants the rules need.
type itemCaller struct {
	p      shrooms.Principal
	grants []shrooms.Grant
}

// inventoryCaller resolves the caller of ctx. The inventory module being
// off is ENOTFOUND to everyone but the system, as if it did not exist.
func inventoryCaller(ctx context.Context, tx *sql.Tx) (itemCaller, error) {
	p, err := principal(ctx, tx)
	if err != nil {
		return itemCaller{}, err
	}
	c := itemCaller{p: p}
	if p.System {
		return c, nil
	}
	on, err := moduleOn(ctx, tx, inventory)
	if err != nil {
		return c, err
	}
	if !on {
		return c, notFound("module %s is off", inventory).Keyed("core.error.db_module_off", "Module", inventory)
	}
	if c.grants, err = findGrants(ctx, tx); err != nil {
		return c, err
	}
	return c, nil
}

// can returns nil when the caller holds want on item i: ENOTFOUND when
// they may not read it, EFORBIDDEN when they may only read it.
func (c itemCaller) can(i *shrooms.Item, want shrooms.Access) error {
	module := inventory
	if c.p.Partner {
		// Local grants treat every item as inventory's; a sharing
		// policy tells parts (stock) apart from the rest.
		module = shrooms.ItemModule(i.Kind)
	}
	return c.p.CanRecord(c.grants, module, i.Ownership(), want, "item")
}

// module returns nil when the caller holds want in the inventory module.
func (c itemCaller) module(want shrooms.Access) error {
	return c.p.CanModule(c.grants, inventory, want)
}

// manager reports whether the caller manages every item.
func (c itemCaller) manager() bool {
	return c.p.ModuleAccess(c.grants, inventory)&shrooms.AccessWrite != 0
}

// nullID stores an optional reference: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateItem validates and stores a new item for a caller with the
// inventory write grant, records its creation and, for a public or
// partners item, writes a Create to the outbox. Without an audience it
// gets the settings' default for its module (inventory, or stock for a
// part). A part's initial quantity is the first stock movement. Returns
// EINVALID naming the field, ENOTFOUND naming an unknown category, place,
// owner, group or kit or one the caller may not read (checkItemRefs),
// EFORBIDDEN, EUNAUTHORIZED.
func (s *ItemService) CreateItem(ctx context.Context, i *shrooms.Item) error {
	if i.Audience == "" { // the admins' default for the item's module
		if set, err := s.db.readSettings(ctx); err == nil {
			i.Audience = set.DefaultAudience(shrooms.ItemModule(i.Kind))
		}
	}
	if err := i.Validate(); err != nil {
		return err
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
	if err := c.module(shrooms.AccessReadWrite); err != nil {
		return err
	}
	if err := checkItemRefs(ctx, tx, c, i, nil, true); err != nil {
		return err
	}
	created, err := s.db.insertItem(ctx, tx, c.p, i, shrooms.ActionCreated)
	if err != nil {
		return err
	}
	if err := commit(tx); err != nil {
		return err
	}
	*i = *created
	return nil
}

// insertItem stores a validated, checked item with its initial stock
// movement and first history entry, federates it, and returns it loaded.
func (db *DB) insertItem(ctx context.Context, tx *sql.Tx, p shrooms.Principal, i *shrooms.Item,
	action shrooms.ChangeAction) (*shrooms.Item, error) {
	fields, err := json.Marshal(i.Fields)
	if err != nil {
		return nil, fmt.Errorf("insert item: %w", err)
	}
	if i.Fields == nil {
		fields = []byte("{}")
	}
	now := db.now().UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO items (kind, name, description, category_id, condition, value_cents,
		status, loanable, loan_max_days, loan_deposit_cents, loan_members, loan_partners, loan_renewals, owner_id,
		group_id, place_id, kit_id, audience, fields, quantity, unit, min_quantity, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		i.Kind, i.Name, i.Description, nullID(i.CategoryID), i.Condition, i.ValueCents,
		i.Status, i.Loanable, i.Loan.MaxDays, i.Loan.DepositCents, i.Loan.Members, i.Loan.Partners,
		i.Loan.Renewals, nullID(i.OwnerID), nullID(i.GroupID), nullID(i.PlaceID), nullID(i.KitID), i.Audience, string(fields),
		i.Quantity, i.Unit, i.MinQuantity, now, now)
	if err != nil {
		return nil, dbError(err, nil)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("insert item: %w", err)
	}
	if i.Kind == shrooms.KindPart && i.Quantity > 0 {
		// The stock history starts with what was there, so that its
		// balances add up.
		var userID any
		var userName string
		if p.User != nil {
			userID, userName = p.User.ID, displayName(p.User.Name, p.User.Username)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stock_movements (item_id, kind, amount, delta, balance, reason,
			user_id, user_name, at) VALUES (?, 'in', ?, ?, ?, 'initial quantity', ?, ?, ?)`,
			id, i.Quantity, i.Quantity, i.Quantity, userID, userName, now); err != nil {
			return nil, dbError(err, nil)
		}
	}
	if err := db.recordChange(ctx, tx, p, id, action, nil, ""); err != nil {
		return nil, err
	}
	created, err := db.loadItem(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := db.federateItem(ctx, tx, nil, created); err != nil {
		return nil, err
	}
	return created, nil
}

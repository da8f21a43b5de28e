package store

import (
	"context"
	"encoding/json"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// UpdateItem applies u for a caller who may change the item, records
// which fields changed from what to what (check-out and check-in as
// such) and federates the change. The quantity is not changed here: only
// stock movements do. A change that changes nothing writes nothing.
// Returns EINVALID naming the field, ENOTFOUND (also for an item the
// caller may not read, and naming a reference that is unknown or that
// the caller may not read, see checkItemRefs), EFORBIDDEN,
// ECONFLICT for a stale Version.
func (s *ItemService) UpdateItem(ctx context.Context, id int64, u shrooms.ItemUpdate) (*shrooms.Item, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	before, err := s.db.loadItem(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := c.can(before, shrooms.AccessWrite); err != nil {
		return nil, err
	}
	if u.Version != 0 && u.Version != before.Version {
		return nil, shrooms.Errorf(shrooms.ECONFLICT, "the item was changed by someone else; reload and try again").Keyed("items.error.conflict")
	}
	// The rules of a change (stock fields, check-out and check-in) are
	// the domain's; the store adds what needs the database.
	i, action, err := before.Apply(u)
	if err != nil {
		return nil, err
	}
	lending, err := moduleOn(ctx, tx, loansModule)
	if err != nil {
		return nil, err
	}
	if err := shrooms.CheckLendingStatus(before, i, lending); err != nil {
		return nil, err
	}
	if u.Fields == nil && i.CategoryID != before.CategoryID {
		// Keep the values the new category still defines.
		defs, err := itemFieldDefs(ctx, tx, i.CategoryID)
		if err != nil {
			return nil, err
		}
		kept := map[string]string{}
		for _, d := range defs {
			if v, ok := before.Fields[d.Key]; ok {
				kept[d.Key] = v
			}
		}
		i.Fields = kept
	}
	// With the same category and no new values, values of keys an admin
	// removed since stay as they are.
	normalise := u.Fields != nil || i.CategoryID != before.CategoryID
	if err := checkItemRefs(ctx, tx, c, i, before, normalise); err != nil {
		return nil, err
	}
	fields, err := json.Marshal(i.Fields)
	if err != nil {
		return nil, fmt.Errorf("update item: %w", err)
	}
	if i.Fields == nil {
		fields = []byte("{}")
	}
	res, err := tx.ExecContext(ctx, `UPDATE items SET kind = ?, name = ?, description = ?, category_id = ?,
		condition = ?, value_cents = ?, status = ?, loanable = ?, loan_max_days = ?, loan_deposit_cents = ?,
		loan_members = ?, loan_partners = ?, loan_renewals = ?, owner_id = ?, group_id = ?, place_id = ?, kit_id = ?, audience = ?,
		fields = ?, unit = ?, min_quantity = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`,
		i.Kind, i.Name, i.Description, nullID(i.CategoryID), i.Condition, i.ValueCents, i.Status, i.Loanable,
		i.Loan.MaxDays, i.Loan.DepositCents, i.Loan.Members, i.Loan.Partners, i.Loan.Renewals, nullID(i.OwnerID), nullID(i.GroupID),
		nullID(i.PlaceID), nullID(i.KitID), i.Audience, string(fields), i.Unit, i.MinQuantity,
		s.db.now().UnixMilli(), id, before.Version)
	if err != nil {
		return nil, dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("update item: %w", err)
	} else if n == 0 {
		return nil, shrooms.Errorf(shrooms.ECONFLICT, "the item was changed by someone else; reload and try again").Keyed("items.error.conflict")
	}
	after, err := s.db.loadItem(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	changes := diffItems(before, after)
	if len(changes) == 0 {
		return before, nil // the deferred rollback forgets the version bump
	}
	if err := s.db.recordChange(ctx, tx, c.p, id, action, changes, u.Note); err != nil {
		return nil, err
	}
	if err := s.db.federateItem(ctx, tx, before, after); err != nil {
		return nil, err
	}
	// What the caller gets back is what they could read.
	if err := s.db.trimItem(ctx, tx, c, after); err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return after, nil
}

// DeleteItem removes an item for a caller who may change it, with its
// photos' images; its history, comments and photos go with it, and a
// kit's contents leave the kit. A public item gets a Delete. Returns
// ENOTFOUND, EFORBIDDEN.
func (s *ItemService) DeleteItem(ctx context.Context, id int64) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return err
	}
	before, err := s.db.loadItem(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := c.can(before, shrooms.AccessWrite); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE id = ?`, id); err != nil {
		return dbError(err, nil)
	}
	// The item_photos rows went with the item; their images are no
	// longer anyone's.
	for _, ph := range before.Photos {
		if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE id IN (?, ?)`, ph.MediaID, ph.ThumbID); err != nil {
			return dbError(err, nil)
		}
	}
	if err := s.db.federateItem(ctx, tx, before, nil); err != nil {
		return err
	}
	return commit(tx)
}

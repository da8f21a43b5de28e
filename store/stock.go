package store

import (
	"context"
	"database/sql"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// stock is the module stock movements belong to.
const stock = "stock"

// MoveStock applies a movement to a part in one write transaction: the
// quantity changes by a conditional UPDATE that refuses to go below zero,
// so that concurrent movements cannot overdraw (SQLite serialises the
// writers; the condition re-reads the row each writer sees). The movement,
// the item's history and, for a public part, an Update to the outbox are
// written in the same transaction. Returns EINVALID, ECONFLICT "not enough
// in stock", ENOTFOUND, EFORBIDDEN.
func (s *StockService) MoveStock(ctx context.Context, m *shrooms.StockMovement) error {
	if err := m.Validate(); err != nil {
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
	if err := requireModule(ctx, tx, c.p, stock, shrooms.AccessWrite); err != nil {
		return err
	}
	before, err := s.db.loadItem(ctx, tx, m.ItemID)
	if err != nil {
		return err
	}
	if err := c.can(before, shrooms.AccessRead); err != nil {
		return err
	}
	if before.Kind != shrooms.KindPart {
		return shrooms.Errorf(shrooms.EINVALID, "only parts have a stock quantity").Keyed("stock.error.db_parts_only")
	}
	delta := m.Amount
	switch m.Kind {
	case shrooms.MoveOut, shrooms.MoveRepair:
		delta = -m.Amount
	case shrooms.MoveAdjust:
		delta = m.Amount - before.Quantity
	}
	now := s.db.now()
	res, err := tx.ExecContext(ctx, `UPDATE items SET quantity = quantity + ?1, version = version + 1, updated_at = ?2
		WHERE id = ?3 AND quantity + ?1 >= 0 AND quantity + ?1 <= ?4`, delta, now.UnixMilli(), m.ItemID, shrooms.MaxQuantity)
	if err != nil {
		return stockError(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("move stock: %w", err)
	} else if n == 0 {
		if before.Quantity+delta > shrooms.MaxQuantity {
			return shrooms.Errorf(shrooms.EINVALID, "amount: the quantity would be more than %d", shrooms.MaxQuantity).Keyed("stock.error.db_amount_max", "Max", shrooms.MaxQuantity).On("amount").
				Keyed("stock.error.db_amount_max", "Max", shrooms.MaxQuantity).On("amount")
		}
		return shrooms.Errorf(shrooms.ECONFLICT, "not enough in stock").Keyed("stock.error.db_not_enough").On("amount")
	}
	m.Delta, m.Balance, m.At = delta, before.Quantity+delta, now
	if c.p.User != nil {
		m.UserID, m.UserName = c.p.User.ID, displayName(c.p.User.Name, c.p.User.Username)
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO stock_movements (item_id, kind, amount, delta, balance, reason, user_id,
		user_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ItemID, string(m.Kind), m.Amount, m.Delta, m.Balance,
		m.Reason, nullID(m.UserID), m.UserName, now.UnixMilli())
	if err != nil {
		return stockError(err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("move stock: %w", err)
	}
	change := []shrooms.FieldChange{{Field: shrooms.ChangeQuantity,
		From: quantityValue(before.Quantity, before.Unit), To: quantityValue(m.Balance, before.Unit)}}
	if err := s.db.recordChange(ctx, tx, c.p, m.ItemID, shrooms.ActionStock, change, m.Reason); err != nil {
		return err
	}
	after, err := s.db.loadItem(ctx, tx, m.ItemID)
	if err != nil {
		return err
	}
	if err := s.db.federateItem(ctx, tx, before, after); err != nil {
		return err
	}
	return commit(tx)
}

// stockError maps the last line of defence, the CHECK constraints, to the
// conflict the conditional UPDATE would have reported.
func stockError(err error) error {
	err = dbError(err, nil)
	if shrooms.ErrorCode(err) == shrooms.EINVALID {
		return shrooms.Errorf(shrooms.ECONFLICT, "not enough in stock").Keyed("stock.error.db_not_enough").On("amount")
	}
	return err
}

// FindMovements returns a part's movements, newest first, and their
// total, for callers with the stock read grant who may read the item.
// Returns ENOTFOUND, EFORBIDDEN, EUNAUTHORIZED.
func (s *StockService) FindMovements(ctx context.Context, itemID int64, offset, limit int) ([]*shrooms.StockMovement, int, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	if err := requireModule(ctx, tx, c.p, stock, shrooms.AccessRead); err != nil {
		return nil, 0, err
	}
	it, err := s.db.loadItem(ctx, tx, itemID)
	if err != nil {
		return nil, 0, err
	}
	if err := c.can(it, shrooms.AccessRead); err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stock_movements WHERE item_id = ?`, itemID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("find movements: %w", err)
	}
	offset, limit = page(offset, limit)
	rows, err := tx.QueryContext(ctx, `SELECT id, item_id, kind, amount, delta, balance, reason, COALESCE(user_id, 0),
		user_name, at FROM stock_movements WHERE item_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, itemID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("find movements: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.StockMovement
	for rows.Next() {
		var m shrooms.StockMovement
		var at sql.NullInt64
		if err := rows.Scan(&m.ID, &m.ItemID, &m.Kind, &m.Amount, &m.Delta, &m.Balance, &m.Reason, &m.UserID,
			&m.UserName, &at); err != nil {
			return nil, 0, fmt.Errorf("find movements: %w", err)
		}
		m.At = fromMS(at)
		out = append(out, &m)
	}
	return out, total, rows.Err()
}

// FindLowStock returns up to limit parts at or below their minimum,
// emptiest first, for callers who manage stock. Returns EFORBIDDEN,
// EUNAUTHORIZED, ENOTFOUND when the module is off.
func (s *StockService) FindLowStock(ctx context.Context, limit int) ([]*shrooms.Item, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := inventoryCaller(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := requireModule(ctx, tx, c.p, stock, shrooms.AccessWrite); err != nil {
		return nil, err
	}
	_, limit = page(0, limit)
	ids, err := queryColumn[int64](ctx, tx, "find low stock", `SELECT id FROM items
		WHERE kind = 'part' AND min_quantity > 0 AND quantity <= min_quantity
		ORDER BY quantity, name COLLATE NOCASE, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	var out []*shrooms.Item
	for _, id := range ids {
		it, err := s.db.loadItem(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if c.can(it, shrooms.AccessRead) == nil {
			out = append(out, it)
		}
	}
	return out, nil
}

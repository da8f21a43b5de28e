package shrooms

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// MovementKind says why a part's quantity changed.
type MovementKind string

// Stock movements. An adjustment sets the counted quantity; the others
// add (in) or take (out, repair) an amount.
const (
	MoveIn     MovementKind = "in"
	MoveOut    MovementKind = "out"
	MoveAdjust MovementKind = "adjust"
	MoveRepair MovementKind = "repair"
)

// MovementKinds lists every kind, in form order.
var MovementKinds = []MovementKind{MoveIn, MoveOut, MoveAdjust, MoveRepair}

// StockMovement is one recorded change of a part's quantity: who, when,
// why, by how much, and what was left.
type StockMovement struct {
	ID     int64        `json:"id"`
	ItemID int64        `json:"item_id"`
	Kind   MovementKind `json:"kind"`
	// Amount is what the caller asked: the quantity moved in, out or used
	// in a repair (> 0), or the counted quantity for an adjustment (≥ 0).
	Amount int64 `json:"amount"`
	// Delta and Balance are set by the store: the signed change and the
	// quantity after it.
	Delta    int64     `json:"delta"`
	Balance  int64     `json:"balance"`
	Reason   string    `json:"reason"`
	UserID   int64     `json:"user_id"`
	UserName string    `json:"user_name"`
	At       time.Time `json:"at"`
}

// Validate checks the kind, amount and reason. Returns EINVALID naming the
// field.
func (m *StockMovement) Validate() error {
	m.Reason = strings.TrimSpace(m.Reason)
	switch {
	case !oneOf(m.Kind, MovementKinds):
		return Errorf(EINVALID, "kind: must be one of in, out, adjust, repair").Keyed("stock.error.kind").On("kind")
	case m.Kind == MoveAdjust && m.Amount < 0:
		return Errorf(EINVALID, "amount: the counted quantity must not be negative").Keyed("stock.error.count_negative").On("amount")
	case m.Kind != MoveAdjust && m.Amount <= 0:
		return Errorf(EINVALID, "amount: must be more than 0").Keyed("stock.error.amount_positive").On("amount")
	case m.Amount > MaxQuantity:
		return Errorf(EINVALID, "amount: must be at most %d", MaxQuantity).Keyed("stock.error.amount_max", "Max", MaxQuantity).On("amount")
	case utf8.RuneCountInString(m.Reason) > 500:
		return Errorf(EINVALID, "reason: must be at most 500 characters").Keyed("stock.error.reason_long").On("reason")
	case m.Kind == MoveAdjust && m.Reason == "":
		return Errorf(EINVALID, "reason: say why the count changed").Keyed("stock.error.reason_required").On("reason")
	}
	return nil
}

// StockService records stock movements of parts. It needs the stock
// module's write grant to move stock and its read grant to list.
type StockService interface {
	// MoveStock applies a movement to a part atomically and sets its
	// Delta, Balance, UserID and At. The quantity never goes below 0,
	// even under concurrent movements: a movement that would is
	// ECONFLICT "not enough in stock" and changes nothing. Returns
	// EINVALID (also for an item that is not a part), ENOTFOUND,
	// EFORBIDDEN.
	MoveStock(ctx context.Context, m *StockMovement) error

	// FindMovements returns a part's movements, newest first, and their
	// total. Returns ENOTFOUND.
	FindMovements(ctx context.Context, itemID int64, offset, limit int) ([]*StockMovement, int, error)

	// FindLowStock returns up to limit parts at or below their minimum,
	// emptiest first, for staff. Returns EFORBIDDEN.
	FindLowStock(ctx context.Context, limit int) ([]*Item, error)
}

package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiMovements is a page of a part's stock movements, newest first.
func (s *server) apiMovements(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	offset, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	ms, total, err := s.Stock.FindMovements(r.Context(), id, offset, limit)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ms, total, func(m *shrooms.StockMovement) *shrooms.StockMovement { return m })
}

// apiMoveStock records a movement of a part: {"kind", "amount",
// "reason"}. It answers 201 with the movement and the balance after it,
// or 409 when the part has not enough in stock.
func (s *server) apiMoveStock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind   shrooms.MovementKind `json:"kind"`
		Amount *int64               `json:"amount"`
		Reason string               `json:"reason"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err == nil && in.Amount == nil {
		err = shrooms.Errorf(shrooms.EINVALID, "amount: required").Keyed("stock.error.amount_required").On("amount")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	m := &shrooms.StockMovement{ItemID: id, Kind: in.Kind, Amount: *in.Amount, Reason: in.Reason}
	if err := s.Stock.MoveStock(r.Context(), m); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

// apiLowStock lists the parts at or below their minimum level, emptiest
// first (?limit=, default 50).
func (s *server) apiLowStock(w http.ResponseWriter, r *http.Request) {
	_, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	items, err := s.Stock.FindLowStock(r.Context(), limit)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, items, len(items), func(i *shrooms.Item) *shrooms.Item { return i })
}

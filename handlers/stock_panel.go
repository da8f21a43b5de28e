package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// panelMovements is how many movements the stock panel of an item shows;
// /items/{id}/movements lists them all.
const panelMovements = 10

// stockPanel is what the "item-stock" partial (templates/_stock_panel.html)
// renders on a part's page and on its movements page: the quantity, the
// movement form for stock managers and the last movements.
type stockPanel struct {
	Item      *shrooms.Item
	Movements []*shrooms.StockMovement
	// Total counts every movement of the part; More says the panel shows
	// fewer.
	Total int
	More  bool
	// CanRead: the caller may read the movements (stock read grant);
	// CanMove: the caller may record one (stock write grant).
	CanRead bool
	CanMove bool
	CSRF    string
	Kinds   []shrooms.MovementKind
	// Kind, Amount and Reason are the values typed, shown again with
	// Error after a refused movement.
	Kind, Amount, Reason string
	Error                string
	// Full hides the link to the movements page, on that page.
	Full bool
}

// stockPanel builds the stock panel of a part: nil when the stock module
// is off or the item is not a part. It reads the last movements when the
// caller may.
func (s *server) stockPanel(r *http.Request, item *shrooms.Item) *stockPanel {
	st := stateFrom(r.Context())
	if item == nil || item.Kind != shrooms.KindPart || !st.Settings.HasModule("stock") {
		return nil
	}
	p := &stockPanel{Item: item, CSRF: st.CSRF, Kinds: shrooms.MovementKinds, Kind: string(shrooms.MoveIn)}
	read, write := s.stockAccess(r)
	p.CanRead, p.CanMove = read, write
	if !read {
		return p
	}
	ms, total, err := s.Stock.FindMovements(r.Context(), item.ID, 0, panelMovements)
	if err != nil {
		// The quantity is still worth showing; the store said no to the
		// history (module rights changed under us, or a failure).
		s.Logger.Warn("stock panel", "item", item.ID, "err", err)
		p.CanRead = false
		return p
	}
	p.Movements, p.Total, p.More = ms, total, total > len(ms)
	return p
}

// stockAccess says whether the request's user may read and move stock.
// The store checks again on every call; this only chooses what to offer.
func (s *server) stockAccess(r *http.Request) (read, write bool) {
	a := s.moduleAccess(r, "stock")
	return a&shrooms.AccessRead != 0, a&shrooms.AccessWrite != 0
}

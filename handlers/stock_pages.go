package handlers

import (
	"net/http"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// stockPerPage is how many parts or movements one page lists.
const stockPerPage = 50

// stockList is the stock page: the parts, low ones first when asked.
type stockList struct {
	Parts []*shrooms.Item
	Total int
	Low   bool
	Page  int
	// Prev and Next are the neighbouring pages, 0 for none.
	Prev, Next int
}

// stockMovements is a part's movements page: the panel (quantity, form)
// and every movement, a page at a time.
type stockMovements struct {
	Panel      *stockPanel
	Movements  []*shrooms.StockMovement
	Total      int
	Page       int
	Prev, Next int
}

// handleStock lists the parts with their quantities. Only staff (stock
// managers: the write grant) see it; "low=1" keeps the parts at or below
// their minimum.
func (s *server) handleStock(w http.ResponseWriter, r *http.Request) {
	if _, write := s.stockAccess(r); !write {
		s.fail(w, r, shrooms.Errorf(shrooms.EFORBIDDEN, "You may not see the stock.").Keyed("stock.error.forbidden"), 0)
		return
	}
	page, ok := stockPageParam(r)
	if !ok {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "page: must be a number from 1").Keyed("admin.error.page").On("page"), 0)
		return
	}
	d := &stockList{Low: r.URL.Query().Get("low") != "", Page: page}
	var err error
	d.Parts, d.Total, err = s.Items.FindItems(r.Context(), shrooms.ItemFilter{Kind: shrooms.KindPart,
		LowStock: d.Low, Sort: shrooms.SortName, Offset: (page - 1) * stockPerPage, Limit: stockPerPage})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Prev, d.Next = stockNeighbours(page, d.Total)
	s.render(w, r, 0, "stock", "stock.title", d)
}

// handleStockMove records a movement from the stock panel's form. A
// movement that would leave less than nothing is refused (409) and
// changes nothing; the form comes back with the values typed.
func (s *server) handleStockMove(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	item, err := s.Items.FindItemByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if item.Kind != shrooms.KindPart {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "only parts have a stock quantity").Keyed("stock.error.parts_only"), http.StatusUnprocessableEntity)
		return
	}
	kind, amount, reason := formValue(r, "kind"), formValue(r, "amount"), formValue(r, "reason")
	m := &shrooms.StockMovement{ItemID: item.ID, Kind: shrooms.MovementKind(kind), Reason: reason}
	n, perr := strconv.ParseInt(amount, 10, 64)
	status := 0
	switch {
	case perr != nil:
		err, status = shrooms.Errorf(shrooms.EINVALID, "amount: must be a whole number").Keyed("stock.error.amount_whole").On("amount"), http.StatusUnprocessableEntity
	default:
		m.Amount = n
		if err = m.Validate(); err != nil {
			status = http.StatusUnprocessableEntity
		} else {
			err = s.Stock.MoveStock(ctx, m)
		}
	}
	if err == nil {
		s.redirect(w, r, itemPath(item.ID)+"#stock", "stock.moved")
		return
	}
	switch shrooms.ErrorCode(err) {
	case shrooms.EINVALID:
		status = http.StatusUnprocessableEntity
	case shrooms.ECONFLICT:
		status = http.StatusConflict
	default:
		s.fail(w, r, err, 0)
		return
	}
	d, ferr := s.movementsPage(r, item, 1)
	if ferr != nil {
		s.fail(w, r, ferr, 0)
		return
	}
	if d.Panel != nil {
		d.Panel.Kind, d.Panel.Amount, d.Panel.Reason, d.Panel.Error = kind, amount, reason, s.errorText(r, err)
	}
	s.render(w, r, status, "stock_movements", "stock.movements.title", d)
}

// handleStockMovements lists a part's movements, newest first.
func (s *server) handleStockMovements(w http.ResponseWriter, r *http.Request) {
	item, err := s.Items.FindItemByID(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	page, ok := stockPageParam(r)
	if !ok {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "page: must be a number from 1").Keyed("admin.error.page").On("page"), 0)
		return
	}
	d, err := s.movementsPage(r, item, page)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "stock_movements", "stock.movements.title", d)
}

// movementsPage reads one page of a part's movements. Items that are not
// parts have none: ENOTFOUND.
func (s *server) movementsPage(r *http.Request, item *shrooms.Item, page int) (*stockMovements, error) {
	panel := s.stockPanel(r, item)
	if panel == nil {
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "There is no page at this address.").Keyed("core.error.no_page")
	}
	panel.Full = true
	panel.Movements = nil
	d := &stockMovements{Panel: panel, Page: page}
	var err error
	d.Movements, d.Total, err = s.Stock.FindMovements(r.Context(), item.ID, (page-1)*stockPerPage, stockPerPage)
	if err != nil {
		return nil, err
	}
	d.Prev, d.Next = stockNeighbours(page, d.Total)
	return d, nil
}

// stockPageParam reads ?page=, 1 when absent; false when it is not a number
// from 1.
func stockPageParam(r *http.Request) (int, bool) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, false
	}
	return n, true
}

// stockNeighbours are the previous and next page numbers, 0 when there is
// none.
func stockNeighbours(page, total int) (prev, next int) {
	if page > 1 {
		prev = page - 1
	}
	if page*stockPerPage < total {
		next = page + 1
	}
	return prev, next
}

package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemsPerPage is the catalogue's page size.
const itemsPerPage = 50

// itemRights is what a page offers the caller; the store decides again
// on every action.
type itemRights struct {
	// Manage: the inventory module's write grant (staff, admins).
	Manage bool
	// Admin may define custom fields.
	Admin  bool
	p      *shrooms.Principal
	grants []shrooms.Grant
}

// rights works out what the request's user may do in the inventory.
func (s *server) itemRights(r *http.Request) itemRights {
	u := stateFrom(r.Context()).User
	if u == nil {
		return itemRights{}
	}
	p, grants, err := s.principal(r.Context(), u)
	if err != nil {
		s.Logger.Error("inventory rights", "err", err)
		return itemRights{}
	}
	return itemRights{Manage: p.ModuleAccess(grants, "inventory")&shrooms.AccessWrite != 0, Admin: u.IsAdmin(), p: p, grants: grants}
}

// canWrite reports whether the caller may change item i (its owner, its
// group or an inventory manager).
func (ir itemRights) canWrite(i *shrooms.Item) bool {
	return ir.p != nil && ir.p.RecordAccess(ir.grants, "inventory", i.Ownership())&shrooms.AccessWrite != 0
}

// itemList is the catalogue page.
type itemList struct {
	itemRights
	Items      []*shrooms.Item
	Total      int
	Page       int
	Pages      []int
	LastPage   int
	Categories []*shrooms.Category
	Places     []*shrooms.Place
	// Filter values as sent, for the form.
	Q, Kind, Status, Category, Place, Loanable, Sort string
	Low                                              bool
	// Query is the filter without the page, for page and export links.
	Query    string
	Kinds    []shrooms.ItemKind
	Statuses []shrooms.ItemStatus
	Sorts    []shrooms.ItemSort
	Stock    bool
	Map      any
}

// handleItems shows the catalogue: search, filters, sort and pages.
func (s *server) handleItems(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := stateFrom(ctx)
	q := r.URL.Query()
	d := &itemList{itemRights: s.itemRights(r), Kinds: shrooms.ItemKinds, Statuses: shrooms.ItemStatuses, Sorts: shrooms.ItemSorts,
		Stock: st.Settings.HasModule("stock")}
	f, err := d.readFilter(q)
	if err != nil {
		s.fail(w, r, err, http.StatusBadRequest)
		return
	}
	if d.Items, d.Total, err = s.Items.FindItems(ctx, f); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.LastPage = max(1, (d.Total+itemsPerPage-1)/itemsPerPage)
	for p := max(1, d.Page-4); p <= min(d.LastPage, d.Page+4); p++ {
		d.Pages = append(d.Pages, p)
	}
	if d.Categories, err = s.visibleCategories(ctx); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if st.Settings.HasModule("locations") {
		if d.Places, err = s.Places.FindPlaces(ctx); err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			s.fail(w, r, err, 0)
			return
		}
		d.Map = s.itemsMap(d.Items, d.Places)
	}
	s.render(w, r, 0, "items", "items.title", d)
}

// readFilter turns the query string into a filter, remembering the
// values for the form. Returns EINVALID for a value no form sends.
func (d *itemList) readFilter(q url.Values) (shrooms.ItemFilter, error) {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	d.Q, d.Kind, d.Status, d.Category, d.Place = get("q"), get("kind"), get("status"), get("category"), get("place")
	d.Loanable, d.Sort, d.Low = get("loanable"), get("sort"), get("low") != ""
	f := shrooms.ItemFilter{Query: d.Q, Kind: shrooms.ItemKind(d.Kind), Status: shrooms.ItemStatus(d.Status),
		Sort: shrooms.ItemSort(d.Sort), LowStock: d.Low && d.Manage, Limit: itemsPerPage}
	if f.Sort == "" {
		f.Sort = shrooms.ItemSorts[0]
	}
	if f.Kind != "" && !oneOfKind(f.Kind) {
		return f, shrooms.Errorf(shrooms.EINVALID, "kind: unknown kind %q", d.Kind).Keyed("items.error.kind_unknown", "Value", d.Kind).On("kind")
	}
	if f.Status != "" && !oneOfStatus(f.Status) {
		return f, shrooms.Errorf(shrooms.EINVALID, "status: unknown status %q", d.Status).Keyed("items.error.status_unknown", "Value", d.Status).On("status")
	}
	var err error
	if f.CategoryID, err = optionalID(d.Category, "category"); err != nil {
		return f, err
	}
	if f.PlaceID, err = optionalID(d.Place, "place"); err != nil {
		return f, err
	}
	switch d.Loanable {
	case "":
	case "yes", "no":
		b := d.Loanable == "yes"
		f.Loanable = &b
	default:
		return f, shrooms.Errorf(shrooms.EINVALID, "loanable: must be yes or no").Keyed("items.error.loanable").On("loanable")
	}
	d.Page = 1
	if p := get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			return f, shrooms.Errorf(shrooms.EINVALID, "page: must be a page number").Keyed("items.error.page").On("page")
		}
		d.Page = n
	}
	f.Offset = (d.Page - 1) * itemsPerPage
	keep := url.Values{}
	for _, k := range []string{"q", "kind", "status", "category", "place", "loanable", "low", "sort"} {
		if v := get(k); v != "" {
			keep.Set(k, v)
		}
	}
	d.Query = keep.Encode()
	return f, nil
}

// PageURL is the catalogue address of page n with the same filter.
func (d *itemList) PageURL(n int) string {
	u := "/items?"
	if d.Query != "" {
		u += d.Query + "&"
	}
	return u + "page=" + strconv.Itoa(n)
}

// optionalID reads an ID field that may be empty (0).
func optionalID(v, field string) (int64, error) {
	if v == "" || v == "0" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, shrooms.Errorf(shrooms.EINVALID, "%s: %q is not a valid choice", field, v).Keyed("items.error.filter_choice", "Field", field, "Value", v).On(field)
	}
	return id, nil
}

func oneOfKind(k shrooms.ItemKind) bool {
	for _, x := range shrooms.ItemKinds {
		if x == k {
			return true
		}
	}
	return false
}

func oneOfStatus(v shrooms.ItemStatus) bool {
	for _, x := range shrooms.ItemStatuses {
		if x == v {
			return true
		}
	}
	return false
}

// visibleCategories lists the categories for the catalogue's filter:
// none for visitors who may not list them (anonymous visitors see
// public items, not the category tree).
func (s *server) visibleCategories(ctx context.Context) ([]*shrooms.Category, error) {
	cats, err := s.Categories.FindCategories(ctx)
	switch shrooms.ErrorCode(err) {
	case shrooms.EUNAUTHORIZED, shrooms.EFORBIDDEN:
		return nil, nil
	}
	return cats, err
}

// ExportURL is the CSV export of the same filter.
func (d *itemList) ExportURL() string {
	if d.Query == "" {
		return "/items/export.csv"
	}
	return "/items/export.csv?" + d.Query
}

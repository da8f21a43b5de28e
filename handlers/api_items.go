package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemInput is what POST /items takes: the fields a client sets. The
// node sets id, iri, version, times and the names it shows (category
// path, owner name, place, kit, contents, field definitions, photos).
type itemInput struct {
	Kind        shrooms.ItemKind   `json:"kind"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	CategoryID  int64              `json:"category_id"`
	Condition   shrooms.Condition  `json:"condition"`
	ValueCents  int64              `json:"value_cents"`
	Status      shrooms.ItemStatus `json:"status"`
	Loanable    bool               `json:"loanable"`
	Loan        shrooms.LoanRules  `json:"loan"`
	OwnerID     int64              `json:"owner_id"`
	GroupID     int64              `json:"group_id"`
	PlaceID     int64              `json:"place_id"`
	KitID       int64              `json:"kit_id"`
	Audience    shrooms.Audience   `json:"audience"`
	Fields      map[string]string  `json:"fields"`
	Quantity    int64              `json:"quantity"`
	Unit        string             `json:"unit"`
	MinQuantity int64              `json:"min_quantity"`
}

// itemPatch is what PATCH /items/{id} takes: absent fields stay as they
// are. "fields" replaces every custom field value; "version", when
// given, must be the stored one (409 otherwise). The quantity changes
// only through stock movements.
type itemPatch struct {
	Version     int64               `json:"version"`
	Kind        *shrooms.ItemKind   `json:"kind"`
	Name        *string             `json:"name"`
	Description *string             `json:"description"`
	CategoryID  *int64              `json:"category_id"`
	Condition   *shrooms.Condition  `json:"condition"`
	ValueCents  *int64              `json:"value_cents"`
	Status      *shrooms.ItemStatus `json:"status"`
	Loanable    *bool               `json:"loanable"`
	Loan        *shrooms.LoanRules  `json:"loan"`
	OwnerID     *int64              `json:"owner_id"`
	GroupID     *int64              `json:"group_id"`
	PlaceID     *int64              `json:"place_id"`
	KitID       *int64              `json:"kit_id"`
	Audience    *shrooms.Audience   `json:"audience"`
	Fields      map[string]string   `json:"fields"`
	Unit        *string             `json:"unit"`
	MinQuantity *int64              `json:"min_quantity"`
	Note        string              `json:"note"`
}

// update is the patch as the service takes it.
func (p *itemPatch) update() shrooms.ItemUpdate {
	return shrooms.ItemUpdate{Version: p.Version, Kind: p.Kind, Name: p.Name, Description: p.Description,
		CategoryID: p.CategoryID, Condition: p.Condition, ValueCents: p.ValueCents, Status: p.Status,
		Loanable: p.Loanable, Loan: p.Loan, OwnerID: p.OwnerID, GroupID: p.GroupID, PlaceID: p.PlaceID,
		KitID: p.KitID, Audience: p.Audience, Fields: p.Fields, Unit: p.Unit, MinQuantity: p.MinQuantity, Note: p.Note}
}

// apiItems is the catalogue: a page of the items the caller may see.
func (s *server) apiItems(w http.ResponseWriter, r *http.Request) {
	f, err := itemFilterOf(r.URL.Query())
	if err == nil {
		f.Offset, f.Limit, err = paging(r)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	items, total, err := s.Items.FindItems(r.Context(), f)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, items, total, func(i *shrooms.Item) *shrooms.Item { return i })
}

// itemFilterOf reads the catalogue filters of a query (not the paging):
// q, kind, status, category_id, place_id, owner_id, kit_id, loanable,
// audience, low_stock and sort. A bad value is EINVALID naming it.
func itemFilterOf(q url.Values) (shrooms.ItemFilter, error) {
	f := shrooms.ItemFilter{Query: strings.TrimSpace(q.Get("q")), Kind: shrooms.ItemKind(q.Get("kind")),
		Status: shrooms.ItemStatus(q.Get("status")), Audience: shrooms.Audience(q.Get("audience")),
		Sort: shrooms.ItemSort(q.Get("sort"))}
	switch {
	case f.Kind != "" && !slices.Contains(shrooms.ItemKinds, f.Kind):
		return f, shrooms.Errorf(shrooms.EINVALID, "kind: must be one of tool, device, part, kit").Keyed("items.error.kind").On("kind")
	case f.Status != "" && !slices.Contains(shrooms.ItemStatuses, f.Status):
		return f, shrooms.Errorf(shrooms.EINVALID, "status: must be one of available, on_loan, in_repair, retired").Keyed("items.error.status").On("status")
	case f.Audience != "" && !slices.Contains(shrooms.Audiences, f.Audience):
		return f, shrooms.Errorf(shrooms.EINVALID, "audience: must be one of public, partners, members, staff").Keyed("items.error.audience").On("audience")
	case f.Sort != "" && !slices.Contains(shrooms.ItemSorts, f.Sort):
		return f, shrooms.Errorf(shrooms.EINVALID, "sort: must be one of name, -name, -created, created, -updated").Keyed("items.error.sort").On("sort")
	}
	for name, dst := range map[string]*int64{"category_id": &f.CategoryID, "place_id": &f.PlaceID,
		"owner_id": &f.OwnerID, "kit_id": &f.KitID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return f, shrooms.Errorf(shrooms.EINVALID, "%s: must be a record id", name).Keyed("core.error.record_id", "Name", name).On(name)
			}
			*dst = n
		}
	}
	loanable, err := queryBool(q, "loanable")
	if err != nil {
		return f, err
	}
	f.Loanable = loanable
	low, err := queryBool(q, "low_stock")
	if err != nil {
		return f, err
	}
	f.LowStock = low != nil && *low
	return f, nil
}

// queryBool reads an optional true/false query parameter; nil when absent.
func queryBool(q url.Values, name string) (*bool, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: must be true or false", name).Keyed("core.error.bool", "Name", name).On(name)
	}
	return &b, nil
}

// apiCreateItem creates an item and answers 201 with it as stored and its
// address in Location.
func (s *server) apiCreateItem(w http.ResponseWriter, r *http.Request) {
	var in itemInput
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	i := &shrooms.Item{Kind: in.Kind, Name: in.Name, Description: in.Description, CategoryID: in.CategoryID,
		Condition: in.Condition, ValueCents: in.ValueCents, Status: in.Status, Loanable: in.Loanable, Loan: in.Loan,
		OwnerID: in.OwnerID, GroupID: in.GroupID, PlaceID: in.PlaceID, KitID: in.KitID, Audience: in.Audience,
		Fields: in.Fields, Quantity: in.Quantity, Unit: in.Unit, MinQuantity: in.MinQuantity}
	if err := s.Items.CreateItem(r.Context(), i); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.Header().Set("Location", s.IRIs.Base+"/api/v1/items/"+strconv.FormatInt(i.ID, 10))
	s.writeItem(w, r, i.ID, http.StatusCreated)
}

func (s *server) apiItem(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeItem(w, r, id, http.StatusOK)
}

// writeItem answers with the item as stored, with everything
// FindItemByID adds (place, kit contents, field definitions, photos).
func (s *server) writeItem(w http.ResponseWriter, r *http.Request, id int64, status int) {
	i, err := s.Items.FindItemByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, status, i)
}

// apiUpdateItem changes the fields given and answers with the item.
func (s *server) apiUpdateItem(w http.ResponseWriter, r *http.Request) {
	var in itemPatch
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err == nil && in.Version < 0 {
		err = shrooms.Errorf(shrooms.EINVALID, "version: must not be negative").Keyed("items.error.version").On("version")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if _, err := s.Items.UpdateItem(r.Context(), id, in.update()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeItem(w, r, id, http.StatusOK)
}

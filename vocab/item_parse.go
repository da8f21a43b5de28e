package vocab

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	shrooms "github.com/shrooms-org/shrooms"
)

// Bounds on what ParseItem keeps of a remote item, so that a hostile
// document cannot grow the cache without limit.
const (
	maxRemoteFields     = 100
	maxRemoteFieldValue = 1000
)

// ParseItem parses an item document as SHROOMS nodes write it (ItemJSON,
// or the object of a Create or Update) into the domain fields a remote
// item has: IRI, name, description (from source), kind, status,
// condition, category path, loan rules, stock, custom field values by
// key, photos, the public place (its one-line address in Street),
// audience (public when addressed to the public collection, else the
// default of Item.Validate, members), and the times. Item.Validate checks
// and completes the result. It also returns the raw properties ActivityStreams does
// not define (the shrooms: terms among them), as the document has them.
// It returns EINVALID for invalid JSON, a missing @context, a document
// that is not a Page and a shrooms:Item, or values out of bounds.
func ParseItem(raw []byte) (*shrooms.Item, map[string]any, error) {
	m, err := decodeObject(raw, "item")
	if err != nil {
		return nil, nil, err
	}
	if !hasContext(m) {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "item has no @context").Keyed("federation.error.no_context", "What", "item")
	}
	return itemFromMap(m)
}

// itemFromMap converts a decoded item object, standalone or embedded in
// an activity.
func itemFromMap(m map[string]any) (*shrooms.Item, map[string]any, error) {
	if !isItem(m) {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "not a SHROOMS item: type %q", rawType(m["type"])).Keyed("federation.error.item_type", "Type", rawType(m["type"]))
	}
	if !hasContext(m) {
		// streams types only a document with a @context: lend the
		// embedded object its activity's.
		withCtx := make(map[string]any, len(m)+1)
		for k, v := range m {
			withCtx[k] = v
		}
		withCtx["@context"] = activityStreamsContext
		m = withCtx
	}
	t, err := streams.ToType(context.Background(), m)
	if err != nil {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "item: %s", "not a Page").Keyed("federation.error.item_not_page")
	}
	page, ok := t.(vocab.ActivityStreamsPage)
	if !ok {
		return nil, nil, shrooms.Errorf(shrooms.EINVALID, "item: %s", "not a Page").Keyed("federation.error.item_not_page")
	}
	return itemFromPage(page, m)
}

// itemFromPage converts an item already typed by streams, m being its
// raw JSON.
func itemFromPage(page vocab.ActivityStreamsPage, m map[string]any) (*shrooms.Item, map[string]any, error) {
	var h itemHead
	h.iri = idOfType(page)
	if p := page.GetActivityStreamsName(); p != nil && p.Len() > 0 && p.At(0).IsXMLSchemaString() {
		h.name = p.At(0).GetXMLSchemaString()
	}
	if p := page.GetActivityStreamsPublished(); p != nil && p.IsXMLSchemaDateTime() {
		h.published = p.Get().UTC()
	}
	if p := page.GetActivityStreamsUpdated(); p != nil && p.IsXMLSchemaDateTime() {
		h.updated = p.Get().UTC()
	}
	item, err := itemFromHead(h, m)
	if err != nil {
		return nil, nil, err
	}
	return item, page.GetUnknownProperties(), nil
}

// itemHead is what an item reads from ActivityStreams properties proper.
type itemHead struct {
	iri, name          string
	published, updated time.Time
}

// itemFromHead builds and validates an item from its head and raw JSON.
func itemFromHead(h itemHead, m map[string]any) (*shrooms.Item, error) {
	item := &shrooms.Item{
		IRI:          h.iri,
		Name:         h.name,
		Kind:         shrooms.ItemKind(extString(m, "kind")),
		Status:       shrooms.ItemStatus(extString(m, "status")),
		Condition:    shrooms.Condition(extString(m, "condition")),
		CategoryPath: extString(m, "category"),
		Unit:         extString(m, "unit"),
		CreatedAt:    h.published,
		UpdatedAt:    h.published,
	}
	if item.IRI == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "item has no id").Keyed("federation.error.no_id", "What", "item")
	}
	if !h.updated.IsZero() {
		item.UpdatedAt = h.updated
	}
	if src, ok := m["source"].(map[string]any); ok {
		if mt := rawString(src, "mediaType"); mt == "" || mt == "text/plain" {
			item.Description = rawString(src, "content")
		}
	}
	for _, r := range append(rawIDs(m["to"]), rawIDs(m["cc"])...) {
		if r == shrooms.PublicAudience || r == "as:Public" || r == "Public" {
			item.Audience = shrooms.AudiencePublic
		}
	}
	item.Loanable, _ = ext(m, "loanable").(bool)
	if rules, ok := ext(m, "loanRules").(map[string]any); ok {
		item.Loan = shrooms.LoanRules{
			MaxDays:      int(rawInt(rules["maxDays"])),
			DepositCents: rawInt(rules["depositCents"]),
			Members:      rules["members"] == true,
			Partners:     rules["partners"] == true,
		}
		// A limit out of bounds is the lender's mistake: read as none of
		// the item's own.
		if n, ok := rules["renewals"].(float64); ok && n >= 0 && n <= shrooms.MaxRenewals && n == math.Trunc(n) {
			limit := int(n)
			item.Loan.Renewals = &limit
		}
	}
	item.Quantity = rawInt(ext(m, "quantity"))
	item.MinQuantity = rawInt(ext(m, "minQuantity"))
	if fields, ok := ext(m, "fields").(map[string]any); ok && len(fields) > 0 {
		if len(fields) > maxRemoteFields {
			return nil, shrooms.Errorf(shrooms.EINVALID, "item has more than %d custom fields", maxRemoteFields).Keyed("federation.error.item_fields", "Max", maxRemoteFields)
		}
		item.Fields = make(map[string]string, len(fields))
		for k, v := range fields {
			s, ok := v.(string)
			if !ok || len(s) > maxRemoteFieldValue || len(k) > 100 {
				return nil, shrooms.Errorf(shrooms.EINVALID, "item field %q: not a short text", k).Keyed("federation.error.item_field_text", "Field", k)
			}
			item.Fields[k] = s
		}
	}
	item.Photos = rawPhotos(m["attachment"])
	item.Place = rawPlace(m["location"])
	if err := item.Validate(); err != nil {
		return nil, err
	}
	return item, nil
}

// isItem reports whether a raw object's types include Page and
// shrooms:Item (compacted or expanded).
func isItem(m map[string]any) bool {
	var types []string
	switch x := m["type"].(type) {
	case string:
		types = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				types = append(types, s)
			}
		}
	}
	page, item := false, false
	for _, s := range types {
		page = page || s == "Page" || s == "as:Page"
		item = item || s == ItemType || s == Namespace+"Item"
	}
	return page && item
}

// ext returns the value of a SHROOMS extension property, written as a
// compact IRI (as SHROOMS writes it) or in full.
func ext(m map[string]any, term string) any {
	if v, ok := m["shrooms:"+term]; ok {
		return v
	}
	return m[Namespace+term]
}

func extString(m map[string]any, term string) string {
	s, _ := ext(m, term).(string)
	return s
}

// rawInt reads a JSON number that must be a whole number; anything else
// is 0 (Validate then bounds it).
func rawInt(v any) int64 {
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1e15 {
		return 0
	}
	return int64(f)
}

// rawPhotos reads the Document and Image attachments with a URL, up to
// MaxPhotos; PropertyValue facts are for people and are skipped.
func rawPhotos(v any) []shrooms.Photo {
	arr, ok := v.([]any)
	if !ok && v != nil {
		arr = []any{v}
	}
	var out []shrooms.Photo
	for _, e := range arr {
		a, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if typ := rawType(a["type"]); typ != "Document" && typ != "Image" {
			continue
		}
		u := rawID(a["url"])
		if !isHTTP(u) || len(out) == shrooms.MaxPhotos {
			continue
		}
		ph := shrooms.Photo{URL: u, ContentType: rawString(a, "mediaType"),
			Width: int(rawInt(a["width"])), Height: int(rawInt(a["height"]))}
		if icon, ok := firstRaw(a["icon"]).(map[string]any); ok && isHTTP(rawID(icon["url"])) {
			ph.ThumbURL = rawID(icon["url"])
		}
		out = append(out, ph)
	}
	return out
}

// rawPlace reads the first location that is a Place.
func rawPlace(v any) *shrooms.Place {
	loc, ok := firstRaw(v).(map[string]any)
	if !ok || rawType(loc["type"]) != "Place" {
		return nil
	}
	p := &shrooms.Place{Name: rawString(loc, "name"), Street: rawString(loc, "address"), Public: true, Kind: shrooms.PlaceOther}
	lat, latOK := loc["latitude"].(float64)
	lon, lonOK := loc["longitude"].(float64)
	if latOK && lonOK {
		p.HasPoint, p.Latitude, p.Longitude = true, lat, lon
	}
	if p.Name == "" || p.Validate() != nil {
		return nil
	}
	return p
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

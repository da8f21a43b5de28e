package vocab

import (
	"encoding/json"

	shrooms "github.com/shrooms-org/shrooms"
)

// ItemDoc is one item of a shared collection page, with the addressing
// its document carries (who may read it).
type ItemDoc struct {
	Item   *shrooms.Item
	To, CC []string
}

// ItemPageJSON renders a page of an organisation's shared collection: an
// OrderedCollectionPage whose orderedItems are whole item documents, as
// ItemJSON renders them (without their own @context), attributed to
// attributedTo. A partner backfills its cache from these pages. It
// returns EINVALID for a malformed IRI.
func ItemPageJSON(p Page, attributedTo string, items []ItemDoc) ([]byte, error) {
	page, err := newPage(p)
	if err != nil {
		return nil, err
	}
	docs := make([]any, 0, len(items))
	for _, d := range items {
		m, err := itemMap(d.Item, attributedTo, d.To, d.CC, false)
		if err != nil {
			return nil, err
		}
		docs = append(docs, m)
	}
	return serialize(page, func(m map[string]any) {
		m["orderedItems"] = docs
	})
}

// ReceivedPage is a collection page as another node served it.
type ReceivedPage struct {
	// Items are the embedded objects as they came; bare IRIs are skipped
	// (a shared collection embeds its objects).
	Items []json.RawMessage
	// Next is the next page's IRI, "" on the last page.
	Next string
	// TotalItems is the collection's size when the page says, else -1.
	TotalItems int
}

// ParseItemPage splits a received OrderedCollectionPage (or a
// CollectionPage) into its embedded objects and the link to the next
// page. It does not type the objects: ParseEmbeddedItem does, one by one,
// so that one bad object does not lose the page. It returns EINVALID for
// invalid JSON, a missing @context or a document that is not a page.
func ParseItemPage(raw []byte) (*ReceivedPage, error) {
	var doc struct {
		Context      json.RawMessage   `json:"@context"`
		Type         json.RawMessage   `json:"type"`
		Next         json.RawMessage   `json:"next"`
		TotalItems   *int              `json:"totalItems"`
		OrderedItems []json.RawMessage `json:"orderedItems"`
		Items        []json.RawMessage `json:"items"`
	}
	if err := checkDepth(raw, DefaultMaxDepth); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "page: invalid JSON or not a collection page").Keyed("federation.error.page_json")
	}
	if !rawPresent(doc.Context) {
		return nil, shrooms.Errorf(shrooms.EINVALID, "page has no @context").Keyed("federation.error.no_context", "What", "page")
	}
	switch typ := rawTypeOf(doc.Type); typ {
	case "OrderedCollectionPage", "CollectionPage":
	default:
		return nil, shrooms.Errorf(shrooms.EINVALID, "page: type %q is not a collection page", typ).Keyed("federation.error.page_type", "Type", typ)
	}
	p := &ReceivedPage{TotalItems: -1}
	if doc.TotalItems != nil {
		p.TotalItems = *doc.TotalItems
	}
	p.Next, _ = rawRef(doc.Next)
	items := doc.OrderedItems
	if items == nil {
		items = doc.Items
	}
	for _, it := range items {
		if firstByte(it) == '{' {
			p.Items = append(p.Items, it)
		}
	}
	return p, nil
}

// ParseCollection reads a received collection document: its first page
// (an IRI, or the id of an embedded page) and totalItems (-1 when
// absent). It returns EINVALID for invalid JSON, a missing @context or a
// document that is not a collection.
func ParseCollection(raw []byte) (first string, total int, err error) {
	var doc struct {
		Context    json.RawMessage `json:"@context"`
		Type       json.RawMessage `json:"type"`
		First      json.RawMessage `json:"first"`
		TotalItems *int            `json:"totalItems"`
	}
	if err := checkDepth(raw, DefaultMaxDepth); err != nil {
		return "", 0, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", 0, shrooms.Errorf(shrooms.EINVALID, "collection: invalid JSON").Keyed("federation.error.collection_json")
	}
	if !rawPresent(doc.Context) {
		return "", 0, shrooms.Errorf(shrooms.EINVALID, "collection has no @context").Keyed("federation.error.no_context", "What", "collection")
	}
	switch typ := rawTypeOf(doc.Type); typ {
	case "OrderedCollection", "Collection":
	default:
		return "", 0, shrooms.Errorf(shrooms.EINVALID, "collection: type %q is not a collection", typ).Keyed("federation.error.collection_type", "Type", typ)
	}
	total = -1
	if doc.TotalItems != nil {
		total = *doc.TotalItems
	}
	first, _ = rawRef(doc.First)
	return first, total, nil
}

// ParseEmbeddedItem parses an item document embedded in a page (it has no
// @context of its own) as ParseItem does.
func ParseEmbeddedItem(raw []byte) (*shrooms.Item, map[string]any, error) {
	m, err := decodeObject(raw, "item")
	if err != nil {
		return nil, nil, err
	}
	return itemFromMap(m)
}

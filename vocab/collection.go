package vocab

import (
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	shrooms "github.com/shrooms-org/shrooms"
)

// CollectionJSON renders an OrderedCollection: id, totalItems, and first and
// last pages (each omitted when ""). It returns EINVALID for a malformed IRI.
func CollectionJSON(id string, total int, first, last string) ([]byte, error) {
	c := streams.NewActivityStreamsOrderedCollection()
	u, err := parseIRI("collection id", id)
	if err != nil {
		return nil, err
	}
	idProp := streams.NewJSONLDIdProperty()
	idProp.Set(u)
	c.SetJSONLDId(idProp)
	totalProp := streams.NewActivityStreamsTotalItemsProperty()
	totalProp.Set(total)
	c.SetActivityStreamsTotalItems(totalProp)
	if first != "" {
		u, err := parseIRI("collection first", first)
		if err != nil {
			return nil, err
		}
		p := streams.NewActivityStreamsFirstProperty()
		p.SetIRI(u)
		c.SetActivityStreamsFirst(p)
	}
	if last != "" {
		u, err := parseIRI("collection last", last)
		if err != nil {
			return nil, err
		}
		p := streams.NewActivityStreamsLastProperty()
		p.SetIRI(u)
		c.SetActivityStreamsLast(p)
	}
	return serialize(c, nil)
}

// Page describes one OrderedCollectionPage. Next and Prev are omitted when
// "".
type Page struct {
	ID, PartOf, Next, Prev string
	TotalItems             int
}

// IRIPageJSON renders a page whose orderedItems are IRIs (followers,
// following). orderedItems is always an array, [] for an empty page.
func IRIPageJSON(p Page, items []string) ([]byte, error) {
	page, err := newPage(p)
	if err != nil {
		return nil, err
	}
	ordered := streams.NewActivityStreamsOrderedItemsProperty()
	for _, item := range items {
		u, err := parseIRI("page item", item)
		if err != nil {
			return nil, err
		}
		ordered.AppendIRI(u)
	}
	page.SetActivityStreamsOrderedItems(ordered)
	return serialize(page, fixPage)
}

// ActivityPageJSON renders a page whose orderedItems are embedded
// activities (an outbox page), each rendered as ActivityJSON would.
func ActivityPageJSON(p Page, items []*shrooms.Activity) ([]byte, error) {
	page, err := newPage(p)
	if err != nil {
		return nil, err
	}
	ordered := streams.NewActivityStreamsOrderedItemsProperty()
	for _, item := range items {
		t, err := activityType(item, 0)
		if err != nil {
			return nil, err
		}
		if err := ordered.AppendType(t); err != nil {
			return nil, err
		}
	}
	page.SetActivityStreamsOrderedItems(ordered)
	return serialize(page, func(m map[string]any) {
		fixPage(m)
		for _, item := range m["orderedItems"].([]any) {
			if obj, ok := item.(map[string]any); ok {
				delete(obj, "@context")
				fixActivity(obj)
			}
		}
	})
}

// fixPage writes orderedItems as an array even for one item.
func fixPage(m map[string]any) {
	if _, ok := m["orderedItems"]; !ok {
		m["orderedItems"] = []any{}
	}
	asArray(m, "orderedItems")
}

// newPage builds an OrderedCollectionPage without its items.
func newPage(p Page) (vocab.ActivityStreamsOrderedCollectionPage, error) {
	page := streams.NewActivityStreamsOrderedCollectionPage()
	u, err := parseIRI("page id", p.ID)
	if err != nil {
		return nil, err
	}
	idProp := streams.NewJSONLDIdProperty()
	idProp.Set(u)
	page.SetJSONLDId(idProp)
	totalProp := streams.NewActivityStreamsTotalItemsProperty()
	totalProp.Set(p.TotalItems)
	page.SetActivityStreamsTotalItems(totalProp)
	if p.PartOf != "" {
		u, err := parseIRI("page partOf", p.PartOf)
		if err != nil {
			return nil, err
		}
		prop := streams.NewActivityStreamsPartOfProperty()
		prop.SetIRI(u)
		page.SetActivityStreamsPartOf(prop)
	}
	if p.Next != "" {
		u, err := parseIRI("page next", p.Next)
		if err != nil {
			return nil, err
		}
		prop := streams.NewActivityStreamsNextProperty()
		prop.SetIRI(u)
		page.SetActivityStreamsNext(prop)
	}
	if p.Prev != "" {
		u, err := parseIRI("page prev", p.Prev)
		if err != nil {
			return nil, err
		}
		prop := streams.NewActivityStreamsPrevProperty()
		prop.SetIRI(u)
		page.SetActivityStreamsPrev(prop)
	}
	return page, nil
}

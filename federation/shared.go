package federation

import (
	"fmt"
	"net/http"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// sharedPageSize is how many item documents a page of the shared
// collection embeds.
const sharedPageSize = 50

// handleShared serves the organisation's shared collection, from which a
// partner backfills (and resyncs) its cache: {org}/shared is an
// OrderedCollection whose first page is ?page=true; ?page=true&after=ID is
// an OrderedCollectionPage of the next items after ID, embedded whole,
// ascending by ID, with next while more remain. The store decides what
// the request's verified signer may read (readerContext): an unsigned
// reader gets the public items; a partner's signed fetch gets the
// partners-only items of the modules its policy shares as well, addressed
// to it. Only the organisation actor has one.
func (f *Federation) handleShared(w http.ResponseWriter, r *http.Request) {
	a, ok := f.localActor(w, r)
	if !ok {
		return
	}
	if a.Kind != shrooms.KindOrganization || f.svc.Items == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	q := r.URL.Query()
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "after must be an item ID")
			return
		}
		after = n
	}
	if p := q.Get("page"); p != "" && p != "true" {
		writeError(w, http.StatusBadRequest, "page must be true")
		return
	}
	ctx, signer := f.readerContext(r)
	id := a.IRI + "/shared"
	limit := sharedPageSize
	if q.Get("page") == "" {
		limit = 1
	} else {
		limit++ // one more tells whether a next page exists
	}
	items, total, err := f.svc.Items.FindSharedItems(ctx, after, limit)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	if q.Get("page") == "" {
		body, err := vocab.CollectionJSON(id, total, id+"?page=true", "")
		f.write(w, vocab.ContentType, body, err)
		return
	}
	page := vocab.Page{ID: fmt.Sprintf("%s?page=true&after=%d", id, after), PartOf: id, TotalItems: total}
	if len(items) > sharedPageSize {
		items = items[:sharedPageSize]
		page.Next = fmt.Sprintf("%s?page=true&after=%d", id, items[len(items)-1].ID)
	}
	docs := make([]vocab.ItemDoc, len(items))
	for i, it := range items {
		docs[i] = vocab.ItemDoc{Item: it, To: []string{shrooms.PublicAudience}, CC: []string{a.Followers}}
		if it.Audience != shrooms.AudiencePublic {
			docs[i].To, docs[i].CC = []string{signer}, nil // only a partner gets these
		}
	}
	body, err := vocab.ItemPageJSON(page, a.IRI, docs)
	f.write(w, vocab.ContentType, body, err)
}

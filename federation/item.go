package federation

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// handleItem serves the ActivityStreams document of a local item, the
// object its Create and Update carry: what a remote server fetches when it
// resolves the item's IRI. Only public items are served, read as an
// anonymous visitor so that the store's rights decide; every other item
// is 404, whether it exists or not. (Partner items by signed fetch come
// with partnerships.)
func (f *Federation) handleItem(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil || id <= 0 || f.svc.Items == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	// The request context carries no user; saying so keeps it anonymous
	// should a middleware ever add one.
	ctx := shrooms.NewContextWithUser(r.Context(), nil)
	item, err := f.svc.Items.FindItemByID(ctx, id)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	if item.Audience != shrooms.AudiencePublic {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	org, err := f.orgActor(ctx)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	body, err := vocab.ItemJSON(item, org, []string{shrooms.PublicAudience}, []string{org.Followers})
	f.write(w, vocab.ContentType, body, err)
}

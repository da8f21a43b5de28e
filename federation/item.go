package federation

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// handleItem serves the ActivityStreams document of a local item, the
// object its Create and Update carry: what a remote server fetches when it
// resolves the item's IRI. The store decides, with the principal of the
// request's verified signer (readerContext), whether the item may be
// read: a public item by anyone, a partners-only item by a partner whose
// sharing policy gives it the item's module. Everything else is 404 with
// the body of a missing item, so that existence does not leak.
func (f *Federation) handleItem(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil || id <= 0 || f.svc.Items == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	ctx, signer := f.readerContext(r)
	item, err := f.svc.Items.FindSharedItem(ctx, id)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	org, err := f.orgActor(shrooms.NewSystemContext(r.Context()))
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	to, cc := []string{shrooms.PublicAudience}, []string{org.Followers}
	if item.Audience != shrooms.AudiencePublic {
		to, cc = []string{signer}, nil // the store let only a partner read it
	}
	body, err := vocab.ItemJSON(item, org, to, cc)
	f.write(w, vocab.ContentType, body, err)
}

// readerContext returns the context the store reads with for a request
// from the network, and its verified signer: NewRemoteContext with the
// signing actor's IRI, or with "" (an anonymous reader) when the request
// is unsigned or its signature is refused. The store resolves it to a
// partner, another fediverse actor or an anonymous visitor, and applies
// its rights; federation does not filter by itself.
func (f *Federation) readerContext(r *http.Request) (context.Context, string) {
	signer := ""
	if r.Header.Get("Signature") != "" || r.Header.Get("Authorization") != "" {
		// Verifying looks the key up in the actor cache and may fetch it:
		// the node's own work, so the system context.
		a, err := f.verifyRequest(shrooms.NewSystemContext(r.Context()), r, nil)
		if err == nil && !a.Local {
			signer = a.IRI
		}
	}
	return shrooms.NewRemoteContext(r.Context(), signer), signer
}

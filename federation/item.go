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
// resolves the item's IRI. A public item is served to anyone. A
// partners-only item is served only to a signed fetch by a partner
// organisation whose sharing policy gives it the item's module, addressed
// to that partner. Everything else (unsigned, a bad signature, a
// non-partner, the policy excluding the module, members or staff items,
// a module that is off) is 404 with the body of a missing item, so that
// existence does not leak.
func (f *Federation) handleItem(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil || id <= 0 || f.svc.Items == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	ctx := shrooms.NewSystemContext(r.Context())
	// Every shared module first: the item's own module is known only once
	// it is read, and a partners-only item is then checked below.
	item, err := f.svc.Items.FindSharedItem(ctx, id, shrooms.SharedModules)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	org, err := f.orgActor(ctx)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	to, cc := []string{shrooms.PublicAudience}, []string{org.Followers}
	if item.Audience != shrooms.AudiencePublic {
		reader := f.partnerReader(ctx, r, shrooms.ItemModule(item.Kind))
		if reader == nil {
			writeError(w, http.StatusNotFound, "not found")
			return
		}
		to, cc = []string{reader.IRI}, nil
	}
	body, err := vocab.ItemJSON(item, org, to, cc)
	f.write(w, vocab.ContentType, body, err)
}

// partnerReader returns the organisation that signed r when it is a
// partner whose policy shares module; nil for an unsigned request, a bad
// signature, a signer that is not an organisation or not such a partner.
func (f *Federation) partnerReader(ctx context.Context, r *http.Request, module string) *shrooms.Actor {
	signer := f.signedOrganization(ctx, r)
	if signer == nil || f.svc.Partners == nil {
		return nil
	}
	ok, err := f.svc.Partners.SharesWith(ctx, signer.IRI, module)
	if err != nil {
		f.cfg.Logger.Error("partner check", "actor", signer.IRI, "err", err)
		return nil
	}
	if !ok {
		return nil
	}
	return signer
}

// signedOrganization verifies a signed GET and returns its signer when it
// is a remote Organization; nil otherwise (unsigned included).
func (f *Federation) signedOrganization(ctx context.Context, r *http.Request) *shrooms.Actor {
	if r.Header.Get("Signature") == "" && r.Header.Get("Authorization") == "" {
		return nil
	}
	signer, err := f.verifyRequest(ctx, r, nil)
	if err != nil || signer.Local || signer.Kind != shrooms.KindOrganization {
		return nil
	}
	return signer
}

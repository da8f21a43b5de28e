package federation

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
)

// handleItemThumb serves the first thumbnail of a local item to whoever
// may read its document (handleItem): the store decides both, with the
// principal of the request's verified signer; everything else is 404.
// The web's /media/ID knows sessions only, so the document of a
// partners-only item points its thumbnail here (vocab), and a partner's
// cache can show it in its members' searches.
func (f *Federation) handleItemThumb(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil || id <= 0 || f.svc.Items == nil || f.svc.Media == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	ctx, _ := f.readerContext(r)
	item, err := f.svc.Items.FindSharedItem(ctx, id)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	if len(item.Photos) == 0 || item.Photos[0].ThumbID == 0 {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	m, err := f.svc.Media.FindMedia(ctx, item.Photos[0].ThumbID)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.Data)))
	// The answer depends on who signed: no shared cache may keep it.
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(m.Data)
}

package handlers

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// remoteMediaPath is where this node serves its copy of a partner's
// thumbnail, by the cached object's ID.
func remoteMediaPath(objectID int64) string {
	return "/remote-media/" + strconv.FormatInt(objectID, 10)
}

// handleRemoteMedia serves this node's copy of a partner object's
// thumbnail to logged-in users (requireLogin), while the object is
// visible to them; 404 otherwise. The copy was re-encoded as a JPEG when
// it was fetched, so what is served is never the partner's file.
func (s *server) handleRemoteMedia(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, shrooms.Errorf(shrooms.ENOTFOUND, "remote image not found").Keyed("core.error.remote_image"), 0)
		return
	}
	m, err := s.Remote.FindRemoteMedia(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeMedia(w, m)
}

// remoteThumbs returns the cached thumbnails of a page's remote hits, by
// object ID. Pictures are an extra: when they cannot be read the results
// are shown without them, and the error is logged.
func (s *server) remoteThumbs(ctx context.Context, hits []*shrooms.SearchHit) map[int64]*shrooms.Media {
	var ids []int64
	for _, h := range hits {
		if h.Remote != nil && h.Remote.ImageURL != "" {
			ids = append(ids, h.Remote.ID)
		}
	}
	if len(ids) == 0 || s.Remote == nil {
		return nil
	}
	thumbs, err := s.Remote.FindRemoteThumbs(ctx, ids)
	if err != nil {
		s.Logger.Error("search thumbnails", "err", err)
		return nil
	}
	return thumbs
}

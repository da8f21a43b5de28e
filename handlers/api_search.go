package handlers

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiSearchRoutes: cross-instance search and the caller's saved choice of
// organisations. Any logged-in user; the service applies their rights.
func (s *server) apiSearchRoutes(auth *mux.Router) {
	auth.HandleFunc("/search", s.apiSearch).Methods(http.MethodGet)
	auth.HandleFunc("/search/instances", s.apiSearchInstances).Methods(http.MethodGet)
	auth.HandleFunc("/search/instances", s.apiSetSearchInstances).Methods(http.MethodPut)
}

// searchOrgJSON is the organisation that holds a hit.
type searchOrgJSON struct {
	ID    int64  `json:"id"`
	IRI   string `json:"iri"`
	Acct  string `json:"acct"`
	Name  string `json:"name"`
	Local bool   `json:"local"`
}

// searchHitJSON is one result; item_id is set for local items, iri for
// cached remote objects.
type searchHitJSON struct {
	Organization searchOrgJSON `json:"organization"`
	Name         string        `json:"name"`
	Summary      string        `json:"summary"`
	Kind         string        `json:"kind"`
	Status       string        `json:"status"`
	URL          string        `json:"url"`
	// Page is this node's page of the hit: for a partner's item, the page
	// where members request it (url is the partner's own page, which
	// answers only partners' nodes for a partners-only item).
	Page     string  `json:"page"`
	ImageURL string  `json:"image_url"`
	Score    float64 `json:"score"`
	ItemID   int64   `json:"item_id,omitempty"`
	IRI      string  `json:"iri,omitempty"`
}

// toSearchHitJSON renders a hit; thumbs are the cached thumbnails of
// the page's remote hits (remoteThumbs). A remote hit's image_url is this
// node's copy, or "" until it is fetched: never the partner's address,
// which a client would load, telling the partner who searched.
func (s *server) toSearchHitJSON(h *shrooms.SearchHit, thumbs map[int64]*shrooms.Media) searchHitJSON {
	out := searchHitJSON{Name: h.Name, Summary: h.Summary, Kind: string(h.Kind), Status: string(h.Status),
		URL: h.URL, ImageURL: h.ImageURL, Score: h.Score}
	if h.Org != nil {
		out.Organization = searchOrgJSON{ID: h.Org.ID, IRI: h.Org.IRI, Acct: h.Org.Acct(), Name: orgName(h.Org), Local: h.Org.Local}
	}
	switch {
	case h.Local != nil:
		out.ItemID, out.Organization.Local = h.Local.ID, true
		if out.URL == "" {
			out.URL = s.IRIs.Item(h.Local.ID)
		}
		out.Page = s.IRIs.Item(h.Local.ID)
		if out.ImageURL == "" && len(h.Local.Photos) > 0 {
			out.ImageURL = s.IRIs.Media(h.Local.Photos[0].ThumbID)
		}
	case h.Remote != nil:
		out.IRI, out.ImageURL = h.Remote.IRI, ""
		if v := hitView(h); !v.External {
			out.Page = s.IRIs.Base + v.Href
		} else {
			out.Page = v.Href
		}
		if thumbs[h.Remote.ID] != nil {
			out.ImageURL = s.IRIs.Base + remoteMediaPath(h.Remote.ID)
		}
	}
	return out
}

// apiSearch answers GET /search?q=&type=tool,part&partner=ID,ID&available=true&offset=&limit=.
func (s *server) apiSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sq := shrooms.SearchQuery{Text: strings.TrimSpace(q.Get("q"))}
	var err error
	switch {
	case sq.Text == "":
		err = shrooms.Errorf(shrooms.EINVALID, "q: say what to search for").Keyed("search.error.query_required").On("q")
	case len([]rune(sq.Text)) > maxSearchText:
		err = shrooms.Errorf(shrooms.EINVALID, "q: a search is at most 200 characters long").Keyed("search.error.query_long").On("q")
	}
	if err == nil {
		sq.Kinds, err = searchKinds(q["type"])
	}
	if err == nil {
		sq.Instances, err = searchIDs(q["partner"], "partner")
	}
	if err == nil {
		var avail *bool
		if avail, err = queryBool(q, "available"); avail != nil {
			sq.Available = *avail
		}
	}
	if err == nil {
		sq.Offset, sq.Limit, err = paging(r)
	}
	switch {
	case err != nil:
	case sq.Offset > maxSearchOffset:
		err = shrooms.Errorf(shrooms.EINVALID, "offset: must be between 0 and 2000").Keyed("search.error.offset").On("offset")
	case sq.Limit > maxSearchLimit:
		err = shrooms.Errorf(shrooms.EINVALID, "limit: must be between 1 and 100").Keyed("core.error.limit", "Max", 100).On("limit")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	res, err := s.Search.Search(r.Context(), sq)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	out := struct {
		Results []searchHitJSON `json:"results"`
		More    bool            `json:"more"`
	}{Results: make([]searchHitJSON, 0, len(res.Hits)), More: res.More}
	thumbs := s.remoteThumbs(r.Context(), res.Hits)
	for _, h := range res.Hits {
		out.Results = append(out.Results, s.toSearchHitJSON(h, thumbs))
	}
	writeJSON(w, http.StatusOK, out)
}

// searchInstanceJSON is an organisation the caller can search.
type searchInstanceJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Acct     string `json:"acct"`
	Local    bool   `json:"local"`
	Included bool   `json:"included"`
}

// apiSearchInstances answers GET /search/instances.
func (s *server) apiSearchInstances(w http.ResponseWriter, r *http.Request) {
	s.writeSearchInstances(w, r)
}

func (s *server) writeSearchInstances(w http.ResponseWriter, r *http.Request) {
	insts, err := s.Search.FindSearchInstances(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	out := struct {
		Instances []searchInstanceJSON `json:"instances"`
	}{Instances: make([]searchInstanceJSON, 0, len(insts))}
	for _, in := range insts {
		out.Instances = append(out.Instances, searchInstanceJSON{ID: in.Org.ID, Name: orgName(in.Org), Acct: in.Org.Acct(),
			Local: in.Local, Included: in.Included})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiSetSearchInstances answers PUT /search/instances {"included":[ids]}
// with the new list.
func (s *server) apiSetSearchInstances(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Included *[]int64 `json:"included"`
	}
	err := decodeJSON(r, &in)
	if err == nil && in.Included == nil {
		err = shrooms.Errorf(shrooms.EINVALID, "included: give the organisation ids to search, [] for none").Keyed("search.error.included").On("included")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := s.Search.SetSearchInstances(r.Context(), *in.Included); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeSearchInstances(w, r)
}

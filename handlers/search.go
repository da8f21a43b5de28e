package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// searchPerPage is the page size of the search page; maxSearchText bounds
// the words of a search (in characters) so that a pasted page of text is
// refused with a message instead of costing the index a long query.
const (
	searchPerPage = 20
	maxSearchText = 200
	// maxSearchOffset keeps paging within what ranking considers;
	// maxSearchLimit is the largest page the API gives.
	maxSearchOffset = shrooms.MaxSearchCandidates
	maxSearchLimit  = 100
)

// searchRoutes: the cross-instance search page and the saving of the
// member's organisations. Members only; the service decides again.
func (s *server) searchRoutes(r *mux.Router) {
	r.HandleFunc("/search", s.requireLogin(s.handleSearch)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/search/instances", s.requireLogin(s.handleSearchSave)).Methods(http.MethodPost)
	r.HandleFunc("/remote-media/{id:[0-9]+}", s.requireLogin(s.handleRemoteMedia)).Methods(http.MethodGet, http.MethodHead)
}

// searchPage is what search.html gets.
type searchPage struct {
	// Q is the search as typed; Searched is false when there was none
	// (the page shows the form alone).
	Q        string
	Searched bool
	Kinds    []shrooms.ItemKind
	// Types are the kinds ticked, Available the "available now" box.
	Types     []string
	Available bool
	Instances []searchInstanceView
	// Chosen is true when the search named its organisations (in=…), so
	// that the page offers to save them as the member's default.
	Chosen bool
	// ChosenIDs are the organisations the search named, for the save form.
	ChosenIDs []int64
	Hits      []searchHitView
	Offset    int
	More      bool
	// Query is the search without the offset, for the paging links.
	Query string
}

// searchInstanceView is one "Search in" checkbox.
type searchInstanceView struct {
	ID      int64
	Name    string
	Acct    string
	Local   bool
	Checked bool
}

// searchHitView is one result as the page shows it.
type searchHitView struct {
	OrgName string
	OrgAcct string
	Local   bool
	Name    string
	Summary string
	// Href is the item's page: ours for a local item, and our page of a
	// partner's cached item (the partner's own page answers a browser
	// "not found" for a partners-only item); External is set when Href is
	// the partner's page instead (an object that is not an item), "" when
	// the partner gave no http(s) address.
	Href     string
	External bool
	Kind     string
	Status   string
	// ThumbID is a local item's first thumbnail, 0 for none. Partners'
	// images are never loaded from the partner (the CSP allows images from
	// this node only, and loading them would tell the partner who
	// searched): RemoteThumb is this node's copy, "" until it is fetched.
	ThumbID     int64
	RemoteThumb string
}

// handleSearch shows the search form and, when there is a search, one
// page of its results. A search naming organisations (in=ID) is a
// one-off: the member's saved choice changes only through the save form.
func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := &searchPage{Kinds: shrooms.ItemKinds}
	sq, err := readSearchForm(q, d)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	insts, err := s.Search.FindSearchInstances(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	for _, in := range insts {
		v := searchInstanceView{ID: in.Org.ID, Name: orgName(in.Org), Acct: in.Org.Acct(), Local: in.Local, Checked: in.Included}
		if d.Chosen {
			v.Checked = slices.Contains(sq.Instances, in.Org.ID)
		}
		d.Instances = append(d.Instances, v)
	}
	if d.Searched {
		res, err := s.Search.Search(ctx, sq)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		d.More = res.More
		thumbs := s.remoteThumbs(ctx, res.Hits)
		for _, h := range res.Hits {
			v := hitView(h)
			if h.Remote != nil && thumbs[h.Remote.ID] != nil {
				v.RemoteThumb = remoteMediaPath(h.Remote.ID)
			}
			d.Hits = append(d.Hits, v)
		}
	}
	s.render(w, r, 0, "search", "search.title", d)
}

// readSearchForm reads the page's query string: q, type (several, or
// comma-separated), in (organisation IDs), available and offset. It fills
// d for the form and returns the query for the service.
func readSearchForm(q url.Values, d *searchPage) (shrooms.SearchQuery, error) {
	d.Q = strings.TrimSpace(q.Get("q"))
	sq := shrooms.SearchQuery{Text: d.Q, Limit: searchPerPage}
	if len([]rune(d.Q)) > maxSearchText {
		return sq, shrooms.Errorf(shrooms.EINVALID, "q: a search is at most 200 characters long").Keyed("search.error.query_long").On("q")
	}
	d.Searched = d.Q != ""
	var err error
	if sq.Kinds, err = searchKinds(q["type"]); err != nil {
		return sq, err
	}
	for _, k := range sq.Kinds {
		d.Types = append(d.Types, string(k))
	}
	if sq.Instances, err = searchIDs(q["in"], "in"); err != nil {
		return sq, err
	}
	d.Chosen, d.ChosenIDs = sq.Instances != nil, sq.Instances
	switch v := q.Get("available"); v {
	case "", "0", "false":
	case "1", "on", "true":
		sq.Available, d.Available = true, true
	default:
		return sq, shrooms.Errorf(shrooms.EINVALID, "available: must be true or false").Keyed("search.error.available").On("available")
	}
	if sq.Offset, err = searchOffset(q.Get("offset")); err != nil {
		return sq, err
	}
	d.Offset = sq.Offset
	keep := url.Values{}
	keep.Set("q", d.Q)
	for _, t := range d.Types {
		keep.Add("type", t)
	}
	for _, id := range sq.Instances {
		keep.Add("in", strconv.FormatInt(id, 10))
	}
	if d.Available {
		keep.Set("available", "1")
	}
	d.Query = keep.Encode()
	return sq, nil
}

// searchKinds reads item kinds given as repeated values, comma-separated
// lists, or both. Returns EINVALID naming an unknown kind.
func searchKinds(vals []string) ([]shrooms.ItemKind, error) {
	var out []shrooms.ItemKind
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			k := shrooms.ItemKind(strings.TrimSpace(part))
			switch {
			case k == "":
			case !slices.Contains(shrooms.ItemKinds, k):
				return nil, shrooms.Errorf(shrooms.EINVALID, "type: must be among tool, device, part, kit").Keyed("search.error.type").On("type")
			case !slices.Contains(out, k):
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// searchIDs reads organisation IDs given as repeated values or
// comma-separated lists; nil when none was given. Returns EINVALID for
// anything but positive numbers.
func searchIDs(vals []string, field string) ([]int64, error) {
	var out []int64
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id < 1 {
				return nil, shrooms.Errorf(shrooms.EINVALID, "%s: must be organisation ids", field).Keyed("search.error.instances_ids").On(field)
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// searchOffset reads the paging offset: 0 when absent.
func searchOffset(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxSearchOffset {
		return 0, shrooms.Errorf(shrooms.EINVALID, "offset: must be between 0 and 2000").Keyed("search.error.offset").On("offset")
	}
	return n, nil
}

// orgName is an organisation's display name: its name, else its account.
func orgName(a *shrooms.Actor) string {
	if a == nil {
		return ""
	}
	if a.Name != "" {
		return a.Name
	}
	return a.Acct()
}

// hitView turns a hit into what the page shows.
func hitView(h *shrooms.SearchHit) searchHitView {
	v := searchHitView{Name: h.Name, Summary: h.Summary, Local: h.Local != nil}
	if slices.Contains(shrooms.ItemKinds, h.Kind) {
		v.Kind = string(h.Kind)
	}
	if slices.Contains(shrooms.ItemStatuses, h.Status) {
		v.Status = string(h.Status)
	}
	if h.Org != nil {
		v.OrgName, v.OrgAcct = orgName(h.Org), h.Org.Acct()
	}
	if h.Local != nil {
		v.Href = "/items/" + strconv.FormatInt(h.Local.ID, 10)
		if len(h.Local.Photos) > 0 {
			v.ThumbID = h.Local.Photos[0].ThumbID
		}
	} else if h.Remote != nil && h.Remote.Type == "Item" && h.Remote.IRI != "" {
		v.Href = remoteItemPath(h.Remote.IRI)
	} else {
		v.Href, v.External = webURL(h.URL), true
	}
	return v
}

// webURL keeps an address from a partner only if it is an absolute
// http(s) URL: anything else (javascript:, data:) is no link.
func webURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// PrevURL and NextURL are the neighbouring pages of results.
func (d *searchPage) PrevURL() string {
	return "/search?" + d.Query + "&offset=" + strconv.Itoa(max(0, d.Offset-searchPerPage))
}

// NextURL is the next page of results.
func (d *searchPage) NextURL() string {
	return "/search?" + d.Query + "&offset=" + strconv.Itoa(d.Offset+searchPerPage)
}

// HasType reports whether kind k is ticked.
func (d *searchPage) HasType(k shrooms.ItemKind) bool { return slices.Contains(d.Types, string(k)) }

// handleSearchSave saves the organisations of the search the member just
// made as their default, then shows that search again.
func (s *server) handleSearchSave(w http.ResponseWriter, r *http.Request) {
	ids, err := searchIDs(r.PostForm["in"], "in")
	if err == nil && len(ids) == 0 {
		err = shrooms.Errorf(shrooms.EINVALID, "in: choose at least one organisation").Keyed("search.error.instances_none").On("in")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := s.Search.SetSearchInstances(r.Context(), ids); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, savedSearchURL(r.PostForm), "search.saved")
}

// savedSearchURL is the search the member saved from, without its
// organisations, so that the page shows the saved choice at work. Values
// no form sends are dropped rather than refused: the choice is saved.
func savedSearchURL(form url.Values) string {
	keep := url.Values{}
	if q := strings.TrimSpace(form.Get("q")); q != "" && len([]rune(q)) <= maxSearchText {
		keep.Set("q", q)
	}
	if kinds, err := searchKinds(form["type"]); err == nil {
		for _, k := range kinds {
			keep.Add("type", string(k))
		}
	}
	if form.Get("available") == "1" {
		keep.Set("available", "1")
	}
	if len(keep) == 0 {
		return "/search"
	}
	return "/search?" + keep.Encode()
}

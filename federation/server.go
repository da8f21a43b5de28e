package federation

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// pageSize is how many items a collection page holds.
const pageSize = 20

// Handler returns the ActivityPub endpoints: WebFinger, NodeInfo, actor
// documents and collections, activities, item documents, and the inboxes.
// Content negotiation (HTML for browsers) is the caller's.
func (f *Federation) Handler() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/.well-known/webfinger", f.handleWebFinger).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/.well-known/nodeinfo", f.handleNodeInfoDiscovery).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/nodeinfo/2.1", f.handleNodeInfo).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/inbox", f.handleInbox).Methods(http.MethodPost)
	r.HandleFunc("/actors/{handle}/inbox", f.handleInbox).Methods(http.MethodPost)
	r.HandleFunc("/actors/{handle}", f.handleActor).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/actors/{handle}/outbox", f.handleOutbox).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/actors/{handle}/followers", f.handleFollows(true)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/actors/{handle}/following", f.handleFollows(false)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/actors/{handle}/shared", f.handleShared).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/activities/{token}", f.handleActivity).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/items/{id:[0-9]+}", f.handleItem).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/items/{id:[0-9]+}/thumb", f.handleItemThumb).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/items/{id:[0-9]+}/availability", f.handleAvailability).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/loans/{token:[0-9a-f]{32}}", f.handleLoan).Methods(http.MethodGet, http.MethodHead)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	})
	return r
}

// InboxHandler is the inbox alone, for routers that match the inbox paths
// themselves (POST /inbox and POST /actors/{handle}/inbox, with the
// gorilla/mux variable "handle"): the busiest endpoint is then routed once.
func (f *Federation) InboxHandler() http.Handler { return http.HandlerFunc(f.handleInbox) }

func (f *Federation) handleWebFinger(w http.ResponseWriter, r *http.Request) {
	res := r.URL.Query().Get("resource")
	if res == "" {
		writeError(w, http.StatusBadRequest, "resource parameter is required")
		return
	}
	var handle string
	if acct, ok := strings.CutPrefix(res, "acct:"); ok {
		h, host, _ := strings.Cut(strings.TrimPrefix(acct, "@"), "@")
		if !strings.EqualFold(host, f.cfg.IRIs.Host()) {
			writeError(w, http.StatusNotFound, "not an account of this node")
			return
		}
		handle = strings.ToLower(h)
	} else if f.cfg.IRIs.Local(res) {
		handle, _ = strings.CutPrefix(res, f.cfg.IRIs.Base+"/actors/")
	}
	a, err := f.svc.Actors.FindLocalActor(r.Context(), handle)
	if err != nil || handle == "" {
		writeError(w, http.StatusNotFound, "no such account")
		return
	}
	body, err := vocab.WebFingerJSON(a, f.cfg.IRIs.Host())
	f.write(w, "application/jrd+json; charset=utf-8", body, err)
}

func (f *Federation) handleNodeInfoDiscovery(w http.ResponseWriter, r *http.Request) {
	body, err := vocab.NodeInfoDiscoveryJSON(f.cfg.IRIs.Base)
	f.write(w, "application/json; charset=utf-8", body, err)
}

func (f *Federation) handleNodeInfo(w http.ResponseWriter, r *http.Request) {
	node, err := f.svc.Nodes.FindNode(r.Context())
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	stats, err := f.svc.Nodes.NodeStats(r.Context())
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	body, err := vocab.NodeInfoJSON(*node, stats, false)
	f.write(w, vocab.NodeInfoProfile, body, err)
}

func (f *Federation) handleActor(w http.ResponseWriter, r *http.Request) {
	a, ok := f.localActor(w, r)
	if !ok {
		return
	}
	body, err := vocab.ActorJSON(a)
	f.write(w, vocab.ContentType, body, err)
}

func (f *Federation) handleOutbox(w http.ResponseWriter, r *http.Request) {
	a, ok := f.localActor(w, r)
	if !ok {
		return
	}
	page, ok := pageParam(w, r)
	if !ok {
		return
	}
	offset, limit := window(page)
	// The store lists only public entries to a reader from the network.
	ctx, _ := f.readerContext(r)
	entries, total, err := f.svc.Outbox.FindOutboxEntries(ctx, shrooms.OutboxFilter{ActorID: a.ID, Offset: offset, Limit: limit})
	if err != nil || page == 0 {
		f.writeCollection(w, a.Outbox, total, err)
		return
	}
	items := make([]*shrooms.Activity, len(entries))
	for i, e := range entries {
		items[i] = &e.Activity
	}
	body, err := vocab.ActivityPageJSON(pageOf(a.Outbox, page, total), items)
	f.write(w, vocab.ContentType, body, err)
}

func (f *Federation) handleFollows(followers bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := f.localActor(w, r)
		if !ok {
			return
		}
		page, ok := pageParam(w, r)
		if !ok {
			return
		}
		offset, limit := window(page)
		id, filter := a.Following, shrooms.FollowFilter{FollowerID: a.ID, State: shrooms.FollowAccepted, Offset: offset, Limit: limit}
		if followers {
			id, filter = a.Followers, shrooms.FollowFilter{FolloweeID: a.ID, State: shrooms.FollowAccepted, Offset: offset, Limit: limit}
		}
		ctx, _ := f.readerContext(r)
		follows, total, err := f.svc.Follows.FindFollows(ctx, filter)
		if err != nil || page == 0 {
			f.writeCollection(w, id, total, err)
			return
		}
		iris := make([]string, len(follows))
		for i, fl := range follows {
			iris[i] = fl.Followee.IRI
			if followers {
				iris[i] = fl.Follower.IRI
			}
		}
		body, err := vocab.IRIPageJSON(pageOf(id, page, total), iris)
		f.write(w, vocab.ContentType, body, err)
	}
}

// handleActivity serves one outbox activity. The store decides with the
// principal of the verified signer: public activities to anyone, others
// only to a signer that sent them or is addressed by them; everyone else
// gets 404, so that existence does not leak.
func (f *Federation) handleActivity(w http.ResponseWriter, r *http.Request) {
	ctx, _ := f.readerContext(r)
	e, err := f.svc.Outbox.FindOutboxEntryByIRI(ctx, f.cfg.IRIs.Base+"/activities/"+mux.Vars(r)["token"])
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	// An item activity names its object by IRI here: the snapshot it
	// delivered may be of an item that is no longer public, and the IRI
	// answers only while it is.
	act := e.Activity
	act.Item = nil
	body, err := vocab.ActivityJSON(&act)
	f.write(w, vocab.ContentType, body, err)
}

func (f *Federation) localActor(w http.ResponseWriter, r *http.Request) (*shrooms.Actor, bool) {
	a, err := f.svc.Actors.FindLocalActor(r.Context(), mux.Vars(r)["handle"])
	if err != nil {
		f.write(w, "", nil, err)
		return nil, false
	}
	return a, true
}

// write sends body, or maps err to a status with a safe message.
func (f *Federation) write(w http.ResponseWriter, contentType string, body []byte, err error) {
	if err != nil {
		switch shrooms.ErrorCode(err) {
		case shrooms.ENOTFOUND:
			writeError(w, http.StatusNotFound, "not found")
		case shrooms.EINVALID:
			writeError(w, http.StatusBadRequest, shrooms.ErrorMessage(err))
		default:
			f.cfg.Logger.Error("federation endpoint", "err", err)
			writeError(w, http.StatusInternalServerError, "internal error")
		}
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Vary", "Accept")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(body)
}

func pageParam(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		writeError(w, http.StatusBadRequest, "page must be a positive number")
		return 0, false
	}
	return n, true
}

// window is the offset and limit of a page; page 0, the collection
// itself, needs only the total.
func window(page int) (offset, limit int) {
	if page == 0 {
		return 0, 1
	}
	return (page - 1) * pageSize, pageSize
}

// writeCollection answers the OrderedCollection document, or err.
func (f *Federation) writeCollection(w http.ResponseWriter, id string, total int, err error) {
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	body, err := vocab.CollectionJSON(id, total, id+"?page=1", lastPage(id, total))
	f.write(w, vocab.ContentType, body, err)
}

func pageOf(id string, page, total int) vocab.Page {
	p := vocab.Page{ID: fmt.Sprintf("%s?page=%d", id, page), PartOf: id, TotalItems: total}
	if page*pageSize < total {
		p.Next = fmt.Sprintf("%s?page=%d", id, page+1)
	}
	if page > 1 {
		p.Prev = fmt.Sprintf("%s?page=%d", id, page-1)
	}
	return p
}

func lastPage(id string, total int) string {
	n := (total + pageSize - 1) / pageSize
	if n < 1 {
		n = 1
	}
	return fmt.Sprintf("%s?page=%d", id, n)
}

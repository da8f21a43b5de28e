package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiPartnerRoutes: partnerships and partner invites, for admins. {id} of
// /partners is the partner's actor ID; the follow requests of partners
// without an invite are /follow-requests.
func (s *server) apiPartnerRoutes(auth *mux.Router) {
	a := s.requireAdmin
	const get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	auth.HandleFunc("/partners", a(s.apiPartners)).Methods(get)
	auth.HandleFunc("/partners/link", a(s.apiLinkPartner)).Methods(post)
	auth.HandleFunc("/partners/{id:[0-9]+}", a(s.apiPartner)).Methods(get)
	auth.HandleFunc("/partners/{id:[0-9]+}", a(s.apiSetPartnerModules)).Methods(patch)
	auth.HandleFunc("/partners/{id:[0-9]+}", a(s.apiDelete(func(ctx context.Context, id int64) error { return s.Partners.UnlinkPartner(ctx, id) }))).Methods(del)
	auth.HandleFunc("/partners/{id:[0-9]+}/block", a(s.apiDelete(func(ctx context.Context, id int64) error { return s.Partners.BlockPartner(ctx, id) }))).Methods(post)
	auth.HandleFunc("/partners/{id:[0-9]+}/block", a(s.apiDelete(func(ctx context.Context, id int64) error { return s.Partners.UnblockPartner(ctx, id) }))).Methods(del)
	auth.HandleFunc("/partners/{id:[0-9]+}/sync", a(s.apiPartnerSync)).Methods(post)
	auth.HandleFunc("/partner-invites", a(s.apiPartnerInvites)).Methods(get)
	auth.HandleFunc("/partner-invites", a(s.apiCreatePartnerInvite)).Methods(post)
	auth.HandleFunc("/partner-invites/{id:[0-9]+}", a(s.apiDelete(func(ctx context.Context, id int64) error { return s.Partners.RevokePartnerInvite(ctx, id) }))).Methods(del)
}

type partnerSyncJSON struct {
	State      string     `json:"state"`
	Fetched    int        `json:"fetched"`
	Total      int        `json:"total"`
	FinishedAt *time.Time `json:"finished_at"`
	Error      string     `json:"error"`
}

type partnerJSON struct {
	ID             int64           `json:"id"`
	IRI            string          `json:"iri"`
	Acct           string          `json:"acct"`
	Name           string          `json:"name"`
	URL            string          `json:"url"`
	State          string          `json:"state"`
	Modules        []string        `json:"modules"`
	LastDeliveryAt *time.Time      `json:"last_delivery_at"`
	QueueDepth     int             `json:"queue_depth"`
	Sync           partnerSyncJSON `json:"sync"`
}

func toPartnerJSON(p *shrooms.Partner) partnerJSON {
	mods := p.Modules
	if mods == nil {
		mods = []string{}
	}
	return partnerJSON{ID: p.Actor.ID, IRI: p.Actor.IRI, Acct: p.Actor.Acct(), Name: p.Actor.Name, URL: p.Actor.URL,
		State: string(p.State), Modules: mods, LastDeliveryAt: optTime(p.LastDeliveryAt), QueueDepth: p.QueueDepth,
		Sync: partnerSyncJSON{State: string(p.Sync.State), Fetched: p.Sync.Fetched, Total: p.Sync.Total,
			FinishedAt: optTime(p.Sync.FinishedAt), Error: p.Sync.LastError}}
}

// apiPartners lists partners, linked first; ?state= keeps one state.
func (s *server) apiPartners(w http.ResponseWriter, r *http.Request) {
	var f shrooms.PartnerFilter
	if v := r.URL.Query().Get("state"); v != "" {
		f.State = shrooms.PartnerState(v)
		if !validPartnerState(f.State) {
			s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "state: must be linked, pending-in, pending-out or blocked").Keyed("partners.error.state_filter").On("state"), 0)
			return
		}
	}
	ps, err := s.Partners.FindPartners(r.Context(), f)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ps, len(ps), toPartnerJSON)
}

func validPartnerState(st shrooms.PartnerState) bool {
	for _, x := range shrooms.PartnerStates {
		if x == st {
			return true
		}
	}
	return false
}

func (s *server) apiPartner(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	var p *shrooms.Partner
	if err == nil {
		p, err = s.Partners.FindPartner(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, toPartnerJSON(p))
}

// apiSetPartnerModules replaces the sharing policy: {"modules": [...]}.
func (s *server) apiSetPartnerModules(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Modules *[]string `json:"modules"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err == nil && in.Modules == nil {
		err = shrooms.Errorf(shrooms.EINVALID, "modules: give the list of shared modules ([] shares nothing)").Keyed("partners.error.modules_list").On("modules")
	}
	var p *shrooms.Partner
	if err == nil {
		p, err = s.Partners.SetPartnerModules(r.Context(), id, *in.Modules)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, toPartnerJSON(p))
}

func (s *server) apiPartnerSync(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err == nil {
		err = s.Partners.RequestPartnerSync(r.Context(), id)
	}
	var p *shrooms.Partner
	if err == nil {
		p, err = s.Partners.FindPartner(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusAccepted, toPartnerJSON(p))
}

// apiLinkPartner links with the organisation of an invite URL: {"url"}.
func (s *server) apiLinkPartner(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	p, err := s.Linker.LinkPartnerByInvite(r.Context(), in.URL)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, toPartnerJSON(p))
}

type partnerInviteJSON struct {
	ID        int64      `json:"id"`
	Note      string     `json:"note"`
	State     string     `json:"state"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at"`
	UsedBy    string     `json:"used_by"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func toPartnerInviteJSON(inv *shrooms.PartnerInvite, now time.Time) partnerInviteJSON {
	return partnerInviteJSON{ID: inv.ID, Note: inv.Note, State: string(inv.State(now)), CreatedAt: inv.CreatedAt,
		ExpiresAt: inv.ExpiresAt, UsedAt: optTime(inv.UsedAt), UsedBy: inv.UsedBy, RevokedAt: optTime(inv.RevokedAt)}
}

func (s *server) apiPartnerInvites(w http.ResponseWriter, r *http.Request) {
	invs, err := s.Partners.FindPartnerInvites(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	now := s.Now()
	writeList(w, invs, len(invs), func(inv *shrooms.PartnerInvite) partnerInviteJSON { return toPartnerInviteJSON(inv, now) })
}

// apiCreatePartnerInvite makes an invite: {"note", "expires_in_days"}
// (default 7). The answer carries the URL, which is never shown again.
func (s *server) apiCreatePartnerInvite(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Note          string `json:"note"`
		ExpiresInDays *int   `json:"expires_in_days"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	ttl := shrooms.DefaultInviteTTL
	var err error
	if in.ExpiresInDays != nil {
		ttl, err = inviteDays(strconv.Itoa(*in.ExpiresInDays))
	}
	var (
		inv   *shrooms.PartnerInvite
		token string
		org   *shrooms.Actor
	)
	if err == nil {
		inv, token, err = s.Partners.CreatePartnerInvite(r.Context(), ttl, in.Note)
	}
	if err == nil {
		org, err = s.Actors.FindOrgActor(r.Context())
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"invite": toPartnerInviteJSON(inv, s.Now()), "url": shrooms.InviteURL(org.IRI, token)})
}

package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxAPIBody bounds a JSON request body.
const maxAPIBody = 64 << 10

func (s *server) apiRoutes(r *mux.Router) {
	r.HandleFunc("/instance", s.apiInstance).Methods(http.MethodGet)
	auth := r.NewRoute().Subrouter()
	auth.Use(s.requireToken)
	auth.HandleFunc("/me", s.apiMe).Methods(http.MethodGet)
	auth.HandleFunc("/me", s.apiUpdateMe).Methods(http.MethodPatch)
	auth.HandleFunc("/me/password", s.apiChangePassword).Methods(http.MethodPost)
	auth.HandleFunc("/me/tokens", s.apiTokens).Methods(http.MethodGet)
	auth.HandleFunc("/me/tokens", s.apiCreateToken).Methods(http.MethodPost)
	auth.HandleFunc("/me/tokens", s.apiDeleteTokens).Methods(http.MethodDelete)
	auth.HandleFunc("/me/tokens/{id:[0-9]+}", s.apiDeleteToken).Methods(http.MethodDelete)
	auth.HandleFunc("/me/profile", s.apiMyProfile).Methods(http.MethodGet)
	auth.HandleFunc("/me/profile", s.apiUpdateProfile).Methods(http.MethodPut)
	auth.HandleFunc("/profiles", s.apiProfiles).Methods(http.MethodGet)
	auth.HandleFunc("/profiles/{username}", s.apiProfile).Methods(http.MethodGet)
	auth.HandleFunc("/media", s.apiCreateMedia).Methods(http.MethodPost)
	s.apiAdminRoutes(auth)
	s.apiInventoryRoutes(auth)
	s.apiSearchRoutes(auth)
	auth.HandleFunc("/followers", s.requireAdmin(s.apiFollows(true, ""))).Methods(http.MethodGet)
	auth.HandleFunc("/following", s.requireAdmin(s.apiFollows(false, ""))).Methods(http.MethodGet)
	auth.HandleFunc("/following", s.requireAdmin(s.apiFollow)).Methods(http.MethodPost)
	auth.HandleFunc("/following/{id:[0-9]+}", s.requireAdmin(s.apiUnfollow)).Methods(http.MethodDelete)
	auth.HandleFunc("/follow-requests", s.requireAdmin(s.apiFollows(true, shrooms.FollowPending))).Methods(http.MethodGet)
	auth.HandleFunc("/follow-requests/{id:[0-9]+}/{decision:approve|reject}", s.requireAdmin(s.apiDecide)).Methods(http.MethodPost)
	auth.HandleFunc("/deliveries", s.requireAdmin(s.apiDeliveries)).Methods(http.MethodGet)
	auth.HandleFunc("/deliveries/{id:[0-9]+}/retry", s.requireAdmin(s.apiRetryDelivery)).Methods(http.MethodPost)
	auth.HandleFunc("/queue", s.requireAdmin(s.apiQueue)).Methods(http.MethodGet)
	auth.HandleFunc("/mail", s.requireAdmin(s.apiMail)).Methods(http.MethodGet)
	auth.HandleFunc("/mail/{id:[0-9]+}/retry", s.requireAdmin(s.apiRetryMail)).Methods(http.MethodPost)
	auth.HandleFunc("/mail/{id:[0-9]+}", s.requireAdmin(s.apiDiscardMail)).Methods(http.MethodDelete)
	s.apiPartnerRoutes(auth)
	s.apiLoanRoutes(auth)
}

// apiAdminRoutes are the routes for managing the node: accounts,
// invitations, groups, grants and settings. The services decide who may
// use them; most are for admins.
func (s *server) apiAdminRoutes(auth *mux.Router) {
	auth.HandleFunc("/users", s.apiUsers).Methods(http.MethodGet)
	auth.HandleFunc("/users/{id:[0-9]+}", s.requireAdmin(s.apiUser)).Methods(http.MethodGet)
	auth.HandleFunc("/users/{id:[0-9]+}", s.apiUpdateUser).Methods(http.MethodPatch)
	auth.HandleFunc("/users/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Users.DeleteUser(ctx, id) })).Methods(http.MethodDelete)
	auth.HandleFunc("/invitations", s.apiInvitations).Methods(http.MethodGet)
	auth.HandleFunc("/invitations", s.apiCreateInvitation).Methods(http.MethodPost)
	auth.HandleFunc("/invitations/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Accounts.DeleteInvitation(ctx, id) })).Methods(http.MethodDelete)
	auth.HandleFunc("/groups", s.apiGroups).Methods(http.MethodGet)
	auth.HandleFunc("/groups", s.apiCreateGroup).Methods(http.MethodPost)
	auth.HandleFunc("/groups/{id:[0-9]+}", s.apiGroup).Methods(http.MethodGet)
	auth.HandleFunc("/groups/{id:[0-9]+}", s.apiUpdateGroup).Methods(http.MethodPatch)
	auth.HandleFunc("/groups/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Groups.DeleteGroup(ctx, id) })).Methods(http.MethodDelete)
	auth.HandleFunc("/groups/{id:[0-9]+}/members", s.apiSetGroupMembers).Methods(http.MethodPut)
	auth.HandleFunc("/grants", s.apiGrants).Methods(http.MethodGet)
	auth.HandleFunc("/grants", s.apiSetGrants).Methods(http.MethodPut)
	auth.HandleFunc("/settings", s.apiSettings).Methods(http.MethodGet)
	auth.HandleFunc("/settings", s.apiUpdateSettings).Methods(http.MethodPatch)
}

type instanceJSON struct {
	Name      string   `json:"name"`
	PublicURL string   `json:"public_url"`
	Account   string   `json:"account"`
	Actor     string   `json:"actor"`
	Version   string   `json:"version"`
	Modules   []string `json:"modules"`
}

func (s *server) apiInstance(w http.ResponseWriter, r *http.Request) {
	node, err := s.Nodes.FindNode(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, instanceJSON{
		Name: node.Name, PublicURL: node.PublicURL, Version: shrooms.Version, Modules: node.Modules,
		Account: node.OrgHandle + "@" + s.IRIs.Host(), Actor: s.IRIs.Actor(node.OrgHandle),
	})
}

type userJSON struct {
	ID              int64      `json:"id"`
	Username        string     `json:"username"`
	Name            string     `json:"name"`
	Email           string     `json:"email"`
	Role            string     `json:"role"`
	Status          string     `json:"status"`
	Language        string     `json:"language"`
	Dashboard       []string   `json:"dashboard"`
	Actor           string     `json:"actor"`
	EmailVerifiedAt *time.Time `json:"email_verified_at,omitempty"`
	LastActiveAt    *time.Time `json:"last_active_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
}

func (s *server) toUserJSON(u *shrooms.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Name: u.Name, Email: u.Email, Role: string(u.Role),
		Status: string(u.Status), Language: u.Language, Dashboard: u.Dashboard, Actor: s.IRIs.Actor(u.Username),
		EmailVerifiedAt: optTime(u.EmailVerifiedAt), LastActiveAt: optTime(u.LastActiveAt), CreatedAt: u.CreatedAt}
}

// optTime is nil for the zero time, which JSON leaves out.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *server) apiMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.toUserJSON(userFrom(r.Context())))
}

type followJSON struct {
	ID        int64     `json:"id"`
	Account   string    `json:"account"`
	Actor     string    `json:"actor"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toFollowJSON(f *shrooms.Follow, other *shrooms.Actor) followJSON {
	return followJSON{ID: f.ID, Account: other.Acct(), Actor: other.IRI, State: string(f.State), CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

type listJSON[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// writeList answers with a page of items, each converted by toJSON, and
// the total count of the list; no items is [], never null.
func writeList[T, J any](w http.ResponseWriter, items []T, total int, toJSON func(T) J) {
	out := listJSON[J]{Items: make([]J, 0, len(items)), Total: total}
	for _, it := range items {
		out.Items = append(out.Items, toJSON(it))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiFollows lists the organisation's followers (or follow requests) or
// the accounts it follows.
func (s *server) apiFollows(followers bool, state shrooms.FollowState) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org, err := s.Actors.FindOrgActor(r.Context())
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		offset, limit, err := paging(r)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		filter := shrooms.FollowFilter{FollowerID: org.ID, State: state, Offset: offset, Limit: limit}
		if followers {
			filter = shrooms.FollowFilter{FolloweeID: org.ID, State: state, Offset: offset, Limit: limit}
		}
		follows, total, err := s.Follows.FindFollows(r.Context(), filter)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		writeList(w, follows, total, func(f *shrooms.Follow) followJSON {
			if followers {
				return toFollowJSON(f, f.Follower)
			}
			return toFollowJSON(f, f.Followee)
		})
	}
}

// apiFollow makes the organisation follow an account: {"address": "org@host"}.
func (s *server) apiFollow(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Address string `json:"address"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if in.Address == "" {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "address: give handle@host or an actor URL").Keyed("admin.error.follow_address").On("address"), 0)
		return
	}
	org, err := s.Actors.FindOrgActor(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	target, err := s.Resolver.ResolveHandle(r.Context(), in.Address)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	f, err := s.Follows.CreateFollow(r.Context(), org.ID, target.ID)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, toFollowJSON(f, target))
}

// apiUnfollow ends one of the organisation's follows, by follow id.
func (s *server) apiUnfollow(w http.ResponseWriter, r *http.Request) {
	f, ok := s.orgFollow(w, r, false)
	if !ok {
		return
	}
	if err := s.Follows.Unfollow(r.Context(), f.FollowerID, f.FolloweeID); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiDecide approves or rejects a follow request.
func (s *server) apiDecide(w http.ResponseWriter, r *http.Request) {
	req, ok := s.orgFollow(w, r, true)
	if !ok {
		return
	}
	var (
		f   *shrooms.Follow
		err error
	)
	if mux.Vars(r)["decision"] == "approve" {
		f, err = s.Follows.ApproveFollowRequest(r.Context(), req.ID)
	} else {
		f, err = s.Follows.RejectFollowRequest(r.Context(), req.ID)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, toFollowJSON(f, f.Follower))
}

// orgFollow finds the follow {id} of the organisation, as followee
// (incoming) or follower; any other follow is not found.
func (s *server) orgFollow(w http.ResponseWriter, r *http.Request, incoming bool) (*shrooms.Follow, bool) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	org, err := s.Actors.FindOrgActor(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return nil, false
	}
	filter := shrooms.FollowFilter{ID: id, FollowerID: org.ID}
	if incoming {
		filter = shrooms.FollowFilter{ID: id, FolloweeID: org.ID}
	}
	follows, _, err := s.Follows.FindFollows(r.Context(), filter)
	if err == nil && len(follows) == 0 {
		err = shrooms.Errorf(shrooms.ENOTFOUND, "no such follow").Keyed("partners.error.follow_not_found")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return nil, false
	}
	return follows[0], true
}

type deliveryJSON struct {
	ID            int64     `json:"id"`
	State         string    `json:"state"`
	Inbox         string    `json:"inbox"`
	Recipient     string    `json:"recipient"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastStatus    int       `json:"last_status,omitempty"`
	LastError     string    `json:"last_error,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

func (s *server) apiDeliveries(w http.ResponseWriter, r *http.Request) {
	state := shrooms.DeliveryState(r.URL.Query().Get("state"))
	switch state {
	case "", shrooms.DeliveryPending, shrooms.DeliveryDelivered, shrooms.DeliveryDead:
	default:
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "state: must be pending, delivered or dead").Keyed("admin.error.delivery_state").On("state"), 0)
		return
	}
	offset, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	ds, total, err := s.Outbox.FindDeliveries(r.Context(), shrooms.DeliveryFilter{State: state, Offset: offset, Limit: limit})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ds, total, func(d *shrooms.Delivery) deliveryJSON {
		return deliveryJSON{ID: d.ID, State: string(d.State), Inbox: d.Inbox, Recipient: d.Recipient,
			Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt, LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt}
	})
}

func (s *server) apiRetryDelivery(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err := s.Outbox.RetryDelivery(r.Context(), id, s.Now()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) apiQueue(w http.ResponseWriter, r *http.Request) {
	st, err := s.Outbox.QueueStats(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{
		"outbox_unpublished": st.OutboxUnpublished, "deliveries_pending": st.DeliveriesPending,
		"deliveries_dead": st.DeliveriesDead, "inbox_pending": st.InboxPending, "inbox_failed": st.InboxFailed,
	})
}

// decodeJSON reads a bounded JSON body into v, refusing unknown fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxAPIBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *json.SyntaxError
		if errors.As(err, &tooBig) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return shrooms.Errorf(shrooms.EINVALID, "body must be a JSON object").Keyed("core.error.json_object")
		}
		return shrooms.Errorf(shrooms.EINVALID, "invalid JSON: %s", err.Error()).Keyed("core.error.json_invalid", "Detail", err.Error())
	}
	return nil
}

// apiPathID reads the numeric route variable name ({id:[0-9]+}); a number
// too large for int64 is no record.
func apiPathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(mux.Vars(r)[name], 10, 64)
	if err != nil {
		return 0, shrooms.Errorf(shrooms.ENOTFOUND, "%s: no such record", name).Keyed("core.error.no_record", "Name", name).On(name)
	}
	return id, nil
}

// paging reads ?offset= and ?limit= (1–200, default 50).
func paging(r *http.Request) (offset, limit int, err error) {
	q := r.URL.Query()
	limit = 50
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 200 {
			return 0, 0, shrooms.Errorf(shrooms.EINVALID, "limit: must be between 1 and 200").Keyed("core.error.limit", "Max", 200).On("limit")
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, shrooms.Errorf(shrooms.EINVALID, "offset: must be 0 or more").Keyed("core.error.offset").On("offset")
		}
	}
	return offset, limit, nil
}

// apiDelete answers DELETE on a path with an {id}: del (a closure, so
// that the service is looked up per request) deletes
// (and decides who may; users are deleted as shrooms.UserDeletionPolicy
// says), 204 on success.
func (s *server) apiDelete(del func(context.Context, int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := apiPathID(r, "id")
		if err == nil {
			err = del(r.Context(), id)
		}
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

package handlers

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// adminRoutes: users, invitations, groups, permissions, settings,
// modules, theme, follow requests and followers, the mail outbox. Every page is for admins
// only; the services check the rights again.
func (s *server) adminRoutes(r *mux.Router) {
	const get, head, post = http.MethodGet, http.MethodHead, http.MethodPost
	a := s.requireWebAdmin
	r.HandleFunc("/admin", a(s.handleAdmin)).Methods(get, head)

	r.HandleFunc("/admin/users", a(s.handleAdminUsers)).Methods(get, head)
	r.HandleFunc("/admin/users/{id:[0-9]+}", a(s.handleAdminUser)).Methods(get, head)
	r.HandleFunc("/admin/users/{id:[0-9]+}/role", a(s.handleAdminUserRole)).Methods(post)
	r.HandleFunc("/admin/users/{id:[0-9]+}/{action:suspend|unsuspend}", a(s.handleAdminUserStatus)).Methods(post)
	r.HandleFunc("/admin/users/{id:[0-9]+}/delete", a(s.handleAdminDeleteUser)).Methods(get, head, post)
	r.HandleFunc("/admin/invitations", a(s.handleAdminInvite)).Methods(post)
	r.HandleFunc("/admin/invitations/{id:[0-9]+}/delete", a(s.handleAdminRevokeInvitation)).Methods(post)

	r.HandleFunc("/admin/groups", a(s.handleAdminGroups)).Methods(get, head, post)
	r.HandleFunc("/admin/groups/{id:[0-9]+}", a(s.handleAdminGroup)).Methods(get, head, post)
	r.HandleFunc("/admin/groups/{id:[0-9]+}/delete", a(s.handleAdminDeleteGroup)).Methods(post)

	r.HandleFunc("/admin/permissions", a(s.handleAdminPermissions)).Methods(get, head, post)
	r.HandleFunc("/admin/settings", a(s.handleAdminSettings)).Methods(get, head, post)

	r.HandleFunc("/admin/federation", a(s.handleAdminFederation)).Methods(get, head)
	r.HandleFunc("/admin/following", a(s.handleAdminFollow)).Methods(post)
	r.HandleFunc("/admin/following/{id:[0-9]+}/delete", a(s.handleAdminUnfollow)).Methods(post)
	r.HandleFunc("/admin/follow-requests/{id:[0-9]+}/{decision:approve|reject}", a(s.handleAdminDecide)).Methods(post)

	r.HandleFunc("/admin/mail", a(s.handleAdminMail)).Methods(get, head)
	r.HandleFunc("/admin/mail/{id:[0-9]+}/retry", a(s.handleAdminMailRetry)).Methods(post)
	r.HandleFunc("/admin/mail/{id:[0-9]+}/discard", a(s.handleAdminMailDiscard)).Methods(post)
	s.adminPartnerRoutes(r)
}

// adminPage is what every admin page shares: the section the secondary
// menu marks as current, and a translated error for the page's form.
type adminPage struct {
	Section string
	Error   string
}

// adminOverview is the /admin page: one card per section, with counts.
type adminOverview struct {
	adminPage
	Users          int
	FollowRequests int
	Followers      int
	Following      int
	Invitations    int
	Groups         int
	Modules        int
	AllModules     int
}

func (s *server) handleAdmin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := &adminOverview{adminPage: adminPage{Section: "overview"}, AllModules: len(shrooms.Modules),
		Modules: len(stateFrom(ctx).Settings.Modules)}
	var err error
	if d.Users, err = s.Users.CountUsers(ctx); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	org, err := s.Actors.FindOrgActor(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	for _, c := range []struct {
		n *int
		f shrooms.FollowFilter
	}{
		{&d.FollowRequests, shrooms.FollowFilter{FolloweeID: org.ID, State: shrooms.FollowPending, Limit: 1}},
		{&d.Followers, shrooms.FollowFilter{FolloweeID: org.ID, State: shrooms.FollowAccepted, Limit: 1}},
		{&d.Following, shrooms.FollowFilter{FollowerID: org.ID, Limit: 1}},
	} {
		if _, *c.n, err = s.Follows.FindFollows(ctx, c.f); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	invs, err := s.Accounts.FindInvitations(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Invitations = len(invs)
	groups, err := s.Groups.FindGroups(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Groups = len(groups)
	s.render(w, r, 0, "admin", "admin.title", d)
}

// pathID reads the {id} of the route; the route's pattern already made
// sure it is digits.
func pathID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	return id
}

// allUsers lists every account, page by page, for the pages that offer
// a choice among them (group members). Admins only, as FindUsers.
func (s *server) allUsers(r *http.Request) ([]*shrooms.User, error) {
	var out []*shrooms.User
	for {
		page, total, err := s.Users.FindUsers(r.Context(), shrooms.UserFilter{Offset: len(out), Limit: 100})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

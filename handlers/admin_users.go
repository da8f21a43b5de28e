package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// usersPerPage is how many accounts the users list shows at once.
const usersPerPage = 25

// adminUsers is the users list, its search and filters, and the
// invitation form with the pending invitations.
type adminUsers struct {
	adminPage
	Q, Role, Status  string
	Users            []*shrooms.User
	Total            int
	Page, Pages      int
	PrevURL, NextURL string
	Roles            []shrooms.Role
	Statuses         []shrooms.UserStatus
	Invitations      []*shrooms.Invitation
	Invite           inviteForm
}

// inviteForm is the "invite someone" form. Its mail is queued with the
// invitation, so there is no "could not be sent" to show here: the mail
// page shows a mail that keeps failing.
type inviteForm struct {
	Email, Role, Lang string
	Error             string
}

var (
	allRoles    = []shrooms.Role{shrooms.RoleMember, shrooms.RoleStaff, shrooms.RoleAdmin}
	allStatuses = []shrooms.UserStatus{shrooms.StatusActive, shrooms.StatusPending, shrooms.StatusSuspended}
)

func (s *server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r.Context())
	s.renderUsers(w, r, 0, inviteForm{Role: string(shrooms.RoleMember), Lang: st.Settings.DefaultLanguage})
}

// renderUsers shows the users list as the query asks, with the
// invitation form as given.
func (s *server) renderUsers(w http.ResponseWriter, r *http.Request, status int, inv inviteForm) {
	ctx := r.Context()
	q := r.URL.Query()
	d := &adminUsers{adminPage: adminPage{Section: "users"}, Q: q.Get("q"), Role: q.Get("role"), Status: q.Get("status"),
		Page: 1, Roles: allRoles, Statuses: allStatuses, Invite: inv}
	filter := shrooms.UserFilter{Query: d.Q, Limit: usersPerPage}
	var err error
	if d.Role != "" {
		if filter.Role, err = shrooms.ParseRole(d.Role); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	if d.Status != "" {
		if filter.Status, err = shrooms.ParseUserStatus(d.Status); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	if p := q.Get("page"); p != "" {
		if d.Page, err = strconv.Atoi(p); err != nil || d.Page < 1 {
			s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "page: must be a number from 1").Keyed("admin.error.page").On("page"), 0)
			return
		}
	}
	filter.Offset = (d.Page - 1) * usersPerPage
	if d.Users, d.Total, err = s.Users.FindUsers(ctx, filter); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d.Pages = max(1, (d.Total+usersPerPage-1)/usersPerPage)
	pageURL := func(p int) string {
		v := url.Values{}
		for k, x := range map[string]string{"q": d.Q, "role": d.Role, "status": d.Status} {
			if x != "" {
				v.Set(k, x)
			}
		}
		v.Set("page", strconv.Itoa(p))
		return "/admin/users?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = pageURL(min(d.Page-1, d.Pages))
	}
	if d.Page < d.Pages {
		d.NextURL = pageURL(d.Page + 1)
	}
	if d.Invitations, err = s.Accounts.FindInvitations(ctx); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, status, "admin_users", "admin.users.title", d)
}

// adminUser is one account's page and its actions.
type adminUser struct {
	adminPage
	U      *shrooms.User
	Self   bool
	Roles  []shrooms.Role
	Policy string
}

func (s *server) findUserPage(w http.ResponseWriter, r *http.Request) (*adminUser, bool) {
	u, err := s.Users.FindUserByID(r.Context(), pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return nil, false
	}
	me := stateFrom(r.Context()).User
	return &adminUser{adminPage: adminPage{Section: "users"}, U: u, Self: me != nil && me.ID == u.ID, Roles: allRoles}, true
}

func (s *server) handleAdminUser(w http.ResponseWriter, r *http.Request) {
	d, ok := s.findUserPage(w, r)
	if !ok {
		return
	}
	s.render(w, r, 0, "admin_user", "admin.user.title", d)
}

// userActionFailed shows the user's page again with the service's error,
// under the error's status (409 for the last admin).
func (s *server) userActionFailed(w http.ResponseWriter, r *http.Request, page string, err error) {
	d, ok := s.findUserPage(w, r)
	if !ok {
		return
	}
	d.Error = s.errorText(r, err)
	title := "admin.user.title"
	if page == "admin_user_delete" {
		d.Policy = s.tr(r, "admin.user.deletion_policy")
		title = "admin.user.delete_title"
	}
	s.render(w, r, statusOf(shrooms.ErrorCode(err)), page, title, d)
}

// afterUserChange is where an admin goes after changing their own
// account: back to the user page while still an admin, else home.
func (s *server) afterUserChange(w http.ResponseWriter, r *http.Request, u *shrooms.User, flash string) {
	me := stateFrom(r.Context()).User
	if me != nil && me.ID == u.ID && !(u.IsAdmin() && u.Active()) {
		s.redirect(w, r, "/", flash)
		return
	}
	s.redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10), flash)
}

func (s *server) handleAdminUserRole(w http.ResponseWriter, r *http.Request) {
	role, err := shrooms.ParseRole(formValue(r, "role"))
	if err != nil {
		s.userActionFailed(w, r, "admin_user", err)
		return
	}
	u, err := s.Users.UpdateUser(r.Context(), pathID(r), shrooms.UserUpdate{Role: &role})
	if err != nil {
		s.userActionFailed(w, r, "admin_user", err)
		return
	}
	s.afterUserChange(w, r, u, "admin.user.role_changed")
}

func (s *server) handleAdminUserStatus(w http.ResponseWriter, r *http.Request) {
	status, flash := shrooms.StatusSuspended, "admin.user.suspended"
	if mux.Vars(r)["action"] == "unsuspend" {
		status, flash = shrooms.StatusActive, "admin.user.unsuspended"
	}
	u, err := s.Users.UpdateUser(r.Context(), pathID(r), shrooms.UserUpdate{Status: &status})
	if err != nil {
		s.userActionFailed(w, r, "admin_user", err)
		return
	}
	s.afterUserChange(w, r, u, flash)
}

// handleAdminDeleteUser asks for confirmation, with the deletion policy
// in the admin's language, then deletes the account.
func (s *server) handleAdminDeleteUser(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		d, ok := s.findUserPage(w, r)
		if !ok {
			return
		}
		d.Policy = s.tr(r, "admin.user.deletion_policy")
		s.render(w, r, 0, "admin_user_delete", "admin.user.delete_title", d)
		return
	}
	id := pathID(r)
	if err := s.Users.DeleteUser(r.Context(), id); err != nil {
		s.userActionFailed(w, r, "admin_user_delete", err)
		return
	}
	if me := stateFrom(r.Context()).User; me != nil && me.ID == id {
		s.setCookie(w, sessionCookie, "", -1)
		s.redirect(w, r, "/", "admin.user.deleted")
		return
	}
	s.redirect(w, r, "/admin/users", "admin.user.deleted")
}

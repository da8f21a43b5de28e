package handlers

import (
	"net/http"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// adminGroups lists the groups, with the form that creates one.
type adminGroups struct {
	adminPage
	Groups            []*shrooms.Group
	Name, Description string
}

// handleAdminGroups lists the groups (GET) and creates one (POST).
func (s *server) handleAdminGroups(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := &adminGroups{adminPage: adminPage{Section: "groups"}}
	status := 0
	if r.Method == http.MethodPost {
		g := &shrooms.Group{Name: formValue(r, "name"), Description: formValue(r, "description")}
		err := s.Groups.CreateGroup(ctx, g)
		if err == nil {
			s.redirect(w, r, "/admin/groups/"+strconv.FormatInt(g.ID, 10), "admin.groups.created")
			return
		}
		d.Name, d.Description, d.Error = g.Name, g.Description, s.errorText(r, err)
		status = statusOf(shrooms.ErrorCode(err))
	}
	var err error
	if d.Groups, err = s.Groups.FindGroups(ctx); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, status, "admin_groups", "admin.groups.title", d)
}

// adminGroup is one group's page: its name, description and members.
type adminGroup struct {
	adminPage
	G     *shrooms.Group
	Users []*shrooms.User
	// Members holds the IDs shown as ticked.
	Members map[int64]bool
}

// handleAdminGroup shows a group (GET) and saves its name, description
// and members (POST).
func (s *server) handleAdminGroup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	g, err := s.Groups.FindGroupByID(ctx, pathID(r))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &adminGroup{adminPage: adminPage{Section: "groups"}, G: g, Members: map[int64]bool{}}
	for _, id := range g.MemberIDs {
		d.Members[id] = true
	}
	status := 0
	if r.Method == http.MethodPost {
		if err = s.saveGroup(r, g, d); err == nil {
			s.redirect(w, r, "/admin/groups/"+strconv.FormatInt(g.ID, 10), "form.saved")
			return
		}
		d.Error, status = s.errorText(r, err), statusOf(shrooms.ErrorCode(err))
	}
	if d.Users, err = s.allUsers(r); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, status, "admin_group", "admin.group.title", d)
}

// saveGroup reads the group form into g and d (so that a failure shows
// what was sent) and saves it: the name and description, then the
// members.
func (s *server) saveGroup(r *http.Request, g *shrooms.Group, d *adminGroup) error {
	g.Name, g.Description = formValue(r, "name"), formValue(r, "description")
	ids := []int64{}
	d.Members = map[int64]bool{}
	for _, v := range r.PostForm["members"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return shrooms.Errorf(shrooms.EINVALID, "members: %q is not a user", v).Keyed("admin.error.group_member", "Value", v).On("members")
		}
		if !d.Members[id] {
			ids = append(ids, id)
		}
		d.Members[id] = true
	}
	if err := s.Groups.UpdateGroup(r.Context(), g); err != nil {
		return err
	}
	return s.Groups.SetGroupMembers(r.Context(), g.ID, ids)
}

func (s *server) handleAdminDeleteGroup(w http.ResponseWriter, r *http.Request) {
	if err := s.Groups.DeleteGroup(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/groups", "admin.groups.deleted")
}

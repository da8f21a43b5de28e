package handlers

import (
	"net/http"
	"strconv"

	shrooms "github.com/shrooms-org/shrooms"
)

// permSubject is a column of the permissions matrix: a role or a group.
type permSubject struct {
	// Key names the subject in the form: "role-staff", "group-12".
	Key   string
	Role  shrooms.Role
	Group *shrooms.Group
}

// permRow is a module and the access each subject holds in it, in the
// order of the subjects.
type permRow struct {
	Module string
	On     bool
	Cells  []permCell
}

// permCell is one select of the matrix.
type permCell struct {
	Field   string // form field: "module.subject"
	Subject permSubject
	// Access is "none", "read" or "write".
	Access string
}

// adminPermissions is the matrix of modules × roles and groups.
type adminPermissions struct {
	adminPage
	Subjects []permSubject
	Rows     []permRow
}

// accessName spells an Access as the permissions form and the API do:
// none, read or write (write includes read).
func accessName(a shrooms.Access) string {
	switch {
	case a&shrooms.AccessWrite != 0:
		return "write"
	case a&shrooms.AccessRead != 0:
		return "read"
	}
	return "none"
}

// handleAdminPermissions shows the grants as a matrix (GET) and replaces
// them all with what the form says (POST).
func (s *server) handleAdminPermissions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	groups, err := s.Groups.FindGroups(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	subjects := []permSubject{{Key: "role-staff", Role: shrooms.RoleStaff}, {Key: "role-member", Role: shrooms.RoleMember}}
	for _, g := range groups {
		subjects = append(subjects, permSubject{Key: "group-" + strconv.FormatInt(g.ID, 10), Group: g})
	}
	d := &adminPermissions{adminPage: adminPage{Section: "permissions"}, Subjects: subjects}
	status := 0
	if r.Method == http.MethodPost {
		if err = s.saveGrants(r, subjects, d); err == nil {
			s.redirect(w, r, "/admin/permissions", "admin.permissions.saved")
			return
		}
		d.Error, status = s.errorText(r, err), statusOf(shrooms.ErrorCode(err))
	} else {
		grants, err := s.Groups.FindGrants(ctx)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		d.Rows = permRows(stateFrom(ctx).Settings, subjects, func(module string, sub permSubject) string {
			var a shrooms.Access
			for _, g := range grants {
				if g.Module == module && (sub.Group == nil && g.Role == sub.Role || sub.Group != nil && g.GroupID == sub.Group.ID) {
					a |= g.Access
				}
			}
			return accessName(a)
		})
	}
	s.render(w, r, status, "admin_permissions", "admin.permissions.title", d)
}

// permRows builds the matrix with access(module, subject) in each cell.
func permRows(settings *shrooms.Settings, subjects []permSubject, access func(string, permSubject) string) []permRow {
	var rows []permRow
	for _, m := range shrooms.Modules {
		row := permRow{Module: m, On: settings.HasModule(m)}
		for _, sub := range subjects {
			row.Cells = append(row.Cells, permCell{Field: m + "." + sub.Key, Subject: sub, Access: access(m, sub)})
		}
		rows = append(rows, row)
	}
	return rows
}

// saveGrants reads every cell of the matrix and replaces the grants with
// them. A missing cell means no access; a value that is not none, read or
// write refuses the whole form.
func (s *server) saveGrants(r *http.Request, subjects []permSubject, d *adminPermissions) error {
	var grants []shrooms.Grant
	var bad error
	d.Rows = permRows(stateFrom(r.Context()).Settings, subjects, func(module string, sub permSubject) string {
		v := r.PostFormValue(module + "." + sub.Key)
		a, err := shrooms.ParseAccess(v)
		if err != nil {
			if bad == nil {
				bad = err
			}
			return "none"
		}
		if a != shrooms.AccessNone {
			g := shrooms.Grant{Module: module, Role: sub.Role, Access: a}
			if sub.Group != nil {
				g.GroupID = sub.Group.ID
			}
			grants = append(grants, g)
		}
		return accessName(a)
	})
	if bad != nil {
		return bad
	}
	return s.Groups.SetGrants(r.Context(), grants)
}

package shrooms

// Widget is a box on the personal dashboard. Modules fill them; a widget
// of a module that is off is not shown.
type Widget struct {
	ID string
	// Module is the module the widget belongs to, "" for none.
	Module string
	// Staff widgets are shown only to staff and admins; Admin ones only to
	// admins.
	Staff, Admin bool
}

// Widgets lists every dashboard widget, in default order.
var Widgets = []Widget{
	{ID: "welcome"},
	{ID: "loans", Module: "loans"},
	{ID: "events", Module: "events"},
	{ID: "tasks", Module: "projects"},
	{ID: "dues", Module: "dues"},
	{ID: "low-stock", Module: "stock", Staff: true},
	{ID: "follow-requests", Admin: true},
}

// DashboardFor returns the widgets a user sees, in their order: the
// user's saved layout (the widgets they chose to show; unknown IDs
// dropped), or every widget when they never arranged it, filtered by
// modules and role.
func DashboardFor(u *User, s *Settings) []Widget {
	byID := map[string]Widget{}
	for _, w := range Widgets {
		byID[w.ID] = w
	}
	var ids []string
	if u.Dashboard == nil {
		for _, w := range Widgets {
			ids = append(ids, w.ID)
		}
	} else {
		ids = u.Dashboard
	}
	var out []Widget
	seen := map[string]bool{}
	for _, id := range ids {
		w, ok := byID[id]
		if !ok || seen[id] || w.Module != "" && !s.HasModule(w.Module) || w.Staff && !u.IsStaff() || w.Admin && !u.IsAdmin() {
			continue
		}
		seen[id] = true
		out = append(out, w)
	}
	return out
}

// ValidDashboard checks a layout: known widget IDs, each at most once.
// Returns EINVALID.
func ValidDashboard(ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		known := false
		for _, w := range Widgets {
			known = known || w.ID == id
		}
		if !known {
			return Errorf(EINVALID, "dashboard: unknown widget %q", id).Keyed("dashboard.error.widget_unknown", "Widget", id)
		}
		if seen[id] {
			return Errorf(EINVALID, "dashboard: widget %q twice", id).Keyed("dashboard.error.widget_twice", "Widget", id)
		}
		seen[id] = true
	}
	return nil
}

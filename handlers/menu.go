package handlers

// menuEntry is a link of the main menu.
type menuEntry struct {
	Href  string
	Label string // message key
	// Module is the module the page belongs to, "" for none: the entry is
	// hidden while the module is off.
	Module string
	// Staff and Admin entries are shown only to staff or admins.
	Staff, Admin bool
}

// menuEntries lists the main menu in order. Later modules add theirs.
var menuEntries = []menuEntry{
	{Href: "/dashboard", Label: "nav.dashboard"},
	{Href: "/people", Label: "nav.people", Module: "people"},
	{Href: "/admin", Label: "nav.admin", Admin: true},
}

// menu returns the entries the request's user may see.
func (s *server) menu(st *reqState) []menuEntry {
	if st.User == nil {
		return nil
	}
	var out []menuEntry
	for _, e := range menuEntries {
		if e.Module != "" && !st.Settings.HasModule(e.Module) || e.Staff && !st.User.IsStaff() || e.Admin && !st.User.IsAdmin() {
			continue
		}
		out = append(out, e)
	}
	return out
}

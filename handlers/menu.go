package handlers

import (
	"context"
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// menuEntry is a link of the main menu.
type menuEntry struct {
	Href  string
	Label string // message key
	// Module is the module the page belongs to, "" for none: the entry is
	// hidden while the module is off, or when the user's grants do not let
	// them read it.
	Module string
	// Staff and Admin entries are shown only to staff or admins.
	Staff, Admin bool
	// Write entries need write access to their module (the lending desk).
	Write bool
}

// menuEntries lists the main menu in order. Later modules add theirs.
var menuEntries = []menuEntry{
	{Href: "/dashboard", Label: "nav.dashboard"},
	{Href: "/items", Label: "nav.items", Module: "inventory"},
	{Href: "/search", Label: "nav.search"},
	{Href: "/stock", Label: "nav.stock", Module: "stock", Staff: true},
	{Href: "/loans", Label: "nav.loans", Module: "loans"},
	{Href: "/desk", Label: "nav.desk", Module: "loans", Write: true},
	{Href: "/places", Label: "nav.places", Module: "locations"},
	{Href: "/people", Label: "nav.people", Module: "people"},
	{Href: "/admin", Label: "nav.admin", Admin: true},
}

// menu returns the entries the request's user may see.
func (s *server) menu(ctx context.Context, st *reqState) []menuEntry {
	if st.User == nil {
		return nil
	}
	var p *shrooms.Principal
	var grants []shrooms.Grant
	var out []menuEntry
	for _, e := range menuEntries {
		if e.Module != "" && !st.Settings.HasModule(e.Module) || e.Staff && !st.User.IsStaff() || e.Admin && !st.User.IsAdmin() {
			continue
		}
		if e.Module != "" && !st.User.IsAdmin() {
			if p == nil {
				var err error
				if p, grants, err = s.principal(ctx, st.User); err != nil {
					s.Logger.Error("menu rights", "err", err)
					continue
				}
			}
			need := shrooms.AccessRead
			if e.Write {
				need = shrooms.AccessWrite
			}
			if p.ModuleAccess(grants, e.Module)&need == 0 {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// moduleAccess is what the request's user holds in module, for choosing
// what to offer (none for anonymous visitors or when the rights cannot be
// loaded). The store decides again on every action.
func (s *server) moduleAccess(r *http.Request, module string) shrooms.Access {
	u := stateFrom(r.Context()).User
	if u == nil {
		return shrooms.AccessNone
	}
	p, grants, err := s.principal(r.Context(), u)
	if err != nil {
		s.Logger.Error("module rights", "module", module, "err", err)
		return shrooms.AccessNone
	}
	return p.ModuleAccess(grants, module)
}

// principal is the user with their groups, and the node's grants, for
// deciding what to show. The store decides again on every action.
func (s *server) principal(ctx context.Context, u *shrooms.User) (*shrooms.Principal, []shrooms.Grant, error) {
	grants, err := s.Groups.FindGrants(ctx)
	if err != nil {
		return nil, nil, err
	}
	groups, err := s.Groups.FindGroups(ctx)
	if err != nil {
		return nil, nil, err
	}
	p := &shrooms.Principal{User: u}
	for _, g := range groups {
		for _, id := range g.MemberIDs {
			if id == u.ID {
				p.Groups = append(p.Groups, g.ID)
			}
		}
	}
	return p, grants, nil
}

package handlers

import (
	"net/http"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

type groupJSON struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	MemberIDs   []int64 `json:"member_ids"`
}

func toGroupJSON(g *shrooms.Group) groupJSON {
	out := groupJSON{ID: g.ID, Name: g.Name, Description: g.Description, MemberIDs: g.MemberIDs}
	if out.MemberIDs == nil {
		out.MemberIDs = []int64{}
	}
	return out
}

func (s *server) apiGroups(w http.ResponseWriter, r *http.Request) {
	gs, err := s.Groups.FindGroups(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, gs, len(gs), toGroupJSON)
}

func (s *server) apiGroup(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeGroup(w, r, id, http.StatusOK)
}

// writeGroup answers with the group as stored.
func (s *server) writeGroup(w http.ResponseWriter, r *http.Request, id int64, status int) {
	g, err := s.Groups.FindGroupByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, status, toGroupJSON(g))
}

// apiCreateGroup creates a group, with members when member_ids are given.
func (s *server) apiCreateGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        string  `json:"name"`
		Description string  `json:"description"`
		MemberIDs   []int64 `json:"member_ids"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	g := &shrooms.Group{Name: in.Name, Description: in.Description, MemberIDs: in.MemberIDs}
	if err := s.Groups.CreateGroup(r.Context(), g); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeGroup(w, r, g.ID, http.StatusCreated)
}

func (s *server) apiUpdateGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	g, err := s.Groups.FindGroupByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if in.Name != nil {
		g.Name = *in.Name
	}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if err := s.Groups.UpdateGroup(r.Context(), g); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeGroup(w, r, id, http.StatusOK)
}

// apiSetGroupMembers replaces a group's members: {"user_ids": [...]}.
func (s *server) apiSetGroupMembers(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserIDs *[]int64 `json:"user_ids"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err == nil && in.UserIDs == nil {
		err = shrooms.Errorf(shrooms.EINVALID, "user_ids: give the list of members, [] for none").Keyed("admin.error.group_members_list").On("user_ids")
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := s.Groups.SetGroupMembers(r.Context(), id, *in.UserIDs); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.writeGroup(w, r, id, http.StatusOK)
}

type grantJSON struct {
	Module  string `json:"module"`
	Role    string `json:"role,omitempty"`
	GroupID int64  `json:"group_id,omitempty"`
	Access  string `json:"access"`
}

// grantsJSON is the whole list of grants, as GET /grants answers and PUT
// /grants takes it.
type grantsJSON struct {
	Grants []grantJSON `json:"grants"`
}

func (s *server) apiGrants(w http.ResponseWriter, r *http.Request) {
	gs, err := s.Groups.FindGrants(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	out := grantsJSON{Grants: []grantJSON{}}
	for _, g := range gs {
		out.Grants = append(out.Grants, grantJSON{Module: g.Module, Role: string(g.Role), GroupID: g.GroupID, Access: accessName(g.Access)})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiSetGrants replaces every grant with the list given.
func (s *server) apiSetGrants(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Grants *[]grantJSON `json:"grants"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if in.Grants == nil {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "grants: give the whole list of grants, [] for none").Keyed("admin.error.grants_list").On("grants"), 0)
		return
	}
	gs := []shrooms.Grant{}
	for i, g := range *in.Grants {
		a, err := shrooms.ParseAccess(g.Access)
		if err != nil || strings.TrimSpace(g.Access) == "" {
			s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "grant %d (%s): access must be none, read or write", i+1, g.Module).Keyed("admin.error.grant_access", "Number", i+1, "Module", g.Module).On("grants"), 0)
			return
		}
		gs = append(gs, shrooms.Grant{Module: g.Module, Role: shrooms.Role(g.Role), GroupID: g.GroupID, Access: a})
	}
	if err := s.Groups.SetGrants(r.Context(), gs); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.apiGrants(w, r)
}

type settingsJSON struct {
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	PostalAddress   string   `json:"postal_address"`
	LogoID          int64    `json:"logo_id"`
	LogoURL         string   `json:"logo_url,omitempty"`
	PrimaryColor    string   `json:"primary_color"`
	AccentColor     string   `json:"accent_color"`
	CustomCSS       string   `json:"custom_css"`
	SignupMode      string   `json:"signup_mode"`
	Modules         []string `json:"modules"`
	DefaultLanguage string   `json:"default_language"`
	// DefaultAudiences is the audience a new record of each module gets
	// when none is given (modules left out default to members).
	DefaultAudiences map[string]shrooms.Audience `json:"default_audiences"`
}

func (s *server) apiSettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.Settings.FindSettings(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	out := settingsJSON{Name: st.Name, Description: st.Description, PostalAddress: st.PostalAddress, LogoID: st.LogoID,
		LogoURL: s.mediaURL(st.LogoID), PrimaryColor: st.PrimaryColor, AccentColor: st.AccentColor, CustomCSS: st.CustomCSS,
		SignupMode: string(st.SignupMode), Modules: st.Modules, DefaultLanguage: st.DefaultLanguage,
		DefaultAudiences: st.DefaultAudiences}
	if out.DefaultAudiences == nil {
		out.DefaultAudiences = map[string]shrooms.Audience{}
	}
	if out.Modules == nil {
		out.Modules = []string{}
	}
	writeJSON(w, http.StatusOK, out)
}

// apiUpdateSettings changes the settings given and keeps the others.
func (s *server) apiUpdateSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name            *string   `json:"name"`
		Description     *string   `json:"description"`
		PostalAddress   *string   `json:"postal_address"`
		LogoID          *int64    `json:"logo_id"`
		PrimaryColor    *string   `json:"primary_color"`
		AccentColor     *string   `json:"accent_color"`
		CustomCSS       *string   `json:"custom_css"`
		SignupMode      *string   `json:"signup_mode"`
		Modules         *[]string `json:"modules"`
		DefaultLanguage *string   `json:"default_language"`
		// DefaultAudiences sets the modules given; "" goes back to members.
		DefaultAudiences map[string]shrooms.Audience `json:"default_audiences"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	st, err := s.Settings.FindSettings(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	setIf(&st.Name, in.Name)
	setIf(&st.Description, in.Description)
	setIf(&st.PostalAddress, in.PostalAddress)
	setIf(&st.LogoID, in.LogoID)
	setIf(&st.PrimaryColor, in.PrimaryColor)
	setIf(&st.AccentColor, in.AccentColor)
	setIf(&st.CustomCSS, in.CustomCSS)
	setIf(&st.DefaultLanguage, in.DefaultLanguage)
	if in.SignupMode != nil {
		st.SignupMode = shrooms.SignupMode(*in.SignupMode)
	}
	if in.Modules != nil {
		st.Modules = append([]string{}, *in.Modules...)
	}
	if len(in.DefaultAudiences) > 0 {
		merged := map[string]shrooms.Audience{}
		for m, a := range st.DefaultAudiences {
			merged[m] = a
		}
		for m, a := range in.DefaultAudiences {
			if a == "" {
				delete(merged, m)
			} else {
				merged[m] = a
			}
		}
		st.DefaultAudiences = merged
	}
	if err := s.Settings.UpdateSettings(r.Context(), st); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.apiSettings(w, r)
}

// setIf sets *dst to *v when v is given.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

package handlers

import (
	"net/http"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiUsers lists and searches accounts, for admins: ?q= matches the
// username, name and e-mail; ?role= and ?status= filter.
func (s *server) apiUsers(w http.ResponseWriter, r *http.Request) {
	offset, limit, err := paging(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	q := r.URL.Query()
	filter := shrooms.UserFilter{Query: q.Get("q"), Offset: offset, Limit: limit}
	if v := q.Get("role"); v != "" {
		if filter.Role, err = shrooms.ParseRole(v); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	if v := q.Get("status"); v != "" {
		if filter.Status, err = shrooms.ParseUserStatus(v); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	users, total, err := s.Users.FindUsers(r.Context(), filter)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, users, total, s.toUserJSON)
}

// apiUser shows one account. UserService.FindUserByID checks no rights
// (the node uses it internally), so the route is wrapped in requireAdmin.
func (s *server) apiUser(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, s.toUserJSON(u))
}

// apiUpdateUser changes an account's role, status, name or language. The
// service lets admins change everything and users their own name and
// language.
func (s *server) apiUpdateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role     *string `json:"role"`
		Status   *string `json:"status"`
		Name     *string `json:"name"`
		Language *string `json:"language"`
	}
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeJSON(r, &in)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	upd := shrooms.UserUpdate{Name: in.Name, Language: in.Language}
	if in.Role != nil {
		role, err := shrooms.ParseRole(*in.Role)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		upd.Role = &role
	}
	if in.Status != nil {
		st, err := shrooms.ParseUserStatus(*in.Status)
		if err != nil {
			s.fail(w, r, err, 0)
			return
		}
		upd.Status = &st
	}
	u, err := s.Users.UpdateUser(r.Context(), id, upd)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, s.toUserJSON(u))
}

type invitationJSON struct {
	ID        int64      `json:"id"`
	Email     string     `json:"email"`
	Role      string     `json:"role"`
	InvitedBy int64      `json:"invited_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
	// URL and MailSent are only in the answer that created the invitation.
	URL      string `json:"url,omitempty"`
	MailSent *bool  `json:"mail_sent,omitempty"`
}

func toInvitationJSON(inv *shrooms.Invitation) invitationJSON {
	return invitationJSON{ID: inv.ID, Email: inv.Email, Role: string(inv.Role), InvitedBy: inv.InvitedBy,
		CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, UsedAt: optTime(inv.UsedAt)}
}

func (s *server) apiInvitations(w http.ResponseWriter, r *http.Request) {
	invs, err := s.Accounts.FindInvitations(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, invs, len(invs), toInvitationJSON)
}

// apiCreateInvitation invites an e-mail address; the mail with the link
// is queued in the same transaction ("mail_sent": true) and sent by the
// mail worker. The URL is in the answer too, to pass on by hand.
func (s *server) apiCreateInvitation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Role     string `json:"role"`
		Language string `json:"language"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if in.Role == "" {
		in.Role = string(shrooms.RoleMember)
	}
	role, err := shrooms.ParseRole(in.Role)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if in.Language != "" && !shrooms.IsLanguage(in.Language) {
		s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "language: must be one of %s", strings.Join(shrooms.Languages, ", ")).Keyed("account.error.language").On("language"), 0)
		return
	}
	if in.Language == "" {
		in.Language = shrooms.Languages[0]
		if st, err := s.Settings.FindSettings(r.Context()); err == nil && shrooms.IsLanguage(st.DefaultLanguage) {
			in.Language = st.DefaultLanguage
		}
	}
	mail, err := s.invitationMail(r.Context(), in.Language, strings.TrimSpace(in.Email))
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	secret, inv, err := s.Accounts.CreateInvitation(r.Context(), in.Email, role, mail)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	// The mail is queued with the invitation; the mail worker sends it.
	sent := true
	out := toInvitationJSON(inv)
	out.URL = s.invitationLink(secret)
	out.MailSent = &sent
	writeJSON(w, http.StatusCreated, out)
}

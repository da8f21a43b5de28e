package handlers

import (
	"net/http"
	"net/url"

	shrooms "github.com/shrooms-org/shrooms"
)

// handleAdminInvite invites an e-mail address with a role; the store
// queues the mail with the link in the same transaction, and the mail
// worker sends it (the admin's mail page shows one that keeps failing).
func (s *server) handleAdminInvite(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := inviteForm{Email: formValue(r, "email"), Role: formValue(r, "role"), Lang: formValue(r, "lang")}
	if !shrooms.IsLanguage(f.Lang) {
		f.Lang = stateFrom(ctx).Settings.DefaultLanguage
	}
	role, err := shrooms.ParseRole(f.Role)
	if err != nil {
		f.Error = s.errorText(r, err)
		s.renderUsers(w, r, statusOf(shrooms.ErrorCode(err)), f)
		return
	}
	mail, err := s.invitationMail(ctx, f.Lang, f.Email)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if _, _, err := s.Accounts.CreateInvitation(ctx, f.Email, role, mail); err != nil {
		f.Error = s.errorText(r, err)
		s.renderUsers(w, r, statusOf(shrooms.ErrorCode(err)), f)
		return
	}
	s.redirect(w, r, "/admin/users", "admin.invite.sent")
}

// invitationLink is the sign-up address an invitation's secret opens.
func (s *server) invitationLink(secret string) string {
	return s.IRIs.Base + "/signup?invite=" + url.QueryEscape(secret)
}

func (s *server) handleAdminRevokeInvitation(w http.ResponseWriter, r *http.Request) {
	if err := s.Accounts.DeleteInvitation(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/admin/users", "admin.invite.revoked")
}

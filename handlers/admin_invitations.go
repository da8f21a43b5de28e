package handlers

import (
	"net/http"
	"net/url"

	shrooms "github.com/shrooms-org/shrooms"
)

// handleAdminInvite invites an e-mail address with a role and mails the
// link. When the mail cannot be sent, the invitation still exists, and
// the page shows its link once so that the admin can pass it on.
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
	secret, _, err := s.Accounts.CreateInvitation(ctx, f.Email, role)
	if err != nil {
		f.Error = s.errorText(r, err)
		s.renderUsers(w, r, statusOf(shrooms.ErrorCode(err)), f)
		return
	}
	if err := s.sendInvitation(ctx, f.Lang, f.Email, secret); err != nil {
		if shrooms.ErrorCode(err) == shrooms.EINTERNAL {
			s.Logger.Error("invitation mail", "to", f.Email, "err", err)
		}
		s.renderUsers(w, r, 0, inviteForm{Role: string(shrooms.RoleMember), Lang: f.Lang,
			LinkEmail: f.Email, Link: s.invitationLink(secret), MailError: s.errorText(r, err)})
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

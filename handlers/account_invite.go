package handlers

import (
	"context"
	"net/url"

	shrooms "github.com/shrooms-org/shrooms"
)

// sendInvitation mails an invitation link to email, in lang, for the
// admin pages that create invitations (Accounts.CreateInvitation gives the
// secret). The inviter is the user in ctx, when there is one. A mail that
// could not be handed over is EUNAVAILABLE; the invitation itself exists.
func (s *server) sendInvitation(ctx context.Context, lang, email, secret string) error {
	if !shrooms.IsLanguage(lang) {
		lang = shrooms.Languages[0]
	}
	inviter := ""
	if u := shrooms.UserFromContext(ctx); u != nil {
		inviter = displayName(u)
	}
	return s.sendMail(ctx, lang, email, "invite", map[string]any{
		"Inviter": inviter,
		"Link":    s.IRIs.Base + "/signup?invite=" + url.QueryEscape(secret),
		"Days":    int(shrooms.InvitationTTL.Hours() / 24),
	})
}

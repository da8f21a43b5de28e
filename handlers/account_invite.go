package handlers

import (
	"context"

	shrooms "github.com/shrooms-org/shrooms"
)

// invitationMail renders the invitation mail to email, in lang, for the
// admin pages that create invitations: the store queues it with the
// invitation. The inviter is the user in ctx, when there is one.
func (s *server) invitationMail(ctx context.Context, lang, email string) (shrooms.MailRender, error) {
	inviter := ""
	if u := shrooms.UserFromContext(ctx); u != nil {
		inviter = displayName(u)
	}
	return s.mailRender(ctx, "invite", lang, email, func(_ *shrooms.User, secret string) map[string]any {
		return map[string]any{
			"Inviter": inviter,
			"Link":    s.invitationLink(secret),
			"Days":    int(shrooms.InvitationTTL.Hours() / 24),
		}
	})
}

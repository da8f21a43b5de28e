package federation

import (
	"context"

	shrooms "github.com/shrooms-org/shrooms"
)

// LinkPartnerByInvite implements shrooms.PartnerLinker: it reads the
// invite URL, resolves the inviting organisation (WebFinger is not needed:
// the URL is the actor's IRI) and links with the token.
func (f *Federation) LinkPartnerByInvite(ctx context.Context, inviteURL string) (*shrooms.Partner, error) {
	if inviteURL == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "url: paste the invite URL the other organisation gave you").Keyed("partners.error.url_missing").On("url")
	}
	iri, token, err := shrooms.ParseInviteURL(inviteURL)
	if err != nil {
		return nil, err
	}
	return f.link(ctx, iri, token)
}

// AskPartner implements shrooms.PartnerLinker: the same link without an
// invite token, which the other organisation's admin approves or not.
func (f *Federation) AskPartner(ctx context.Context, address string) (*shrooms.Partner, error) {
	return f.link(ctx, address, "")
}

func (f *Federation) link(ctx context.Context, address, token string) (*shrooms.Partner, error) {
	actor, err := f.ResolveHandle(ctx, address)
	if err != nil {
		return nil, err
	}
	return f.svc.Partners.LinkPartner(ctx, actor.ID, token)
}

package federation

import (
	"context"
	"net/url"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// ResolveActor returns the actor with this IRI: local, cached and fresh, or
// fetched now (signed by the organisation) and cached.
func (f *Federation) ResolveActor(ctx context.Context, iri string) (*shrooms.Actor, error) {
	a, err := f.svc.Actors.FindActorByIRI(ctx, iri)
	if err == nil && f.fresh(a) {
		return a, nil
	} else if err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		return nil, err
	}
	if f.cfg.IRIs.Local(iri) {
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "no local actor %s", iri).Keyed("federation.error.no_local_actor", "IRI", iri)
	}
	return f.fetchActor(ctx, iri)
}

// fetchActor GETs an actor document, checks that it is what was asked for,
// and caches it.
func (f *Federation) fetchActor(ctx context.Context, iri string) (*shrooms.Actor, error) {
	return f.fetchActorWith(ctx, iri, &fetchOptions{})
}

// fetchActorWith is fetchActor with the client's options o; it signs as
// the organisation.
func (f *Federation) fetchActorWith(ctx context.Context, iri string, o *fetchOptions) (*shrooms.Actor, error) {
	org, err := f.orgActor(ctx)
	if err != nil {
		return nil, err
	}
	opts := *o
	opts.signer = org
	resp, err := f.client.get(ctx, iri, "", &opts)
	if err != nil {
		return nil, fetchError(err)
	}
	a, err := vocab.ParseActor(resp.Body)
	if err != nil {
		return nil, err
	}
	return f.keepActor(ctx, iri, resp, a)
}

// keepActor caches an actor document fetched from iri. A document that is
// not on the host that served it is refused; a stub at another URL of the
// same host is returned uncached: the caller decides.
func (f *Federation) keepActor(ctx context.Context, iri string, resp *Response, a *shrooms.Actor) (*shrooms.Actor, error) {
	if err := servedBy(a.IRI, iri, resp); err != nil {
		return nil, err
	}
	if a.IRI != iri {
		return a, nil
	}
	a.Local = false
	if err := f.svc.Actors.UpsertRemoteActor(ctx, a); err != nil {
		return nil, err
	}
	f.client.keys.remember(a)
	return a, nil
}

// servedBy checks that a fetched document's id is on the host of the URL
// asked for and of the URL that answered (after same-host redirects): a
// host vouches only for its own documents.
func servedBy(id, requested string, resp *Response) error {
	host := shrooms.HostOf(id)
	if host == "" || host != shrooms.HostOf(requested) || host != shrooms.HostOf(resp.URL) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "document at %s claims to be %s", requested, id).Keyed("federation.error.document_claims", "URL", requested, "ID", id)
	}
	return nil
}

// fresh reports whether a stored copy of an actor can be trusted without
// fetching it again.
func (f *Federation) fresh(a *shrooms.Actor) bool {
	return a.Local || f.cfg.Now().Sub(a.FetchedAt) < f.cfg.ActorCacheTTL
}

// ResolveHandle finds a remote actor from "handle@host", "@handle@host",
// "acct:handle@host" or an actor URL, through WebFinger when needed.
func (f *Federation) ResolveHandle(ctx context.Context, s string) (*shrooms.Actor, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		return f.ResolveActor(ctx, s)
	}
	acct := strings.TrimPrefix(strings.TrimPrefix(s, "acct:"), "@")
	handle, host, ok := strings.Cut(acct, "@")
	if !ok || handle == "" || host == "" || strings.ContainsAny(host, "/?#@ ") {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%q is neither handle@host nor an actor URL", s).Keyed("federation.error.address", "Value", s).On("address")
	}
	scheme := "https"
	if f.cfg.AllowPrivateAddresses && strings.HasPrefix(f.cfg.IRIs.Base, "http://") {
		scheme = "http"
	}
	q := url.Values{"resource": {"acct:" + handle + "@" + host}}
	resp, err := f.client.getWebFinger(ctx, scheme+"://"+host+"/.well-known/webfinger?"+q.Encode())
	if err != nil {
		return nil, fetchError(err)
	}
	iri, err := vocab.ParseWebFinger(resp.Body)
	if err != nil {
		return nil, err
	}
	if shrooms.HostOf(iri) == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "WebFinger for %s gave no actor URL", acct).Keyed("federation.error.webfinger_no_actor", "Account", acct)
	}
	return f.ResolveActor(ctx, iri)
}

// fetchError turns a failed fetch into a domain error: 404 and 410 are
// ENOTFOUND, other answers EUNAVAILABLE.
func fetchError(err error) error {
	if se, ok := err.(*StatusError); ok {
		if se.Status == 404 || se.Status == 410 {
			return shrooms.Errorf(shrooms.ENOTFOUND, "%s", se.Error()).Keyed("federation.error.fetch_gone", "Detail", se.Error())
		}
		return shrooms.Errorf(shrooms.EUNAVAILABLE, "%s", se.Error()).Keyed("federation.error.fetch_failed", "Detail", se.Error())
	}
	return err
}

func stripFragment(iri string) string {
	if i := strings.IndexByte(iri, '#'); i >= 0 {
		return iri[:i]
	}
	return iri
}

package federation

import (
	"context"
	"encoding/json"
	"sync"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// keyFetches is what the node remembers of the key lookups a signed
// request triggers: the keyIds whose lookup failed recently (asked again,
// they cost nothing for failureTTL), and the lookups in flight, which
// concurrent requests with the same keyId share.
type keyFetches struct {
	failed expiring
	mu     sync.Mutex
	calls  map[string]*keyCall
}

type keyCall struct {
	done  chan struct{}
	actor *shrooms.Actor
	err   error
}

// do runs fetch for keyID unless a call for it is running, whose result
// it then shares.
func (k *keyFetches) do(keyID string, fetch func() (*shrooms.Actor, error)) (*shrooms.Actor, error) {
	k.mu.Lock()
	if c, ok := k.calls[keyID]; ok {
		k.mu.Unlock()
		<-c.done
		return c.actor, c.err
	}
	if k.calls == nil {
		k.calls = map[string]*keyCall{}
	}
	c := &keyCall{done: make(chan struct{})}
	k.calls[keyID] = c
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		delete(k.calls, keyID)
		k.mu.Unlock()
		close(c.done)
	}()
	c.actor, c.err = fetch()
	return c.actor, c.err
}

// actorForKey returns the actor that owns keyID, from the store when its
// copy is fresh, else fetched. fresh reports a fetch in this call. A
// lookup that failed is not tried again for failureTTL, nor is a host
// that failed at the network level (see Client.send).
func (f *Federation) actorForKey(ctx context.Context, keyID string, refresh bool) (a *shrooms.Actor, fresh bool, err error) {
	if !refresh {
		if a := f.client.keys.owner(keyID); a != nil && f.fresh(a) {
			return a, false, nil
		}
		a, err := f.svc.Actors.FindActorByKeyID(ctx, keyID)
		if err == nil && f.fresh(a) {
			f.client.keys.remember(a)
			return a, false, nil
		} else if err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			return nil, false, err
		}
	}
	if f.cfg.IRIs.Local(keyID) {
		return nil, false, shrooms.Errorf(shrooms.ENOTFOUND, "no local actor has this key").Keyed("federation.error.no_local_key")
	}
	a, err = f.keyFetch.do(keyID, func() (*shrooms.Actor, error) {
		if f.keyFetch.failed.has(keyID, f.cfg.Now()) {
			return nil, shrooms.Errorf(shrooms.EUNAVAILABLE, "the lookup of %s failed less than %s ago", keyID, failureTTL).Keyed("federation.error.key_lookup_down", "Key", keyID, "Wait", failureTTL)
		}
		a, err := f.fetchKeyOwner(ctx, keyID)
		if err != nil && ctx.Err() == nil {
			f.keyFetch.failed.add(keyID, f.cfg.Now(), failureTTL)
		}
		return a, err
	})
	if err != nil {
		return nil, false, err
	}
	return a, true, nil
}

// fetchKeyOwner fetches the document at keyID's URL: the owner's actor
// document (Mastodon: the key is a fragment of it), a stub of it, or a key
// document naming its owner, whose actor document is then fetched. A
// failed first fetch ends the lookup: nothing else on that URL can answer.
func (f *Federation) fetchKeyOwner(ctx context.Context, keyID string) (*shrooms.Actor, error) {
	org, err := f.orgActor(ctx)
	if err != nil {
		return nil, err
	}
	docURL := stripFragment(keyID)
	o := &fetchOptions{signer: org, avoidDown: true}
	resp, err := f.client.get(ctx, docURL, "", o)
	if err != nil {
		return nil, fetchError(err)
	}
	a, err := vocab.ParseActor(resp.Body)
	if err != nil {
		owner := keyDocOwner(docURL, resp)
		if owner == "" {
			return nil, err
		}
		a, err = f.fetchActorWith(ctx, owner, o)
	} else if a, err = f.keepActor(ctx, docURL, resp, a); err == nil && a.IRI != docURL {
		// The key's URL served a stub naming its owner on the same host:
		// only the owner's own document is trusted.
		a, err = f.fetchActorWith(ctx, a.IRI, o)
	}
	if err != nil {
		return nil, err
	}
	if a.ID == 0 || a.KeyID != keyID {
		return nil, shrooms.Errorf(shrooms.EFORBIDDEN, "actor %s does not publish key %s", a.IRI, keyID).Keyed("federation.error.key_not_published", "Actor", a.IRI, "Key", keyID)
	}
	return a, nil
}

// keyDocOwner reads "owner" from a key document (some servers serve the
// key alone at its URL); "" unless it names an owner on the host that
// served it.
func keyDocOwner(keyURL string, resp *Response) string {
	var doc struct {
		Owner     string `json:"owner"`
		PublicKey struct {
			Owner string `json:"owner"`
		} `json:"publicKey"`
	}
	if json.Unmarshal(resp.Body, &doc) != nil {
		return ""
	}
	owner := doc.Owner
	if owner == "" {
		owner = doc.PublicKey.Owner
	}
	if servedBy(owner, keyURL, resp) != nil {
		return ""
	}
	return owner
}

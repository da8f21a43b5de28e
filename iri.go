package shrooms

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
)

// PublicAudience is the ActivityStreams public collection.
const PublicAudience = "https://www.w3.org/ns/activitystreams#Public"

// IRIs knows the URL layout of a node. Every IRI the node mints comes from
// here, so that store, federation and handlers agree on it.
type IRIs struct {
	// Base is the node's public URL without a trailing slash, e.g.
	// "https://workshop.example" or "http://127.0.0.1:8080".
	Base string
}

// NewIRIs validates a public URL and returns the layout rooted at it. It
// returns EINVALID for anything but an absolute http(s) URL without path,
// query or fragment.
func NewIRIs(publicURL string) (IRIs, error) {
	u, err := url.Parse(strings.TrimRight(publicURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return IRIs{}, Errorf(EINVALID, "public_url %q must be an absolute http:// or https:// URL", publicURL).Keyed("core.error.public_url_scheme", "URL", publicURL).On("public_url")
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return IRIs{}, Errorf(EINVALID, "public_url %q must not have a path, query, fragment or user", publicURL).Keyed("core.error.public_url_bare", "URL", publicURL).On("public_url")
	}
	return IRIs{Base: u.Scheme + "://" + strings.ToLower(u.Host)}, nil
}

// Host returns the host (with port, if any) of the node.
func (x IRIs) Host() string { return HostOf(x.Base) }

// Actor returns the IRI of the local actor with this handle.
func (x IRIs) Actor(handle string) string { return x.Base + "/actors/" + handle }

// Key returns the IRI of the actor's public key.
func (x IRIs) Key(handle string) string { return x.Actor(handle) + "#main-key" }

// Inbox returns the actor's own inbox.
func (x IRIs) Inbox(handle string) string { return x.Actor(handle) + "/inbox" }

// Outbox returns the actor's outbox collection.
func (x IRIs) Outbox(handle string) string { return x.Actor(handle) + "/outbox" }

// Followers returns the actor's followers collection.
func (x IRIs) Followers(handle string) string { return x.Actor(handle) + "/followers" }

// Following returns the actor's following collection.
func (x IRIs) Following(handle string) string { return x.Actor(handle) + "/following" }

// Item returns the IRI of a local item, which is also its web page.
func (x IRIs) Item(id int64) string { return x.Base + "/items/" + strconv.FormatInt(id, 10) }

// Media returns the URL of an uploaded image.
func (x IRIs) Media(id int64) string { return x.Base + "/media/" + strconv.FormatInt(id, 10) }

// Place returns the web page of a place.
func (x IRIs) Place(id int64) string { return x.Base + "/places/" + strconv.FormatInt(id, 10) }

// SharedInbox returns the node's shared inbox.
func (x IRIs) SharedInbox() string { return x.Base + "/inbox" }

// NewActivity mints a fresh, unguessable activity IRI.
func (x IRIs) NewActivity() string { return x.Base + "/activities/" + RandomToken(16) }

// NewLoan mints a fresh, unguessable loan IRI: a loan's document is
// served only to those it concerns, and its address tells nobody else
// that it exists.
func (x IRIs) NewLoan() string { return x.Base + "/loans/" + RandomToken(16) }

// Local reports whether iri belongs to this node.
func (x IRIs) Local(iri string) bool { return HostOf(iri) == x.Host() && HostOf(iri) != "" }

// HostOf returns the lower-cased host[:port] of an absolute URL, or "" when
// iri is not one.
func HostOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Host)
}

// RandomToken returns n random bytes, hex encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

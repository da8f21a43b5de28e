package vocab

import (
	"encoding/json"
	"mime"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// Link relations and media types of the WebFinger documents.
const (
	relSelf        = "self"
	relProfilePage = "http://webfinger.net/rel/profile-page"
	ldJSON         = "application/ld+json"
)

// jrd is a JSON Resource Descriptor (RFC 7033, section 4.4).
type jrd struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

// jrdLink is one link of a JRD.
type jrdLink struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href,omitempty"`
}

// WebFingerJSON renders the JRD that answers acct:HANDLE@HOST: the actor IRI
// and profile URL as aliases, a self link to the actor document and a
// profile-page link (both omitted for an actor without a profile URL).
func WebFingerJSON(a *shrooms.Actor, host string) ([]byte, error) {
	d := jrd{
		Subject: "acct:" + a.Handle + "@" + host,
		Aliases: []string{a.IRI},
		Links:   []jrdLink{{Rel: relSelf, Type: ContentType, Href: a.IRI}},
	}
	if a.URL != "" && a.URL != a.IRI {
		d.Aliases = append(d.Aliases, a.URL)
	}
	if a.URL != "" {
		d.Links = append(d.Links, jrdLink{Rel: relProfilePage, Type: "text/html", Href: a.URL})
	}
	return marshal(d)
}

// ParseWebFinger returns the href of the JRD's rel="self" link whose type is
// application/activity+json, or application/ld+json with the ActivityStreams
// profile. It returns EINVALID for invalid JSON or when there is no such
// link.
func ParseWebFinger(raw []byte) (actorIRI string, err error) {
	var d jrd
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", shrooms.Errorf(shrooms.EINVALID, "invalid WebFinger JSON").Keyed("federation.error.webfinger_json")
	}
	for _, l := range d.Links {
		if l.Rel == relSelf && l.Href != "" && isActivityPubType(l.Type) {
			return l.Href, nil
		}
	}
	return "", shrooms.Errorf(shrooms.EINVALID, "WebFinger response has no ActivityPub self link").Keyed("federation.error.webfinger_no_self")
}

// isActivityPubType reports whether a media type names an ActivityStreams
// document.
func isActivityPubType(t string) bool {
	mt, params, err := mime.ParseMediaType(t)
	if err != nil {
		return false
	}
	switch mt {
	case ContentType:
		return true
	case ldJSON:
		for _, p := range strings.Fields(params["profile"]) {
			if p == activityStreamsContext {
				return true
			}
		}
	}
	return false
}

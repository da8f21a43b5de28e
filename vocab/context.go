// Package vocab converts between the SHROOMS domain (package shrooms) and the
// JSON documents of the federation: ActivityStreams JSON-LD (actors,
// activities, collections), WebFinger and NodeInfo.
//
// It is the only package that touches go-fed ActivityStreams types. Every
// ActivityStreams value is built and parsed with go-fed streams; vocab then
// writes the full @context itself, because streams drops the context entries
// it does not know (the security vocabulary aliases, the SHROOMS namespace).
package vocab

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	shrooms "github.com/shrooms-org/shrooms"
)

// Namespace is the SHROOMS JSON-LD extension namespace.
const Namespace = "https://shrooms.org/ns#"

// ContentType is what the node sends: application/activity+json.
const ContentType = "application/activity+json"

// DefaultMaxDepth is the nesting depth ParseActivity and ParseActor accept,
// and what ParseEnvelope uses when given a non-positive limit. Real
// activities nest a handful of levels; the bound keeps hostile input from
// driving the recursive go-fed deserializers deep.
const DefaultMaxDepth = 64

// Well-known context IRIs.
const (
	activityStreamsContext = "https://www.w3.org/ns/activitystreams"
	securityContext        = "https://w3id.org/security/v1"
)

// Context returns the full @context the node writes on every ActivityStreams
// document: the ActivityStreams context, the security v1 context (publicKey,
// publicKeyPem, owner), and the extension terms. A new value is returned on
// each call, so callers may change it.
func Context() []any {
	return []any{
		activityStreamsContext,
		securityContext,
		map[string]any{
			"shrooms": Namespace,
			// The token a Follow carries when it uses a partner invite.
			"inviteToken": "shrooms:inviteToken",
			// Mastodon's term, not in the published ActivityStreams context.
			"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
			// schema.org terms of the facts attached to an item, as
			// Mastodon writes its profile fields.
			"schema":        "http://schema.org#",
			"PropertyValue": "schema:PropertyValue",
			"value":         "schema:value",
			"address":       "schema:address",
			// Free-form JSON values: custom field values by key and
			// the loan rules keep their plain keys.
			"shrooms:fields":    map[string]any{"@id": "shrooms:fields", "@type": "@json"},
			"shrooms:loanRules": map[string]any{"@id": "shrooms:loanRules", "@type": "@json"},
		},
	}
}

// serialize renders a streams value with the full Context. fix, when not
// nil, adjusts the serialized map before it is encoded.
func serialize(t vocab.Type, fix func(m map[string]any)) ([]byte, error) {
	m, err := streams.Serialize(t)
	if err != nil {
		return nil, err
	}
	if fix != nil {
		fix(m)
	}
	m["@context"] = Context()
	return marshal(m)
}

// marshal encodes v as compact JSON without HTML escaping (summaries carry
// HTML that peers display; "\u003cp\u003e" is valid but needlessly opaque).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// asArray turns a single serialized value into a one-element array. streams
// writes a one-value property as a scalar; peers and our own clients read
// to, cc and orderedItems more easily as arrays.
func asArray(m map[string]any, key string) {
	v, ok := m[key]
	if !ok {
		return
	}
	if _, isArray := v.([]any); !isArray {
		m[key] = []any{v}
	}
}

// parseIRI parses an absolute IRI the node is about to emit; field names the
// value in the error.
func parseIRI(field, s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s: %q is not an absolute IRI", field, s).Keyed("federation.error.iri", "Field", field, "Value", s)
	}
	return u, nil
}

// decodeObject decodes raw as a JSON object after checking its nesting
// depth. what names the document in error messages ("activity", "actor").
func decodeObject(raw []byte, what string) (map[string]any, error) {
	if err := checkDepth(raw, DefaultMaxDepth); err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "invalid JSON").Keyed("federation.error.json")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%s must be a JSON object", what).Keyed("federation.error.json_object", "What", what)
	}
	return m, nil
}

// idOfType returns the id of a streams value, "" when it has none.
func idOfType(t vocab.Type) string {
	if t == nil {
		return ""
	}
	if id := t.GetJSONLDId(); id != nil && id.Get() != nil {
		return id.Get().String()
	}
	return ""
}

// iriOrType is what every streams iterator over an object-valued property
// offers: an IRI or an embedded value.
type iriOrType interface {
	IsIRI() bool
	GetIRI() *url.URL
	GetType() vocab.Type
}

// listProperty is a non-functional streams property (to, cc, actor …).
type listProperty[I iriOrType] interface {
	Len() int
	At(i int) I
}

// idsOf returns the IRIs in p: bare IRIs as given, embedded values by id.
func idsOf[I iriOrType](p listProperty[I]) []string {
	if p == nil {
		return nil
	}
	var out []string
	for i := 0; i < p.Len(); i++ {
		if id := idOfIter(p.At(i)); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// firstID returns the first IRI in p, "" when there is none.
func firstID[I iriOrType](p listProperty[I]) string {
	if ids := idsOf(p); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// idOfIter returns the IRI of one property value.
func idOfIter(it iriOrType) string {
	if it.IsIRI() {
		if u := it.GetIRI(); u != nil {
			return u.String()
		}
		return ""
	}
	return idOfType(it.GetType())
}

// rawString returns m[key] when it is a string.
func rawString(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// rawID returns the IRI a raw JSON value stands for: the string itself, the
// "id" of an object, or the first of an array.
func rawID(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return rawString(x, "id")
	case []any:
		if len(x) > 0 {
			return rawID(x[0])
		}
	}
	return ""
}

// rawType returns the first type name of a raw "type" value (a string or an
// array of strings).
func rawType(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// rawIDs returns the IRIs of a raw value that may be one value or an array.
func rawIDs(v any) []string {
	arr, ok := v.([]any)
	if !ok {
		arr = []any{v}
	}
	var out []string
	for _, e := range arr {
		if id := rawID(e); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// hasContext reports whether a decoded document carries a usable @context.
func hasContext(m map[string]any) bool {
	switch c := m["@context"].(type) {
	case string:
		return strings.TrimSpace(c) != ""
	case []any:
		return len(c) > 0
	case map[string]any:
		return len(c) > 0
	}
	return false
}

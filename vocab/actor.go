package vocab

import (
	"context"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	shrooms "github.com/shrooms-org/shrooms"
)

// actorType is what the go-fed actor types (Person, Organization, Service,
// Group, Application) have in common and vocab uses. go-fed v1.0.0 has no
// endpoints or manuallyApprovesFollowers property: those live among the
// unknown properties (a live map that is serialized as-is).
type actorType interface {
	vocab.Type
	GetActivityStreamsPreferredUsername() vocab.ActivityStreamsPreferredUsernameProperty
	GetActivityStreamsName() vocab.ActivityStreamsNameProperty
	GetActivityStreamsSummary() vocab.ActivityStreamsSummaryProperty
	GetActivityStreamsUrl() vocab.ActivityStreamsUrlProperty
	GetActivityStreamsIcon() vocab.ActivityStreamsIconProperty
	GetActivityStreamsInbox() vocab.ActivityStreamsInboxProperty
	GetActivityStreamsOutbox() vocab.ActivityStreamsOutboxProperty
	GetActivityStreamsFollowers() vocab.ActivityStreamsFollowersProperty
	GetActivityStreamsFollowing() vocab.ActivityStreamsFollowingProperty
	GetW3IDSecurityV1PublicKey() vocab.W3IDSecurityV1PublicKeyProperty
	GetUnknownProperties() map[string]any
	SetActivityStreamsPreferredUsername(vocab.ActivityStreamsPreferredUsernameProperty)
	SetActivityStreamsName(vocab.ActivityStreamsNameProperty)
	SetActivityStreamsSummary(vocab.ActivityStreamsSummaryProperty)
	SetActivityStreamsUrl(vocab.ActivityStreamsUrlProperty)
	SetActivityStreamsIcon(vocab.ActivityStreamsIconProperty)
	SetActivityStreamsInbox(vocab.ActivityStreamsInboxProperty)
	SetActivityStreamsOutbox(vocab.ActivityStreamsOutboxProperty)
	SetActivityStreamsFollowers(vocab.ActivityStreamsFollowersProperty)
	SetActivityStreamsFollowing(vocab.ActivityStreamsFollowingProperty)
	SetW3IDSecurityV1PublicKey(vocab.W3IDSecurityV1PublicKeyProperty)
}

// newActor returns an empty go-fed value for an actor kind.
func newActor(kind shrooms.ActorKind) (actorType, bool) {
	switch kind {
	case shrooms.KindPerson:
		return streams.NewActivityStreamsPerson(), true
	case shrooms.KindOrganization:
		return streams.NewActivityStreamsOrganization(), true
	case shrooms.KindService:
		return streams.NewActivityStreamsService(), true
	case shrooms.KindGroup:
		return streams.NewActivityStreamsGroup(), true
	case shrooms.KindApplication:
		return streams.NewActivityStreamsApplication(), true
	}
	return nil, false
}

// ActorJSON renders a local or remote actor document: id, type,
// preferredUsername, name, summary, url, icon (an Image, omitted when
// there is none), inbox, outbox, followers, following, endpoints.sharedInbox
// (omitted when empty), publicKey and manuallyApprovesFollowers. It never writes the private key. It returns
// EINVALID for an unknown actor kind or a malformed IRI.
func ActorJSON(a *shrooms.Actor) ([]byte, error) {
	t, ok := newActor(a.Kind)
	if !ok {
		return nil, shrooms.Errorf(shrooms.EINVALID, "unknown actor kind %q", a.Kind).Keyed("federation.error.actor_kind", "Kind", a.Kind)
	}
	id, err := parseIRI("actor id", a.IRI)
	if err != nil {
		return nil, err
	}
	idProp := streams.NewJSONLDIdProperty()
	idProp.Set(id)
	t.SetJSONLDId(idProp)

	if a.Handle != "" {
		p := streams.NewActivityStreamsPreferredUsernameProperty()
		p.SetXMLSchemaString(a.Handle)
		t.SetActivityStreamsPreferredUsername(p)
	}
	if a.Name != "" {
		p := streams.NewActivityStreamsNameProperty()
		p.AppendXMLSchemaString(a.Name)
		t.SetActivityStreamsName(p)
	}
	if a.Summary != "" {
		p := streams.NewActivityStreamsSummaryProperty()
		p.AppendXMLSchemaString(a.Summary)
		t.SetActivityStreamsSummary(p)
	}
	if a.URL != "" {
		u, err := parseIRI("actor url", a.URL)
		if err != nil {
			return nil, err
		}
		p := streams.NewActivityStreamsUrlProperty()
		p.AppendXMLSchemaAnyURI(u)
		t.SetActivityStreamsUrl(p)
	}
	if a.IconURL != "" {
		icon, err := iconImage(a.IconURL)
		if err != nil {
			return nil, err
		}
		p := streams.NewActivityStreamsIconProperty()
		p.AppendActivityStreamsImage(icon)
		t.SetActivityStreamsIcon(p)
	}

	// The four collections: each a functional IRI-valued property.
	type iriSetter interface{ SetIRI(*url.URL) }
	inbox := streams.NewActivityStreamsInboxProperty()
	outbox := streams.NewActivityStreamsOutboxProperty()
	followers := streams.NewActivityStreamsFollowersProperty()
	following := streams.NewActivityStreamsFollowingProperty()
	for _, c := range []struct {
		field, value string
		prop         iriSetter
		set          func()
	}{
		{"actor inbox", a.Inbox, inbox, func() { t.SetActivityStreamsInbox(inbox) }},
		{"actor outbox", a.Outbox, outbox, func() { t.SetActivityStreamsOutbox(outbox) }},
		{"actor followers", a.Followers, followers, func() { t.SetActivityStreamsFollowers(followers) }},
		{"actor following", a.Following, following, func() { t.SetActivityStreamsFollowing(following) }},
	} {
		if c.value == "" {
			continue
		}
		u, err := parseIRI(c.field, c.value)
		if err != nil {
			return nil, err
		}
		c.prop.SetIRI(u)
		c.set()
	}

	if a.KeyID != "" || a.PublicKeyPEM != "" {
		keyID, err := parseIRI("actor key id", a.KeyID)
		if err != nil {
			return nil, err
		}
		key := streams.NewW3IDSecurityV1PublicKey()
		kid := streams.NewJSONLDIdProperty()
		kid.Set(keyID)
		key.SetJSONLDId(kid)
		owner := streams.NewW3IDSecurityV1OwnerProperty()
		owner.Set(id)
		key.SetW3IDSecurityV1Owner(owner)
		pemProp := streams.NewW3IDSecurityV1PublicKeyPemProperty()
		pemProp.Set(a.PublicKeyPEM)
		key.SetW3IDSecurityV1PublicKeyPem(pemProp)
		keys := streams.NewW3IDSecurityV1PublicKeyProperty()
		keys.AppendW3IDSecurityV1PublicKey(key)
		t.SetW3IDSecurityV1PublicKey(keys)
	}

	unknown := t.GetUnknownProperties()
	unknown["manuallyApprovesFollowers"] = a.ManuallyApprovesFollowers
	if a.SharedInbox != "" {
		if _, err := parseIRI("actor shared inbox", a.SharedInbox); err != nil {
			return nil, err
		}
		unknown["endpoints"] = map[string]any{"sharedInbox": a.SharedInbox}
	}
	return serialize(t, nil)
}

// ParseActor parses a fetched actor document (Mastodon, GoToSocial,
// SHROOMS …). publicKey may be one object or an array; the key owned by the
// actor is chosen, else the first. Documents whose @context lacks the
// security context work too. It returns EINVALID with a short reason when
// the document is not an actor or lacks its id, inbox or key.
func ParseActor(raw []byte) (*shrooms.Actor, error) {
	m, err := decodeObject(raw, "actor")
	if err != nil {
		return nil, err
	}
	if !hasContext(m) {
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor has no @context").Keyed("federation.error.no_context", "What", "actor")
	}
	if _, ok := m["type"]; !ok {
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor has no type").Keyed("federation.error.no_type", "What", "actor")
	}
	t, err := streams.ToType(context.Background(), m)
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "not an actor type: %q", rawType(m["type"])).Keyed("federation.error.actor_type", "Type", rawType(m["type"]))
	}
	at, ok := t.(actorType)
	if !ok {
		return nil, shrooms.Errorf(shrooms.EINVALID, "not an actor type: %q", t.GetTypeName()).Keyed("federation.error.actor_type", "Type", t.GetTypeName())
	}

	a := &shrooms.Actor{
		IRI:  idOfType(at),
		Kind: shrooms.ActorKind(at.GetTypeName()),
	}
	if a.IRI == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor has no id").Keyed("federation.error.no_id", "What", "actor")
	}
	a.Host = shrooms.HostOf(a.IRI)
	if p := at.GetActivityStreamsPreferredUsername(); p != nil {
		a.Handle = langString(p.IsXMLSchemaString(), p.GetXMLSchemaString(), p.IsRDFLangString(), p.GetRDFLangString())
	}
	if p := at.GetActivityStreamsName(); p != nil && p.Len() > 0 {
		it := p.At(0)
		a.Name = langString(it.IsXMLSchemaString(), it.GetXMLSchemaString(), it.IsRDFLangString(), it.GetRDFLangString())
	}
	if p := at.GetActivityStreamsSummary(); p != nil && p.Len() > 0 {
		it := p.At(0)
		a.Summary = langString(it.IsXMLSchemaString(), it.GetXMLSchemaString(), it.IsRDFLangString(), it.GetRDFLangString())
	}
	a.URL = actorURL(at.GetActivityStreamsUrl())
	a.IconURL = iconURL(at.GetActivityStreamsIcon())
	if p := at.GetActivityStreamsInbox(); p != nil {
		a.Inbox = idOfIter(p)
	}
	if p := at.GetActivityStreamsOutbox(); p != nil {
		a.Outbox = idOfIter(p)
	}
	if p := at.GetActivityStreamsFollowers(); p != nil {
		a.Followers = idOfIter(p)
	}
	if p := at.GetActivityStreamsFollowing(); p != nil {
		a.Following = idOfIter(p)
	}
	unknown := at.GetUnknownProperties()
	if ep, ok := unknown["endpoints"].(map[string]any); ok {
		a.SharedInbox = rawString(ep, "sharedInbox")
	}
	a.ManuallyApprovesFollowers, _ = unknown["manuallyApprovesFollowers"].(bool)

	a.KeyID, a.PublicKeyPEM = streamsKey(at.GetW3IDSecurityV1PublicKey(), a.IRI)
	if a.KeyID == "" || a.PublicKeyPEM == "" {
		// streams leaves publicKey unresolved when the property is not
		// under its expected name or is not an object it recognises.
		a.KeyID, a.PublicKeyPEM = rawKey(secTerm(m, "publicKey"), a.IRI)
	}

	switch {
	case a.Inbox == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor has no inbox").Keyed("federation.error.actor_no_inbox")
	case a.KeyID == "" || a.PublicKeyPEM == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "actor has no public key").Keyed("federation.error.actor_no_key")
	}
	return a, nil
}

// langString returns a plain string value, or the English (else the
// alphabetically first) entry of a language map.
func langString(isString bool, s string, isMap bool, lm map[string]string) string {
	if isString {
		return s
	}
	if !isMap || len(lm) == 0 {
		return ""
	}
	if v, ok := lm["en"]; ok {
		return v
	}
	langs := make([]string, 0, len(lm))
	for l := range lm {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	return lm[langs[0]]
}

// actorURL returns the first profile URL: a plain IRI or a Link's href.
func actorURL(p vocab.ActivityStreamsUrlProperty) string {
	if p == nil {
		return ""
	}
	for i := 0; i < p.Len(); i++ {
		it := p.At(i)
		switch {
		case it.IsXMLSchemaAnyURI():
			return it.GetXMLSchemaAnyURI().String()
		case it.IsIRI():
			return it.GetIRI().String()
		case it.IsActivityStreamsLink():
			if h := it.GetActivityStreamsLink().GetActivityStreamsHref(); h != nil && h.Get() != nil {
				return h.Get().String()
			}
		}
	}
	return ""
}

// iconImage is the Image an actor's icon is: its url, and its mediaType
// when the address names the file's type. SHROOMS serves its images at
// /media/ID, which does not; mediaType is optional in ActivityStreams,
// and Mastodon and GoToSocial take an icon without it.
func iconImage(iconURL string) (vocab.ActivityStreamsImage, error) {
	u, err := parseIRI("actor icon", iconURL)
	if err != nil {
		return nil, err
	}
	img := streams.NewActivityStreamsImage()
	up := streams.NewActivityStreamsUrlProperty()
	up.AppendXMLSchemaAnyURI(u)
	img.SetActivityStreamsUrl(up)
	if mt := imageMediaTypes[strings.ToLower(path.Ext(u.Path))]; mt != "" {
		mp := streams.NewActivityStreamsMediaTypeProperty()
		mp.Set(mt)
		img.SetActivityStreamsMediaType(mp)
	}
	return img, nil
}

// imageMediaTypes are the image types an icon's file extension names.
var imageMediaTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
}

// iconURL returns the address of an actor's first icon: an Image's (or
// Link's) url, or a plain IRI.
func iconURL(p vocab.ActivityStreamsIconProperty) string {
	if p == nil {
		return ""
	}
	for i := 0; i < p.Len(); i++ {
		it := p.At(i)
		switch {
		case it.IsIRI():
			return it.GetIRI().String()
		case it.IsActivityStreamsImage():
			if u := actorURL(it.GetActivityStreamsImage().GetActivityStreamsUrl()); u != "" {
				return u
			}
		case it.IsActivityStreamsLink():
			if h := it.GetActivityStreamsLink().GetActivityStreamsHref(); h != nil && h.Get() != nil {
				return h.Get().String()
			}
		}
	}
	return ""
}

// streamsKey picks the key owned by owner (else the first complete one)
// from a resolved publicKey property.
func streamsKey(p vocab.W3IDSecurityV1PublicKeyProperty, owner string) (keyID, pemText string) {
	if p == nil {
		return "", ""
	}
	for i := 0; i < p.Len(); i++ {
		it := p.At(i)
		if !it.IsW3IDSecurityV1PublicKey() {
			continue
		}
		k := it.Get()
		id, p, keyOwner := idOfType(k), "", ""
		if pp := k.GetW3IDSecurityV1PublicKeyPem(); pp != nil {
			p = pp.Get()
		}
		if o := k.GetW3IDSecurityV1Owner(); o != nil && o.Get() != nil {
			keyOwner = o.Get().String()
		}
		if id == "" || p == "" {
			continue
		}
		if keyOwner == owner {
			return id, p
		}
		if keyID == "" {
			keyID, pemText = id, p
		}
	}
	return keyID, pemText
}

// rawKey does what streamsKey does on the raw JSON value of publicKey.
func rawKey(v any, owner string) (keyID, pemText string) {
	arr, ok := v.([]any)
	if !ok {
		arr = []any{v}
	}
	var firstID, firstPEM string
	for _, e := range arr {
		k, ok := e.(map[string]any)
		if !ok {
			continue
		}
		id, p := rawID(k["id"]), secTerm(k, "publicKeyPem")
		pemText, _ := p.(string)
		if id == "" || pemText == "" {
			continue
		}
		if rawID(secTerm(k, "owner")) == owner {
			return id, pemText
		}
		if firstID == "" {
			firstID, firstPEM = id, pemText
		}
	}
	return firstID, firstPEM
}

// secTerm returns a security vocabulary term of m, written plainly
// ("publicKey"), with the usual "sec:" prefix, or as a full IRI: documents
// whose @context lacks the security context compact it in all three ways.
func secTerm(m map[string]any, term string) any {
	for _, k := range []string{term, "sec:" + term, "https://w3id.org/security#" + term} {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

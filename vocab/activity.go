package vocab

import (
	"context"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxEmbedding bounds how many activities deep ParseActivity follows
// embedded objects (Undo of Accept of Follow is three).
const maxEmbedding = 8

// activityWriter is what vocab sets on the go-fed activity types it emits.
type activityWriter interface {
	vocab.Type
	SetActivityStreamsActor(vocab.ActivityStreamsActorProperty)
	SetActivityStreamsObject(vocab.ActivityStreamsObjectProperty)
	SetActivityStreamsTo(vocab.ActivityStreamsToProperty)
	SetActivityStreamsCc(vocab.ActivityStreamsCcProperty)
	SetActivityStreamsPublished(vocab.ActivityStreamsPublishedProperty)
}

// activityReader is what every go-fed activity type, transitive or not, has.
type activityReader interface {
	vocab.Type
	GetActivityStreamsActor() vocab.ActivityStreamsActorProperty
	GetActivityStreamsTo() vocab.ActivityStreamsToProperty
	GetActivityStreamsCc() vocab.ActivityStreamsCcProperty
	GetActivityStreamsPublished() vocab.ActivityStreamsPublishedProperty
}

// objectReader is a transitive activity: one with an object.
type objectReader interface {
	GetActivityStreamsObject() vocab.ActivityStreamsObjectProperty
}

// newActivity holds a constructor for each activity type the node emits:
// the domain's types and those the loans, events and partnership flows use.
var newActivity = map[shrooms.ActivityType]func() activityWriter{
	shrooms.ActivityFollow: func() activityWriter { return streams.NewActivityStreamsFollow() },
	shrooms.ActivityAccept: func() activityWriter { return streams.NewActivityStreamsAccept() },
	shrooms.ActivityReject: func() activityWriter { return streams.NewActivityStreamsReject() },
	shrooms.ActivityUndo:   func() activityWriter { return streams.NewActivityStreamsUndo() },
	shrooms.ActivityCreate: func() activityWriter { return streams.NewActivityStreamsCreate() },
	shrooms.ActivityUpdate: func() activityWriter { return streams.NewActivityStreamsUpdate() },
	shrooms.ActivityDelete: func() activityWriter { return streams.NewActivityStreamsDelete() },
	shrooms.ActivityBlock:  func() activityWriter { return streams.NewActivityStreamsBlock() },
	"Offer":                func() activityWriter { return streams.NewActivityStreamsOffer() },
	"Join":                 func() activityWriter { return streams.NewActivityStreamsJoin() },
	"Leave":                func() activityWriter { return streams.NewActivityStreamsLeave() },
	"Announce":             func() activityWriter { return streams.NewActivityStreamsAnnounce() },
	"Add":                  func() activityWriter { return streams.NewActivityStreamsAdd() },
	"Remove":               func() activityWriter { return streams.NewActivityStreamsRemove() },
	"Like":                 func() activityWriter { return streams.NewActivityStreamsLike() },
	"Flag":                 func() activityWriter { return streams.NewActivityStreamsFlag() },
	"TentativeAccept":      func() activityWriter { return streams.NewActivityStreamsTentativeAccept() },
}

// ActivityJSON renders a domain activity with the full Context: id, type,
// actor, object, to, cc and published (RFC 3339, UTC; omitted when zero).
// The object is a.Embedded rendered recursively when set (an Accept embeds
// the whole Follow, as Mastodon does); the item a.Item carries, embedded
// with the activity's addressing, when set (a Create or Update of an
// item); a Tombstone for the Delete of an item (ObjectType "Item");
// else the IRI a.Object. It returns EINVALID for an activity type the
// node does not emit or a malformed IRI.
func ActivityJSON(a *shrooms.Activity) ([]byte, error) {
	t, err := activityType(a, 0)
	if err != nil {
		return nil, err
	}
	var object map[string]any
	switch {
	case a.Item != nil && a.Embedded == nil:
		object, err = itemMap(a.Item, a.Actor, a.To, a.CC, a.Type == shrooms.ActivityUpdate)
	case a.Type == shrooms.ActivityDelete && a.ObjectType == ItemObjectType && a.Object != "" && a.Embedded == nil:
		object, err = tombstone(a.Object)
		// "deleted" to the millisecond, as "updated" is: a cache orders
		// a Delete against the last Update by it, and "published" has
		// whole seconds only.
		if err == nil && !a.Published.IsZero() {
			object["deleted"] = a.Published.UTC().Format(updatedLayout)
		}
	}
	if err != nil {
		return nil, err
	}
	var loan map[string]any
	if a.Loan != nil {
		if loan, err = loanMap(a.Loan); err != nil {
			return nil, err
		}
	}
	return serialize(t, func(m map[string]any) {
		fixActivity(m)
		if object != nil {
			m["object"] = object
		}
		switch {
		case loan == nil:
		case a.Type == shrooms.ActivityAccept || a.Type == shrooms.ActivityReject:
			// The Offer answered is the object; the loan is the result.
			m["result"] = loan
			if a.Loan.Reason != "" {
				m["content"] = a.Loan.Reason
			}
		default:
			m["object"] = loan
		}
		if a.Type == shrooms.ActivityFollow && a.InviteToken != "" {
			m[propInviteToken] = a.InviteToken
		}
	})
}

// tombstone is what a Delete of an item carries: Mastodon accepts an IRI
// or a Tombstone, and formerType tells others what was deleted.
func tombstone(iri string) (map[string]any, error) {
	id, err := parseIRI("activity object", iri)
	if err != nil {
		return nil, err
	}
	ts := streams.NewActivityStreamsTombstone()
	idProp := streams.NewJSONLDIdProperty()
	idProp.Set(id)
	ts.SetJSONLDId(idProp)
	former := streams.NewActivityStreamsFormerTypeProperty()
	former.AppendXMLSchemaString("Page")
	ts.SetActivityStreamsFormerType(former)
	return ts.Serialize()
}

// fixActivity writes addressing as arrays, as Mastodon does, in the
// top-level activity and in an embedded one.
func fixActivity(m map[string]any) {
	asArray(m, "to")
	asArray(m, "cc")
	if obj, ok := m["object"].(map[string]any); ok {
		fixActivity(obj)
	}
}

// activityType builds the streams value of a domain activity.
func activityType(a *shrooms.Activity, depth int) (vocab.Type, error) {
	if depth > maxEmbedding {
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity embeds too many activities").Keyed("federation.error.activity_nested")
	}
	ctor, ok := newActivity[a.Type]
	if !ok {
		return nil, shrooms.Errorf(shrooms.EINVALID, "unsupported activity type %q", a.Type).Keyed("federation.error.activity_type", "Type", a.Type)
	}
	t := ctor()
	id, err := parseIRI("activity id", a.IRI)
	if err != nil {
		return nil, err
	}
	idProp := streams.NewJSONLDIdProperty()
	idProp.Set(id)
	t.SetJSONLDId(idProp)

	actorIRI, err := parseIRI("activity actor", a.Actor)
	if err != nil {
		return nil, err
	}
	actor := streams.NewActivityStreamsActorProperty()
	actor.AppendIRI(actorIRI)
	t.SetActivityStreamsActor(actor)

	switch {
	case a.Embedded != nil:
		inner, err := activityType(a.Embedded, depth+1)
		if err != nil {
			return nil, err
		}
		obj := streams.NewActivityStreamsObjectProperty()
		if err := obj.AppendType(inner); err != nil {
			return nil, err
		}
		t.SetActivityStreamsObject(obj)
	case a.Object != "" || a.Item != nil:
		// An item is embedded by ActivityJSON; its IRI stands here.
		iri := a.Object
		if iri == "" {
			iri = a.Item.IRI
		}
		u, err := parseIRI("activity object", iri)
		if err != nil {
			return nil, err
		}
		obj := streams.NewActivityStreamsObjectProperty()
		obj.AppendIRI(u)
		t.SetActivityStreamsObject(obj)
	}

	if len(a.To) > 0 {
		to := streams.NewActivityStreamsToProperty()
		for _, r := range a.To {
			u, err := parseIRI("activity to", r)
			if err != nil {
				return nil, err
			}
			to.AppendIRI(u)
		}
		t.SetActivityStreamsTo(to)
	}
	if len(a.CC) > 0 {
		cc := streams.NewActivityStreamsCcProperty()
		for _, r := range a.CC {
			u, err := parseIRI("activity cc", r)
			if err != nil {
				return nil, err
			}
			cc.AppendIRI(u)
		}
		t.SetActivityStreamsCc(cc)
	}
	if !a.Published.IsZero() {
		p := streams.NewActivityStreamsPublishedProperty()
		p.Set(a.Published.UTC())
		t.SetActivityStreamsPublished(p)
	}
	return t, nil
}

// ParseActivity parses an incoming activity with go-fed streams. The actor
// may be an IRI or an embedded object; Object is the object's IRI whether it
// was embedded or not, ObjectType the type of an embedded object, and
// Embedded the embedded object parsed recursively when it is an activity (the
// Follow inside an Accept or Undo). Activity types streams does not know
// (EmojiReact, purely unknown ones) are not refused: their fields come from
// the raw JSON and Type is the raw type string. It returns EINVALID for
// invalid JSON, a missing @context, id, type or actor, and a typed object
// that is not an activity.
func ParseActivity(raw []byte) (*shrooms.Activity, error) {
	m, err := decodeObject(raw, "activity")
	if err != nil {
		return nil, err
	}
	switch {
	case !hasContext(m):
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no @context").Keyed("federation.error.no_context", "What", "activity")
	case rawType(m["type"]) == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no type").Keyed("federation.error.no_type", "What", "activity")
	case rawString(m, "id") == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no id").Keyed("federation.error.no_id", "What", "activity")
	case rawID(m["actor"]) == "":
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no actor").Keyed("federation.error.activity_no_actor")
	}
	var a *shrooms.Activity
	t, err := streams.ToType(context.Background(), m)
	if err == nil {
		r, ok := t.(activityReader)
		if !ok {
			return nil, shrooms.Errorf(shrooms.EINVALID, "%s is not an activity", t.GetTypeName()).Keyed("federation.error.not_activity", "Type", t.GetTypeName())
		}
		a = fromStreams(r, m, 0)
	} else {
		// Unknown type, or a known one with a value streams cannot read:
		// keep what the raw document says rather than drop the activity.
		a = fromRaw(m, 0)
	}
	if a.IRI == "" || a.Actor == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "activity has no id or actor").Keyed("federation.error.activity_no_id_actor")
	}
	if err := finishActivity(a, m); err != nil {
		return nil, err
	}
	return a, nil
}

// fromStreams converts a typed activity. m is its raw JSON, which fills what
// streams left unresolved (an embedded object of an unknown type).
func fromStreams(r activityReader, m map[string]any, depth int) *shrooms.Activity {
	a := &shrooms.Activity{
		IRI:   idOfType(r),
		Type:  shrooms.ActivityType(r.GetTypeName()),
		Actor: firstID[vocab.ActivityStreamsActorPropertyIterator](r.GetActivityStreamsActor()),
		To:    idsOf[vocab.ActivityStreamsToPropertyIterator](r.GetActivityStreamsTo()),
		CC:    idsOf[vocab.ActivityStreamsCcPropertyIterator](r.GetActivityStreamsCc()),
	}
	if p := r.GetActivityStreamsPublished(); p != nil && p.IsXMLSchemaDateTime() {
		a.Published = p.Get().UTC()
	}
	if or, ok := r.(objectReader); ok {
		if p := or.GetActivityStreamsObject(); p != nil && p.Len() > 0 {
			it := p.At(0)
			rawObj, _ := firstRaw(m["object"]).(map[string]any)
			switch inner := it.GetType(); {
			case it.IsIRI():
				a.Object = it.GetIRI().String()
			case inner != nil:
				a.Object = idOfType(inner)
				a.ObjectType = inner.GetTypeName()
				if ir, ok := inner.(activityReader); ok && depth < maxEmbedding {
					a.Embedded = fromStreams(ir, rawObj, depth+1)
				}
				// A SHROOMS item travels whole in a Create or Update;
				// one that does not parse stays a plain Page.
				if rawObj != nil && isItem(rawObj) {
					var item *shrooms.Item
					var err error
					if page, ok := inner.(vocab.ActivityStreamsPage); ok {
						item, _, err = itemFromPage(page, rawObj)
					} else {
						item, _, err = itemFromMap(rawObj)
					}
					if err == nil {
						a.ObjectType, a.Item = ItemObjectType, item
					}
				}
			case rawObj != nil:
				fillObjectFromRaw(a, rawObj, depth)
			}
		}
	}
	// streams resolves what it knows; the raw map backs up what it left
	// as an unknown value (an actor of an unknown type, for example).
	if m != nil {
		if a.IRI == "" {
			a.IRI = rawString(m, "id")
		}
		if a.Actor == "" {
			a.Actor = rawID(m["actor"])
		}
		// streams drops addressees that are not absolute IRIs, such as
		// the compacted "Public" that IsPublic still recognises.
		if to := rawIDs(m["to"]); len(to) > len(a.To) {
			a.To = to
		}
		if cc := rawIDs(m["cc"]); len(cc) > len(a.CC) {
			a.CC = cc
		}
		if a.Object == "" && a.Embedded == nil {
			if obj, ok := firstRaw(m["object"]).(map[string]any); ok {
				fillObjectFromRaw(a, obj, depth)
			} else {
				a.Object = rawID(m["object"])
			}
		}
	}
	return a
}

// fromRaw converts an activity streams could not type, from its raw JSON.
func fromRaw(m map[string]any, depth int) *shrooms.Activity {
	a := &shrooms.Activity{
		IRI:   rawString(m, "id"),
		Type:  shrooms.ActivityType(rawType(m["type"])),
		Actor: rawID(m["actor"]),
		To:    rawIDs(m["to"]),
		CC:    rawIDs(m["cc"]),
	}
	if s := rawString(m, "published"); s != "" {
		if ts, err := time.Parse(time.RFC3339, s); err == nil {
			a.Published = ts.UTC()
		}
	}
	if obj, ok := firstRaw(m["object"]).(map[string]any); ok {
		fillObjectFromRaw(a, obj, depth)
	} else {
		a.Object = rawID(m["object"])
	}
	return a
}

// fillObjectFromRaw sets Object and ObjectType from an embedded raw object,
// and Embedded when the object looks like an activity (it has an actor).
func fillObjectFromRaw(a *shrooms.Activity, obj map[string]any, depth int) {
	a.Object = rawString(obj, "id")
	a.ObjectType = rawType(obj["type"])
	if rawID(obj["actor"]) != "" && a.ObjectType != "" && depth < maxEmbedding {
		a.Embedded = fromRaw(obj, depth+1)
	}
}

// firstRaw returns v, or its first element when it is an array.
func firstRaw(v any) any {
	if arr, ok := v.([]any); ok {
		if len(arr) == 0 {
			return nil
		}
		return arr[0]
	}
	return v
}

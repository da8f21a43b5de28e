package vocab

import (
	"encoding/json"
	"fmt"

	shrooms "github.com/shrooms-org/shrooms"
)

// IsActorType reports whether an ActivityStreams type names an actor:
// Person, Organization, Service, Group or Application.
func IsActorType(typ string) bool {
	_, ok := newActor(shrooms.ActorKind(typ))
	return ok
}

// ActorUpdateJSON renders the Update by which an actor announces its own
// new profile, as Mastodon and GoToSocial send it: the activity of
// ActivityJSON with the actor document (ActorJSON, never a private key)
// embedded as its object. It returns EINVALID unless a is an Update by
// actor of actor itself.
func ActorUpdateJSON(a *shrooms.Activity, actor *shrooms.Actor) ([]byte, error) {
	if a.Type != shrooms.ActivityUpdate || a.Actor != actor.IRI || a.Object != actor.IRI {
		return nil, shrooms.Errorf(shrooms.EINVALID, "not an Update of the actor by itself").Keyed("federation.error.update_not_self")
	}
	doc, err := ActorJSON(actor)
	if err != nil {
		return nil, err
	}
	var object map[string]any
	if err := json.Unmarshal(doc, &object); err != nil {
		return nil, fmt.Errorf("actor update: %w", err)
	}
	// The activity's @context covers the embedded document.
	delete(object, "@context")
	t, err := activityType(a, 0)
	if err != nil {
		return nil, err
	}
	return serialize(t, func(m map[string]any) {
		fixActivity(m)
		m["object"] = object
	})
}

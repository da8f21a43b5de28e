package federation

import (
	"context"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// render is the JSON an outbox entry is delivered as. An Update of a
// local actor by itself carries the actor document as it is now (the
// store writes only the actor's IRI): Mastodon and GoToSocial read the
// new profile from it. Should the actor be gone, the IRI stays.
func (f *Federation) render(ctx context.Context, e *shrooms.OutboxEntry) ([]byte, error) {
	a := &e.Activity
	if a.Type == shrooms.ActivityUpdate && a.Item == nil && a.Embedded == nil && a.Object == a.Actor &&
		vocab.IsActorType(a.ObjectType) {
		actor, err := f.svc.Actors.FindActorByID(ctx, e.ActorID)
		if err != nil && shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
			return nil, err
		}
		if err == nil && actor.Local && actor.IRI == a.Actor {
			return vocab.ActorUpdateJSON(a, actor)
		}
	}
	return vocab.ActivityJSON(a)
}

// actorUpdate reports whether a received Update is about an actor: its
// object is the sender itself, an embedded actor document, or an actor
// the node knows.
func (f *Federation) actorUpdate(ctx context.Context, act *shrooms.Activity) (bool, error) {
	if act.Object == "" || act.Item != nil || act.Embedded != nil {
		return false, nil
	}
	if act.Object == act.Actor || vocab.IsActorType(act.ObjectType) {
		return true, nil
	}
	_, err := f.svc.Actors.FindActorByIRI(ctx, act.Object)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// receiveActorUpdate refreshes the cached copy of an actor that announced
// a new profile. Only an actor's own Update counts, and its embedded copy
// is never trusted: the document is fetched again, signed, from its
// origin, and stored with its key (which may have rotated), as when the
// actor was first resolved. The inbox refused a blocked sender already.
func (f *Federation) receiveActorUpdate(ctx context.Context, act *shrooms.Activity) (string, error) {
	if act.Object != act.Actor {
		return "ignored: Update of another actor", nil
	}
	if f.cfg.IRIs.Local(act.Actor) {
		return "ignored: Update of a local actor", nil
	}
	a, err := f.fetchActor(ctx, act.Actor)
	if err != nil {
		return "", err
	}
	if a.IRI != act.Actor {
		return "", shrooms.Errorf(shrooms.EFORBIDDEN, "the document of %s names %s", act.Actor, a.IRI).Keyed("federation.error.document_names", "Actor", act.Actor, "Other", a.IRI)
	}
	return "", nil
}

// receiveActorDelete handles an actor's Delete of itself (Mastodon's
// account deletion). The signature alone does not prove it: the actor's
// document must answer 404 or 410 when fetched again. Then, as when it
// blocks us, every follow with it goes, its cached objects too, and its
// partnership (unless we blocked it). Its cached document stays, unused.
func (f *Federation) receiveActorDelete(ctx context.Context, act *shrooms.Activity) (string, error) {
	if f.cfg.IRIs.Local(act.Actor) || f.svc.Partners == nil {
		return "ignored: Delete of an actor", nil
	}
	_, err := f.fetchActor(ctx, act.Actor)
	switch {
	case err == nil:
		return "ignored: Delete of an actor that still exists", nil
	case shrooms.ErrorCode(err) != shrooms.ENOTFOUND:
		return "", err // unreachable for now: try again later
	}
	err = f.svc.Partners.ReceiveBlock(ctx, act.Actor)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return "ignored: Delete of an unknown actor", nil
	}
	return "", err
}

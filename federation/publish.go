package federation

import (
	"context"
	"math/rand/v2"

	shrooms "github.com/shrooms-org/shrooms"
)

// publishOutbox renders due outbox entries and fans each out into one
// delivery per inbox, shared inboxes collapsed. It reports how many entries
// it handled.
func (f *Federation) publishOutbox(ctx context.Context, limit int) (int, error) {
	entries, err := f.svc.Outbox.FindUnpublishedOutbox(ctx, f.cfg.Now(), limit)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if err := f.publishEntry(ctx, e); err != nil {
			return 0, err
		}
	}
	return len(entries), nil
}

func (f *Federation) publishEntry(ctx context.Context, e *shrooms.OutboxEntry) error {
	payload, err := f.render(ctx, e)
	if err != nil {
		return err
	}
	deliveries, unresolved := f.address(ctx, e)
	if unresolved != nil {
		now := f.cfg.Now()
		next, dead := shrooms.NextDeliveryAttempt(e.CreatedAt, now, e.Attempts+1, f.cfg.DeliveryMaxAge, jitter())
		if !dead {
			f.cfg.Logger.Warn("outbox entry waits for its recipients", "activity", e.Activity.IRI, "err", unresolved)
			return f.svc.Outbox.DeferOutbox(ctx, e.ID, next, unresolved.Error())
		}
		f.cfg.Logger.Error("outbox entry published without unreachable recipients", "activity", e.Activity.IRI, "err", unresolved)
	}
	return f.svc.Outbox.PublishOutbox(ctx, e.ID, payload, deliveries)
}

// address finds the inbox of every recipient: the local actor's followers
// collection expands to its accepted followers, but for those the
// activity's Except lists; other IRIs are actors. The
// public collection and local actors need no delivery. It returns the
// deliveries it could address and the last resolution error.
func (f *Federation) address(ctx context.Context, e *shrooms.OutboxEntry) ([]*shrooms.Delivery, error) {
	sender, err := f.svc.Actors.FindActorByID(ctx, e.ActorID)
	if err != nil {
		return nil, err
	}
	var (
		out       []*shrooms.Delivery
		seen      = map[string]bool{}
		unresolve error
	)
	add := func(a *shrooms.Actor) {
		inbox := a.DeliveryInbox()
		if a.Local || inbox == "" || seen[inbox] {
			return
		}
		seen[inbox] = true
		out = append(out, &shrooms.Delivery{Recipient: a.IRI, Inbox: inbox})
	}
	// Except names followers that keep a partners-only copy of an object
	// whose public copy goes away: they must not get the Delete.
	except := make(map[string]bool, len(e.Activity.Except))
	for _, iri := range e.Activity.Except {
		except[iri] = true
	}
	for _, r := range e.Activity.Recipients() {
		switch {
		case r == shrooms.PublicAudience || r == "as:Public" || r == "Public":
		case r == sender.Followers:
			followers, err := f.followersOf(ctx, sender.ID)
			if err != nil {
				return nil, err
			}
			for _, a := range followers {
				if !except[a.IRI] {
					add(a)
				}
			}
		case f.cfg.IRIs.Local(r):
		default:
			a, err := f.ResolveActor(ctx, r)
			if err != nil {
				unresolve = err
				continue
			}
			add(a)
		}
	}
	return out, unresolve
}

// followersOf returns every accepted follower of a local actor.
func (f *Federation) followersOf(ctx context.Context, actorID int64) ([]*shrooms.Actor, error) {
	var out []*shrooms.Actor
	const page = 500
	for offset := 0; ; offset += page {
		follows, _, err := f.svc.Follows.FindFollows(ctx, shrooms.FollowFilter{FolloweeID: actorID, State: shrooms.FollowAccepted, Offset: offset, Limit: page})
		if err != nil {
			return nil, err
		}
		for _, fl := range follows {
			out = append(out, fl.Follower)
		}
		if len(follows) < page {
			return out, nil
		}
	}
}

// jitter spreads retries of many deliveries over ±20 %.
func jitter() float64 { return 0.8 + 0.4*rand.Float64() }

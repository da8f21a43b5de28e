package federation

import (
	"time"

	"context"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// inboxLease is how long a worker holds a received activity.
const inboxLease = 2 * time.Minute

// processInbox applies up to limit stored activities that are due and
// reports how many it handled. Refusals by the domain rules are recorded
// and final; other failures are retried on NextInboxAttempt's schedule.
func (f *Federation) processInbox(ctx context.Context, limit int) (int, error) {
	items, err := f.svc.Inbox.ClaimInboxActivities(ctx, f.cfg.Now(), inboxLease, limit)
	if err != nil {
		return 0, err
	}
	for _, item := range items {
		note, err := f.apply(ctx, item)
		now := f.cfg.Now()
		switch {
		case err == nil:
			err = f.svc.Inbox.MarkInboxDone(ctx, item.ID, now, note)
		case shrooms.Permanent(err):
			err = f.svc.Inbox.MarkInboxDone(ctx, item.ID, now, "refused: "+shrooms.ErrorMessage(err))
		default:
			f.cfg.Logger.Warn("inbox processing failed", "activity", item.ActivityIRI, "err", err)
			next, dead := shrooms.NextInboxAttempt(now, item.Attempts+1)
			err = f.svc.Inbox.MarkInboxFailed(ctx, item.ID, now, err.Error(), next, dead)
		}
		if err != nil {
			return 0, err
		}
	}
	return len(items), nil
}

// apply performs the side effects of one received activity. It returns a
// note when the activity was deliberately ignored.
func (f *Federation) apply(ctx context.Context, item *shrooms.InboxActivity) (note string, err error) {
	act, err := vocab.ParseActivity(item.Raw)
	if err != nil {
		return "", err
	}
	if act.Actor != item.ActorIRI {
		return "", shrooms.Errorf(shrooms.EFORBIDDEN, "actor is not the signer")
	}
	switch act.Type {
	case shrooms.ActivityFollow:
		_, err = f.svc.Follows.ReceiveFollow(ctx, act.IRI, act.Actor, act.Object, "")
		return "", err
	case shrooms.ActivityAccept, shrooms.ActivityReject:
		if !f.aboutFollow(act) {
			return "ignored: " + string(act.Type) + " of an unsupported object", nil
		}
		ans := shrooms.FollowAnswer{FollowIRI: act.Object, ActorIRI: act.Actor}
		if act.Embedded != nil {
			ans.FollowerIRI = act.Embedded.Actor
		}
		if act.Type == shrooms.ActivityAccept {
			_, err = f.svc.Follows.ReceiveFollowAccept(ctx, ans)
		} else {
			_, err = f.svc.Follows.ReceiveFollowReject(ctx, ans)
		}
		return "", err
	case shrooms.ActivityUndo:
		if !f.aboutFollow(act) {
			return "ignored: Undo of an unsupported object", nil
		}
		followee := ""
		if act.Embedded != nil {
			followee = act.Embedded.Object
		}
		return "", f.svc.Follows.ReceiveUndoFollow(ctx, act.Object, act.Actor, followee)
	}
	return "ignored: unsupported type " + string(act.Type), nil
}

// aboutFollow reports whether an Accept, Reject or Undo concerns a Follow:
// it embeds one, names its type, or (Accept/Reject) refers to one of ours.
func (f *Federation) aboutFollow(act *shrooms.Activity) bool {
	if act.Embedded != nil {
		return act.Embedded.Type == shrooms.ActivityFollow
	}
	if act.ObjectType != "" {
		return act.ObjectType == string(shrooms.ActivityFollow)
	}
	if act.Type == shrooms.ActivityUndo {
		return shrooms.HostOf(act.Object) == shrooms.HostOf(act.Actor)
	}
	return f.cfg.IRIs.Local(act.Object)
}

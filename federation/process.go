package federation

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// inboxLease is how long a worker holds a received activity.
const inboxLease = 2 * time.Minute

// inboxClaim is how many received activities the worker claims at once:
// more than the other queues' batch, because a burst of a partner's
// Creates is applied in one transaction and marked done in another, so
// the commits per activity shrink as the claim grows.
const inboxClaim = 4 * batch

// processInbox applies up to limit stored activities that are due and
// reports how many it handled. Refusals by the domain rules are recorded
// and final; other failures are retried on NextInboxAttempt's schedule.
// Consecutive changes of the remote cache are applied together, in one
// transaction: a partner's burst of Creates costs one commit, not one
// each.
func (f *Federation) processInbox(ctx context.Context, limit int) (int, error) {
	if limit < inboxClaim {
		limit = inboxClaim
	}
	items, err := f.svc.Inbox.ClaimInboxActivities(ctx, f.cfg.Now(), inboxLease, limit)
	if err != nil {
		return 0, err
	}
	// The inbox worker acts for the node itself.
	ctx = shrooms.NewSystemContext(ctx)
	parsed := parseAll(items)
	scope := f.newCacheScope()
	var pending []cachePending
	for i, item := range items {
		act, err := parsed[i].act, parsed[i].err
		var change *shrooms.RemoteChange
		if err == nil {
			change, err = scope.cacheChange(ctx, act)
		}
		if err == nil && change != nil && f.svc.Remote != nil {
			pending = append(pending, cachePending{item: item, change: *change})
			continue
		}
		if err := f.flushCache(ctx, pending); err != nil {
			return 0, err
		}
		pending = pending[:0]
		note := ""
		if err == nil {
			note, err = f.apply(ctx, act)
		}
		if err := f.finish(ctx, item, note, err); err != nil {
			return 0, err
		}
	}
	if err := f.flushCache(ctx, pending); err != nil {
		return 0, err
	}
	return len(items), nil
}

// parsedActivity is a claimed activity typed, or why it could not be.
type parsedActivity struct {
	act *shrooms.Activity
	err error
}

// parseAll types claimed activities on every core: typing with go-fed
// streams is most of the CPU an activity costs, it needs no database, and
// it can run while another core waits for a commit.
func parseAll(items []*shrooms.InboxActivity) []parsedActivity {
	out := make([]parsedActivity, len(items))
	workers := min(runtime.GOMAXPROCS(0), len(items))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(items) {
					return
				}
				act, err := vocab.ParseActivity(items[i].Raw)
				if err == nil && act.Actor != items[i].ActorIRI {
					act, err = nil, shrooms.Errorf(shrooms.EFORBIDDEN, "actor is not the signer").Keyed("federation.error.not_signer")
				}
				out[i] = parsedActivity{act, err}
			}
		}()
	}
	wg.Wait()
	return out
}

// finish records the outcome of one activity.
func (f *Federation) finish(ctx context.Context, item *shrooms.InboxActivity, note string, err error) error {
	now := f.cfg.Now()
	switch {
	case err == nil:
		return f.svc.Inbox.MarkInboxDone(ctx, item.ID, now, note)
	case shrooms.Permanent(err):
		return f.svc.Inbox.MarkInboxDone(ctx, item.ID, now, "refused: "+shrooms.ErrorMessage(err))
	default:
		f.cfg.Logger.Warn("inbox processing failed", "activity", item.ActivityIRI, "err", err)
		next, dead := shrooms.NextInboxAttempt(now, item.Attempts+1)
		return f.svc.Inbox.MarkInboxFailed(ctx, item.ID, now, err.Error(), next, dead)
	}
}

// cachePending is a received activity waiting for its batch's
// ApplyRemoteChanges.
type cachePending struct {
	item   *shrooms.InboxActivity
	change shrooms.RemoteChange
}

// flushCache applies a batch of cache changes in one call and records
// each activity's result. When the batch as a whole fails, each change is
// applied alone, so that one bad change neither blocks nor drops the
// others.
func (f *Federation) flushCache(ctx context.Context, batch []cachePending) error {
	if len(batch) == 0 {
		return nil
	}
	changes := make([]shrooms.RemoteChange, len(batch))
	for i, p := range batch {
		changes[i] = p.change
	}
	results, err := f.svc.Remote.ApplyRemoteChanges(ctx, changes)
	if err == nil && len(results) != len(batch) {
		err = shrooms.Errorf(shrooms.EINTERNAL, "remote cache answered %d results for %d changes", len(results), len(batch))
	}
	if err != nil && len(batch) > 1 {
		for _, p := range batch {
			if err := f.flushCache(ctx, []cachePending{p}); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return f.finish(ctx, batch[0].item, "", err)
	}
	ids, notes := make([]int64, len(batch)), make([]string, len(batch))
	for i, p := range batch {
		ids[i], notes[i] = p.item.ID, resultNote(results[i])
	}
	return f.svc.Inbox.MarkInboxDoneMany(ctx, ids, notes, f.cfg.Now())
}

// resultNote is what the inbox records for a cache change's result.
func resultNote(r shrooms.RemoteResult) string {
	switch r {
	case shrooms.RemoteRefused:
		return "refused: not a partner"
	case shrooms.RemoteStale:
		return "stale"
	}
	return ""
}

// apply performs the side effects of one received activity that is not a
// cache change. It returns a note when the activity was deliberately
// ignored.
func (f *Federation) apply(ctx context.Context, act *shrooms.Activity) (note string, err error) {
	if note, ok, err := f.applyLoan(ctx, act); ok {
		return note, err
	}
	switch act.Type {
	case shrooms.ActivityFollow:
		_, err = f.svc.Follows.ReceiveFollow(ctx, act.IRI, act.Actor, act.Object, act.InviteToken)
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
	case shrooms.ActivityBlock:
		if !f.cfg.IRIs.Local(act.Object) || f.svc.Partners == nil {
			return "ignored: Block of an actor that is not ours", nil
		}
		return "", f.svc.Partners.ReceiveBlock(ctx, act.Actor)
	case shrooms.ActivityUndo:
		if act.ObjectType == string(shrooms.ActivityBlock) || (act.Embedded != nil && act.Embedded.Type == shrooms.ActivityBlock) {
			// Being unblocked links nothing again: one side links anew.
			return "ignored: Undo of a Block", nil
		}
		if !f.aboutFollow(act) {
			return "ignored: Undo of an unsupported object", nil
		}
		followee := ""
		if act.Embedded != nil {
			followee = act.Embedded.Object
		}
		return "", f.svc.Follows.ReceiveUndoFollow(ctx, act.Object, act.Actor, followee)
	case shrooms.ActivityUpdate:
		// An actor's new name, summary or icon (a partner renamed itself).
		if ok, err := f.actorUpdate(ctx, act); err != nil || ok {
			if err != nil {
				return "", err
			}
			return f.receiveActorUpdate(ctx, act)
		}
		return "ignored: Update of an object the node does not keep", nil
	case shrooms.ActivityDelete:
		if act.Object == act.Actor && act.Embedded == nil {
			return f.receiveActorDelete(ctx, act)
		}
		return "ignored: Delete of an object the node does not keep", nil
	case shrooms.ActivityCreate:
		return "ignored: " + string(act.Type) + " of an object the node does not keep", nil
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

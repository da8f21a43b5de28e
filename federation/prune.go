package federation

import (
	"context"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// pruneInterval is the least time between two prunings of the queues.
// Pruning is cheap when there is little to delete, but every round would
// still scan the finished rows; once an hour keeps the tables near their
// retention. The last run is kept in memory only: a restart prunes once
// more, which is harmless.
const pruneInterval = time.Hour

// pruneState is the pruning step's memory.
type pruneState struct {
	last time.Time
}

// pruneQueues deletes what the queues finished with more than
// QueueRetention ago, at most once per pruneInterval of the node's clock.
// It is a step of the worker's round, so Drain prunes deterministically
// with a test clock; it reports 0 so that a round never repeats for it.
func (f *Federation) pruneQueues(ctx context.Context, _ int) (int, error) {
	now := f.cfg.Now()
	if !f.prune.last.IsZero() && now.Sub(f.prune.last) < pruneInterval {
		return 0, nil
	}
	res, err := f.svc.Outbox.PruneQueues(shrooms.NewSystemContext(ctx), now.Add(-f.cfg.QueueRetention))
	if err != nil {
		// Tried again at the next interval, not at every round.
		f.prune.last = now
		return 0, err
	}
	f.prune.last = now
	if res.Total() > 0 {
		f.cfg.Logger.Info("queues pruned", "retention", f.cfg.QueueRetention, "inbox", res.Inbox,
			"deliveries", res.Deliveries, "outbox", res.Outbox, "invites", res.Invites)
	}
	return 0, nil
}

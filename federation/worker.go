package federation

import (
	"context"
	"time"
)

// batch is how much each worker round takes at once.
const batch = 64

// Recover frees the leases a previous run left behind when it crashed or
// was killed mid-delivery, so that its work is taken up again. Call it once
// at start-up, before Start or Drain.
func (f *Federation) Recover(ctx context.Context) error {
	if err := f.svc.Outbox.ReleaseDeliveryLeases(ctx); err != nil {
		return err
	}
	return f.svc.Inbox.ReleaseInboxLeases(ctx)
}

// Start starts the publish, delivery and inbox workers. They wake on Wake
// and every PollInterval, and stop on Close.
func (f *Federation) Start() {
	var ctx context.Context
	ctx, f.stop = context.WithCancel(context.Background())
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		ticker := time.NewTicker(f.cfg.PollInterval)
		defer ticker.Stop()
		for {
			if _, err := f.round(ctx); err != nil && ctx.Err() == nil {
				f.cfg.Logger.Error("federation worker", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-f.wake:
			case <-ticker.C:
			}
		}
	}()
}

// Close stops the workers and waits for the round in progress: deliveries in
// flight finish or time out, and their outcome is recorded.
func (f *Federation) Close() {
	if f.stop != nil {
		f.stop()
	}
	f.wg.Wait()
}

// round runs the workers until they find nothing due.
func (f *Federation) round(ctx context.Context) (int, error) {
	f.drainM.Lock()
	defer f.drainM.Unlock()
	total := 0
	for ctx.Err() == nil {
		n := 0
		for _, step := range []func(context.Context, int) (int, error){f.processInbox, f.publishOutbox, f.deliverDue, f.syncPartners, f.pruneQueues, f.fetchMedia} {
			k, err := step(ctx, batch)
			if err != nil {
				return total + n + k, err
			}
			n += k
		}
		if n == 0 {
			return total, nil
		}
		total += n
	}
	return total, ctx.Err()
}

// Drain does all the work that is due now: processes the inbox, publishes
// the outbox, makes the due deliveries and runs the due partner syncs to
// completion, until nothing is left. Tests use
// it instead of sleeping. It reports how much it did.
func (f *Federation) Drain(ctx context.Context) (int, error) {
	return f.round(ctx)
}

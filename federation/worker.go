package federation

import (
	"context"
	"sync"
	"time"
)

// batch is how much each worker round takes at once.
const batch = 64

// queue is one of the node's work queues and its worker: inbox
// processing, publishing, deliveries, partner syncs, pruning and media
// each have their own, so that a slow step of one (a partner that never
// answers, a large sync) holds up no other.
type queue struct {
	name string
	// step does one batch of the queue's work and reports how much it did.
	step func(context.Context, int) (int, error)
	// run is held while the queue works: by its loop or by a Drain, never
	// both.
	run  sync.Mutex
	wake chan struct{}
}

// queues lists the node's queues in the order Drain runs them: the inbox
// first, since what it applies may publish, then publishing, which makes
// deliveries.
func (f *Federation) newQueues() []*queue {
	qs := []*queue{
		{name: "inbox", step: f.processInbox},
		{name: "publish", step: f.publishOutbox},
		{name: "deliveries", step: f.deliverDue},
		{name: "sync", step: f.syncPartners},
		{name: "prune", step: f.pruneQueues},
		{name: "media", step: f.fetchMedia},
	}
	for _, q := range qs {
		q.wake = make(chan struct{}, 1)
	}
	return qs
}

// Recover frees the leases a previous run left behind when it crashed or
// was killed mid-delivery, so that its work is taken up again. Call it once
// at start-up, before Start or Drain.
func (f *Federation) Recover(ctx context.Context) error {
	if err := f.svc.Outbox.ReleaseDeliveryLeases(ctx); err != nil {
		return err
	}
	return f.svc.Inbox.ReleaseInboxLeases(ctx)
}

// Start starts one worker per queue. Each wakes on Wake, when another
// queue did work (which may have made some for it), and every
// PollInterval; all stop on Close.
func (f *Federation) Start() {
	var ctx context.Context
	ctx, f.stop = context.WithCancel(context.Background())
	for _, q := range f.queues {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			if q.name == "deliveries" {
				f.deliveryLoop(ctx, q)
				return
			}
			f.loop(ctx, q)
		}()
	}
}

// loop runs q until ctx ends.
func (f *Federation) loop(ctx context.Context, q *queue) {
	ticker := time.NewTicker(f.cfg.PollInterval)
	defer ticker.Stop()
	for {
		n, err := f.runQueue(ctx, q)
		if err != nil && ctx.Err() == nil {
			f.cfg.Logger.Error("federation worker", "queue", q.name, "err", err)
		}
		if n > 0 {
			f.wakeOthers(q)
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-ticker.C:
		}
	}
}

// runQueue runs q's step until it finds nothing due.
func (f *Federation) runQueue(ctx context.Context, q *queue) (int, error) {
	q.run.Lock()
	defer q.run.Unlock()
	total := 0
	for ctx.Err() == nil {
		n, err := q.step(ctx, batch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, ctx.Err()
}

// Close stops the workers and waits for them. POSTs in flight are
// cancelled and left unrecorded: Recover frees their leases at the next
// start, and they are sent again.
func (f *Federation) Close() {
	if f.stop != nil {
		f.stop()
	}
	f.wg.Wait()
}

// Wake tells the workers that there is new work, without waiting.
func (f *Federation) Wake() { f.wakeOthers(nil) }

// wakeOthers wakes every worker but except's.
func (f *Federation) wakeOthers(except *queue) {
	for _, q := range f.queues {
		if q == except {
			continue
		}
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// Drain does all the work that is due now: processes the inbox, publishes
// the outbox, makes the due deliveries and runs the due partner syncs to
// completion, queue after queue in a fixed order, until a pass finds
// nothing left. Tests use it instead of sleeping; with the workers
// stopped it is deterministic. It reports how much it did.
func (f *Federation) Drain(ctx context.Context) (int, error) {
	f.drainM.Lock()
	defer f.drainM.Unlock()
	total := 0
	for ctx.Err() == nil {
		n := 0
		for _, q := range f.queues {
			k, err := f.runQueue(ctx, q)
			n += k
			if err != nil {
				return total + n, err
			}
		}
		if n == 0 {
			return total, nil
		}
		total += n
	}
	return total, ctx.Err()
}

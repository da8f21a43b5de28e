package federation

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// deliveryLease is how long a claim holds a delivery. A running delivery
// renews its lease every quarter of it, so however long the POST takes
// the delivery is never claimed twice; a lease outlives its worker only
// when the node dies, and Recover frees those at start-up.
const deliveryLease = 2 * time.Minute

// maxDeliveriesPerHost bounds the POSTs to one host at once, so that a
// host that accepts connections and never answers holds at most that many
// of the DeliveryWorkers; the others serve the other hosts.
const maxDeliveriesPerHost = 2

// deliveryPool counts the deliveries running, for the global cap
// (DeliveryWorkers); the per-host cap is kept by the claim, which counts
// a host's leases.
type deliveryPool struct {
	mu      sync.Mutex
	running int
	wg      sync.WaitGroup
	done    chan struct{} // a delivery ended: a slot is free
}

// perHost is how many deliveries one host may have running.
func (f *Federation) perHost() int {
	return max(1, min(maxDeliveriesPerHost, f.cfg.DeliveryWorkers/2))
}

// startDeliveries claims as many due deliveries as there are free slots
// and starts them, without waiting for them. It reports how many it
// started.
func (f *Federation) startDeliveries(ctx context.Context, limit int) (int, error) {
	p := &f.pool
	free := min(limit, f.freeSlots())
	if free <= 0 {
		return 0, nil
	}
	// The claim must not be cut short by ctx once made: a delivery leased
	// and not started waits for its lease to end.
	ds, err := f.svc.Outbox.ClaimDeliveries(context.WithoutCancel(ctx), f.cfg.Now(), f.deliveryLease, free, f.perHost())
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	// The signers are read once per claim: a fan-out's deliveries share one.
	signers := map[int64]*shrooms.Actor{}
	for _, d := range ds {
		if signers[d.ActorID] == nil {
			a, err := f.svc.Actors.FindActorByID(context.WithoutCancel(ctx), d.ActorID)
			if err != nil {
				// The leases end by themselves; the deliveries are tried again.
				return 0, err
			}
			signers[d.ActorID] = a
		}
	}
	p.mu.Lock()
	p.running += len(ds)
	p.mu.Unlock()
	for _, d := range ds {
		p.wg.Add(1)
		go func() {
			defer func() {
				p.mu.Lock()
				p.running--
				p.mu.Unlock()
				select {
				case p.done <- struct{}{}:
				default:
				}
				p.wg.Done()
			}()
			if err := f.deliver(ctx, d, signers[d.ActorID]); err != nil && ctx.Err() == nil {
				f.cfg.Logger.Error("delivery not recorded", "inbox", d.Inbox, "err", err)
			}
		}()
	}
	return len(ds), nil
}

// deliverDue is the deliveries' step for Drain: it starts the due
// deliveries the slots allow and waits for them, so that a test sees
// their outcome.
func (f *Federation) deliverDue(ctx context.Context, limit int) (int, error) {
	n, err := f.startDeliveries(ctx, limit)
	f.pool.wg.Wait()
	return n, err
}

// deliveryLoop is the deliveries' worker: it claims whenever a slot frees
// up, it is woken or the poll interval passes, and never waits for a
// delivery to end, so a slow host holds up only its own slots. On Close
// the POSTs in flight are cancelled and awaited.
func (f *Federation) deliveryLoop(ctx context.Context, q *queue) {
	ticker := time.NewTicker(f.cfg.PollInterval)
	defer ticker.Stop()
	defer f.pool.wg.Wait()
	for {
		q.run.Lock()
		_, err := f.startDeliveries(ctx, batch)
		q.run.Unlock()
		if err != nil && ctx.Err() == nil {
			f.cfg.Logger.Error("federation worker", "queue", q.name, "err", err)
		}
		if !f.awaitDeliveryWork(ctx, q, ticker.C) {
			return
		}
	}
}

// awaitDeliveryWork waits until the deliveries' worker should claim
// again, or ctx ends (false).
func (f *Federation) awaitDeliveryWork(ctx context.Context, q *queue, tick <-chan time.Time) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-q.wake:
			return true
		case <-tick:
			return true
		case <-f.pool.done:
			// A claim is a write transaction: when the pool is busy, claim
			// for half of it at once rather than for every slot freed.
			if f.freeSlots() >= (f.cfg.DeliveryWorkers+1)/2 {
				return true
			}
		}
	}
}

// freeSlots is how many more deliveries may start.
func (f *Federation) freeSlots() int {
	f.pool.mu.Lock()
	defer f.pool.mu.Unlock()
	return f.cfg.DeliveryWorkers - f.pool.running
}

// renewLease extends d's lease every quarter of it until stop is closed.
func (f *Federation) renewLease(ctx context.Context, d *shrooms.Delivery, stop <-chan struct{}) {
	t := time.NewTicker(f.deliveryLease / 4)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := f.svc.Outbox.ExtendDeliveryLeases(ctx, []int64{d.ID}, f.cfg.Now().Add(f.deliveryLease)); err != nil {
				f.cfg.Logger.Warn("delivery lease not renewed", "inbox", d.Inbox, "err", err)
			}
		}
	}
}

// deliver makes one POST signed by signer, its lease renewed while it runs, and
// records the outcome. The returned error is a failure to record, not a
// failed POST. A POST cut short by ctx (the node stopping) is not
// recorded: its lease is freed by Recover at the next start.
func (f *Federation) deliver(ctx context.Context, d *shrooms.Delivery, signer *shrooms.Actor) error {
	store := context.WithoutCancel(ctx)
	stop, renewed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(renewed)
		f.renewLease(store, d, stop)
	}()
	resp, postErr := f.client.Post(ctx, d.Inbox, d.Payload, signer)
	close(stop)
	<-renewed
	if postErr != nil && ctx.Err() != nil {
		return nil
	}
	ctx = store
	now := f.cfg.Now()
	if postErr == nil {
		return f.svc.Outbox.MarkDelivered(ctx, d.ID, now, resp.Status)
	}
	fail := shrooms.DeliveryFailure{Err: shrooms.ErrorMessage(postErr), HostDown: true}
	var se *StatusError
	if errors.As(postErr, &se) {
		fail.Status = se.Status
		fail.Err = se.Error()
		fail.HostDown = se.Status >= 500 || se.Status == http.StatusTooManyRequests || se.Status == http.StatusRequestTimeout
	} else if !errors.As(postErr, new(*shrooms.Error)) {
		fail.Err = postErr.Error()
	}
	if fail.HostDown {
		fail.Next, fail.Dead = shrooms.NextDeliveryAttempt(d.CreatedAt, now, d.Attempts+1, f.cfg.DeliveryMaxAge, jitter())
	} else {
		// The host answered and refused this activity: sending it again
		// would be refused again.
		fail.Dead = true
	}
	if fail.Dead {
		f.cfg.Logger.Warn("delivery dead-lettered", "inbox", d.Inbox, "attempts", d.Attempts+1, "err", fail.Err)
	}
	return f.svc.Outbox.MarkDeliveryFailed(ctx, d.ID, now, fail)
}

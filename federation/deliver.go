package federation

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// deliveryLease is how long a worker holds a delivery; longer than any POST.
const deliveryLease = 2 * time.Minute

// deliverDue POSTs up to limit due deliveries, DeliveryWorkers at a time,
// and records each outcome. It reports how many it attempted.
func (f *Federation) deliverDue(ctx context.Context, limit int) (int, error) {
	ds, err := f.svc.Outbox.ClaimDeliveries(ctx, f.cfg.Now(), deliveryLease, limit)
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, f.cfg.DeliveryWorkers)
	)
	for _, d := range ds {
		wg.Add(1)
		sem <- struct{}{}
		go func(d *shrooms.Delivery) {
			defer func() { <-sem; wg.Done() }()
			if err := f.deliver(ctx, d); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}(d)
	}
	wg.Wait()
	return len(ds), firstErr
}

// deliver makes one signed POST and records the outcome. The returned error
// is a failure to record, not a failed POST.
func (f *Federation) deliver(ctx context.Context, d *shrooms.Delivery) error {
	signer, err := f.svc.Actors.FindActorByID(ctx, d.ActorID)
	if err != nil {
		return err
	}
	resp, postErr := f.client.Post(ctx, d.Inbox, d.Payload, signer)
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

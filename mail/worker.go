package mail

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// DefaultPollInterval is how often the worker looks for due mail when
// nothing woke it: one indexed query, cheap enough to keep account mail
// prompt.
const DefaultPollInterval = 2 * time.Second

// workerBatch is how many mails one claim takes.
const workerBatch = 10

// Worker sends the mail outbox: it claims due mail, hands it to the
// Mailer, marks it sent, and reschedules failures with jittered backoff
// (shrooms.NextMailAttempt) until the mail is dead, keeping the last
// error for admins. It runs its own loop, apart from the federation
// workers, so that a slow mail server holds up nothing else.
//
// Delivery is at least once, not exactly once: SMTP has no way to ask a
// server whether it already has a message. A mail marked sent is never
// sent again; a mail whose sending was cut off (the node stopped after the
// server's OK but before the mark) is sent again after its lease, with
// the same Message-ID, by which receivers can recognise the copy.
type Worker struct {
	queue  shrooms.MailQueue
	mailer shrooms.Mailer
	logger *slog.Logger
	now    func() time.Time
	// Poll is the interval between looks at the queue; set before Start.
	Poll time.Duration
	// Jitter returns the factor applied to each retry delay; nil means a
	// random factor in [0.8, 1.2).
	Jitter func() float64

	drain sync.Mutex // one round at a time: the loop or a test's Drain
	stop  context.CancelFunc
	wg    sync.WaitGroup
}

// NewWorker returns a stopped worker. A nil logger discards; a nil now is
// time.Now.
func NewWorker(queue shrooms.MailQueue, mailer shrooms.Mailer, logger *slog.Logger, now func() time.Time) *Worker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Worker{queue: queue, mailer: mailer, logger: logger, now: now, Poll: DefaultPollInterval}
}

// Start runs the worker's loop until Close.
func (w *Worker) Start() {
	var ctx context.Context
	ctx, w.stop = context.WithCancel(context.Background())
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		ticker := time.NewTicker(w.Poll)
		defer ticker.Stop()
		for {
			if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
				w.logger.Error("mail worker", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
}

// Close stops the loop and waits for the mail in hand: it is sent (or its
// attempt times out) and its outcome recorded.
func (w *Worker) Close() {
	if w.stop != nil {
		w.stop()
	}
	w.wg.Wait()
}

// Drain sends every mail due now, batch by batch, and returns how many
// attempts it made. A mail that fails is rescheduled for later, so Drain
// ends; tests call it instead of sleeping.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.drain.Lock()
	defer w.drain.Unlock()
	total := 0
	for {
		n, err := w.runOnce(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// RunOnce claims one batch of due mail and tries each once.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.drain.Lock()
	defer w.drain.Unlock()
	return w.runOnce(ctx)
}

func (w *Worker) runOnce(ctx context.Context) (int, error) {
	// The claim and the marks must not be cut short by ctx: a mail handed
	// over and not marked would be sent twice.
	store := context.WithoutCancel(ctx)
	mails, err := w.queue.ClaimMail(store, w.now(), shrooms.MailLease, workerBatch)
	if err != nil {
		return 0, err
	}
	for i, m := range mails {
		if ctx.Err() != nil {
			// Stopping: the rest go back to the queue, due at once
			// rather than after their lease, keeping their last error.
			for _, rest := range mails[i:] {
				if err := w.queue.MarkMailFailed(store, rest.ID, w.now(), rest.LastError, w.now(), false); err != nil {
					return i, err
				}
			}
			return i, ctx.Err()
		}
		if err := w.send(store, m); err != nil {
			return i + 1, err
		}
	}
	return len(mails), nil
}

// send tries one mail and records the outcome.
func (w *Worker) send(ctx context.Context, m *shrooms.Mail) error {
	sendCtx, cancel := context.WithTimeout(ctx, shrooms.MailLease/2)
	err := w.mailer.Send(sendCtx, m.Message)
	cancel()
	now := w.now()
	if err == nil {
		return w.queue.MarkMailSent(ctx, m.ID, now)
	}
	jitter := 0.8 + 0.4*rand.Float64()
	if w.Jitter != nil {
		jitter = w.Jitter()
	}
	next, dead := shrooms.NextMailAttempt(now, m.Attempts, jitter)
	if shrooms.Permanent(err) {
		dead = true // refused for good: trying again cannot help
	}
	w.logger.Warn("mail not sent", "mail", m.ID, "kind", m.Kind, "to", m.Message.To, "attempt", m.Attempts, "dead", dead, "err", err)
	return w.queue.MarkMailFailed(ctx, m.ID, now, err.Error(), next, dead)
}

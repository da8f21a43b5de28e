// Package notify runs the notifications worker: it renders the e-mail of
// each notification that wants one into the durable mail outbox, and it
// is the lending scheduler, sweeping lapsed requests and offers and
// writing the due-soon, overdue and ready-for-pickup reminders.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// DefaultPollInterval is how often the worker looks for notifications
// whose mail waits: one indexed query.
const DefaultPollInterval = 2 * time.Second

// DefaultScheduleInterval is how often the scheduler sweeps the lending
// calendar and writes the reminders due. Reminders are by day, so a few
// minutes late is on time.
const DefaultScheduleInterval = 5 * time.Minute

// batch is how many notifications one round renders.
const batch = 50

// Worker renders notification mail into the mail outbox and runs the
// lending scheduler, each in its own loop. Every step is idempotent: a
// notification's mail is queued and marked in one transaction, each
// reminder is written once (the store keeps a log), so a worker stopped
// anywhere and started again loses and doubles nothing.
type Worker struct {
	outbox shrooms.NotificationOutbox
	render shrooms.NotificationRender
	// sweep expires lapsed requests and offers as the node.
	sweep  func(ctx context.Context, now time.Time) error
	logger *slog.Logger
	now    func() time.Time
	// Poll is the interval between looks for mail to render; Schedule
	// between sweeps and reminders. Set before Start.
	Poll     time.Duration
	Schedule time.Duration

	mailMu, schedMu sync.Mutex // one round of each at a time: the loop or a test's
	stop            context.CancelFunc
	wg              sync.WaitGroup
}

// NewWorker returns a stopped worker over outbox, rendering mail with
// render; sweep is called first by every scheduler round (nil: none). A
// nil logger discards; a nil now is time.Now.
func NewWorker(outbox shrooms.NotificationOutbox, render shrooms.NotificationRender, sweep func(context.Context, time.Time) error,
	logger *slog.Logger, now func() time.Time) *Worker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Worker{outbox: outbox, render: render, sweep: sweep, logger: logger, now: now,
		Poll: DefaultPollInterval, Schedule: DefaultScheduleInterval}
}

// Start runs the mail loop and the scheduler loop until Close.
func (w *Worker) Start() {
	var ctx context.Context
	ctx, w.stop = context.WithCancel(context.Background())
	w.loop(ctx, w.Schedule, "lending scheduler", func(ctx context.Context) error { _, err := w.RunSchedule(ctx); return err })
	w.loop(ctx, w.Poll, "notification mail", func(ctx context.Context) error { _, err := w.Drain(ctx); return err })
}

func (w *Worker) loop(ctx context.Context, every time.Duration, name string, round func(context.Context) error) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			if err := round(ctx); err != nil && ctx.Err() == nil {
				w.logger.Error(name, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
}

// Close stops both loops and waits for the rounds in hand.
func (w *Worker) Close() {
	if w.stop != nil {
		w.stop()
	}
	w.wg.Wait()
}

// RunSchedule runs one scheduler round: the sweep, then the reminders due
// now, then renders the mail they want; returns how many reminders it
// wrote. Tests call it instead of waiting; running it twice writes
// nothing more.
func (w *Worker) RunSchedule(ctx context.Context) (int, error) {
	w.schedMu.Lock()
	defer w.schedMu.Unlock()
	store := context.WithoutCancel(ctx)
	now := w.now()
	if w.sweep != nil {
		if err := w.sweep(store, now); err != nil {
			return 0, err
		}
	}
	n, err := w.outbox.WriteLoanReminders(store, now)
	if err != nil {
		return 0, err
	}
	if _, err := w.Drain(ctx); err != nil {
		return n, err
	}
	return n, nil
}

// Drain renders the mail of every notification waiting for it into the
// mail outbox, batch by batch, and returns how many it handled.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.mailMu.Lock()
	defer w.mailMu.Unlock()
	total := 0
	for {
		n, err := w.renderBatch(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// renderBatch renders one batch. A mail that cannot be rendered (a broken
// template, a member without address) is marked skipped and logged, so
// that it does not hold up the others for ever.
func (w *Worker) renderBatch(ctx context.Context) (int, error) {
	store := context.WithoutCancel(ctx)
	pending, err := w.outbox.PendingNotificationMail(store, batch)
	if err != nil {
		return 0, err
	}
	for i, p := range pending {
		if ctx.Err() != nil {
			return i, ctx.Err()
		}
		m, err := w.render(store, p.User, p.Notification)
		if err != nil {
			w.logger.Error("notification mail not rendered", "notification", p.Notification.ID, "kind", p.Notification.Kind, "err", err)
			m = shrooms.Message{}
		}
		if m.To == "" && err == nil {
			w.logger.Warn("notification mail has no recipient", "notification", p.Notification.ID, "user", p.User.ID)
		}
		if err := w.outbox.QueueNotificationMail(store, p.Notification.ID, m); err != nil {
			return i, errors.Join(errors.New("queue notification mail"), err)
		}
	}
	return len(pending), nil
}

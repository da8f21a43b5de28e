package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// maxNotificationBatch bounds one PendingNotificationMail answer.
const maxNotificationBatch = 100

// PendingNotificationMail returns up to limit notifications whose e-mail
// waits to be rendered, oldest first, with their recipients.
func (s *NotificationService) PendingNotificationMail(ctx context.Context, limit int) ([]*shrooms.NotificationMail, error) {
	if limit <= 0 || limit > maxNotificationBatch {
		limit = maxNotificationBatch
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ns, err := queryNotifications(ctx, tx, `WHERE mail_state = 'pending' ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*shrooms.NotificationMail, 0, len(ns))
	for _, n := range ns {
		u, err := findUserByID(ctx, tx, n.UserID)
		if err != nil {
			return nil, err
		}
		out = append(out, &shrooms.NotificationMail{Notification: n, User: u})
	}
	return out, nil
}

// QueueNotificationMail queues m in the mail outbox for notification id
// and marks it queued in the same transaction: done twice, the second
// time finds it queued and queues nothing. An m without recipient marks
// it skipped.
func (s *NotificationService) QueueNotificationMail(ctx context.Context, id int64, m shrooms.Message) error {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	state := shrooms.NotificationMailQueued
	if m.To == "" {
		state = shrooms.NotificationMailSkipped
	}
	var kind string
	err = tx.QueryRowContext(ctx, `UPDATE notifications SET mail_state = ? WHERE id = ? AND mail_state = 'pending'
		RETURNING kind`, state, id).Scan(&kind)
	if err == sql.ErrNoRows {
		return nil // queued or skipped already
	} else if err != nil {
		return dbError(err, nil)
	}
	if state == shrooms.NotificationMailQueued {
		render := func(*shrooms.User, string) (shrooms.Message, error) { return m, nil }
		if err := s.db.queueMail(ctx, tx, kind, render, nil, ""); err != nil {
			return err
		}
	}
	return commit(tx)
}

// WriteLoanReminders writes, as the node, the reminders due on the day of
// now to its own members, each once (notification_reminders remembers
// it): a loan due within DueSoonDays; a loan overdue, again every
// OverdueEveryDays (for a partner's loan too, from its mirror); an
// approved loan of this node whose first day has come and whose item is
// back on the shelf — physically there, not merely free by the calendar.
// Returns how many it wrote.
func (s *NotificationService) WriteLoanReminders(ctx context.Context, now time.Time) (int, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return 0, err
	}
	today := r.Today(now)
	written := 0
	remind := func(l *shrooms.Loan, kind shrooms.NotificationKind, seq string, params map[string]string) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notification_reminders (kind, loan_id, seq, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, kind, l.ID, seq, now.UnixMilli())
		if err != nil {
			return dbError(err, nil)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		written++
		return notifyLoan(ctx, tx, now, l, kind, params)
	}
	if r.DueSoonDays > 0 {
		soon, err := queryLoans(ctx, tx, `WHERE borrower_user_id IS NOT NULL AND state = 'checked_out' AND due_day >= ? AND due_day <= ?`,
			today.String(), today.AddDays(r.DueSoonDays).String())
		if err != nil {
			return 0, err
		}
		for _, l := range soon {
			if err := remind(l, shrooms.NotifyLoanDueSoon, l.Due.String(),
				map[string]string{"Days": strconv.Itoa(today.DaysUntil(l.Due))}); err != nil {
				return 0, err
			}
		}
	}
	late, err := queryLoans(ctx, tx, `WHERE borrower_user_id IS NOT NULL AND state = 'checked_out' AND due_day < ?`, today.String())
	if err != nil {
		return 0, err
	}
	for _, l := range late {
		days := l.Due.DaysUntil(today)
		round := 0
		if r.OverdueEveryDays > 0 {
			round = (days - 1) / r.OverdueEveryDays
		}
		if err := remind(l, shrooms.NotifyLoanOverdue, fmt.Sprintf("%s#%d", l.Due, round),
			map[string]string{"Days": strconv.Itoa(days)}); err != nil {
			return 0, err
		}
	}
	ready, err := queryLoans(ctx, tx, `WHERE mirror = 0 AND state = 'approved' AND start_day <= ? AND item_id IS NOT NULL
		AND (SELECT status FROM items WHERE items.id = loans.item_id) = 'available'
		AND NOT EXISTS (SELECT 1 FROM loans AS o WHERE o.item_id = loans.item_id AND o.state = 'checked_out')`, today.String())
	if err != nil {
		return 0, err
	}
	for _, l := range ready {
		if heldForOthers(ctx, tx, l) != nil {
			continue // on the shelf for the one the waiting list offered it
		}
		if err := remind(l, shrooms.NotifyLoanReady, l.Start.String(), nil); err != nil {
			return 0, err
		}
	}
	if err := commit(tx); err != nil {
		return 0, err
	}
	return written, nil
}

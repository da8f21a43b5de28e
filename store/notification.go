package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// NotificationService is members' notifications over SQLite: their list,
// the bell's count, their preferences; and, for the notifications worker,
// the mail waiting to be rendered and the scheduled reminders.
type NotificationService struct{ db *DB }

// NewNotificationService returns the notification service over db.
func NewNotificationService(db *DB) *NotificationService { return &NotificationService{db: db} }

// notice is a notification about to be written: its subject and details.
type notice struct {
	kind     shrooms.NotificationKind
	loanID   int64
	itemID   int64
	itemName string
	params   map[string]string
}

// notify writes notice n to user userID at now in tx, the transaction of the
// change it tells about, by the channel the user chose for its kind:
// nothing for none, the mail pending for the worker when they want mail.
// An inactive or missing user gets nothing.
func notify(ctx context.Context, tx *sql.Tx, now time.Time, userID int64, n notice) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM users WHERE id = ?`, userID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if shrooms.UserStatus(status) != shrooms.StatusActive {
		return nil
	}
	prefs, err := notificationPrefs(ctx, tx, userID)
	if err != nil {
		return err
	}
	ch := prefs.Channel(n.kind)
	if ch == shrooms.ChannelNone {
		return nil
	}
	mail := shrooms.NotificationMailNone
	if ch.Mail() {
		mail = shrooms.NotificationMailPending
	}
	if n.params == nil {
		n.params = map[string]string{}
	}
	params, err := json.Marshal(n.params)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, loan_id, item_id, item_name, params, in_app,
		mail_state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, userID, n.kind, nullID(n.loanID), nullID(n.itemID),
		n.itemName, string(params), ch.InApp(), mail, now.UnixMilli())
	return dbError(err, nil)
}

// notifyLoan tells l's borrower about l, when they are a member of this
// node: a partner's member hears from their own node, which keeps a
// mirror of the loan and calls this when it applies the lender's Update.
func notifyLoan(ctx context.Context, tx *sql.Tx, now time.Time, l *shrooms.Loan, kind shrooms.NotificationKind, params map[string]string) error {
	if l.Borrower.UserID == 0 {
		return nil
	}
	return notify(ctx, tx, now, l.Borrower.UserID, loanNotice(l, kind, params))
}

func loanNotice(l *shrooms.Loan, kind shrooms.NotificationKind, params map[string]string) notice {
	p := map[string]string{"Start": l.Start.String(), "End": l.End.String(), "Due": l.Due.String(), "Borrower": l.Borrower.Name}
	for k, v := range params {
		p[k] = v
	}
	return notice{kind: kind, loanID: l.ID, itemID: l.ItemID, itemName: l.ItemName, params: p}
}

// notifyDesk tells everyone who works the lending desk about l.
func notifyDesk(ctx context.Context, tx *sql.Tx, now time.Time, l *shrooms.Loan, kind shrooms.NotificationKind) error {
	grants, err := findGrants(ctx, tx)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE status = 'active' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("notify desk: %w", err)
	}
	var users []*shrooms.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("notify desk: %w", err)
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("notify desk: %w", err)
	}
	for _, u := range users {
		groups, err := userGroupIDs(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if !(shrooms.Principal{User: u, Groups: groups}).LoanDesk(grants) || u.ID == l.Borrower.UserID {
			continue
		}
		if err := notify(ctx, tx, now, u.ID, loanNotice(l, kind, nil)); err != nil {
			return err
		}
	}
	return nil
}

// notificationPrefs reads a user's chosen channels.
func notificationPrefs(ctx context.Context, tx *sql.Tx, userID int64) (shrooms.NotificationPrefs, error) {
	rows, err := tx.QueryContext(ctx, `SELECT kind, channel FROM notification_prefs WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("notification preferences: %w", err)
	}
	defer rows.Close()
	p := shrooms.NotificationPrefs{}
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return nil, fmt.Errorf("notification preferences: %w", err)
		}
		p[shrooms.NotificationKind(k)] = shrooms.NotificationChannel(c)
	}
	return p, rows.Err()
}

// notificationCaller returns the logged-in user of ctx, or EUNAUTHORIZED:
// notifications are always the caller's own.
func notificationCaller(ctx context.Context) (*shrooms.User, error) {
	u := shrooms.UserFromContext(ctx)
	if u == nil || !u.Active() {
		return nil, shrooms.Errorf(shrooms.EUNAUTHORIZED, "please log in first").Keyed("notify.error.login_first")
	}
	return u, nil
}

const notificationColumns = `id, user_id, kind, COALESCE(loan_id, 0), COALESCE(item_id, 0), item_name, params, in_app,
	mail_state, created_at, read_at`

func scanNotification(sc scanner) (*shrooms.Notification, error) {
	var n shrooms.Notification
	var params string
	var created int64
	var read sql.NullInt64
	if err := sc.Scan(&n.ID, &n.UserID, &n.Kind, &n.LoanID, &n.ItemID, &n.ItemName, &params, &n.InApp, &n.Mail,
		&created, &read); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(params), &n.Params); err != nil {
		return nil, fmt.Errorf("notification %d params: %w", n.ID, err)
	}
	n.CreatedAt = fromMS(sql.NullInt64{Int64: created, Valid: true})
	n.ReadAt = fromMS(read)
	return &n, nil
}

func queryNotifications(ctx context.Context, tx *sql.Tx, rest string, args ...any) ([]*shrooms.Notification, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("find notifications: %w", err)
	}
	defer rows.Close()
	var out []*shrooms.Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("find notifications: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// FindNotifications returns the caller's in-app notifications, newest
// first, with the total and the unread count. Returns EUNAUTHORIZED.
func (s *NotificationService) FindNotifications(ctx context.Context, f shrooms.NotificationFilter) (*shrooms.NotificationList, error) {
	u, err := notificationCaller(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cond := `WHERE user_id = ? AND in_app = 1`
	if f.Unread {
		cond += ` AND read_at IS NULL`
	}
	out := &shrooms.NotificationList{}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(read_at IS NULL), 0) FROM notifications
		WHERE user_id = ? AND in_app = 1`, u.ID).Scan(&out.Total, &out.Unread); err != nil {
		return nil, fmt.Errorf("count notifications: %w", err)
	}
	if f.Unread {
		out.Total = out.Unread
	}
	offset, limit := page(f.Offset, f.Limit)
	if out.Notifications, err = queryNotifications(ctx, tx, cond+` ORDER BY id DESC LIMIT ? OFFSET ?`, u.ID, limit, offset); err != nil {
		return nil, err
	}
	return out, nil
}

// CountUnreadNotifications is the caller's unread count, for the bell.
// Returns EUNAUTHORIZED.
func (s *NotificationService) CountUnreadNotifications(ctx context.Context) (int, error) {
	u, err := notificationCaller(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND in_app = 1
		AND read_at IS NULL`, u.ID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationRead marks one of the caller's notifications read.
// Returns EUNAUTHORIZED, ENOTFOUND for one that is not theirs.
func (s *NotificationService) MarkNotificationRead(ctx context.Context, id int64) error {
	u, err := notificationCaller(ctx)
	if err != nil {
		return err
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?`,
		s.db.now().UnixMilli(), id, u.ID)
	if err != nil {
		return dbError(err, nil)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark read: %w", err)
	} else if n == 0 {
		return shrooms.Errorf(shrooms.ENOTFOUND, "notification not found").Keyed("notify.error.not_found")
	}
	return commit(tx)
}

// MarkAllNotificationsRead marks every notification of the caller read.
// Returns EUNAUTHORIZED.
func (s *NotificationService) MarkAllNotificationsRead(ctx context.Context) error {
	u, err := notificationCaller(ctx)
	if err != nil {
		return err
	}
	return s.db.execWrite(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`,
		s.db.now().UnixMilli(), u.ID)
}

// FindNotificationPrefs returns the caller's channel for every kind, the
// defaults filled in. Returns EUNAUTHORIZED.
func (s *NotificationService) FindNotificationPrefs(ctx context.Context) (shrooms.NotificationPrefs, error) {
	u, err := notificationCaller(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := notificationPrefs(ctx, tx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, k := range shrooms.NotificationKinds {
		p[k] = p.Channel(k)
	}
	return p, nil
}

// UpdateNotificationPrefs sets the caller's channels for the kinds given.
// Returns EUNAUTHORIZED, EINVALID.
func (s *NotificationService) UpdateNotificationPrefs(ctx context.Context, prefs shrooms.NotificationPrefs) error {
	u, err := notificationCaller(ctx)
	if err != nil {
		return err
	}
	if err := prefs.Validate(); err != nil {
		return err
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for k, c := range prefs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, kind, channel) VALUES (?, ?, ?)
			ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel`, u.ID, k, c); err != nil {
			return dbError(err, nil)
		}
	}
	return commit(tx)
}

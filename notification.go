package shrooms

import (
	"context"
	"strconv"
	"time"
)

// NotificationKind says what a notification tells. Loans use the kinds
// below; events, projects and dues add theirs.
type NotificationKind string

// Notification kinds of lending.
const (
	// NotifyLoanRequested tells the lending desk a request waits for a
	// decision.
	NotifyLoanRequested NotificationKind = "loan_requested"
	NotifyLoanApproved  NotificationKind = "loan_approved"
	NotifyLoanRejected  NotificationKind = "loan_rejected"
	// NotifyLoanReady tells the borrower an approved loan's item is on the
	// shelf and its first day has come.
	NotifyLoanReady NotificationKind = "loan_ready"
	// NotifyLoanDueSoon goes LendingRules.DueSoonDays before the due day.
	NotifyLoanDueSoon NotificationKind = "loan_due_soon"
	// NotifyLoanOverdue goes the day after the due day, then every
	// LendingRules.OverdueEveryDays until the item is back.
	NotifyLoanOverdue  NotificationKind = "loan_overdue"
	NotifyLoanReturned NotificationKind = "loan_returned"
	// NotifyWaitlistOffered tells the first one waiting the item is
	// theirs to pick up.
	NotifyWaitlistOffered NotificationKind = "waitlist_offered"
)

// NotificationKinds lists every kind, in the order the preferences show
// them.
var NotificationKinds = []NotificationKind{NotifyLoanRequested, NotifyLoanApproved, NotifyLoanRejected,
	NotifyLoanReady, NotifyLoanDueSoon, NotifyLoanOverdue, NotifyLoanReturned, NotifyWaitlistOffered}

// IsNotificationKind reports whether k is one of NotificationKinds.
func IsNotificationKind(k NotificationKind) bool {
	for _, x := range NotificationKinds {
		if x == k {
			return true
		}
	}
	return false
}

// DefaultChannel is how a member gets kind k until they choose: the
// desk's "request received" in the app only, a borrower's notices both
// ways.
func (k NotificationKind) DefaultChannel() NotificationChannel {
	if k == NotifyLoanRequested {
		return ChannelInApp
	}
	return ChannelBoth
}

// NotificationChannel is how a member wants one kind of notification.
type NotificationChannel string

// Notification channels.
const (
	ChannelBoth  NotificationChannel = "both"
	ChannelMail  NotificationChannel = "mail"
	ChannelInApp NotificationChannel = "in_app"
	ChannelNone  NotificationChannel = "none"
)

// NotificationChannels lists the channels in the order forms offer them.
var NotificationChannels = []NotificationChannel{ChannelBoth, ChannelInApp, ChannelMail, ChannelNone}

// ParseNotificationChannel returns EINVALID for an unknown channel.
func ParseNotificationChannel(s string) (NotificationChannel, error) {
	for _, c := range NotificationChannels {
		if string(c) == s {
			return c, nil
		}
	}
	return "", Errorf(EINVALID, "channel: %q is not a notification channel", s).
		Keyed("notify.error.channel", "Value", s).On("channel")
}

// Mail reports whether c sends e-mail.
func (c NotificationChannel) Mail() bool { return c == ChannelBoth || c == ChannelMail }

// InApp reports whether c shows the notification in the app.
func (c NotificationChannel) InApp() bool { return c == ChannelBoth || c == ChannelInApp }

// NotificationPrefs is a member's channel per kind; a kind missing has
// its DefaultChannel.
type NotificationPrefs map[NotificationKind]NotificationChannel

// Channel returns how kind k reaches the member.
func (p NotificationPrefs) Channel(k NotificationKind) NotificationChannel {
	if c, ok := p[k]; ok {
		return c
	}
	return k.DefaultChannel()
}

// Validate returns EINVALID for an unknown kind or channel.
func (p NotificationPrefs) Validate() error {
	for k, c := range p {
		if !IsNotificationKind(k) {
			return Errorf(EINVALID, "kind: %q is not a notification kind", k).Keyed("notify.error.kind", "Value", string(k))
		}
		if _, err := ParseNotificationChannel(string(c)); err != nil {
			return err
		}
	}
	return nil
}

// NotificationMailState is where a notification's e-mail stands.
type NotificationMailState string

// Notification mail states: pending until the notifications worker
// renders it into the mail outbox (queued); none when the member does not
// want mail of its kind; skipped when it could not be made (no address).
const (
	NotificationMailNone    NotificationMailState = "none"
	NotificationMailPending NotificationMailState = "pending"
	NotificationMailQueued  NotificationMailState = "queued"
	NotificationMailSkipped NotificationMailState = "skipped"
)

// Notification is one notice to one member, written in the transaction
// of the change it tells about.
type Notification struct {
	ID     int64            `json:"id"`
	UserID int64            `json:"user_id"`
	Kind   NotificationKind `json:"kind"`
	// LoanID and ItemID are what it is about (0 when none); ItemName
	// names the item as it was.
	LoanID   int64  `json:"loan_id,omitempty"`
	ItemID   int64  `json:"item_id,omitempty"`
	ItemName string `json:"item_name"`
	// Params are the details the text shows (days, a reason), by name.
	Params map[string]string `json:"params,omitempty"`
	// InApp is whether it shows in the member's list; Mail its e-mail.
	InApp     bool                  `json:"-"`
	Mail      NotificationMailState `json:"-"`
	CreatedAt time.Time             `json:"created_at"`
	ReadAt    time.Time             `json:"read_at,omitzero"`
}

// Read reports whether the member has seen it.
func (n *Notification) Read() bool { return !n.ReadAt.IsZero() }

// Link is the page the notification is about, relative to the node: its
// loan, else its item.
func (n *Notification) Link() string {
	switch {
	case n.LoanID != 0:
		return "/loans/" + strconv.FormatInt(n.LoanID, 10)
	case n.ItemID != 0:
		return "/items/" + strconv.FormatInt(n.ItemID, 10)
	}
	return "/notifications"
}

// NotificationFilter pages a member's notifications.
type NotificationFilter struct {
	Unread bool
	Offset int
	Limit  int
}

// NotificationList is one page of a member's notifications, newest
// first, with the total and the unread count.
type NotificationList struct {
	Notifications []*Notification
	Total         int
	Unread        int
}

// NotificationService is a member's own notifications and preferences;
// each method works on the caller's. Returns EUNAUTHORIZED when nobody is
// logged in.
type NotificationService interface {
	// FindNotifications returns the caller's in-app notifications,
	// newest first, with the total and unread counts.
	FindNotifications(ctx context.Context, filter NotificationFilter) (*NotificationList, error)

	// CountUnreadNotifications is the number the bell shows.
	CountUnreadNotifications(ctx context.Context) (int, error)

	// MarkNotificationRead marks one of the caller's notifications read;
	// ENOTFOUND for another's. MarkAllNotificationsRead marks them all.
	MarkNotificationRead(ctx context.Context, id int64) error
	MarkAllNotificationsRead(ctx context.Context) error

	// FindNotificationPrefs returns the caller's channel for every kind;
	// UpdateNotificationPrefs sets those given. Returns EINVALID.
	FindNotificationPrefs(ctx context.Context) (NotificationPrefs, error)
	UpdateNotificationPrefs(ctx context.Context, prefs NotificationPrefs) error
}

// NotificationRender renders the e-mail of notification n to member u, in
// u's language. The templates live with the handlers; the notifications
// worker calls it outside any transaction.
type NotificationRender func(ctx context.Context, u *User, n *Notification) (Message, error)

// NotificationMail is a notification whose e-mail waits to be rendered,
// with its recipient.
type NotificationMail struct {
	Notification *Notification
	User         *User
}

// NotificationOutbox is what the notifications worker works on. Each step
// is idempotent, so that a worker stopped anywhere loses and doubles
// nothing.
type NotificationOutbox interface {
	// PendingNotificationMail returns up to limit notifications whose
	// e-mail is pending, oldest first.
	PendingNotificationMail(ctx context.Context, limit int) ([]*NotificationMail, error)

	// QueueNotificationMail puts m in the mail outbox for notification id
	// and marks it queued, in one transaction; one already queued queues
	// nothing. An m without recipient marks it skipped.
	QueueNotificationMail(ctx context.Context, id int64, m Message) error

	// WriteLoanReminders writes the reminders due at now (due soon,
	// overdue, ready for pickup), each exactly once, and returns how
	// many it wrote.
	WriteLoanReminders(ctx context.Context, now time.Time) (int, error)
}

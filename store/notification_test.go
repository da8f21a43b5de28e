package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/internal/testkeys"
	"github.com/shrooms-org/shrooms/store"
)

// notices returns the kinds of u's in-app notifications, newest first,
// and the unread count.
func notices(t *testing.T, db *store.Services, u *shrooms.User) ([]shrooms.NotificationKind, int) {
	t.Helper()
	list, err := db.Notices.FindNotifications(as(u), shrooms.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []shrooms.NotificationKind
	for _, n := range list.Notifications {
		kinds = append(kinds, n.Kind)
	}
	return kinds, list.Unread
}

func setRules(t *testing.T, x *lending, change func(r *shrooms.LendingRules)) {
	t.Helper()
	r := shrooms.DefaultLendingRules()
	change(&r)
	if err := x.loans.UpdateLendingRules(as(x.admin), r); err != nil {
		t.Fatal(err)
	}
}

// A transition writes its notification in its own transaction: the desk
// hears of a request, the borrower of the decision and the return; the
// mail is pending for the worker only where the member wants mail.
func TestNotificationWithTransition(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	setRules(t, x, func(r *shrooms.LendingRules) { r.AutoApprove = false })
	l := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-03")
	for _, u := range []*shrooms.User{x.staff, x.admin} {
		if kinds, unread := notices(t, x.db, u); len(kinds) != 1 || kinds[0] != shrooms.NotifyLoanRequested || unread != 1 {
			t.Fatalf("%s: %v, %d unread", u.Username, kinds, unread)
		}
	}
	if kinds, _ := notices(t, x.db, x.member); len(kinds) != 0 {
		t.Fatalf("the borrower heard of their own request: %v", kinds)
	}
	// A refused transition writes nothing.
	if _, err := x.loans.ActOnLoan(as(x.member), l.ID, shrooms.LoanApprove, shrooms.LoanChange{}); err == nil {
		t.Fatal("the borrower approved their own request")
	}
	x.act(t, as(x.staff), l, shrooms.LoanReject, shrooms.LoanChange{Reason: "in repair that week"})
	list, err := x.db.Notices.FindNotifications(as(x.member), shrooms.NotificationFilter{})
	if err != nil || list.Total != 1 {
		t.Fatalf("member: %+v, %v", list, err)
	}
	n := list.Notifications[0]
	if n.Kind != shrooms.NotifyLoanRejected || n.LoanID != l.ID || n.ItemName != "Drill" || n.Params["Reason"] != "in repair that week" ||
		n.Mail != shrooms.NotificationMailPending || n.Link() != "/loans/"+strconv.FormatInt(l.ID, 10) {
		t.Fatalf("rejection notice: %+v", n)
	}
	// The staff's "request received" is in the app only by default.
	pending, err := x.db.Notices.PendingNotificationMail(sys, 0)
	if err != nil || len(pending) != 1 || pending[0].User.ID != x.member.ID {
		t.Fatalf("pending mail: %v, %v", pending, err)
	}
}

// Preferences decide the channel: none writes nothing, mail only keeps
// it out of the list, in-app only queues no mail.
func TestNotificationPrefs(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	prefs, err := x.db.Notices.FindNotificationPrefs(as(x.member))
	if err != nil || prefs[shrooms.NotifyLoanApproved] != shrooms.ChannelBoth || prefs[shrooms.NotifyLoanRequested] != shrooms.ChannelInApp ||
		len(prefs) != len(shrooms.NotificationKinds) {
		t.Fatalf("defaults: %v, %v", prefs, err)
	}
	if err := x.db.Notices.UpdateNotificationPrefs(as(x.member), shrooms.NotificationPrefs{"loan_approved": "sometimes"}); shrooms.ErrorCode(err) != shrooms.EINVALID {
		t.Fatalf("bad channel: %v", err)
	}
	if err := x.db.Notices.UpdateNotificationPrefs(anon, shrooms.NotificationPrefs{}); shrooms.ErrorCode(err) != shrooms.EUNAUTHORIZED {
		t.Fatalf("anonymous: %v", err)
	}
	set := func(u *shrooms.User, k shrooms.NotificationKind, c shrooms.NotificationChannel) {
		t.Helper()
		if err := x.db.Notices.UpdateNotificationPrefs(as(u), shrooms.NotificationPrefs{k: c}); err != nil {
			t.Fatal(err)
		}
	}
	set(x.member, shrooms.NotifyLoanApproved, shrooms.ChannelNone)
	set(x.member, shrooms.NotifyLoanReturned, shrooms.ChannelMail)
	set(x.staff, shrooms.NotifyLoanRequested, shrooms.ChannelNone)
	l := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-03") // auto-approved
	l = x.act(t, as(x.staff), l, shrooms.LoanCheckOut, shrooms.LoanChange{})
	x.act(t, as(x.staff), l, shrooms.LoanCheckIn, shrooms.LoanChange{})
	if kinds, _ := notices(t, x.db, x.member); len(kinds) != 0 {
		t.Fatalf("in the list despite the preferences: %v", kinds)
	}
	pending, err := x.db.Notices.PendingNotificationMail(sys, 0)
	if err != nil || len(pending) != 1 || pending[0].Notification.Kind != shrooms.NotifyLoanReturned {
		t.Fatalf("pending mail: %v, %v", pending, err)
	}
	// Queued twice, mailed once.
	id := pending[0].Notification.ID
	for range 2 {
		if err := x.db.Notices.QueueNotificationMail(sys, id, shrooms.Message{To: x.member.Email, Subject: "back", Text: "thanks"}); err != nil {
			t.Fatal(err)
		}
	}
	mails, n, err := x.db.Mail.FindMail(as(x.admin), shrooms.MailFilter{})
	if err != nil || n != 1 || mails[0].Kind != string(shrooms.NotifyLoanReturned) || mails[0].Message.To != x.member.Email {
		t.Fatalf("outbox: %d %v", n, err)
	}
	if pending, _ := x.db.Notices.PendingNotificationMail(sys, 0); len(pending) != 0 {
		t.Fatalf("still pending: %v", pending)
	}
}

// Marking read: one, then all; another's notification is not found.
func TestNotificationMarkRead(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	setRules(t, x, func(r *shrooms.LendingRules) { r.AutoApprove = false })
	x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-03")
	x.request(t, as(x.member), x.kit, "2025-03-01", "2025-03-03")
	list, err := x.db.Notices.FindNotifications(as(x.staff), shrooms.NotificationFilter{})
	if err != nil || list.Unread != 2 || list.Notifications[0].ItemName != "Tile cutter kit" {
		t.Fatalf("staff: %+v, %v", list, err)
	}
	if err := x.db.Notices.MarkNotificationRead(as(x.member), list.Notifications[0].ID); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("another's: %v", err)
	}
	if err := x.db.Notices.MarkNotificationRead(as(x.staff), list.Notifications[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := x.db.Notices.CountUnreadNotifications(as(x.staff)); err != nil || n != 1 {
		t.Fatalf("unread %d, %v", n, err)
	}
	if err := x.db.Notices.MarkAllNotificationsRead(as(x.staff)); err != nil {
		t.Fatal(err)
	}
	if n, err := x.db.Notices.CountUnreadNotifications(as(x.staff)); err != nil || n != 0 {
		t.Fatalf("unread %d, %v", n, err)
	}
	if n, _ := x.db.Notices.CountUnreadNotifications(as(x.admin)); n != 2 {
		t.Fatalf("the admin's own stay unread: %d", n)
	}
}

// The scheduled reminders go out once each, however often the scheduler
// runs and across a restart: due soon, overdue then every third day, and
// "ready for pickup" only once the item is physically back.
func TestLoanRemindersOnce(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	ctx := context.Background()
	remind := func(db *store.Services, want int) {
		t.Helper()
		for run := range 2 {
			n, err := db.Notices.WriteLoanReminders(ctx, x.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if run == 1 {
				want = 0
			}
			if n != want {
				t.Fatalf("run %d on %s: %d reminders, want %d", run, x.clock.Now().Format(time.DateOnly), n, want)
			}
		}
	}
	day := func() { x.clock.Add(24 * time.Hour) }
	first := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-04")
	first = x.act(t, as(x.staff), first, shrooms.LoanCheckOut, shrooms.LoanChange{})
	// Another member's loan starts on the 7th, while the drill may still be out.
	x.request(t, as(x.owner), x.drill, "2025-03-07", "2025-03-09")
	remind(x.db, 0) // 1 March: due on the 4th, three days ahead
	day()
	remind(x.db, 1) // 2 March: due soon (two days)
	day()
	day()
	remind(x.db, 0) // 4 March: the due day, already reminded
	day()
	remind(x.db, 1) // 5 March: overdue
	// The node restarts: the log is in the database.
	if err := x.db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(x.db.Path(), store.Options{PublicURL: testURL, Now: x.clock.Now, NewKeyPair: testkeys.NewKeyPair})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	again := store.NewServices(db)
	remind(again, 0)
	day()
	day()
	remind(again, 0) // 7 March: two days late, not yet the repeat; the drill is still out, no pickup notice
	day()
	remind(again, 1) // 8 March: four days late, the repeat
	if _, err := again.Loans.ActOnLoan(as(x.staff), first.ID, shrooms.LoanCheckIn, shrooms.LoanChange{}); err != nil {
		t.Fatal(err)
	}
	remind(again, 1) // back on the shelf: the second loan is ready
	kinds, unread := notices(t, again, x.owner)
	if len(kinds) != 2 || kinds[0] != shrooms.NotifyLoanReady || kinds[1] != shrooms.NotifyLoanApproved || unread != 2 {
		t.Fatalf("owner: %v", kinds)
	}
	kinds, _ = notices(t, again, x.member)
	want := []shrooms.NotificationKind{shrooms.NotifyLoanReturned, shrooms.NotifyLoanOverdue, shrooms.NotifyLoanOverdue,
		shrooms.NotifyLoanDueSoon, shrooms.NotifyLoanApproved}
	if len(kinds) != len(want) {
		t.Fatalf("member: %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("member: %v, want %v", kinds, want)
		}
	}
}

// The first one waiting hears the item is theirs when it comes back.
func TestNotificationWaitlistOffer(t *testing.T) {
	t.Parallel()
	x := newLending(t)
	l := x.request(t, as(x.member), x.drill, "2025-03-01", "2025-03-03")
	l = x.act(t, as(x.staff), l, shrooms.LoanCheckOut, shrooms.LoanChange{})
	if _, err := x.loans.JoinWaitlist(as(x.owner), x.drill.ID); err != nil {
		t.Fatal(err)
	}
	if kinds, _ := notices(t, x.db, x.owner); len(kinds) != 0 {
		t.Fatalf("offered while out: %v", kinds)
	}
	x.act(t, as(x.staff), l, shrooms.LoanCheckIn, shrooms.LoanChange{})
	list, err := x.db.Notices.FindNotifications(as(x.owner), shrooms.NotificationFilter{})
	if err != nil || list.Total != 1 || list.Notifications[0].Kind != shrooms.NotifyWaitlistOffered ||
		list.Notifications[0].ItemID != x.drill.ID || list.Notifications[0].Params["PickupBy"] == "" {
		t.Fatalf("offer: %+v, %v", list, err)
	}
}

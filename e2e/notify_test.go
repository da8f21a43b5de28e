package e2e

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// noticeNode is a node lending a drill, with requests decided by the
// desk (no auto-approval): its admin works the desk.
type noticeNode struct {
	*testNode
	admin *shrooms.User
	drill *shrooms.Item
	today shrooms.Date
}

func newNoticeNode(t *testing.T, opts ...nodeOption) *noticeNode {
	t.Helper()
	n := startNode(t, newTestClock(), opts...)
	x := &noticeNode{testNode: n, admin: findUser(t, n, "admin")}
	rules := shrooms.DefaultLendingRules()
	rules.AutoApprove = false
	if err := n.m.DB.Loans.UpdateLendingRules(x.as(x.admin), rules); err != nil {
		t.Fatal(err)
	}
	x.today = rules.Today(n.clock.Now())
	x.drill = &shrooms.Item{Name: "Drill", Kind: shrooms.KindTool, Loanable: true, Audience: shrooms.AudienceMembers,
		Loan: shrooms.LoanRules{Members: true}}
	if err := n.m.DB.Items.CreateItem(x.as(x.admin), x.drill); err != nil {
		t.Fatal(err)
	}
	return x
}

func (x *noticeNode) as(u *shrooms.User) context.Context {
	return shrooms.NewContextWithUser(context.Background(), u)
}

// request asks for the drill as u from today for days days.
func (x *noticeNode) request(t *testing.T, u *shrooms.User, days int) *shrooms.Loan {
	t.Helper()
	l, err := x.m.DB.Loans.RequestLoan(x.as(u), shrooms.LoanRequest{ItemID: x.drill.ID, Start: x.today, End: x.today.AddDays(days)})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (x *noticeNode) act(t *testing.T, l *shrooms.Loan, a shrooms.LoanAction) {
	t.Helper()
	if _, err := x.m.DB.Loans.ActOnLoan(x.as(x.admin), l.ID, a, shrooms.LoanChange{}); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
}

// TestLoanMailInFrench: the desk approves a French member's request; the
// notifications worker renders the mail in French into the outbox and
// the mail worker hands it to a real SMTP server, linking to the loan.
// The desk's "request received" stays in the app.
func TestLoanMailInFrench(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	x := newNoticeNode(t, withSMTP(srv))
	lea := &shrooms.User{Username: "lea", Email: "lea@example.org", Name: "Léa", Role: shrooms.RoleMember, Language: "fr"}
	if err := x.m.DB.Users.CreateUser(systemCtx, lea, memberPassword); err != nil {
		t.Fatal(err)
	}
	l := x.request(t, lea, 3)
	x.act(t, l, shrooms.LoanApprove)
	// Rendering twice (the loop and a test, or after a restart) queues once.
	for range 2 {
		if _, err := x.m.Notifier.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	drainMail(t, x.testNode)
	mails := mailsTo(srv, "lea@example.org")
	if len(mails) != 1 {
		t.Fatalf("%d mails to lea", len(mails))
	}
	m := mails[0]
	if m.Subject != "Votre prêt de Drill est accepté" || !strings.Contains(m.Text, "Bonjour Léa,") ||
		!strings.Contains(m.Text, "est acceptée") || m.Link(x.url()+"/loans/") != x.url()+"/loans/"+strconv.FormatInt(l.ID, 10) ||
		m.Link(x.url()+"/account/notifications") == "" {
		t.Fatalf("mail: %q\n%s", m.Subject, m.Text)
	}
	if got := mailsTo(srv, "admin@example.org"); len(got) != 0 {
		t.Fatalf("the desk got %d mails for a request; it is in the app only by default", len(got))
	}
}

// TestNotificationBell: the bell counts a member's unread notifications;
// the list shows them, linking to the loan; marking one and then all read
// brings the count down; the preferences form turns a kind off.
func TestNotificationBell(t *testing.T) {
	t.Parallel()
	x := newNoticeNode(t)
	mia := createUser(t, x.testNode, "mia", shrooms.RoleMember, memberPassword)
	w := loginAs(t, x.testNode, "mia", memberPassword)
	if p := w.get("/dashboard"); !p.Has(`id="bell"`) || p.Has(`id="bell-count"`) {
		t.Fatalf("bell before any notification:\n%s", p.Body)
	}
	if p := newWebClient(t, x.testNode).get("/"); p.Has(`id="bell"`) {
		t.Fatal("a visitor sees the bell")
	}
	first := x.request(t, mia, 1)
	x.act(t, first, shrooms.LoanApprove)
	x.act(t, first, shrooms.LoanCheckOut)
	x.act(t, first, shrooms.LoanCheckIn)
	if p := w.get("/dashboard"); !p.Has(`id="bell-count" aria-hidden="true">2<`) || !p.Has("Notifications: 2 unread") {
		t.Fatalf("bell after approval and return:\n%s", p.Body)
	}
	p := w.get("/notifications")
	loan := `href="/loans/` + strconv.FormatInt(first.ID, 10) + `"`
	if p.Status != 200 || strings.Count(p.Body, loan) != 2 || !p.Has("We recorded the return of Drill") || !p.Has("2 unread notifications.") {
		t.Fatalf("list:\n%s", p.Body)
	}
	list, err := x.m.DB.Notices.FindNotifications(x.as(mia), shrooms.NotificationFilter{})
	if err != nil || len(list.Notifications) != 2 {
		t.Fatalf("store: %+v, %v", list, err)
	}
	p = w.post("/notifications/"+strconv.FormatInt(list.Notifications[0].ID, 10)+"/read", nil)
	if p.Path != "/notifications" || !p.Has(`id="bell-count" aria-hidden="true">1<`) || !p.Has("1 unread notification.") {
		t.Fatalf("after marking one read: %s\n%s", p.Path, p.Body)
	}
	// Someone else's notification is not found.
	adminWeb := loginAs(t, x.testNode, "admin", adminPassword)
	if p := adminWeb.post("/notifications/"+strconv.FormatInt(list.Notifications[1].ID, 10)+"/read", nil); p.Status != 404 {
		t.Fatalf("another's notification: %d", p.Status)
	}
	p = w.post("/notifications/read-all", nil)
	if p.Has(`id="bell-count"`) || !p.Has("All notifications are marked read.") {
		t.Fatalf("after marking all read:\n%s", p.Body)
	}
	// No more approvals in the app.
	p = w.get("/account/notifications")
	if !p.Has(`name="loan_approved"`) || p.Has(`name="loan_requested"`) {
		t.Fatalf("preferences form:\n%s", p.Body)
	}
	p = w.post("/account/notifications", url.Values{"loan_approved": {"none"}, "loan_returned": {"mail"}})
	if !p.Has("Your notification preferences are saved.") || !p.Has(`id="loan_approved-none" value="none" checked`) {
		t.Fatalf("saved preferences:\n%s", p.Body)
	}
	if p := w.post("/account/notifications", url.Values{"loan_approved": {"pigeon"}}); p.Status != 400 || !p.Has("is not a way to be notified") {
		t.Fatalf("bad channel: %d\n%s", p.Status, p.Body)
	}
	second := x.request(t, mia, 1)
	x.act(t, second, shrooms.LoanApprove)
	if p := w.get("/dashboard"); p.Has(`id="bell-count"`) {
		t.Fatal("an approval reached the bell after turning it off")
	}
}

// TestSchedulerRemindsOnce: the node's scheduler writes a loan's
// "overdue" reminder once however often it runs, and the mail goes out.
func TestSchedulerRemindsOnce(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	x := newNoticeNode(t, withSMTP(srv))
	mia := createUser(t, x.testNode, "mia", shrooms.RoleMember, memberPassword)
	l := x.request(t, mia, 1)
	x.act(t, l, shrooms.LoanApprove)
	x.act(t, l, shrooms.LoanCheckOut)
	x.clock.Advance(3 * 24 * time.Hour) // due yesterday or the day before
	for run := range 2 {
		n, err := x.m.Notifier.RunSchedule(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 - run; n != want {
			t.Fatalf("run %d: %d reminders, want %d", run, n, want)
		}
	}
	drainMail(t, x.testNode)
	var overdue int
	for _, m := range mailsTo(srv, "mia@example.org") {
		if strings.HasSuffix(m.Subject, "is overdue") {
			overdue++
		}
	}
	if overdue != 1 {
		t.Fatalf("%d overdue mails", overdue)
	}
}

// TestNotifierRuns: started as serve starts it, the notifications worker
// renders a decision's mail and the mail worker sends it, unattended.
func TestNotifierRuns(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	x := newNoticeNode(t, withSMTP(srv))
	mia := createUser(t, x.testNode, "mia", shrooms.RoleMember, memberPassword)
	x.m.Notifier.Poll, x.m.MailWorker.Poll = 20*time.Millisecond, 20*time.Millisecond
	x.m.Notifier.Start()
	x.m.MailWorker.Start()
	x.act(t, x.request(t, mia, 2), shrooms.LoanReject)
	m, err := srv.WaitFor("mia@example.org", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Your request for Drill is declined" {
		t.Fatalf("subject %q", m.Subject)
	}
	x.stop()
}

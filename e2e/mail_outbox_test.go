package e2e

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// withSMTPPort points the node's mail at 127.0.0.1:port, where a test may
// start a server later.
func withSMTPPort(port int) nodeOption {
	return func(n *testNode) {
		n.config(func(c *Config) {
			c.Mail.From = "Test node <node@example.org>"
			c.Mail.SMTP.Host, c.Mail.SMTP.Port, c.Mail.SMTP.Security = "127.0.0.1", port, "none"
		})
	}
}

// mailsTo counts the messages the server received for an address.
func mailsTo(srv *mailtest.Server, to string) []mailtest.Message {
	var out []mailtest.Message
	for _, m := range srv.Messages() {
		for _, rcpt := range m.To {
			if strings.EqualFold(rcpt, to) {
				out = append(out, m)
			}
		}
	}
	return out
}

// sameAnswer fails unless two answers are the same, once each one's own
// e-mail address is blanked out.
func sameAnswer(t *testing.T, what string, a page, aEmail string, b page, bEmail string) {
	t.Helper()
	ab, bb := strings.ReplaceAll(a.Body, aEmail, "EMAIL"), strings.ReplaceAll(b.Body, bEmail, "EMAIL")
	if a.Status != b.Status || a.Path != b.Path || ab != bb {
		t.Fatalf("%s: the answers differ: %d %s / %d %s\n%s\n---\n%s", what, a.Status, a.Path, b.Status, b.Path, ab, bb)
	}
}

// TestSignupDoesNotTellWhoHasAnAccount: sign-up with an address that has
// an account answers exactly as with a new address; the owner is told by
// mail, with the way to log in or reset the password, and no account is
// made.
func TestSignupDoesNotTellWhoHasAnAccount(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	acctSetSignupMode(t, n, shrooms.SignupOpen)
	createUser(t, n, "olga", shrooms.RoleMember, "olgas-own-password")

	c := newWebClient(t, n)
	fresh := c.post("/signup", acctSignupForm("newbie", "newbie@example.org", "long-enough-password"))
	taken := c.post("/signup", acctSignupForm("newbie2", "olga@example.org", "long-enough-password"))
	if fresh.Status != 200 {
		t.Fatalf("sign-up: %d\n%s", fresh.Status, fresh.Body)
	}
	sameAnswer(t, "sign-up", fresh, "newbie@example.org", taken, "olga@example.org")
	if _, err := n.m.DB.Users.FindUserByUsername(systemCtx, "newbie2"); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("a second account has olga's address: %v", err)
	}

	m := acctMail(t, n, srv, "olga@example.org")
	if !strings.Contains(m.Subject, "Someone tried to sign up") || !strings.Contains(m.Text, "Hello Olga") ||
		linkIn(t, m.Text, n.url()+"/login") == "" || linkIn(t, m.Text, n.url()+"/forgot") == "" {
		t.Errorf("notice to the owner: %q\n%s", m.Subject, m.Text)
	}
	if v := acctMail(t, n, srv, "newbie@example.org"); !strings.Contains(v.Text, n.url()+"/verify?token=") {
		t.Errorf("verification mail: %s", v.Text)
	}
	if got := len(mailsTo(srv, "olga@example.org")); got != 1 {
		t.Errorf("olga got %d mails, want 1", got)
	}
}

// TestMailWaitsForTheServer: with the SMTP server down, sign-up and the
// reset form answer as usual (the same for a known and an unknown
// address), the mail is kept, and it goes out once the server is up,
// once.
func TestMailWaitsForTheServer(t *testing.T) {
	t.Parallel()
	port, up := downMailServer(t)
	clock := newTestClock()
	n := startNode(t, clock, withSMTPPort(port))
	acctSetSignupMode(t, n, shrooms.SignupOpen)
	createUser(t, n, "frank", shrooms.RoleMember, "franks-old-password")

	c := newWebClient(t, n)
	signup := c.post("/signup", acctSignupForm("lena", "lena@example.org", "long-enough-password"))
	if signup.Status != 200 || signup.Has(`role="alert"`) || !signup.Has("Check your inbox") {
		t.Fatalf("sign-up with the mail server down: %d\n%s", signup.Status, signup.Body)
	}
	known := c.post("/forgot", url.Values{"email": {"frank@example.org"}})
	unknown := c.post("/forgot", url.Values{"email": {"nobody@example.org"}})
	if known.Status != 200 {
		t.Fatalf("forgot with the mail server down: %d\n%s", known.Status, known.Body)
	}
	sameAnswer(t, "forgot", known, "frank@example.org", unknown, "nobody@example.org")

	if k := drainMail(t, n); k != 2 {
		t.Fatalf("%d attempts, want 2", k)
	}
	pending, _, err := n.m.DB.Mail.FindMail(systemCtx, shrooms.MailFilter{State: shrooms.MailPending})
	if err != nil || len(pending) != 2 || pending[0].LastError == "" || pending[0].Attempts != 1 {
		t.Fatalf("kept mail: %+v %v", pending, err)
	}
	if k := drainMail(t, n); k != 0 {
		t.Fatalf("failed mail retried at once: %d attempts", k)
	}

	srv := up()
	clock.Advance(2 * time.Minute)
	drainMail(t, n)
	reset := acctMail(t, n, srv, "frank@example.org")
	if !strings.Contains(reset.Text, n.url()+"/reset?token=") {
		t.Fatalf("reset mail: %s", reset.Text)
	}
	acctMail(t, n, srv, "lena@example.org")
	clock.Advance(24 * time.Hour)
	drainMail(t, n)
	if got := len(srv.Messages()); got != 2 {
		t.Fatalf("%d mails, want 2, each once", got)
	}
}

// TestMailSurvivesARestart: mail queued before the node stops is sent by
// the next node on the same data dir, once; a mail whose sending was cut
// off (claimed, never marked) goes out again after its lease with the same
// Message-ID.
func TestMailSurvivesARestart(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	clock := newTestClock()
	n := startNode(t, clock, withSMTP(srv))
	createUser(t, n, "frank", shrooms.RoleMember, "franks-old-password")
	createUser(t, n, "gina", shrooms.RoleMember, "ginas-old-password")
	c := newWebClient(t, n)
	c.post("/forgot", url.Values{"email": {"frank@example.org"}})
	c.post("/forgot", url.Values{"email": {"gina@example.org"}})
	// A worker takes gina's mail and the node dies before it says how it
	// went.
	claimed, err := n.m.DB.Mail.ClaimMail(systemCtx, clock.Now(), shrooms.MailLease, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	n.restart()

	drainMail(t, n)
	first := mailsTo(srv, claimed[0].Message.To)
	if len(srv.Messages()) != 1 || len(first) != 0 {
		t.Fatalf("after the restart: %d mails, %d of them the cut-off one", len(srv.Messages()), len(first))
	}
	clock.Advance(shrooms.MailLease + time.Second)
	drainMail(t, n)
	again := mailsTo(srv, claimed[0].Message.To)
	if len(again) != 1 || again[0].Header.Get("Message-Id") != "<"+claimed[0].Message.ID+">" {
		t.Fatalf("the cut-off mail: %d copies, Message-ID %q, want <%s>", len(again), again[0].Header.Get("Message-Id"), claimed[0].Message.ID)
	}
	n.restart()
	clock.Advance(24 * time.Hour)
	drainMail(t, n)
	if len(srv.Messages()) != 2 {
		t.Fatalf("%d mails after another restart, want 2", len(srv.Messages()))
	}
}

// TestMailWorkerRuns: the node's own mail loop (not a test's drain) sends
// queued mail, and stops with the node.
func TestMailWorkerRuns(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	createUser(t, n, "frank", shrooms.RoleMember, "franks-old-password")
	n.m.MailWorker.Poll = 20 * time.Millisecond
	n.m.MailWorker.Start()
	newWebClient(t, n).post("/forgot", url.Values{"email": {"frank@example.org"}})
	if _, err := srv.WaitFor("frank@example.org", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	n.stop()
}

// downMailServer is a mail server that is down: a loopback port held by a
// listener that hangs up on every connection, so that no other test takes
// the port meanwhile (one merely closed can be handed out again). up
// stops it and starts an SMTP catcher on that port.
func downMailServer(t *testing.T) (port int, up func() *mailtest.Server) {
	t.Helper()
	ln := listenLoopback(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	stop := func() {
		ln.Close()
		<-done
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port, func() *mailtest.Server {
		stop()
		return mailtest.NewServer(t, mailtest.WithPort(ln.Addr().(*net.TCPAddr).Port))
	}
}

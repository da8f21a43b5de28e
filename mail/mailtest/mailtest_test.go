package mailtest_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/shrooms-org/shrooms/mail/mailtest"
)

func send(t *testing.T, srv *mailtest.Server, to string, raw string) error {
	t.Helper()
	host, port := srv.Addr()
	c, err := smtp.Dial(net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail("sender@example.org", []string{to}, strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
		return err
	}
	return c.Quit()
}

const headers = "From: sender@example.org\nDate: Mon, 02 Jan 2006 15:04:05 +0000\nMessage-ID: <1@example.org>\n"

// TestWaitFor: WaitFor returns each message to an address once, oldest
// first, ignores other recipients, and gives up after its timeout.
func TestWaitFor(t *testing.T) {
	srv := mailtest.NewServer(t)
	for i, to := range []string{"bob@example.org", "alice@example.org", "alice@example.org"} {
		raw := headers + "To: " + to + "\nSubject: n" + strconv.Itoa(i) + "\n\nhello\n"
		if err := send(t, srv, to, raw); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"n1", "n2"} {
		m, err := srv.WaitFor("Alice <ALICE@example.org>", time.Second)
		if err != nil || m.Subject != want {
			t.Fatalf("got %q, %v; want %s", m.Subject, err, want)
		}
	}
	if _, err := srv.WaitFor("alice@example.org", 50*time.Millisecond); err == nil {
		t.Fatal("a message returned twice")
	}
	if n := len(srv.Messages()); n != 3 {
		t.Fatalf("Messages: %d, want 3", n)
	}
	// A message that arrives while WaitFor waits wakes it.
	go func() {
		time.Sleep(50 * time.Millisecond)
		send(t, srv, "carol@example.org", headers+"To: carol@example.org\nSubject: late\n\nhi\n")
	}()
	if m, err := srv.WaitFor("carol@example.org", 5*time.Second); err != nil || m.Subject != "late" {
		t.Fatalf("got %q, %v", m.Subject, err)
	}
}

// TestParse: base64 and quoted-printable parts inside nested multiparts,
// encoded subjects, and Link.
func TestParse(t *testing.T) {
	srv := mailtest.NewServer(t)
	raw := headers + `To: alice@example.org
Subject: =?UTF-8?B?Q29uZmlybWV6IOKAlCBTb3Vkw6k=?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

Vm9pY2kgdm90cmUgbGllbiA6IGh0dHA6Ly9ub2RlLmV4YW1wbGUvdmVyaWZ5P3Rva2VuPWFi
YyBldCBodHRwOi8vb3RoZXIuZXhhbXBsZS8=
--inner
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

<p>Voil=C3=A0</p>
--inner--
--outer--
`
	if err := send(t, srv, "alice@example.org", raw); err != nil {
		t.Fatal(err)
	}
	m, err := srv.WaitFor("alice@example.org", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Confirmez — Soudé" || m.HTML != "<p>Voilà</p>" || m.From != "sender@example.org" || m.TLS {
		t.Fatalf("%+v", m)
	}
	if link := m.Link("http://node.example/verify"); link != "http://node.example/verify?token=abc" {
		t.Fatalf("link %q in %q", link, m.Text)
	}
	if link := m.Link("https://"); link != "" {
		t.Fatalf("link %q", link)
	}
}

// TestMalformed: a message that cannot be parsed is refused, so the sender
// sees the failure instead of a test reading garbage.
func TestMalformed(t *testing.T) {
	srv := mailtest.NewServer(t)
	if err := send(t, srv, "alice@example.org", "To: alice@example.org\nSubject: no From, Date, Message-ID\n\nhi\n"); err == nil {
		t.Fatal("accepted")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages kept", n)
	}
}

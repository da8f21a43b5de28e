package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"mime"
	"net"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

const (
	from     = "Atelier Soudé <noreply@atelier.example>"
	to       = "alice@example.org"
	waitTime = 5 * time.Second
)

// logBuffer collects what the Mailer logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newMailer(t *testing.T, cfg mail.Config) (*mail.Mailer, *logBuffer) {
	t.Helper()
	if cfg.From == "" {
		cfg.From = from
	}
	logs := &logBuffer{}
	m, err := mail.New(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return m, logs
}

// smtpConfig points a Config at srv, trusting its certificate.
func smtpConfig(srv *mailtest.Server, security string) mail.Config {
	host, port := srv.Addr()
	return mail.Config{Host: host, Port: port, Security: security, RootCAs: srv.CertPool(), Timeout: waitTime}
}

func message() shrooms.Message {
	return shrooms.Message{To: to, Subject: "Welcome", Text: "Hello Alice,\nopen http://localhost:8080/verify?token=abc to confirm.\n"}
}

// TestSendSecurity: each security mode reaches a server speaking it, and
// the connection is encrypted exactly when it should be.
func TestSendSecurity(t *testing.T) {
	for _, tc := range []struct {
		name     string
		security string
		opts     []mailtest.Option
		tls      bool
	}{
		{"none", mail.SecurityNone, nil, false},
		{"starttls", mail.SecuritySTARTTLS, []mailtest.Option{mailtest.WithSTARTTLS()}, true},
		{"implicit tls", mail.SecurityTLS, []mailtest.Option{mailtest.WithImplicitTLS()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tc.opts...)
			m, _ := newMailer(t, smtpConfig(srv, tc.security))
			if err := m.Send(context.Background(), message()); err != nil {
				t.Fatal(err)
			}
			got, err := srv.WaitFor(to, waitTime)
			if err != nil {
				t.Fatal(err)
			}
			if got.TLS != tc.tls {
				t.Errorf("TLS = %v, want %v", got.TLS, tc.tls)
			}
			if got.From != "noreply@atelier.example" || len(got.To) != 1 || got.To[0] != to {
				t.Errorf("envelope: from %q to %q", got.From, got.To)
			}
			if got.Subject != "Welcome" || got.Text != message().Text || got.HTML != "" {
				t.Errorf("content: subject %q, text %q, html %q", got.Subject, got.Text, got.HTML)
			}
			if link := got.Link("http://localhost:8080/verify"); link != "http://localhost:8080/verify?token=abc" {
				t.Errorf("link %q", link)
			}
			checkHeaders(t, got.Header)
			mediaType, params, _ := mime.ParseMediaType(got.Header.Get("Content-Type"))
			if mediaType != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
				t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
			}
		})
	}
}

func checkHeaders(t *testing.T, h netmail.Header) {
	t.Helper()
	if a, err := h.AddressList("From"); err != nil || len(a) != 1 || a[0].Name != "Atelier Soudé" || a[0].Address != "noreply@atelier.example" {
		t.Errorf("From %q: %v %v", h.Get("From"), a, err)
	}
	if a, err := h.AddressList("To"); err != nil || len(a) != 1 || a[0].Address != to {
		t.Errorf("To %q: %v", h.Get("To"), err)
	}
	if d, err := h.Date(); err != nil || time.Since(d).Abs() > time.Hour {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@atelier.example>") {
		t.Errorf("Message-ID %q", id)
	}
}

// TestSTARTTLSRequired: a server that does not offer STARTTLS (or a man in
// the middle who strips it) gets nothing rather than the mail in clear.
func TestSTARTTLSRequired(t *testing.T) {
	srv := mailtest.NewServer(t)
	m, logs := newMailer(t, smtpConfig(srv, mail.SecuritySTARTTLS))
	err := m.Send(context.Background(), message())
	checkUnavailable(t, err, logs, "STARTTLS")
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent in clear", n)
	}
}

// TestSTARTTLSVerifiesCertificate: a certificate the client does not trust
// stops the conversation.
func TestSTARTTLSVerifiesCertificate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  mailtest.Option
		sec  string
	}{
		{"starttls", mailtest.WithSTARTTLS(), mail.SecuritySTARTTLS},
		{"implicit tls", mailtest.WithImplicitTLS(), mail.SecurityTLS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, tc.opt)
			cfg := smtpConfig(srv, tc.sec)
			cfg.RootCAs = mailtest.NewServer(t, mailtest.WithSTARTTLS()).CertPool() // another server's
			m, logs := newMailer(t, cfg)
			checkUnavailable(t, m.Send(context.Background(), message()), logs, "certificate")
			if n := len(srv.Messages()); n != 0 {
				t.Fatalf("%d messages sent to an untrusted server", n)
			}
		})
	}
}

// TestAuth: with a username the client authenticates (PLAIN, or LOGIN when
// that is all the server offers); a wrong password is EUNAVAILABLE with
// the cause in the log only.
func TestAuth(t *testing.T) {
	for _, tc := range []struct {
		name     string
		security string
		opts     []mailtest.Option
		username string
		password string
		ok       bool
	}{
		{"plain over starttls", mail.SecuritySTARTTLS, []mailtest.Option{mailtest.WithSTARTTLS()}, "alice", "s3cret", true},
		{"login only", mail.SecuritySTARTTLS, []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithAuthMechanisms("LOGIN")}, "alice", "s3cret", true},
		{"implicit tls", mail.SecurityTLS, []mailtest.Option{mailtest.WithImplicitTLS()}, "alice", "s3cret", true},
		{"none on loopback", mail.SecurityNone, nil, "alice", "s3cret", true},
		{"wrong password", mail.SecuritySTARTTLS, []mailtest.Option{mailtest.WithSTARTTLS()}, "alice", "wrong-password", false},
		{"wrong password, login", mail.SecuritySTARTTLS, []mailtest.Option{mailtest.WithSTARTTLS(), mailtest.WithAuthMechanisms("LOGIN")}, "alice", "wrong-password", false},
		{"no username", mail.SecuritySTARTTLS, []mailtest.Option{mailtest.WithSTARTTLS()}, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.NewServer(t, append(tc.opts, mailtest.WithAuth("alice", "s3cret"))...)
			cfg := smtpConfig(srv, tc.security)
			cfg.Username, cfg.Password = tc.username, tc.password
			m, logs := newMailer(t, cfg)
			err := m.Send(context.Background(), message())
			if !tc.ok {
				checkUnavailable(t, err, logs, "")
				if strings.Contains(shrooms.ErrorMessage(err), tc.password) && tc.password != "" {
					t.Error("the error shows the password")
				}
				if n := len(srv.Messages()); n != 0 {
					t.Fatalf("%d messages accepted", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v; log:\n%s", err, logs)
			}
			got, err := srv.WaitFor(to, waitTime)
			if err != nil {
				t.Fatal(err)
			}
			if got.AuthUser != "alice" {
				t.Errorf("authenticated as %q", got.AuthUser)
			}
		})
	}
}

// TestNonASCII: French subjects and names arrive intact, and every header
// line on the wire is ASCII (RFC 2047 encoded words).
func TestNonASCII(t *testing.T) {
	srv := mailtest.NewServer(t)
	m, _ := newMailer(t, smtpConfig(srv, mail.SecurityNone))
	msg := shrooms.Message{
		To:      "Zoé Lefèvre <" + to + ">",
		Subject: "Confirmez votre adresse e-mail — Atelier Soudé",
		Text:    "Bienvenue à l'atelier, Zoé ! Voilà votre lien : http://localhost:8080/v/é",
	}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got, err := srv.WaitFor(to, waitTime)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != msg.Subject {
		t.Errorf("subject %q, want %q", got.Subject, msg.Subject)
	}
	if strings.TrimRight(got.Text, "\n") != msg.Text {
		t.Errorf("text %q, want %q", got.Text, msg.Text)
	}
	if a, err := got.Header.AddressList("To"); err != nil || a[0].Name != "Zoé Lefèvre" {
		t.Errorf("To %q: %v", got.Header.Get("To"), err)
	}
	checkHeaders(t, got.Header)
	head, _, _ := bytes.Cut(got.Raw, []byte("\r\n\r\n"))
	for _, b := range head {
		if b >= 0x80 {
			t.Fatalf("raw 8-bit byte in the headers:\n%s", head)
		}
	}
}

// TestHTMLAlternative: an HTML body makes a multipart/alternative message
// with both parts.
func TestHTMLAlternative(t *testing.T) {
	srv := mailtest.NewServer(t)
	m, _ := newMailer(t, smtpConfig(srv, mail.SecurityNone))
	msg := message()
	msg.HTML = `<p>Hello Alice, <a href="http://localhost:8080/verify?token=abc">confirm</a> — merci.</p>`
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got, err := srv.WaitFor(to, waitTime)
	if err != nil {
		t.Fatal(err)
	}
	if mediaType, _, _ := mime.ParseMediaType(got.Header.Get("Content-Type")); mediaType != "multipart/alternative" {
		t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
	}
	if got.Text != msg.Text || strings.TrimRight(got.HTML, "\n") != msg.HTML {
		t.Errorf("text %q\nhtml %q", got.Text, got.HTML)
	}
}

// TestInvalidMessage: line breaks in a header are refused before anything
// is sent, as is a recipient that is not an address.
func TestInvalidMessage(t *testing.T) {
	srv := mailtest.NewServer(t)
	m, _ := newMailer(t, smtpConfig(srv, mail.SecurityNone))
	dir := t.TempDir()
	folder, _ := newMailer(t, mail.Config{Dir: dir})
	for _, tc := range []struct {
		name string
		msg  shrooms.Message
	}{
		{"CRLF in To", shrooms.Message{To: to + "\r\nBcc: mallory@evil.example", Subject: "Hi", Text: "x"}},
		{"LF in To", shrooms.Message{To: to + "\nBcc: mallory@evil.example", Subject: "Hi", Text: "x"}},
		{"CRLF in Subject", shrooms.Message{To: to, Subject: "Hi\r\nBcc: mallory@evil.example", Text: "x"}},
		{"CR in Subject", shrooms.Message{To: to, Subject: "Hi\rBcc: mallory@evil.example", Text: "x"}},
		{"not an address", shrooms.Message{To: "alice", Subject: "Hi", Text: "x"}},
		{"two addresses", shrooms.Message{To: to + ", mallory@evil.example", Subject: "Hi", Text: "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mailer := range []*mail.Mailer{m, folder} {
				if err := mailer.Send(context.Background(), tc.msg); shrooms.ErrorCode(err) != shrooms.EINVALID {
					t.Fatalf("got %v, want EINVALID", err)
				}
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("%d files written", len(entries))
	}
}

// TestFolder: without a host, each message becomes a complete .eml file
// in a private folder, and the log says where.
func TestFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	m, logs := newMailer(t, mail.Config{Dir: dir})
	msg := message()
	msg.Subject = "Confirmez votre adresse e-mail — Atelier Soudé"
	msg.HTML = "<p>Bonjour</p>"
	for range 2 {
		if err := m.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v %v", info, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("files %v, want 2 .eml and nothing else", entries)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("file %q", e.Name())
		}
		path := filepath.Join(dir, e.Name())
		if info, _ := e.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", e.Name(), info.Mode())
		}
		if !strings.Contains(logs.String(), "mail written to folder (no SMTP server configured)") || !strings.Contains(logs.String(), path) {
			t.Errorf("log does not name %s:\n%s", path, logs)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := netmail.ReadMessage(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		checkHeaders(t, parsed.Header)
		if subject, _ := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject")); subject != msg.Subject {
			t.Errorf("subject %q", subject)
		}
		if mediaType, _, _ := mime.ParseMediaType(parsed.Header.Get("Content-Type")); mediaType != "multipart/alternative" {
			t.Errorf("Content-Type %q", parsed.Header.Get("Content-Type"))
		}
	}
}

// TestFolderUnwritable: a folder that cannot be created is EUNAVAILABLE,
// with the cause in the log.
func TestFolderUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	m, logs := newMailer(t, mail.Config{Dir: filepath.Join(file, "mail")})
	checkUnavailable(t, m.Send(context.Background(), message()), logs, "not a directory")
}

// TestTimeout: a server that never answers costs at most Timeout, or the
// context's deadline when that is sooner.
func TestTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never greeted
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	addr := ln.Addr().(*net.TCPAddr)
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		ctx     time.Duration
	}{
		{"config", 200 * time.Millisecond, 0},
		{"context", time.Hour, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, logs := newMailer(t, mail.Config{Host: "127.0.0.1", Port: addr.Port, Security: mail.SecurityNone, Timeout: tc.timeout})
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			done := make(chan error, 1)
			go func() { done <- m.Send(ctx, message()) }()
			select {
			case err := <-done:
				checkUnavailable(t, err, logs, "")
			case <-time.After(10 * time.Second): // go-mail's own default is 15s
				t.Fatal("Send still waiting for a mute server after 10s")
			}
		})
	}
}

// checkUnavailable: err is the safe EUNAVAILABLE, and the log holds the
// real cause (containing cause, when given).
func checkUnavailable(t *testing.T, err error, logs *logBuffer, cause string) {
	t.Helper()
	if shrooms.ErrorCode(err) != shrooms.EUNAVAILABLE {
		t.Fatalf("got %v, want EUNAVAILABLE", err)
	}
	if msg := shrooms.ErrorMessage(err); msg != "the e-mail could not be sent; please try again later" {
		t.Errorf("message %q", msg)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), cause) {
		t.Errorf("log does not give the cause %q:\n%s", cause, logs)
	}
}

// TestNewErrorsNameTheKey: a bad setting is refused at start, naming the
// configuration key.
func TestNewErrorsNameTheKey(t *testing.T) {
	ok := mail.Config{From: from, Host: "smtp.example.org", Port: 587}
	for _, tc := range []struct {
		name string
		edit func(*mail.Config)
		key  string
	}{
		{"from", func(c *mail.Config) { c.From = "nobody" }, "mail.from"},
		{"from empty", func(c *mail.Config) { c.From = "" }, "mail.from"},
		{"port", func(c *mail.Config) { c.Port = 70000 }, "mail.smtp.port"},
		{"port negative", func(c *mail.Config) { c.Port = -1 }, "mail.smtp.port"},
		{"security", func(c *mail.Config) { c.Security = "ssl" }, "mail.smtp.security"},
		{"password in clear", func(c *mail.Config) { c.Security, c.Username, c.Password = "none", "a", "b" }, "mail.smtp.security"},
		{"password without username", func(c *mail.Config) { c.Password = "b" }, "mail.smtp.username"},
		{"host with port", func(c *mail.Config) { c.Host = "smtp.example.org:587" }, "mail.smtp.host"},
		{"no host, no folder", func(c *mail.Config) { c.Host = "" }, "mail.smtp.host"},
		{"timeout", func(c *mail.Config) { c.Timeout = -time.Second }, "mail.smtp.timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.edit(&cfg)
			if _, err := mail.New(cfg, nil); err == nil || !strings.HasPrefix(err.Error(), tc.key+":") {
				t.Fatalf("error %v does not name %s", err, tc.key)
			}
		})
	}
	if _, err := mail.New(ok, nil); err != nil {
		t.Fatal(err)
	}
	loopback := ok
	loopback.Host, loopback.Security, loopback.Username = "::1", "none", "relay"
	if _, err := mail.New(loopback, nil); err != nil {
		t.Fatalf("a loopback relay with a password in clear is allowed: %v", err)
	}
}

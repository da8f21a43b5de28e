// Package mail implements shrooms.Mailer: it hands e-mail to an SMTP server
// through go-mail or, when no server is configured, writes each message as an
// .eml file into a folder so that a local install still works. Its Worker
// sends the durable mail outbox (shrooms.MailQueue) through a Mailer.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	shrooms "github.com/shrooms-org/shrooms"
)

// Security values of Config.Security.
const (
	// SecuritySTARTTLS connects in clear and upgrades with STARTTLS; a server
	// that does not offer it is refused rather than sent to in clear.
	SecuritySTARTTLS = "starttls"
	// SecurityTLS is implicit TLS from the first byte (usually port 465).
	SecurityTLS = "tls"
	// SecurityNone sends in clear; for a relay on the same machine.
	SecurityNone = "none"
)

// DefaultTimeout bounds connecting and each step of the SMTP conversation
// when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// Config says where mail goes. The names of the keys in error messages are
// those of config.example.yaml.
type Config struct {
	// From is the sender of every message: "Name <address>" or an address.
	From string
	// Host is the SMTP server. Empty: messages are written to Dir instead.
	Host string
	// Port of the SMTP server; 0 means 587 for starttls, 465 for tls and
	// 25 for none.
	Port int
	// Username and Password, when Username is set, authenticate with SMTP
	// AUTH (PLAIN, else LOGIN, else the strongest mechanism offered).
	Username, Password string
	// Security is "starttls" (the default when Host is set), "tls" or "none".
	Security string
	// Timeout bounds connecting and each step of the conversation; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Dir is the folder messages are written to when Host is empty.
	Dir string
	// RootCAs verifies the server's certificate; nil means the system roots.
	// Tests set it to trust a self-signed certificate.
	RootCAs *x509.CertPool
}

// Mailer sends messages as its Config says. It is safe for concurrent use.
type Mailer struct {
	cfg    Config
	from   *netmail.Address
	logger *slog.Logger
}

var _ shrooms.Mailer = (*Mailer)(nil)

// New checks cfg and returns a Mailer. It neither connects nor creates
// Dir: a wrong password or an unreachable server shows when sending, and
// is logged then. A nil logger discards.
func New(cfg Config, logger *slog.Logger) (*Mailer, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail.from: %q is not an e-mail address (e.g. \"SHROOMS <noreply@example.org>\")", cfg.From)
	}
	if _, ok := domainOf(from.Address); !ok {
		return nil, fmt.Errorf("mail.from: %q has no domain", cfg.From)
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("mail.smtp.timeout: must not be negative")
	} else if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Host == "" {
		if cfg.Dir == "" {
			return nil, errors.New("mail.smtp.host: empty, and there is no folder to write mail to")
		}
		return &Mailer{cfg: cfg, from: from, logger: logger}, nil
	}
	if strings.ContainsAny(cfg.Host, " /\t\r\n") || (strings.Contains(cfg.Host, ":") && net.ParseIP(cfg.Host) == nil) {
		return nil, fmt.Errorf("mail.smtp.host: %q must be a host name or IP address, without port (that is mail.smtp.port)", cfg.Host)
	}
	cfg.Security = strings.ToLower(cfg.Security)
	switch cfg.Security {
	case "":
		cfg.Security = SecuritySTARTTLS
	case SecuritySTARTTLS, SecurityTLS, SecurityNone:
	default:
		return nil, fmt.Errorf("mail.smtp.security: %q is not starttls, tls or none", cfg.Security)
	}
	switch {
	case cfg.Port == 0 && cfg.Security == SecuritySTARTTLS:
		cfg.Port = gomail.DefaultPortTLS
	case cfg.Port == 0 && cfg.Security == SecurityTLS:
		cfg.Port = gomail.DefaultPortSSL
	case cfg.Port == 0:
		cfg.Port = gomail.DefaultPort
	case cfg.Port < 0 || cfg.Port > 65535:
		return nil, fmt.Errorf("mail.smtp.port: %d is not between 1 and 65535", cfg.Port)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("mail.smtp.username: must be set when mail.smtp.password is")
	}
	if cfg.Username != "" && cfg.Security == SecurityNone && !isLoopback(cfg.Host) {
		// go-mail refuses it too, but only when sending; say it at start.
		return nil, fmt.Errorf("mail.smtp.security: \"none\" would send the password in clear to %s; use starttls or tls", cfg.Host)
	}
	return &Mailer{cfg: cfg, from: from, logger: logger}, nil
}

// Send hands m to the SMTP server, or writes it to the mail folder when no
// server is configured. It returns EINVALID for a recipient that is not an
// address or a header with a line break in it, or that the server refused
// for good (a 5xx answer to RCPT TO): sending it again cannot help. It
// returns EUNAVAILABLE when the message could not be handed over this
// time; the error's text (not its message) says why, for the admins' mail
// page. m.ID, when set, is the Message-ID.
func (s *Mailer) Send(ctx context.Context, m shrooms.Message) error {
	to, err := checkMessage(m)
	if err != nil {
		return err
	}
	msg, err := s.build(to, m)
	if err != nil {
		return err
	}
	if s.cfg.Host == "" {
		return s.writeFile(msg, to, m.Subject)
	}
	return s.send(ctx, msg, to, m.Subject)
}

// checkMessage refuses what would let a caller write headers of its own:
// a line break in the recipient or the subject is an injection attempt.
func checkMessage(m shrooms.Message) (*netmail.Address, error) {
	if strings.ContainsAny(m.To, "\r\n") {
		return nil, shrooms.Errorf(shrooms.EINVALID, "the recipient must not contain a line break").Keyed("mail.error.recipient_break")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, shrooms.Errorf(shrooms.EINVALID, "the subject must not contain a line break").Keyed("mail.error.subject_break")
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%q is not an e-mail address", m.To).Keyed("account.error.email_invalid")
	}
	if _, ok := domainOf(to.Address); !ok {
		return nil, shrooms.Errorf(shrooms.EINVALID, "%q is not an e-mail address", m.To).Keyed("account.error.email_invalid")
	}
	return to, nil
}

// build makes the RFC 5322 message: text/plain in UTF-8 (quoted-printable),
// or multipart/alternative when there is an HTML body. go-mail encodes
// non-ASCII subjects and display names as RFC 2047 encoded words.
func (s *Mailer) build(to *netmail.Address, m shrooms.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		if strings.ContainsAny(m.ID, "<>\r\n \t") {
			return nil, shrooms.Errorf(shrooms.EINVALID, "the message ID must be bare, without brackets or spaces").Keyed("mail.error.message_id")
		}
		msg.SetMessageIDWithValue(m.ID)
	} else {
		domain, _ := domainOf(s.from.Address)
		msg.SetMessageIDWithValue(strings.ToLower(rand.Text()) + "@" + domain)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// send hands msg over through a client made for this message: go-mail's
// Client keeps per-connection state, and one connection per message is
// plenty for account mail.
func (s *Mailer) send(ctx context.Context, msg *gomail.Msg, to *netmail.Address, subject string) error {
	client, err := s.client(ctx)
	if err == nil {
		err = client.DialAndSendWithContext(ctx, msg)
	}
	if err != nil {
		s.logger.Error("mail could not be sent", "to", to.Address, "subject", subject,
			"server", net.JoinHostPort(s.cfg.Host, fmt.Sprint(s.cfg.Port)), "security", s.cfg.Security, "err", err)
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() {
			return fmt.Errorf("%w: %v", shrooms.Errorf(shrooms.EINVALID, "the mail server refused the recipient"), err)
		}
		return fmt.Errorf("%w: %v", unavailable(), err)
	}
	s.logger.Info("mail sent", "to", to.Address, "subject", subject)
	return nil
}

// client configures go-mail for one conversation. The timeout is the
// shorter of Config.Timeout and ctx's deadline, since go-mail only watches
// ctx while dialling.
func (s *Mailer) client(ctx context.Context) (*gomail.Client, error) {
	timeout := s.cfg.Timeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	} else if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(&tls.Config{
			ServerName: s.cfg.Host,
			MinVersion: tls.VersionTLS12,
			RootCAs:    s.cfg.RootCAs,
		}),
	}
	switch s.cfg.Security {
	case SecurityTLS:
		opts = append(opts, gomail.WithSSL())
	case SecuritySTARTTLS:
		// Mandatory: a server (or a man in the middle) that does not
		// offer STARTTLS gets nothing, rather than the mail in clear.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case SecurityNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		// PLAIN and LOGIN are what hosted SMTP services offer; go-mail
		// refuses both over an unencrypted remote connection.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// unavailable is what the caller sees of any failure to hand a message
// over; the cause is in the log.
func unavailable() error {
	return shrooms.Errorf(shrooms.EUNAVAILABLE, "the e-mail could not be sent; please try again later").Keyed("mail.error.send_failed")
}

// domainOf returns the part of addr after the last @.
func domainOf(addr string) (string, bool) {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 || i == len(addr)-1 {
		return "", false
	}
	return addr[i+1:], true
}

// isLoopback matches go-mail's own test for a server it may send a password
// to in clear.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

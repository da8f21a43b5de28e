// Package mailtest runs a real SMTP server in the test's process, so that
// tests of any package can send mail through mail.Mailer and read what
// arrived (a verification link, say) without a mock.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	username, password string
	mechanisms         []string
	startTLS           bool
	implicitTLS        bool
	port               int
	rejected           []string
}

// WithPort listens on 127.0.0.1:port instead of a port of the system's
// choice: a test points a node at a port where no server runs yet, then
// starts one there, to see mail queued while the server was down go out.
func WithPort(port int) Option {
	return func(o *options) { o.port = port }
}

// WithRejectedRecipients makes the server refuse these addresses for good
// (550 to RCPT TO), as a server does for a mailbox that does not exist.
func WithRejectedRecipients(addrs ...string) Option {
	return func(o *options) { o.rejected = addrs }
}

// WithAuth makes the server require SMTP AUTH with these credentials
// before it accepts mail. It offers PLAIN and LOGIN unless
// WithAuthMechanisms says otherwise. With WithSTARTTLS, AUTH is only
// offered once the connection is encrypted, as real servers do.
func WithAuth(username, password string) Option {
	return func(o *options) { o.username, o.password = username, password }
}

// WithAuthMechanisms restricts the AUTH mechanisms offered to a subset of
// "PLAIN" and "LOGIN".
func WithAuthMechanisms(mechanisms ...string) Option {
	return func(o *options) { o.mechanisms = mechanisms }
}

// WithSTARTTLS makes the server offer STARTTLS with a self-signed
// certificate for 127.0.0.1 and localhost; trust it with CertPool.
func WithSTARTTLS() Option {
	return func(o *options) { o.startTLS = true }
}

// WithImplicitTLS makes the server speak TLS from the first byte (like
// port 465), with the same self-signed certificate.
func WithImplicitTLS() Option {
	return func(o *options) { o.implicitTLS = true }
}

// Server is an SMTP server on 127.0.0.1 that keeps every message it
// receives.
type Server struct {
	opts options
	smtp *smtp.Server
	host string
	port int
	pool *x509.CertPool

	mu       sync.Mutex
	messages []Message
	read     []bool
	arrived  chan struct{} // closed and replaced when a message arrives
}

// NewServer starts a server on 127.0.0.1:0; it stops when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{arrived: make(chan struct{})}
	for _, opt := range opts {
		opt(&s.opts)
	}
	if s.opts.mechanisms == nil {
		s.opts.mechanisms = []string{sasl.Plain, sasl.Login}
	}
	s.smtp = smtp.NewServer(backend{s})
	s.smtp.Domain = "localhost"
	s.smtp.ReadTimeout = 10 * time.Second
	s.smtp.WriteTimeout = 10 * time.Second
	s.smtp.MaxMessageBytes = 10 << 20
	s.smtp.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are what some tests want
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.opts.port))
	if err != nil {
		t.Fatal(err)
	}
	if s.opts.startTLS || s.opts.implicitTLS {
		cert, pool, err := selfSigned()
		if err != nil {
			ln.Close()
			t.Fatal(err)
		}
		s.pool = pool
		tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if s.opts.implicitTLS {
			ln = tls.NewListener(ln, tlsConfig)
		} else {
			s.smtp.TLSConfig = tlsConfig
		}
	}
	// Without TLS, AUTH is only safe because this is loopback.
	s.smtp.AllowInsecureAuth = !s.opts.startTLS
	addr := ln.Addr().(*net.TCPAddr)
	s.host, s.port = addr.IP.String(), addr.Port
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.smtp.Serve(ln)
	}()
	t.Cleanup(func() {
		// Close finds no listener when Serve has not started yet (a test
		// that never connects); closing the listener ends Serve either way.
		s.smtp.Close()
		ln.Close()
		<-done
	})
	return s
}

// Addr returns the host and port to give mail.Config.
func (s *Server) Addr() (host string, port int) { return s.host, s.port }

// CertPool returns a pool holding the server's self-signed certificate, for
// mail.Config.RootCAs; nil when the server does not use TLS.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Messages returns every message received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// WaitFor returns the oldest message to the address to that WaitFor has not
// returned yet, waiting up to timeout for one to arrive.
func (s *Server) WaitFor(to string, timeout time.Duration) (Message, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for i, m := range s.messages {
			if !s.read[i] && m.sentTo(to) {
				s.read[i] = true
				s.mu.Unlock()
				return m, nil
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			return Message{}, fmt.Errorf("mailtest: no message to %s within %s (%d received in all)", to, timeout, len(s.Messages()))
		}
	}
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	s.read = append(s.read, false)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

// session is one SMTP transaction's state; go-smtp makes a new one after
// STARTTLS, so authentication never survives the upgrade.
type session struct {
	s        *Server
	conn     *smtp.Conn
	authUser string
	from     string
	to       []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.username == "" {
		return nil
	}
	return ss.s.opts.mechanisms
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if ss.s.opts.username == "" || !contains(ss.s.opts.mechanisms, mech) {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	check := func(username, password string) error {
		if username != ss.s.opts.username || password != ss.s.opts.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.authUser = username
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return errors.New("identity differs from username")
		}
		return check(username, password)
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.username != "" && ss.authUser == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range ss.s.opts.rejected {
		if strings.EqualFold(r, to) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		// The sender learns its message was malformed.
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	m.From, m.To, m.AuthUser = ss.from, append([]string(nil), ss.to...), ss.authUser
	_, m.TLS = ss.conn.TLSConnectionState()
	ss.s.add(m)
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// loginServer is the server side of the LOGIN mechanism, which go-sasl
// only implements as a client.
type loginServer struct {
	check    func(username, password string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if response != nil { // initial response: the username
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 2:
		l.step++
		return nil, true, l.check(l.username, string(response))
	}
	return nil, false, errors.New("unexpected response")
}

// selfSigned makes a certificate for 127.0.0.1, ::1 and localhost that is
// its own root, and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// Package node wires one SHROOMS node together: the typed configuration,
// the database, federation, mail workers and the HTTP server. shroomsd
// loads the configuration and runs a Main; the end-to-end tests in e2e
// start several in one process.
package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/federation"
	"github.com/shrooms-org/shrooms/handlers"
	"github.com/shrooms-org/shrooms/imaging"
	"github.com/shrooms-org/shrooms/mail"
	"github.com/shrooms-org/shrooms/notify"
	"github.com/shrooms-org/shrooms/store"
)

// Main is one running node: its configuration, database, federation and
// HTTP server. Tests start several in one process.
type Main struct {
	Config Config
	Logger *slog.Logger
	// Listener, when set, is served instead of listening on Config.Listen.
	Listener net.Listener
	// NoWorkers leaves the federation, mail and notification workers
	// stopped; tests drain the queues explicitly with Fed.Drain,
	// MailWorker.Drain and Notifier.Drain.
	NoWorkers bool
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// NewKeyPair and PasswordCost go to store.Options: tests serve
	// pre-generated keys and hash passwords at bcrypt's lowest cost. Left
	// zero, as serve leaves them, the store generates keys and uses
	// bcrypt's default cost.
	NewKeyPair   func() (privatePEM, publicPEM string, err error)
	PasswordCost int

	DB  *store.Services
	Fed *federation.Federation
	// Images is the node's one image decoder, shared by uploads and
	// partners' thumbnails: one decode at a time, within its budget.
	Images *imaging.Decoder
	IRIs   shrooms.IRIs
	Mailer *mail.Mailer
	// MailWorker sends the mail outbox; with NoWorkers it stays stopped
	// and tests drain it.
	MailWorker *mail.Worker
	// Notifier renders notification mail into the mail outbox and runs
	// the lending scheduler; with NoWorkers it stays stopped and tests
	// call its Drain and RunSchedule.
	Notifier *notify.Worker
	// SetupCode is asked by the browser setup wizard while the node has no
	// admin; serve prints it. "" once an admin exists.
	SetupCode string

	server *http.Server
	lock   *os.File
	served chan error
}

// Open opens the database and federation without serving. createNode makes
// the node's identity when the database has none (first start of serve).
func (m *Main) Open(ctx context.Context, createNode bool) (firstStart bool, err error) {
	if m.Logger == nil {
		m.Logger = NewLogger(os.Stderr, m.Config.LogLevel)
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.IRIs, err = shrooms.NewIRIs(m.Config.PublicURL); err != nil {
		return false, fmt.Errorf("public_url: %s", shrooms.ErrorMessage(err))
	}
	db, err := store.Open(m.Config.DBPath(), store.Options{PublicURL: m.IRIs.Base, BusyTimeout: m.Config.Database.BusyTimeout, Now: m.Now,
		NewKeyPair: m.NewKeyPair, PasswordCost: m.PasswordCost})
	if err != nil {
		return false, err
	}
	svc := store.NewServices(db)
	m.DB = svc
	node, err := svc.Nodes.FindNode(ctx)
	switch {
	case shrooms.ErrorCode(err) == shrooms.ENOTFOUND && createNode:
		if _, err := svc.Nodes.InitNode(ctx, shrooms.NodeInit{
			Node:                      shrooms.Node{PublicURL: m.IRIs.Base, OrgHandle: m.Config.Org.Handle, Name: m.Config.Org.Name, Modules: shrooms.Modules},
			OrgName:                   m.Config.Org.Name,
			ManuallyApprovesFollowers: m.Config.Federation.ManuallyApprovesFollowers,
		}); err != nil {
			return false, err
		}
		firstStart = true
	case shrooms.ErrorCode(err) == shrooms.ENOTFOUND:
		return false, fmt.Errorf("no node in %s: run 'shroomsd init' or 'shroomsd serve' first", m.Config.DataDir)
	case err != nil:
		return false, err
	case node.PublicURL != m.IRIs.Base:
		return false, fmt.Errorf("public_url is %s but this node was created as %s; ActivityPub identities cannot move, so set public_url back (or start a new data dir)", m.IRIs.Base, node.PublicURL)
	case node.OrgHandle != m.Config.Org.Handle:
		m.Config.Org.Handle = node.OrgHandle // the stored identity wins
	}
	m.Images = imaging.NewDecoder(1, imaging.DefaultBudget)
	m.Fed = federation.New(m.FederationConfig(), federation.Services{
		Nodes: svc.Nodes, Actors: svc.Actors, Follows: svc.Follows, Outbox: svc.Outbox, Inbox: svc.Inbox, Items: svc.Items,
		Partners: svc.Partners, Remote: svc.Remote, Media: svc.Media, Loans: svc.Loans,
	})
	return firstStart, m.syncOrg(ctx)
}

// syncOrg applies the follow-approval setting of the config to the
// organisation actor, so that its actor document says what the node does.
func (m *Main) syncOrg(ctx context.Context) error {
	org, err := m.DB.Actors.FindOrgActor(ctx)
	if err != nil {
		return err
	}
	if org.ManuallyApprovesFollowers == m.Config.Federation.ManuallyApprovesFollowers {
		return nil
	}
	org.ManuallyApprovesFollowers = m.Config.Federation.ManuallyApprovesFollowers
	return m.DB.Actors.UpdateLocalActor(ctx, org)
}

// FederationConfig is the federation section as federation.New takes it.
func (m *Main) FederationConfig() federation.Config {
	f := m.Config.Federation
	return federation.Config{
		IRIs:                  m.IRIs,
		AllowPrivateAddresses: f.AllowPrivateAddresses,
		MaxBodyBytes:          f.MaxBodyBytes,
		MaxJSONDepth:          f.MaxJSONDepth,
		SignatureMaxSkew:      f.SignatureMaxSkew,
		HTTPTimeout:           f.HTTPTimeout,
		MaxResponseBytes:      f.MaxResponseBytes,
		DeliveryWorkers:       f.DeliveryWorkers,
		DeliveryMaxAge:        f.DeliveryMaxAge,
		ActorCacheTTL:         f.ActorCacheTTL,
		PollInterval:          f.PollInterval,
		ResyncInterval:        f.ResyncInterval,
		QueueRetention:        f.QueueRetention,
		Images:                m.Images,
		Now:                   m.Now,
		Logger:                m.Logger,
	}
}

// Run opens the node (creating it on first start), takes the data dir's
// lock, starts the workers and serves HTTP until Close.
func (m *Main) Run(ctx context.Context) (firstStart bool, err error) {
	if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
		return false, err
	}
	if m.lock, err = lockDataDir(m.Config.DataDir); err != nil {
		return false, err
	}
	if firstStart, err = m.Open(ctx, true); err != nil {
		return false, err
	}
	if err := m.Fed.Recover(ctx); err != nil {
		return false, err
	}
	if !m.NoWorkers {
		m.Fed.Start()
	}
	if m.Mailer, err = mail.New(m.Config.MailConfig(), m.Logger); err != nil {
		return false, err
	}
	// Mail has its own worker: a slow mail server holds up no federation.
	m.MailWorker = mail.NewWorker(m.DB.Mail, m.Mailer, m.Logger, m.Now)
	if !m.NoWorkers {
		m.MailWorker.Start()
	}
	render, err := handlers.NotificationMails(m.DB.Settings, m.IRIs)
	if err != nil {
		return false, err
	}
	loans := m.DB.Loans
	m.Notifier = notify.NewWorker(m.DB.Notices, render, func(ctx context.Context, now time.Time) error {
		_, err := loans.SweepLoans(ctx, now)
		return err
	}, m.Logger, m.Now)
	m.Notifier.Schedule = m.Config.Notifications.ScheduleInterval
	if !m.NoWorkers {
		m.Notifier.Start()
	}
	needsSetup, err := m.DB.Settings.NeedsSetup(ctx)
	if err != nil {
		return false, err
	}
	if needsSetup {
		m.SetupCode = shrooms.RandomToken(9)
		m.Logger.Info("the node has no admin yet: open the setup page", "url", m.SetupURL())
	}
	if m.Listener == nil {
		if m.Listener, err = net.Listen("tcp", m.Config.Listen); err != nil {
			return false, fmt.Errorf("listen: %w", err)
		}
	}
	router, err := handlers.NewRouter(m.handlerDeps())
	if err != nil {
		return false, err
	}
	handler := http.Handler(router)
	if m.Config.HTTP.TLSCertFile != "" {
		handler = handlers.StrictTransportSecurity(handler)
	}
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       m.Config.HTTP.ReadTimeout,
		WriteTimeout:      m.Config.HTTP.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() {
		var err error
		if m.Config.HTTP.TLSCertFile != "" {
			err = m.server.ServeTLS(m.Listener, m.Config.HTTP.TLSCertFile, m.Config.HTTP.TLSKeyFile)
		} else {
			err = m.server.Serve(m.Listener)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		m.served <- err
	}()
	return firstStart, nil
}

// Addr is the address the node listens on.
func (m *Main) Addr() string { return m.Listener.Addr().String() }

// Served reports the HTTP server's end: nil after Close, the error when it
// failed on its own.
func (m *Main) Served() <-chan error { return m.served }

// Close stops accepting requests, lets those in flight finish, stops the
// workers and closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.shutdownTimeout())
		errs = append(errs, m.server.Shutdown(ctx))
		cancel()
	}
	if m.Fed != nil {
		m.Fed.Close()
	}
	if m.Notifier != nil {
		m.Notifier.Close() // before the mail worker: it queues mail
	}
	if m.MailWorker != nil {
		m.MailWorker.Close()
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	if m.lock != nil {
		errs = append(errs, m.lock.Close())
	}
	return errors.Join(errs...)
}

func (m *Main) shutdownTimeout() time.Duration {
	if d := m.Config.HTTP.ShutdownTimeout; d > 0 {
		return d
	}
	return 20 * time.Second
}

// lockDataDir makes sure only one serve process uses a data dir; admin
// commands do not take the lock and work beside a running node.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "serve.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another 'shroomsd serve' is already running on %s", dir)
	}
	return f, nil
}

// NewLogger writes text logs to w from the level named by log_level.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// SetupURL is the setup wizard's address with the setup code, or "" when
// the node has an admin.
func (m *Main) SetupURL() string {
	if m.SetupCode == "" {
		return ""
	}
	return m.IRIs.Base + "/setup?code=" + m.SetupCode
}

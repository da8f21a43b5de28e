// Package e2etest starts SHROOMS nodes in the test process for the
// end-to-end tests (package e2e) and shroomsd's own tests: each node has
// its data dir, its SQLite file and a port on 127.0.0.1, serves real HTTP
// and signs with real keys. Only the costs no test checks are cut: keys
// come from a committed pool and passwords are hashed at bcrypt's lowest
// cost.
package e2etest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/internal/node"
	"github.com/shrooms-org/shrooms/internal/testkeys"
)

// AdminPassword is the password of the admin account CreateAdmin makes.
const AdminPassword = "correct-horse-battery"

// ConfigFileName is the file in the data dir that shroomsd reads.
const ConfigFileName = "config.yaml"

// Clock is a clock tests move by hand, shared by the nodes of a test so
// that retry schedules can be walked through without sleeping.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a minute ahead of the real clock, so that what the CLI
// writes with the real clock is already due for the nodes.
func NewClock() *Clock { return NewClockAt(time.Now().UTC().Add(time.Minute)) }

// NewClockAt starts at t.
func NewClockAt(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// LockedWriter serialises writes to W, e.g. a node's log buffer that the
// HTTP server and the test write at once.
type LockedWriter struct {
	mu sync.Mutex
	W  io.Writer
}

// Write writes p to W, one write at a time.
func (l *LockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.W.Write(p)
}

// String is what was written, when W is a fmt.Stringer such as a
// bytes.Buffer.
func (l *LockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.W.(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}

// Config is a test node's configuration: the embedded defaults, with the
// node at http://addr on addr, its data in dir, federation with other
// nodes on 127.0.0.1 allowed, and the map's tiles from the node itself
// (tests run offline).
func Config(dir, addr string) node.Config {
	c := node.DefaultConfig()
	c.PublicURL = "http://" + addr
	c.Listen = addr
	c.DataDir = dir
	c.Org.Handle = "org"
	c.Org.Name = "Node " + addr
	c.Federation.AllowPrivateAddresses = true
	c.Map.TileURL = c.PublicURL + "/static/img/tile.png?{z}/{x}/{y}"
	return c
}

// WriteConfig writes cfg as config.yaml into its data dir, so that
// shroomsd commands run beside the node see the node's configuration.
// The file is JSON, which YAML reads as it is.
func WriteConfig(cfg node.Config) error {
	tree := map[string]any{}
	for key, v := range cfg.Settings() {
		if key == "data_dir" {
			continue // the file lives in its data dir
		}
		m := tree
		parts := strings.Split(key, ".")
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
	}
	b, err := json.MarshalIndent(tree, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(cfg.DataDir, ConfigFileName), b, 0o600)
}

// Start runs a node on ln with cfg, its workers stopped (tests drain the
// queues with Drain and MailWorker.Drain), its clock now and its logs at
// debug level into logs.
func Start(cfg node.Config, ln net.Listener, now func() time.Time, logs io.Writer) (*node.Main, error) {
	if err := cfg.Validate(); err != nil {
		ln.Close()
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Pre-generated keys and bcrypt's lowest cost: key generation and
	// hashing were half the suite's CPU, and no test checks either.
	m := &node.Main{Config: cfg, Listener: ln, NoWorkers: true, Now: now, Logger: logger,
		NewKeyPair: testkeys.NewKeyPair, PasswordCost: bcrypt.MinCost}
	if _, err := m.Run(context.Background()); err != nil {
		m.Close()
		return nil, fmt.Errorf("starting node %s: %w", cfg.Listen, err)
	}
	return m, nil
}

// CreateAdmin adds the admin account "admin" with AdminPassword.
func CreateAdmin(m *node.Main) error {
	u := &shrooms.User{Username: "admin", Email: "admin@example.org", Name: "Admin", Role: shrooms.RoleAdmin}
	return m.DB.Users.CreateUser(shrooms.NewSystemContext(context.Background()), u, AdminPassword)
}

// Relisten listens on addr again after a node there stopped; another test
// may hold the just freed port briefly.
func Relisten(addr string) (net.Listener, error) {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", addr); err == nil {
			return ln, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}

// Drain runs the federation queues of the running nodes (nil ones are
// stopped) until none has work due.
func Drain(ctx context.Context, nodes ...*node.Main) error {
	for round := 0; round < 50; round++ {
		did := 0
		for _, m := range nodes {
			if m == nil {
				continue
			}
			k, err := m.Fed.Drain(ctx)
			if err != nil {
				return fmt.Errorf("drain %s: %w", m.Addr(), err)
			}
			did += k
		}
		if did == 0 {
			return nil
		}
	}
	return fmt.Errorf("queues did not settle after 50 rounds")
}

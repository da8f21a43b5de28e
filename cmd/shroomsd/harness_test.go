package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/internal/testkeys"
)

// testClock is a clock tests move by hand, shared by the nodes of a test so
// that retry schedules can be walked through without sleeping.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// newTestClock starts a minute ahead of the real clock, so that what the CLI
// writes with the real clock is already due for the nodes.
func newTestClock() *testClock { return &testClock{now: time.Now().UTC().Add(time.Minute)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testNode is a complete node in the test process: its own data dir and
// SQLite file, listening on 127.0.0.1 on a port of its own, with real HTTP
// and real signatures. Its workers are off; tests drain the queues.
type testNode struct {
	t     testing.TB
	dir   string
	addr  string
	clock *testClock
	m     *Main
	logs  *bytes.Buffer
	// extra is written into config.yaml (YAML lines, e.g. federation keys).
	extra string
	// noAdmin leaves the node without an admin (see withoutAdmin).
	noAdmin bool
}

type nodeOption func(*testNode)

// manualApproval makes the node's organisation approve followers by hand.
func manualApproval(n *testNode) {
	n.extra += "federation:\n  allow_private_addresses: true\n  manually_approves_followers: true\n"
}

// adminPassword is the password of the admin account startNode creates.
const adminPassword = "correct-horse-battery"

// startNode starts a node with an admin account "admin" (password
// adminPassword).
func startNode(t testing.TB, clock *testClock, opts ...nodeOption) *testNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &testNode{t: t, dir: t.TempDir(), addr: ln.Addr().String(), clock: clock, logs: &bytes.Buffer{}}
	for _, o := range opts {
		o(n)
	}
	if !strings.Contains(n.extra, "federation:") {
		n.extra += "federation:\n  allow_private_addresses: true\n"
	}
	if !strings.Contains(n.extra, "map:") {
		// Tests run offline: the maps' tiles come from the node itself.
		n.extra += fmt.Sprintf("map:\n  tile_url: %q\n", n.url()+"/static/img/tile.png?{z}/{x}/{y}")
	}
	cfg := fmt.Sprintf("public_url: %q\nlisten: %q\norg:\n  handle: org\n  name: Node %s\n%s", n.url(), n.addr, n.addr, n.extra)
	if err := os.WriteFile(filepath.Join(n.dir, configFileName), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	n.start(ln)
	t.Cleanup(n.stop)
	if n.noAdmin {
		return n
	}
	u := &shrooms.User{Username: "admin", Email: "admin@example.org", Name: "Admin", Role: shrooms.RoleAdmin}
	if err := n.m.DB.Users.CreateUser(shrooms.NewSystemContext(context.Background()), u, adminPassword); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *testNode) url() string  { return "http://" + n.addr }
func (n *testNode) host() string { return n.addr }
func (n *testNode) acct() string { return "org@" + n.addr }

func (n *testNode) start(ln net.Listener) {
	n.t.Helper()
	cfg, err := loadConfig("", n.dir)
	if err != nil {
		n.t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: n.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Pre-generated keys and bcrypt's lowest cost: key generation and
	// hashing were half the suite's CPU, and no test checks either.
	n.m = &Main{Config: cfg, Listener: ln, NoWorkers: true, Now: n.clock.Now, Logger: logger,
		NewKeyPair: testkeys.NewKeyPair, PasswordCost: bcrypt.MinCost}
	if _, err := n.m.Run(context.Background()); err != nil {
		n.m.Close()
		n.t.Fatalf("starting node %s: %v", n.addr, err)
	}
}

// stop closes the node; a stopped node refuses connections.
func (n *testNode) stop() {
	if n.m != nil {
		if err := n.m.Close(); err != nil {
			n.t.Errorf("closing node %s: %v", n.addr, err)
		}
		n.m = nil
	}
}

// restart starts a stopped node again on the same address and data.
func (n *testNode) restart() {
	n.t.Helper()
	n.stop()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port was just freed; another test may hold it briefly
		if ln, err = net.Listen("tcp", n.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		n.t.Fatalf("relisten on %s: %v", n.addr, err)
	}
	n.start(ln)
}

// org returns the node's organisation actor.
func (n *testNode) org() *shrooms.Actor {
	n.t.Helper()
	a, err := n.m.DB.Actors.FindLocalActor(context.Background(), "org")
	if err != nil {
		n.t.Fatal(err)
	}
	return a
}

// cli runs a shroomsd command against the node's data dir, as an admin at
// a terminal would beside the running node.
func (n *testNode) cli(args ...string) (string, error) {
	var out, errOut bytes.Buffer
	args = append(args, "--data-dir", n.dir)
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		return out.String(), fmt.Errorf("shroomsd %s: exit %d: %s", strings.Join(args, " "), code, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

func (n *testNode) mustCLI(args ...string) string {
	n.t.Helper()
	out, err := n.cli(args...)
	if err != nil {
		n.t.Fatal(err)
	}
	return out
}

// drain runs every node's queues until none has work due.
func drain(t *testing.T, nodes ...*testNode) {
	t.Helper()
	for round := 0; round < 50; round++ {
		did := 0
		for _, n := range nodes {
			if n.m == nil {
				continue
			}
			k, err := n.m.Fed.Drain(context.Background())
			if err != nil {
				t.Fatalf("drain %s: %v", n.addr, err)
			}
			did += k
		}
		if did == 0 {
			return
		}
	}
	t.Fatal("queues did not settle after 50 rounds")
}

// drainMail sends every mail of the node's outbox that is due now, as
// the node's mail worker would; the SMTP server has it when this returns.
func drainMail(t testing.TB, n *testNode) int {
	t.Helper()
	k, err := n.m.MailWorker.Drain(context.Background())
	if err != nil {
		t.Fatalf("drain mail %s: %v", n.addr, err)
	}
	return k
}

// follows returns the organisation's follows in one direction.
func (n *testNode) follows(followers bool, state shrooms.FollowState) []*shrooms.Follow {
	n.t.Helper()
	org := n.org()
	f := shrooms.FollowFilter{FollowerID: org.ID, State: state}
	if followers {
		f = shrooms.FollowFilter{FolloweeID: org.ID, State: state}
	}
	fs, _, err := n.m.DB.Follows.FindFollows(systemCtx, f)
	if err != nil {
		n.t.Fatal(err)
	}
	return fs
}

func (n *testNode) queue() shrooms.QueueStats {
	n.t.Helper()
	s, err := n.m.DB.Outbox.QueueStats(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	return s
}

// get fetches a path of the node with an Accept header.
func (n *testNode) get(path, accept string) (int, http.Header, []byte) {
	n.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.url()+path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

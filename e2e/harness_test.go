package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/internal/e2etest"
	"github.com/shrooms-org/shrooms/internal/node"
)

// The tests name the node's types as they did in package main.
type (
	// Main is a running node.
	Main = node.Main
	// Config is a node's configuration.
	Config = node.Config
	// testClock is a clock tests move by hand, shared by the nodes of a
	// test so that retry schedules can be walked through without sleeping.
	testClock    = e2etest.Clock
	lockedWriter = e2etest.LockedWriter
)

// newTestClock starts a minute ahead of the real clock, so that what the CLI
// writes with the real clock is already due for the nodes.
func newTestClock() *testClock { return e2etest.NewClock() }

// newTestClockAt starts at t.
func newTestClockAt(t time.Time) *testClock { return e2etest.NewClockAt(t) }

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
	// configure changes the node's configuration before it starts.
	configure []func(*Config)
	// noAdmin leaves the node without an admin (see withoutAdmin).
	noAdmin bool
}

type nodeOption func(*testNode)

// config adds a change to the node's configuration.
func (n *testNode) config(f func(*Config)) { n.configure = append(n.configure, f) }

// manualApproval makes the node's organisation approve followers by hand.
func manualApproval(n *testNode) {
	n.config(func(c *Config) { c.Federation.ManuallyApprovesFollowers = true })
}

// adminPassword is the password of the admin account startNode creates.
const adminPassword = e2etest.AdminPassword

// startNode starts a node with an admin account "admin" (password
// adminPassword).
func startNode(t testing.TB, clock *testClock, opts ...nodeOption) *testNode {
	t.Helper()
	ln := listenLoopback(t)
	n := &testNode{t: t, dir: t.TempDir(), addr: ln.Addr().String(), clock: clock, logs: &bytes.Buffer{}}
	for _, o := range opts {
		o(n)
	}
	n.start(ln)
	t.Cleanup(n.stop)
	if n.noAdmin {
		return n
	}
	if err := e2etest.CreateAdmin(n.m); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *testNode) url() string  { return "http://" + n.addr }
func (n *testNode) host() string { return n.addr }
func (n *testNode) acct() string { return "org@" + n.addr }

// start runs the node on ln; its config.yaml says the same for the CLI.
func (n *testNode) start(ln net.Listener) {
	n.t.Helper()
	cfg := e2etest.Config(n.dir, n.addr)
	for _, f := range n.configure {
		f(&cfg)
	}
	if err := e2etest.WriteConfig(cfg); err != nil {
		n.t.Fatal(err)
	}
	m, err := e2etest.Start(cfg, ln, n.clock.Now, &lockedWriter{W: n.logs})
	if err != nil {
		n.t.Fatal(err)
	}
	n.m = m
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
	ln, err := e2etest.Relisten(n.addr)
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

// cli runs the shroomsd binary against the node's data dir, as an admin
// at a terminal would beside the running node.
func (n *testNode) cli(args ...string) (string, error) {
	bin, err := build("sqlite_fts5")
	if err != nil {
		n.t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args = append(args, "--data-dir", n.dir)
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(""), &out, &errOut
	err = cmd.Run()
	if e, ok := err.(*exec.ExitError); ok {
		return out.String(), fmt.Errorf("shroomsd %s: exit %d: %s", strings.Join(args, " "), e.ExitCode(), strings.TrimSpace(errOut.String()))
	}
	if err != nil {
		return out.String(), fmt.Errorf("shroomsd %s: %v", strings.Join(args, " "), err)
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
	ms := make([]*Main, len(nodes))
	for i, n := range nodes {
		ms[i] = n.m
	}
	if err := e2etest.Drain(context.Background(), ms...); err != nil {
		t.Fatal(err)
	}
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

func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

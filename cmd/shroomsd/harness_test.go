package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/shrooms-org/shrooms/internal/e2etest"
	"github.com/shrooms-org/shrooms/internal/node"
)

// shroomsd's own tests start nodes with the harness of the end-to-end
// tests (package e2e) and run the CLI in-process beside them.
type (
	// Main is a running node.
	Main = node.Main
	// Config is a node's configuration.
	Config    = node.Config
	testClock = e2etest.Clock
)

func newTestClock() *testClock { return e2etest.NewClock() }

// testNode is a node in the test process, on 127.0.0.1 with its own data
// dir, whose config.yaml the CLI reads.
type testNode struct {
	t     testing.TB
	dir   string
	addr  string
	clock *testClock
	m     *Main
	logs  *bytes.Buffer
}

// startNode starts a node with an admin account "admin".
func startNode(t testing.TB, clock *testClock) *testNode {
	t.Helper()
	ln := listenLoopback(t)
	n := &testNode{t: t, dir: t.TempDir(), addr: ln.Addr().String(), clock: clock, logs: &bytes.Buffer{}}
	cfg := e2etest.Config(n.dir, n.addr)
	if err := e2etest.WriteConfig(cfg); err != nil {
		t.Fatal(err)
	}
	m, err := e2etest.Start(cfg, ln, clock.Now, &e2etest.LockedWriter{W: n.logs})
	if err != nil {
		t.Fatal(err)
	}
	n.m = m
	t.Cleanup(n.stop)
	if err := e2etest.CreateAdmin(n.m); err != nil {
		t.Fatal(err)
	}
	return n
}

func (n *testNode) url() string  { return "http://" + n.addr }
func (n *testNode) acct() string { return "org@" + n.addr }

// stop closes the node.
func (n *testNode) stop() {
	if n.m != nil {
		if err := n.m.Close(); err != nil {
			n.t.Errorf("closing node %s: %v", n.addr, err)
		}
		n.m = nil
	}
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

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestFirstStartWithDefaults: with no config at all a node creates its
// identity and answers WebFinger, NodeInfo and the actor for
// http://localhost:8080, as `go run ./cmd/shroomsd` does.
func TestFirstStartWithDefaults(t *testing.T) {
	t.Setenv("SHROOMS_LISTEN", "")
	dir := t.TempDir()
	cfg, err := loadConfig("", dir)
	if err != nil {
		t.Fatal(err)
	}
	n := &testNode{t: t, dir: dir, clock: newTestClock(), logs: &bytes.Buffer{}}
	ln := listenLoopback(t)
	n.addr = ln.Addr().String()
	m := &Main{Config: cfg, Listener: ln}
	first, err := m.Run(context.Background())
	if err != nil || !first {
		t.Fatalf("first start: %v %v", first, err)
	}
	defer m.Close()
	status, _, body := n.get("/.well-known/webfinger?resource=acct:org@localhost:8080", "")
	if status != 200 || !strings.Contains(string(body), "http://localhost:8080/actors/org") {
		t.Fatalf("webfinger: %d %s", status, body)
	}
	if status, _, _ := n.get("/nodeinfo/2.1", ""); status != 200 {
		t.Fatalf("nodeinfo: %d", status)
	}
	if status, _, body := n.get("/actors/org", "application/activity+json"); status != 200 || !strings.Contains(string(body), `"Organization"`) {
		t.Fatalf("actor: %d %s", status, body)
	}
}

package e2e

import (
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// binNode is a node run by the built binary.
type binNode struct {
	name string
	dir  string
	port int
	p    *process
	// n lets the web and API helpers reach it over HTTP.
	n *testNode
}

func (b *binNode) url() string { return fmt.Sprintf("http://127.0.0.1:%d", b.port) }

// TestBinaryPartnersSearch is the "done when": three nodes from the
// built binary on loopback, linked with the CLI alone; A shares inventory
// with B and nothing with C; a member of B finds A's partners-only item on
// B's search page and API, and C's member does not. The nodes' own workers
// deliver; the test polls with a deadline.
func TestBinaryPartnersSearch(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t, "sqlite_fts5")
	work := t.TempDir()
	var nodes []*binNode
	for _, name := range []string{"a", "b", "c"} {
		n := &binNode{name: name, dir: filepath.Join(work, name), port: freePort(t)}
		out, err := exec.Command(bin, "init", "--data-dir", n.dir, "--public-url", n.url(),
			"--org-name", "Workshop "+strings.ToUpper(name), "--admin-user", "admin", "--admin-email", "admin@example.org",
			"--admin-password", adminPassword).CombinedOutput()
		if err != nil {
			t.Fatalf("init %s: %v\n%s", name, err, out)
		}
		n.p = startProcess(t, bin, work, []string{"SHROOMS_FEDERATION_POLL_INTERVAL=100ms"}, "serve", "--data-dir", n.dir)
		n.p.waitHTTP(t, n.url()+"/healthz")
		n.n = &testNode{t: t, addr: fmt.Sprintf("127.0.0.1:%d", n.port)}
		nodes = append(nodes, n)
	}
	a, b, c := nodes[0], nodes[1], nodes[2]
	admin := func(n *binNode, args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append(append([]string{"admin"}, args...), "--data-dir", n.dir)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: admin %v: %v\n%s", n.name, args, err, out)
		}
		return string(out)
	}
	// poll runs check until it returns "" or the deadline passes.
	poll := func(what string, check func() string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			msg := check()
			if msg == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never happened: %s\nA:\n%s\nB:\n%s\nC:\n%s", what, msg, a.p.output(), b.p.output(), c.p.output())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	linked := func(n *binNode, others ...*binNode) func() string {
		return func() string {
			list := admin(n, "partner", "list")
			for _, o := range others {
				if !hasLine(list, fmt.Sprintf("org@127.0.0.1:%d", o.port), "linked") {
					return n.name + "'s partner list:\n" + list
				}
			}
			return ""
		}
	}

	// Linked with the CLI alone: A invites, B and C paste the URLs.
	for _, n := range []*binNode{b, c} {
		invite, _, _ := strings.Cut(admin(a, "invite", "create", "--expires", "2d", "--note", "workshop "+n.name), "\n")
		admin(n, "partner", "link", strings.TrimSpace(invite))
	}
	poll("A linked with B and C", linked(a, b, c))
	poll("B linked with A", linked(b, a))
	poll("C linked with A", linked(c, a))
	admin(a, "partner", "share", fmt.Sprintf("org@127.0.0.1:%d", b.port), "--modules", "inventory")
	admin(a, "partner", "share", fmt.Sprintf("org@127.0.0.1:%d", c.port), "--modules", "")

	// A's staff catalogue a partners-only item through A's API.
	token := strings.TrimSpace(admin(a, "token", "create", "--user", "admin"))
	a.n.apiNewItem(token, map[string]any{"name": "Thermal camera", "kind": "tool", "audience": "partners", "description": "Finds leaks in walls."})
	a.n.apiNewItem(token, map[string]any{"name": "Thermal printer", "kind": "tool", "audience": "public"})

	// A member of each of B and C, invited by their admin, signs up.
	type member struct {
		web   *webClient
		token string
	}
	members := map[*binNode]member{}
	for _, n := range []*binNode{b, c} {
		adminToken := strings.TrimSpace(admin(n, "token", "create", "--user", "admin"))
		status, body := n.n.api("POST", "/api/v1/invitations", adminToken, map[string]any{"email": "member@example.org", "role": "member"})
		if status != 201 {
			t.Fatalf("%s: invitation: %d %v", n.name, status, body)
		}
		link, _ := url.Parse(body["url"].(string))
		w := newWebClient(t, n.n)
		form := acctSignupForm("member", "member@example.org", memberPassword)
		form.Set("invite", link.Query().Get("invite"))
		if p := w.post("/signup", form); p.Status != 200 || !strings.HasPrefix(p.Path, "/dashboard") {
			t.Fatalf("%s: sign-up ended on %s with %d", n.name, p.Path, p.Status)
		}
		members[n] = member{web: w, token: strings.TrimSpace(admin(n, "token", "create", "--user", "member"))}
	}

	// B's member finds the camera, held by A, on the page and by the API.
	mb := members[b]
	poll("B's member finds the camera", func() string {
		hits := search(t, b.n, mb.token, "thermal camera")
		for _, h := range hits {
			if h.Name == "Thermal camera" && h.Organization.Acct == fmt.Sprintf("org@127.0.0.1:%d", a.port) {
				return ""
			}
		}
		return fmt.Sprintf("API hits %+v", hits)
	})
	if p := mb.web.get("/search?q=" + url.QueryEscape("thermal camera")); p.Status != 200 || !p.Has("Thermal camera") || !p.Has("Workshop A") {
		t.Fatalf("B's search page: %d\n%s", p.Status, p.Body)
	}
	// C's member: the public printer arrives, the camera never does.
	mc := members[c]
	poll("C's member finds the public printer", func() string {
		if hits := search(t, c.n, mc.token, "thermal printer"); len(hits) == 0 {
			return "no hit"
		}
		return ""
	})
	if hits := search(t, c.n, mc.token, "camera"); len(hits) != 0 {
		t.Fatalf("C's member finds %+v", hits)
	}
	if p := mc.web.get("/search?q=camera"); p.Status != 200 || p.Has("Thermal camera") {
		t.Fatalf("C's search page: %d\n%s", p.Status, p.Body)
	}
	for _, n := range nodes {
		if q := admin(n, "queue"); !strings.Contains(q, "deliveries dead:    0") || !strings.Contains(q, "inbox failed:       0") {
			t.Fatalf("%s queue:\n%s", n.name, q)
		}
	}
	for _, n := range nodes {
		n.p.stop(t)
	}
}

// hasLine reports whether some line of s contains every one of parts.
func hasLine(s string, parts ...string) bool {
	for _, line := range strings.Split(s, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}

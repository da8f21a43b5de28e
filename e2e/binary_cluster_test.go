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

func (b *binNode) url() string  { return fmt.Sprintf("http://127.0.0.1:%d", b.port) }
func (b *binNode) acct() string { return fmt.Sprintf("org@127.0.0.1:%d", b.port) }

// binCluster is nodes run by the built binary on loopback, each
// initialised with `shroomsd init` (admin "admin", adminPassword) and
// serving with its own workers.
type binCluster struct {
	t     *testing.T
	bin   string
	nodes []*binNode
}

// startBinCluster builds the binary and starts one node per name.
func startBinCluster(t *testing.T, names ...string) *binCluster {
	t.Helper()
	c := &binCluster{t: t, bin: buildBinary(t, "sqlite_fts5")}
	work := t.TempDir()
	for _, name := range names {
		n := &binNode{name: name, dir: filepath.Join(work, name), port: freePort(t)}
		out, err := exec.Command(c.bin, "init", "--data-dir", n.dir, "--public-url", n.url(),
			"--org-name", "Workshop "+strings.ToUpper(name), "--admin-user", "admin", "--admin-email", "admin@example.org",
			"--admin-password", adminPassword).CombinedOutput()
		if err != nil {
			t.Fatalf("init %s: %v\n%s", name, err, out)
		}
		n.p = startProcess(t, c.bin, work, []string{"SHROOMS_FEDERATION_POLL_INTERVAL=100ms"}, "serve", "--data-dir", n.dir)
		n.p.waitHTTP(t, n.url()+"/healthz")
		n.n = &testNode{t: t, addr: fmt.Sprintf("127.0.0.1:%d", n.port)}
		c.nodes = append(c.nodes, n)
	}
	return c
}

// admin runs `shroomsd admin ARGS` on n's data dir beside the running node.
func (c *binCluster) admin(n *binNode, args ...string) string {
	c.t.Helper()
	out, err := exec.Command(c.bin, append(append([]string{"admin"}, args...), "--data-dir", n.dir)...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("%s: admin %v: %v\n%s", n.name, args, err, out)
	}
	return string(out)
}

// poll runs check until it returns "" or the deadline passes.
func (c *binCluster) poll(what string, check func() string) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			var logs strings.Builder
			for _, n := range c.nodes {
				fmt.Fprintf(&logs, "\n%s:\n%s", strings.ToUpper(n.name), n.p.output())
			}
			c.t.Fatalf("%s never happened: %s%s", what, msg, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// link makes lender invite each of others with the CLI, the others paste
// the URLs, and waits until every side lists the others as linked.
func (c *binCluster) link(lender *binNode, others ...*binNode) {
	c.t.Helper()
	for _, n := range others {
		invite, _, _ := strings.Cut(c.admin(lender, "invite", "create", "--expires", "2d", "--note", "workshop "+n.name), "\n")
		c.admin(n, "partner", "link", strings.TrimSpace(invite))
	}
	linked := func(n *binNode, others ...*binNode) func() string {
		return func() string {
			list := c.admin(n, "partner", "list")
			for _, o := range others {
				if !hasLine(list, o.acct(), "linked") {
					return n.name + "'s partner list:\n" + list
				}
			}
			return ""
		}
	}
	c.poll(lender.name+" linked with the others", linked(lender, others...))
	for _, n := range others {
		c.poll(n.name+" linked with "+lender.name, linked(n, lender))
	}
}

// binMember is a member of a binary node: signed up by invitation in a
// browser-like client, with an API token from the CLI.
type binMember struct {
	web   *webClient
	token string
}

// member has n's admin invite username by the API; the invitee signs up.
func (c *binCluster) member(n *binNode, username string) binMember {
	c.t.Helper()
	adminToken := strings.TrimSpace(c.admin(n, "token", "create", "--user", "admin"))
	email := username + "@example.org"
	status, body := n.n.api("POST", "/api/v1/invitations", adminToken, map[string]any{"email": email, "role": "member"})
	if status != 201 {
		c.t.Fatalf("%s: invitation: %d %v", n.name, status, body)
	}
	link, _ := url.Parse(body["url"].(string))
	w := newWebClient(c.t, n.n)
	form := acctSignupForm(username, email, memberPassword)
	form.Set("invite", link.Query().Get("invite"))
	if p := w.post("/signup", form); p.Status != 200 || !strings.HasPrefix(p.Path, "/dashboard") {
		c.t.Fatalf("%s: sign-up ended on %s with %d", n.name, p.Path, p.Status)
	}
	return binMember{web: w, token: strings.TrimSpace(c.admin(n, "token", "create", "--user", username))}
}

// noFailures fails unless every node's queues hold no dead delivery and
// no failed activity.
func (c *binCluster) noFailures() {
	c.t.Helper()
	for _, n := range c.nodes {
		if q := c.admin(n, "queue"); !strings.Contains(q, "deliveries dead:    0") || !strings.Contains(q, "inbox failed:       0") {
			c.t.Fatalf("%s queue:\n%s", n.name, q)
		}
	}
}

// stop stops every node with SIGTERM, expecting clean exits.
func (c *binCluster) stop() {
	c.t.Helper()
	for _, n := range c.nodes {
		n.p.stop(c.t)
	}
}

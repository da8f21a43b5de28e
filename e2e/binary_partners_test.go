package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestBinaryPartnersSearch is the "done when": three nodes from the
// built binary on loopback, linked with the CLI alone; A shares inventory
// with B and nothing with C; a member of B finds A's partners-only item on
// B's search page and API, and C's member does not. The nodes' own workers
// deliver; the test polls with a deadline.
func TestBinaryPartnersSearch(t *testing.T) {
	t.Parallel()
	cl := startBinCluster(t, "a", "b", "c")
	a, b, c := cl.nodes[0], cl.nodes[1], cl.nodes[2]
	admin := cl.admin

	// Linked with the CLI alone: A invites, B and C paste the URLs.
	cl.link(a, b, c)
	admin(a, "partner", "share", b.acct(), "--modules", "inventory")
	admin(a, "partner", "share", c.acct(), "--modules", "")

	// A's staff catalogue a partners-only item through A's API.
	token := strings.TrimSpace(admin(a, "token", "create", "--user", "admin"))
	a.n.apiNewItem(token, map[string]any{"name": "Thermal camera", "kind": "tool", "audience": "partners", "description": "Finds leaks in walls."})
	a.n.apiNewItem(token, map[string]any{"name": "Thermal printer", "kind": "tool", "audience": "public"})

	// A member of each of B and C, invited by their admin, signs up.
	mb, mc := cl.member(b, "member"), cl.member(c, "member")

	// B's member finds the camera, held by A, on the page and by the API.
	cl.poll("B's member finds the camera", func() string {
		hits := search(t, b.n, mb.token, "thermal camera")
		for _, h := range hits {
			if h.Name == "Thermal camera" && h.Organization.Acct == a.acct() {
				return ""
			}
		}
		return fmt.Sprintf("API hits %+v", hits)
	})
	if p := mb.web.get("/search?q=" + url.QueryEscape("thermal camera")); p.Status != 200 || !p.Has("Thermal camera") || !p.Has("Workshop A") {
		t.Fatalf("B's search page: %d\n%s", p.Status, p.Body)
	}
	// C's member: the public printer arrives, the camera never does.
	cl.poll("C's member finds the public printer", func() string {
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
	cl.noFailures()
	cl.stop()
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

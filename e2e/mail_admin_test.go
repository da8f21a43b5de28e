package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// TestFailingMailShownToAdmins: a mail the server refuses for good is dead
// at once; one that keeps failing is dead after MailMaxAttempts. Admins
// see both on the mail page, in the API and in the CLI, and may retry or
// discard them; members may not.
func TestFailingMailShownToAdmins(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t, mailtest.WithRejectedRecipients("gone@example.org"))
	clock := newTestClock()
	n := startNode(t, clock, withSMTP(srv))
	createUser(t, n, "gone", shrooms.RoleMember, "gones-old-password")
	c := newWebClient(t, n)
	c.post("/forgot", url.Values{"email": {"gone@example.org"}})
	drainMail(t, n)

	admin := loginAs(t, n, "admin", adminPassword)
	p := admin.get("/admin/mail")
	if p.Status != 200 || !p.Has("gone@example.org") || !p.Has("no such mailbox") || !p.Has("action=\"/admin/mail/") {
		t.Fatalf("admin mail page: %d\n%s", p.Status, p.Body)
	}
	_, adminTok := n.adminToken()
	_, memberTok := n.apiUser("mo", shrooms.RoleMember)
	if status, _ := n.api("GET", "/api/v1/mail", memberTok, nil); status != 403 {
		t.Fatalf("a member reads the mail queue: %d", status)
	}
	status, list := n.api("GET", "/api/v1/mail?state=dead", adminTok, nil)
	items, _ := list["items"].([]any)
	if status != 200 || len(items) != 1 {
		t.Fatalf("API dead mail: %d %v", status, list)
	}
	dead := items[0].(map[string]any)
	if dead["to"] != "gone@example.org" || dead["kind"] != "reset" || !strings.Contains(fmt.Sprint(dead["last_error"]), "no such mailbox") {
		t.Fatalf("API dead mail: %v", dead)
	}
	if out := n.mustCLI("admin", "mail", "--state", "dead"); !strings.Contains(out, "gone@example.org") || !strings.Contains(out, "no such mailbox") {
		t.Fatalf("CLI: %s", out)
	}
	id := fmt.Sprint(dead["id"])
	if status, _ := n.api("POST", "/api/v1/mail/"+id+"/retry", memberTok, nil); status != 403 {
		t.Fatalf("a member retries mail: %d", status)
	}
	if status, body := n.api("POST", "/api/v1/mail/"+id+"/retry", adminTok, nil); status != 204 {
		t.Fatalf("retry: %d %v", status, body)
	}
	drainMail(t, n) // refused again: dead again
	if p := admin.post("/admin/mail/"+id+"/discard", nil); p.Status != 200 || p.Has("gone@example.org") {
		t.Fatalf("discard: %d\n%s", p.Status, p.Body)
	}

	// A server that never answers: retried with growing delays, then dead.
	srvDown, _ := downMailServer(t)
	m := startNode(t, clock, withSMTPPort(srvDown))
	createUser(t, m, "frank", shrooms.RoleMember, "franks-old-password")
	newWebClient(t, m).post("/forgot", url.Values{"email": {"frank@example.org"}})
	for i := 0; i < shrooms.MailMaxAttempts; i++ {
		if k := drainMail(t, m); k != 1 {
			t.Fatalf("attempt %d: %d tries", i+1, k)
		}
		clock.Advance(3 * time.Hour)
	}
	if k := drainMail(t, m); k != 0 {
		t.Fatalf("a dead mail was tried again")
	}
	p = loginAs(t, m, "admin", adminPassword).get("/admin/mail?state=dead")
	if !p.Has("frank@example.org") || !p.Has(fmt.Sprint(shrooms.MailMaxAttempts)) {
		t.Fatalf("admin mail page:\n%s", p.Body)
	}
}

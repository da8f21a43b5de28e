package e2e

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

var (
	inviteRevoke = regexp.MustCompile(`action="/admin/invitations/(\d+)/delete"`)
	followForm   = regexp.MustCompile(`action="/admin/follow-requests/(\d+)/(approve|reject)"`)
)

// TestAdminInvitations: the invitation mail arrives with its sign-up
// link; the pending invitation is listed and can be withdrawn; bad input
// is refused.
func TestAdminInvitations(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	w := loginAs(t, n, "admin", adminPassword)
	p := w.post("/admin/invitations", url.Values{"email": {"newbie@example.org"}, "role": {"staff"}, "lang": {"fr"}})
	if p.Status != 200 || p.Path != "/admin/users" || !p.Has("The invitation is on its way.") || !p.Has("newbie@example.org · Staff") {
		t.Fatalf("invite: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	drainMail(t, n)
	msg, err := srv.WaitFor("newbie@example.org", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	link := linkIn(t, msg.Text, n.url()+"/signup?invite=")
	if p = newWebClient(t, n).get(strings.TrimPrefix(link, n.url())); p.Status != 200 {
		t.Fatalf("invitation link: %d", p.Status)
	}
	wantStatus(t, "bad e-mail", w.post("/admin/invitations", url.Values{"email": {"not an address"}, "role": {"member"}}), 400)
	wantStatus(t, "bad role", w.post("/admin/invitations", url.Values{"email": {"x@example.org"}, "role": {"king"}}), 400)
	createUser(t, n, "bob", shrooms.RoleMember, memberPassword)
	wantStatus(t, "existing account", w.post("/admin/invitations", url.Values{"email": {"bob@example.org"}, "role": {"member"}}), 409)

	m := inviteRevoke.FindStringSubmatch(w.get("/admin/users").Body)
	if m == nil {
		t.Fatal("no revoke button")
	}
	p = w.post("/admin/invitations/"+m[1]+"/delete", nil)
	if p.Status != 200 || p.Has("newbie@example.org") {
		t.Fatalf("revoke: %d\n%s", p.Status, p.Body)
	}
	if invs, _ := n.m.DB.Accounts.FindInvitations(systemCtx); len(invs) != 0 {
		t.Fatalf("invitations after revoke: %d", len(invs))
	}
}

// TestAdminInvitationMailDown: with the mail server down, the invitation
// is made and its mail kept in the outbox, with the error, for the mail
// worker to send later; the page says it is on its way.
func TestAdminInvitationMailDown(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock(), withSMTPPort(freePort(t)))
	w := loginAs(t, n, "admin", adminPassword)
	p := w.post("/admin/invitations", url.Values{"email": {"newbie@example.org"}, "role": {"member"}})
	if p.Status != 200 || p.Path != "/admin/users" || !p.Has("The invitation is on its way.") {
		t.Fatalf("invite with mail down: %d\n%s", p.Status, p.Body)
	}
	if invs, _ := n.m.DB.Accounts.FindInvitations(systemCtx); len(invs) != 1 {
		t.Fatalf("invitations = %d, want 1", len(invs))
	}
	drainMail(t, n)
	ms, _, err := n.m.DB.Mail.FindMail(systemCtx, shrooms.MailFilter{State: shrooms.MailPending})
	if err != nil || len(ms) != 1 || ms[0].Message.To != "newbie@example.org" || ms[0].Kind != shrooms.MailInvitation || ms[0].LastError == "" {
		t.Fatalf("queued invitation mail: %+v %v", ms, err)
	}
}

// federationPage returns the admin federation page of a node.
func federationPage(t *testing.T, w *webClient) page {
	t.Helper()
	p := w.get("/admin/federation")
	wantStatus(t, "federation page", p, 200)
	return p
}

// TestAdminFollowRequests: A and C follow B from their admin pages; B
// approves A and rejects C with the buttons; both sides show the outcome;
// A unfollows.
func TestAdminFollowRequests(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock, manualApproval), startNode(t, clock)
	aw, bw, cw := loginAs(t, a, "admin", adminPassword), loginAs(t, b, "admin", adminPassword), loginAs(t, c, "admin", adminPassword)

	for _, w := range []*webClient{aw, cw} {
		p := w.post("/admin/following", url.Values{"address": {b.acct()}})
		if p.Status != 200 || !p.Has("The follow request was sent.") || !p.Has("@"+b.acct()) || !p.Has("Waiting for an answer") {
			t.Fatalf("follow from %s: %d\n%s", w.n.addr, p.Status, p.Body)
		}
	}
	wantStatus(t, "follow nobody", aw.post("/admin/following", url.Values{"address": {""}}), 400)
	wantStatus(t, "follow again", aw.post("/admin/following", url.Values{"address": {b.acct()}}), 409)
	drain(t, a, b, c)

	p := federationPage(t, bw)
	if !p.Has("@"+a.acct()) || !p.Has("@"+c.acct()) {
		t.Fatalf("B's follow requests:\n%s", p.Body)
	}
	if ov := bw.get("/admin"); !ov.Has(`id="count-requests">2 follow requests`) {
		t.Fatalf("overview count:\n%s", ov.Body)
	}
	ids := map[string]string{}
	for _, r := range b.follows(true, shrooms.FollowPending) {
		ids[r.Follower.IRI] = strconv.FormatInt(r.ID, 10)
	}
	if len(followForm.FindAllString(p.Body, -1)) != 4 {
		t.Fatalf("want approve and reject buttons for two requests:\n%s", p.Body)
	}
	p = bw.post("/admin/follow-requests/"+ids[a.org().IRI]+"/approve", nil)
	if p.Status != 200 || !p.Has("The request was approved") {
		t.Fatalf("approve: %d\n%s", p.Status, p.Body)
	}
	p = bw.post("/admin/follow-requests/"+ids[c.org().IRI]+"/reject", nil)
	if p.Status != 200 || !p.Has("The request was rejected.") {
		t.Fatalf("reject: %d\n%s", p.Status, p.Body)
	}
	wantStatus(t, "approve twice", bw.post("/admin/follow-requests/"+ids[a.org().IRI]+"/approve", nil), 409)
	wantStatus(t, "unknown request", bw.post("/admin/follow-requests/999999/approve", nil), 404)
	drain(t, a, b, c)

	followers := regexp.MustCompile(`(?s)<table[^>]*id="followers".*?</table>`).FindString(federationPage(t, bw).Body)
	if !strings.Contains(followers, "@"+a.acct()) || strings.Contains(followers, "@"+c.acct()) {
		t.Fatalf("B's followers:\n%s", followers)
	}
	if p = federationPage(t, aw); !p.Has("@"+b.acct()) || !p.Has(">Accepted<") {
		t.Fatalf("A's following:\n%s", p.Body)
	}
	if p = federationPage(t, cw); !p.Has("@"+b.acct()) || !p.Has(">Refused<") {
		t.Fatalf("C's following:\n%s", p.Body)
	}

	// A unfollows: B loses its follower.
	m := regexp.MustCompile(`action="/admin/following/(\d+)/delete"`).FindStringSubmatch(federationPage(t, aw).Body)
	if m == nil {
		t.Fatal("no unfollow button on A")
	}
	// Approving A's request followed A back, so B stays among A's followers
	// until B answers the unlink: look at the following table only.
	following := regexp.MustCompile(`(?s)<table[^>]*id="following".*?</table>`)
	if p = aw.post("/admin/following/"+m[1]+"/delete", nil); p.Status != 200 || strings.Contains(following.FindString(p.Body), "@"+b.acct()) {
		t.Fatalf("unfollow: %d\n%s", p.Status, p.Body)
	}
	drain(t, a, b, c)
	if got := b.follows(true, shrooms.FollowAccepted); len(got) != 0 {
		t.Fatalf("B followers after A unfollowed: %d", len(got))
	}
}

// TestAdminPagesInBrowser opens every admin page in headless Chromium, on
// a phone and a desktop: no CSP violation, no script error, readable
// contrast (checked with each screenshot, kept as artefacts).
func TestAdminPagesInBrowser(t *testing.T) {
	t.Parallel()
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.Name, func(t *testing.T) {
			n := startNode(t, newTestClock())
			bob := createUser(t, n, "bob", shrooms.RoleMember, memberPassword)
			g := &shrooms.Group{Name: "Volunteers", Description: "Saturday helpers", MemberIDs: []int64{bob.ID}}
			if err := n.m.DB.Groups.CreateGroup(systemCtx, g); err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, n, vp)
			b.open("/login")
			b.fill("login", "admin")
			b.fill("password", "correct-horse-battery")
			b.submit("main button[type=submit]")
			gets, _ := adminRoutes(bob.ID)
			for _, p := range gets {
				p = strings.Replace(p, "/admin/groups/1", "/admin/groups/"+strconv.FormatInt(g.ID, 10), 1)
				if res := b.open(p); res.Status != 200 || b.path() != p {
					t.Fatalf("%s: ended on %s with %d", p, b.path(), res.Status)
				}
				b.screenshot(strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", "-"))
			}
		})
	}
}

package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Three nodes in one process, linked the way admins link them: with the
// CLI, beside the running nodes, the queues drained between steps.

// TestPartnerInvite: A invites B; B's admin pastes the URL; the nodes
// exchange Follow with the token, Accept, follow back, Accept, and both end
// linked with no admin acting on A. The invite is used up.
func TestPartnerInvite(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock), startNode(t, clock)
	u := inviteURL(t, a)
	out := b.mustCLI("admin", "partner", "link", u)
	if !strings.Contains(out, string(shrooms.PartnerPendingOut)) {
		t.Fatalf("partner link says %q, want pending-out", out)
	}
	drain(t, a, b, c)
	for _, tc := range []struct {
		n     *testNode
		other *testNode
	}{{a, b}, {b, a}} {
		if s := stateOf(t, tc.n, tc.other.org().IRI); s != shrooms.PartnerLinked {
			t.Fatalf("%s sees %s as %q, want linked", tc.n.addr, tc.other.addr, s)
		}
		if fs := tc.n.follows(false, shrooms.FollowAccepted); len(fs) != 1 || fs[0].Followee.IRI != tc.other.org().IRI {
			t.Fatalf("%s's follow of %s not accepted: %+v", tc.n.addr, tc.other.addr, tc.n.follows(false, ""))
		}
	}
	if reqs := a.follows(true, shrooms.FollowPending); len(reqs) != 0 {
		t.Fatalf("A's admin has requests to approve: %+v", reqs)
	}
	if list := a.mustCLI("admin", "partner", "list"); !strings.Contains(list, b.acct()) || !strings.Contains(list, "linked") || !strings.Contains(list, "LAST-DELIVERY") {
		t.Fatalf("A's partner list:\n%s", list)
	}
	if list := a.mustCLI("admin", "invite", "list"); !strings.Contains(list, "used") || !strings.Contains(list, b.org().IRI) {
		t.Fatalf("A's invite list:\n%s", list)
	}

	// The invite is single-use: C pasting the same URL only asks.
	c.mustCLI("admin", "partner", "link", u)
	drain(t, a, b, c)
	if s := stateOf(t, a, c.org().IRI); s != shrooms.PartnerPendingIn {
		t.Fatalf("a reused invite: A sees C as %q, want pending-in", s)
	}

	// A revoked invite links nobody either.
	out = a.mustCLI("admin", "invite", "create")
	revoked := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	invites, err := a.m.DB.Partners.FindPartnerInvites(systemCtx)
	if err != nil || len(invites) != 2 {
		t.Fatalf("invites: %v %d", err, len(invites))
	}
	a.mustCLI("admin", "invite", "revoke", itoa(invites[0].ID))
	if _, err := a.cli("admin", "invite", "revoke", itoa(invites[0].ID)); err == nil {
		t.Fatal("revoking twice succeeded")
	}
	d := startNode(t, clock)
	d.mustCLI("admin", "partner", "link", revoked)
	drain(t, a, d)
	if s := stateOf(t, a, d.org().IRI); s != shrooms.PartnerPendingIn {
		t.Fatalf("a revoked invite: A sees D as %q, want pending-in", s)
	}
}

// TestPartnerRequestWithoutInvite: C asks without an invite and waits in
// A's follow-request queue; approved, both end linked. Another C asks and
// is rejected: its follow is rejected and nothing is linked.
func TestPartnerRequestWithoutInvite(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, c, c2 := startNode(t, clock), startNode(t, clock), startNode(t, clock)
	c.mustCLI("admin", "partner", "link", a.acct())
	c2.mustCLI("admin", "partner", "link", a.org().IRI)
	drain(t, a, c, c2)
	if s := stateOf(t, a, c.org().IRI); s != shrooms.PartnerPendingIn {
		t.Fatalf("A sees C as %q, want pending-in", s)
	}
	if s := stateOf(t, c, a.org().IRI); s != shrooms.PartnerPendingOut {
		t.Fatalf("C sees A as %q, want pending-out", s)
	}
	list := a.mustCLI("admin", "follow-requests", "list")
	if !strings.Contains(list, c.acct()) || !strings.Contains(list, c2.acct()) {
		t.Fatalf("follow-requests:\n%s", list)
	}
	byFollower := map[string]int64{}
	for _, f := range a.follows(true, shrooms.FollowPending) {
		byFollower[f.Follower.IRI] = f.ID
	}
	if out := a.mustCLI("admin", "follow-requests", "approve", itoa(byFollower[c.org().IRI])); !strings.Contains(out, "follows it back") {
		t.Fatalf("approve says %q", out)
	}
	a.mustCLI("admin", "follow-requests", "reject", itoa(byFollower[c2.org().IRI]))
	drain(t, a, c, c2)

	if sa, sc := stateOf(t, a, c.org().IRI), stateOf(t, c, a.org().IRI); sa != shrooms.PartnerLinked || sc != shrooms.PartnerLinked {
		t.Fatalf("after approval: A sees C %q, C sees A %q; want linked", sa, sc)
	}
	if fs := a.follows(false, shrooms.FollowAccepted); len(fs) != 1 || fs[0].Followee.IRI != c.org().IRI {
		t.Fatalf("A did not follow C back: %+v", a.follows(false, ""))
	}
	if fs := c2.follows(false, shrooms.FollowRejected); len(fs) != 1 {
		t.Fatalf("C2's follow after rejection: %+v", c2.follows(false, ""))
	}
	if s := stateOf(t, c2, a.org().IRI); s == shrooms.PartnerLinked {
		t.Fatal("C2 sees A linked after a rejection")
	}
	if s := stateOf(t, a, c2.org().IRI); s == shrooms.PartnerLinked || s == shrooms.PartnerPendingIn {
		t.Fatalf("A sees C2 as %q after rejecting it", s)
	}
	if fs := a.follows(false, ""); len(fs) != 1 {
		t.Fatalf("A follows %d organisations, want only C", len(fs))
	}
}

// TestPartnerSharingPolicy: A shares inventory with B and nothing with C.
// A's partners-only item reaches B (cache, search) and never C: not by
// delivery, not by signed fetch, not by search. A public item reaches both.
func TestPartnerSharingPolicy(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock), startNode(t, clock)
	linkByInvite(t, a, b, a, b, c)
	linkByInvite(t, a, c, a, b, c)
	if out := a.mustCLI("admin", "partner", "share", b.acct(), "--modules", "inventory"); !strings.Contains(out, "inventory") {
		t.Fatalf("share with B: %s", out)
	}
	a.mustCLI("admin", "partner", "share", c.org().IRI, "--modules", "")
	drain(t, a, b, c)
	if p := partnerOf(t, a, c.org().IRI); len(p.Modules) != 0 {
		t.Fatalf("C's policy: %v, want nothing", p.Modules)
	}
	seenByC := len(inboxActivities(t, c))

	secret := newItem(t, a, "Thermal camera", shrooms.AudiencePartners)
	public := newItem(t, a, "Thermal printer", shrooms.AudiencePublic)
	drain(t, a, b, c)

	if o := cached(t, b, secret.IRI); o == nil || o.Name != "Thermal camera" || o.Public {
		t.Fatalf("B's cache of the partners item: %+v", o)
	}
	for _, n := range []*testNode{b, c} {
		if o := cached(t, n, public.IRI); o == nil || !o.Public {
			t.Fatalf("%s's cache of the public item: %+v", n.addr, o)
		}
	}
	// C: not delivered, not cached.
	for _, act := range newActivities(t, c, seenByC) {
		if act.Object == secret.IRI || (act.Item != nil && act.Item.IRI == secret.IRI) || strings.Contains(string(act.Raw), "Thermal camera") {
			t.Fatalf("C received %s of the partners item", act.Type)
		}
	}
	if o := cached(t, c, secret.IRI); o != nil {
		t.Fatalf("C caches the partners item: %+v", o)
	}
	// Fetch: B's signed GET gets it, C's signed GET and anyone's plain GET
	// get 404 (not 403: its existence does not leak).
	if status, body := orgSigner(t, b).get(secret.IRI); status != http.StatusOK || !strings.Contains(body, "Thermal camera") {
		t.Fatalf("B's signed fetch: %d %s", status, body)
	}
	if status, body := orgSigner(t, c).get(secret.IRI); status != http.StatusNotFound || strings.Contains(body, "Thermal camera") {
		t.Fatalf("C's signed fetch: %d %s", status, body)
	}
	if status, _, body := a.get("/items/"+itoa(secret.ID), "application/activity+json"); status != http.StatusNotFound || strings.Contains(string(body), "Thermal camera") {
		t.Fatalf("unsigned fetch: %d %s", status, body)
	}
	// Its Create, fetched by its IRI: the same readers, the same answers.
	create := secretCreate(t, a, secret.IRI)
	if status, body := orgSigner(t, b).get(create); status != http.StatusOK || !strings.Contains(body, `"Create"`) {
		t.Fatalf("B's signed fetch of the Create: %d %s", status, body)
	}
	if status, body := orgSigner(t, c).get(create); status != http.StatusNotFound || strings.Contains(body, "Create") {
		t.Fatalf("C's signed fetch of the Create: %d %s", status, body)
	}
	if status, _, body := a.get(strings.TrimPrefix(create, a.url()), "application/activity+json"); status != http.StatusNotFound {
		t.Fatalf("unsigned fetch of the Create: %d %s", status, body)
	}
	// Nor in public collections or pages.
	for _, path := range []string{"/actors/org/outbox?page=1", "/actors/org/outbox", "/items/" + itoa(secret.ID)} {
		if _, _, body := a.get(path, "text/html, application/activity+json"); strings.Contains(string(body), "Thermal camera") {
			t.Fatalf("anonymous GET %s shows the partners item", path)
		}
	}
	// Search: B's member finds it, held by A; C's member does not.
	hits := search(t, b, memberToken(t, b, "bea"), "thermal")
	if !found(hits, secret.IRI) || !found(hits, public.IRI) {
		t.Fatalf("B's search: %+v", hits)
	}
	for _, h := range hits {
		if h.IRI == secret.IRI && (h.Organization.Acct != a.acct() || h.Organization.Local) {
			t.Fatalf("B's hit is not held by A: %+v", h)
		}
	}
	tokenC := memberToken(t, c, "cid")
	if hits := search(t, c, tokenC, "thermal"); found(hits, secret.IRI) || !found(hits, public.IRI) {
		t.Fatalf("C's search: %+v", hits)
	}
	if hits := search(t, c, tokenC, "camera"); len(hits) != 0 {
		t.Fatalf("C's search for camera: %+v", hits)
	}

	// The policy changes: sharing inventory with C sends it the item,
	// sharing nothing again withdraws it. Versions are ordered by time, so
	// these go through the store on the nodes' test clock (the CLI runs on
	// the real one, behind it) and time passes between them.
	aC, err := a.m.DB.Actors.FindActorByIRI(systemCtx, c.org().IRI)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := a.m.DB.Partners.SetPartnerModules(systemCtx, aC.ID, []string{"inventory", "stock"}); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b, c)
	if o := cached(t, c, secret.IRI); o == nil {
		t.Fatal("C did not receive the item once inventory was shared with it")
	}
	clock.Advance(time.Minute)
	if _, err := a.m.DB.Partners.SetPartnerModules(systemCtx, aC.ID, nil); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b, c)
	if o := cached(t, c, secret.IRI); o != nil {
		t.Fatalf("C keeps the item after the policy withdrew it: %+v", o)
	}
	if hits := search(t, c, tokenC, "camera"); len(hits) != 0 {
		t.Fatalf("C's search after the withdrawal: %+v", hits)
	}
	if o := cached(t, b, secret.IRI); o == nil {
		t.Fatal("B lost the item when C's policy changed")
	}
}

// TestPartnerUnlink: A unlinks B; B's cache holds none of A's objects and
// neither side is linked or following any more.
func TestPartnerUnlink(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	linkByInvite(t, a, b, a, b)
	a.mustCLI("admin", "partner", "share", b.acct(), "--modules", "inventory")
	newItem(t, a, "Soldering station", shrooms.AudiencePartners)
	newItem(t, a, "Oscilloscope", shrooms.AudiencePublic)
	mine := newItem(t, b, "Bench vice", shrooms.AudiencePublic)
	drain(t, a, b)
	if k := cachedCount(t, b, a.org().IRI); k != 2 {
		t.Fatalf("B caches %d of A's objects, want 2", k)
	}
	if o := cached(t, a, mine.IRI); o == nil {
		t.Fatal("A does not cache B's public item")
	}

	// By the ID that 'admin partner list' shows.
	out := a.mustCLI("admin", "partner", "unlink", itoa(partnerOf(t, a, b.org().IRI).Actor.ID))
	if !strings.Contains(out, "unlinked") {
		t.Fatalf("unlink: %s", out)
	}
	drain(t, a, b)
	if k := cachedCount(t, b, a.org().IRI); k != 0 {
		t.Fatalf("B still caches %d of A's objects", k)
	}
	if k := cachedCount(t, a, b.org().IRI); k != 0 {
		t.Fatalf("A still caches %d of B's objects", k)
	}
	for _, n := range []*testNode{a, b} {
		other := a
		if n == a {
			other = b
		}
		if s := stateOf(t, n, other.org().IRI); s == shrooms.PartnerLinked {
			t.Fatalf("%s still linked", n.addr)
		}
		if fs := n.follows(false, shrooms.FollowAccepted); len(fs) != 0 {
			t.Fatalf("%s still follows: %+v", n.addr, fs)
		}
		if fs := n.follows(true, shrooms.FollowAccepted); len(fs) != 0 {
			t.Fatalf("%s still followed: %+v", n.addr, fs)
		}
	}
	if hits := search(t, b, memberToken(t, b, "bea"), "soldering"); len(hits) != 0 {
		t.Fatalf("B's search after unlinking: %+v", hits)
	}
}

// TestPartnerBlock: A blocks C: a Block reaches C, both caches are
// purged, and C's traffic is refused from then on.
func TestPartnerBlock(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, c := startNode(t, clock), startNode(t, clock)
	linkByInvite(t, a, c, a, c)
	a.mustCLI("admin", "partner", "share", c.acct(), "--modules", "inventory")
	newItem(t, a, "Pipe bender", shrooms.AudiencePartners)
	newItem(t, c, "Tile cutter", shrooms.AudiencePublic)
	drain(t, a, c)
	if cachedCount(t, c, a.org().IRI) != 1 || cachedCount(t, a, c.org().IRI) != 1 {
		t.Fatal("caches not filled before the block")
	}
	seen := len(inboxActivities(t, c))

	a.mustCLI("admin", "partner", "block", c.acct())
	drain(t, a, c)
	if s := stateOf(t, a, c.org().IRI); s != shrooms.PartnerBlocked {
		t.Fatalf("A sees C as %q, want blocked", s)
	}
	blocked := false
	for _, act := range newActivities(t, c, seen) {
		blocked = blocked || (act.Type == shrooms.ActivityBlock && act.Actor == a.org().IRI)
	}
	if !blocked {
		t.Fatal("C received no Block")
	}
	if k := cachedCount(t, a, c.org().IRI); k != 0 {
		t.Fatalf("A keeps %d of C's objects", k)
	}
	if k := cachedCount(t, c, a.org().IRI); k != 0 {
		t.Fatalf("C keeps %d of A's objects", k)
	}
	if ok, err := a.m.DB.Partners.Blocked(systemCtx, c.org().IRI); err != nil || !ok {
		t.Fatalf("Blocked(C) = %v %v", ok, err)
	}

	// C's signed traffic is refused: an activity POSTed to A's inbox, a
	// new partnership request.
	status, _ := orgSigner(t, c).post(a.url()+"/inbox", []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"`+c.org().IRI+`/activities/x1","type":"Follow","actor":"`+c.org().IRI+`","object":"`+a.org().IRI+`"}`), signOpts{})
	if status == http.StatusAccepted || status < 400 {
		t.Fatalf("A's inbox took C's Follow: %d", status)
	}
	c.cli("admin", "partner", "link", a.acct()) // may be refused at once
	drain(t, a, c)
	if s := stateOf(t, a, c.org().IRI); s != shrooms.PartnerBlocked {
		t.Fatalf("after C asked again A sees it as %q", s)
	}
	if reqs := a.follows(true, ""); len(reqs) != 0 {
		t.Fatalf("A has follows from C: %+v", reqs)
	}

	// Unblocking lifts the block without linking again.
	a.mustCLI("admin", "partner", "unblock", c.acct())
	drain(t, a, c)
	if s := stateOf(t, a, c.org().IRI); s == shrooms.PartnerBlocked || s == shrooms.PartnerLinked {
		t.Fatalf("after unblock A sees C as %q", s)
	}
}

// secretCreate returns the IRI of node n's Create of the item objectIRI.
func secretCreate(t *testing.T, n *testNode, objectIRI string) string {
	t.Helper()
	entries, _, err := n.m.DB.Outbox.FindOutboxEntries(systemCtx, shrooms.OutboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Activity.Type == "Create" && (e.Activity.Object == objectIRI || e.Activity.Item != nil && e.Activity.Item.IRI == objectIRI) {
			return e.Activity.IRI
		}
	}
	t.Fatalf("no Create of %s in the outbox", objectIRI)
	return ""
}

package e2e

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// inviteURLRe finds the invite URL in the read-only field of the page that
// shows a new invite.
var inviteURLRe = regexp.MustCompile(`id="invite-url"[^>]*value="([^"]+)"`)

// createInviteWeb makes a partner invite through A's page and returns
// its URL, which that answer alone shows.
func createInviteWeb(t *testing.T, admin *webClient, note string) string {
	t.Helper()
	p := admin.post("/admin/partner-invites", url.Values{"note": {note}, "days": {"3"}})
	if p.Status != http.StatusCreated || !p.Has("copy-invite") {
		t.Fatalf("create invite: %d\n%s", p.Status, p.Body)
	}
	m := inviteURLRe.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no invite URL on the page:\n%s", p.Body)
	}
	return html.UnescapeString(m[1])
}

// partnerSeen returns the partner with this organisation's actor as n sees
// it; ok is false when n has no such partner.
func partnerSeen(t *testing.T, n, other *testNode) (*shrooms.Partner, bool) {
	t.Helper()
	actor, err := n.m.DB.Actors.FindActorByIRI(systemCtx, other.org().IRI)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	p, err := n.m.DB.Partners.FindPartner(systemCtx, actor.ID)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, true
}

// partnerCard returns the part of the partners page about one partner.
func partnerCard(t *testing.T, body string, actorID int64) string {
	t.Helper()
	start := strings.Index(body, `id="partner-`+strconv.FormatInt(actorID, 10)+`"`)
	if start < 0 {
		t.Fatalf("no card of partner %d on the page:\n%s", actorID, body)
	}
	end := strings.Index(body[start:], "</article>")
	if end < 0 {
		t.Fatal("partner card does not end")
	}
	return body[start : start+end]
}

// TestPartnersWeb: A's admin creates an invite in the web UI, B's admin
// pastes it, and after the queues ran both pages say linked; the sharing
// policy is saved; bad URLs are refused with a message and change
// nothing; a request without a valid invite waits for A's approval;
// unlinking asks first, then ends the partnership on both sides.
func TestPartnersWeb(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	adminA, adminB := loginAs(t, a, "admin", adminPassword), loginAs(t, b, "admin", adminPassword)

	p := adminA.get("/admin/partners")
	if p.Status != 200 || !p.Has(`href="/admin/partners"`) || !p.Has("No partner yet") {
		t.Fatalf("empty partners page: %d\n%s", p.Status, p.Body)
	}
	invite := createInviteWeb(t, adminA, "Repair café B")
	if !strings.HasPrefix(invite, a.org().IRI+"#invite=") {
		t.Fatalf("invite URL %q is not A's actor with #invite=", invite)
	}
	p = adminA.get("/admin/partners")
	if !p.Has("Repair café B") || !p.Has("Valid") || strings.Contains(p.Body, invite) {
		t.Fatalf("A's invites list should show the valid invite, never its URL again:\n%s", p.Body)
	}

	t.Run("bad invite URLs", func(t *testing.T) {
		for _, tc := range []struct{ name, url, msg string }{
			{"empty", "", "Paste the invite URL"},
			{"not a URL", "org@example.org", "An invite URL starts with https://"},
			{"no token", a.org().IRI, "This is not an invite URL"},
		} {
			p := adminB.post("/admin/partners/link", url.Values{"url": {tc.url}})
			if p.Status != http.StatusUnprocessableEntity || !p.Has(`role="alert"`) || !p.Has(tc.msg) {
				t.Errorf("%s: %d, want 422 with %q:\n%s", tc.name, p.Status, tc.msg, p.Body)
			}
		}
		if ps, err := b.m.DB.Partners.FindPartners(systemCtx, shrooms.PartnerFilter{}); err != nil || len(ps) != 0 {
			t.Fatalf("B partners after refused links: %v %v", ps, err)
		}
		if q := b.queue(); q.OutboxUnpublished != 0 || q.DeliveriesPending != 0 {
			t.Fatalf("B queued something for a refused link: %+v", q)
		}
	})

	p = adminB.post("/admin/partners/link", url.Values{"url": {invite}})
	if p.Status != 200 || p.Path != "/admin/partners" || !p.Has("The link request was sent") || !p.Has("partner-state-pending-out") {
		t.Fatalf("link: %d %s\n%s", p.Status, p.Path, p.Body)
	}
	drain(t, a, b)
	pa, ok := partnerSeen(t, a, b)
	if !ok || pa.State != shrooms.PartnerLinked {
		t.Fatalf("A's partner B: %+v", pa)
	}
	pb, ok := partnerSeen(t, b, a)
	if !ok || pb.State != shrooms.PartnerLinked {
		t.Fatalf("B's partner A: %+v", pb)
	}
	for _, c := range []struct {
		w  *webClient
		id int64
	}{{adminA, pa.Actor.ID}, {adminB, pb.Actor.ID}} {
		p := c.w.get("/admin/partners")
		if card := partnerCard(t, p.Body, c.id); !strings.Contains(card, "partner-state-linked") || !strings.Contains(card, ">Linked<") {
			t.Errorf("%s partners page does not say linked:\n%s", c.w.n.addr, card)
		}
	}
	if p := adminA.get("/admin/partners"); !p.Has("Used by") || p.Has(">Valid<") {
		t.Errorf("A's invite should be used now:\n%s", p.Body)
	}
	// Linking again is a conflict, told in the form.
	if p := adminB.post("/admin/partners/link", url.Values{"url": {invite}}); p.Status != http.StatusConflict || !p.Has(`role="alert"`) || !p.Has("already linked") {
		t.Errorf("link twice: %d, want 409 with a message\n%s", p.Status, p.Body)
	}
	// In French, the page speaks French.
	adminA.lang = "fr"
	if p := adminA.get("/admin/partners"); !p.Has("Partenariats") || !p.Has("Liée") || !p.Has("Inviter un partenaire") {
		t.Errorf("French partners page:\n%s", p.Body)
	}
	adminA.lang = "en"

	t.Run("sharing policy", func(t *testing.T) {
		path := "/admin/partners/" + strconv.FormatInt(pa.Actor.ID, 10) + "/modules"
		p := adminA.post(path, url.Values{"modules": {"inventory", "stock"}})
		if p.Status != 200 || !p.Has("The sharing policy was saved") {
			t.Fatalf("save policy: %d\n%s", p.Status, p.Body)
		}
		got, _ := partnerSeen(t, a, b)
		if !slices.Equal(got.Modules, []string{"inventory", "stock"}) {
			t.Fatalf("policy = %v, want inventory and stock", got.Modules)
		}
		card := partnerCard(t, adminA.get("/admin/partners").Body, pa.Actor.ID)
		for _, m := range shrooms.SharedModules {
			box := regexp.MustCompile(`id="policy-\d+-` + m + `"[^>]*>`).FindString(card)
			if box == "" {
				t.Fatalf("no %s checkbox:\n%s", m, card)
			}
			if want := m == "inventory" || m == "stock"; strings.Contains(box, "checked") != want {
				t.Errorf("%s checkbox %q, want checked=%v", m, box, want)
			}
		}
		adminA.post(path, url.Values{"modules": {"stock"}})
		if got, _ := partnerSeen(t, a, b); !slices.Equal(got.Modules, []string{"stock"}) {
			t.Fatalf("policy = %v, want stock", got.Modules)
		}
		if p := adminA.post(path, url.Values{"modules": {"secrets"}}); p.Status != http.StatusBadRequest {
			t.Errorf("unknown module: %d, want 400", p.Status)
		}
		if got, _ := partnerSeen(t, a, b); !slices.Equal(got.Modules, []string{"stock"}) {
			t.Fatalf("policy after a refused change = %v, want stock", got.Modules)
		}
	})

	t.Run("resync", func(t *testing.T) {
		p := adminA.post("/admin/partners/"+strconv.FormatInt(pa.Actor.ID, 10)+"/sync", nil)
		if p.Status != 200 || !p.Has("A new sync of this partner") {
			t.Fatalf("resync: %d\n%s", p.Status, p.Body)
		}
	})

	t.Run("members may not", func(t *testing.T) {
		createUser(t, a, "mia", shrooms.RoleMember, memberPassword)
		mia := loginAs(t, a, "mia", memberPassword)
		if p := mia.get("/admin/partners"); p.Status != http.StatusForbidden || p.Has("Invite a partner") {
			t.Errorf("member GET /admin/partners: %d", p.Status)
		}
		if p := mia.post("/admin/partner-invites", url.Values{"note": {"mine"}}); p.Status != http.StatusForbidden {
			t.Errorf("member creates an invite: %d", p.Status)
		}
		if p := mia.post("/admin/partners/"+strconv.FormatInt(pa.Actor.ID, 10)+"/unlink", nil); p.Status != http.StatusForbidden {
			t.Errorf("member unlinks: %d", p.Status)
		}
		if invs, _ := a.m.DB.Partners.FindPartnerInvites(systemCtx); len(invs) != 1 {
			t.Errorf("invites after the member's tries: %d, want 1", len(invs))
		}
		if got, _ := partnerSeen(t, a, b); got.State != shrooms.PartnerLinked {
			t.Errorf("B is %s after the member's tries, want linked", got.State)
		}
	})

	t.Run("unlink", func(t *testing.T) {
		path := "/admin/partners/" + strconv.FormatInt(pb.Actor.ID, 10) + "/unlink"
		p := adminB.get(path)
		if p.Status != 200 || !p.Has("End a partnership") || !p.Has(`action="`+path+`"`) {
			t.Fatalf("unlink confirmation: %d\n%s", p.Status, p.Body)
		}
		if got, _ := partnerSeen(t, b, a); got.State != shrooms.PartnerLinked {
			t.Fatal("the confirmation page unlinked already")
		}
		p = adminB.post(path, nil)
		if p.Status != 200 || !p.Has("The partnership was ended") {
			t.Fatalf("unlink: %d\n%s", p.Status, p.Body)
		}
		drain(t, a, b)
		for _, c := range []struct{ n, other *testNode }{{a, b}, {b, a}} {
			if got, ok := partnerSeen(t, c.n, c.other); ok && got.State == shrooms.PartnerLinked {
				t.Errorf("%s still linked after unlinking", c.n.addr)
			}
		}
		if card := adminB.get("/admin/partners").Body; strings.Contains(card, "partner-state-linked") {
			t.Errorf("B's page still shows a linked partner")
		}
	})
}

// TestPartnersWebApproval: a link whose invite was revoked reaches A as a
// request, which A's page shows as waiting and A's admin approves.
func TestPartnersWebApproval(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	adminA, adminB := loginAs(t, a, "admin", adminPassword), loginAs(t, b, "admin", adminPassword)

	invite := createInviteWeb(t, adminA, "revoked before use")
	invs, err := a.m.DB.Partners.FindPartnerInvites(systemCtx)
	if err != nil || len(invs) != 1 {
		t.Fatalf("invites: %v %v", invs, err)
	}
	revoke := "/admin/partner-invites/" + strconv.FormatInt(invs[0].ID, 10) + "/revoke"
	if p := adminA.post(revoke, nil); p.Status != 200 || !p.Has("The invite was revoked") || !p.Has("Revoked") {
		t.Fatalf("revoke: %d\n%s", p.Status, p.Body)
	}
	if p := adminA.post(revoke, nil); p.Status != http.StatusConflict {
		t.Errorf("revoke twice: %d, want 409", p.Status)
	}

	if p := adminB.post("/admin/partners/link", url.Values{"url": {invite}}); p.Status != 200 {
		t.Fatalf("link: %d\n%s", p.Status, p.Body)
	}
	drain(t, a, b)
	pa, ok := partnerSeen(t, a, b)
	if !ok || pa.State != shrooms.PartnerPendingIn {
		t.Fatalf("A's partner B: %+v, want pending-in", pa)
	}
	id := strconv.FormatInt(pa.Actor.ID, 10)
	card := partnerCard(t, adminA.get("/admin/partners").Body, pa.Actor.ID)
	if !strings.Contains(card, "Waiting for you") || !strings.Contains(card, `/admin/partners/`+id+`/approve`) {
		t.Fatalf("A's card of B:\n%s", card)
	}
	if card := adminB.get("/admin/partners").Body; !strings.Contains(card, "Waiting for them") {
		t.Fatalf("B's page:\n%s", card)
	}
	if p := adminA.post("/admin/partners/"+id+"/approve", nil); p.Status != 200 || !p.Has("The request was approved") {
		t.Fatalf("approve: %d\n%s", p.Status, p.Body)
	}
	drain(t, a, b)
	for _, c := range []struct{ n, other *testNode }{{a, b}, {b, a}} {
		if got, ok := partnerSeen(t, c.n, c.other); !ok || got.State != shrooms.PartnerLinked {
			t.Errorf("%s: partner %+v, want linked", c.n.addr, got)
		}
	}
	if p := adminA.post("/admin/partners/"+id+"/approve", nil); p.Status != http.StatusConflict {
		t.Errorf("approve a linked partner: %d, want 409", p.Status)
	}

	// Block, then unblock, each after a confirmation.
	if p := adminA.get("/admin/partners/" + id + "/block"); p.Status != 200 || !p.Has("Block this organisation") {
		t.Fatalf("block confirmation: %d\n%s", p.Status, p.Body)
	}
	if p := adminA.post("/admin/partners/"+id+"/block", nil); p.Status != 200 || !p.Has("The organisation is blocked") {
		t.Fatalf("block: %d\n%s", p.Status, p.Body)
	}
	if got, _ := partnerSeen(t, a, b); got.State != shrooms.PartnerBlocked {
		t.Fatalf("after block: %s", got.State)
	}
	if card := partnerCard(t, adminA.get("/admin/partners").Body, pa.Actor.ID); !strings.Contains(card, "partner-state-blocked") || !strings.Contains(card, "/unblock") {
		t.Fatalf("blocked card:\n%s", card)
	}
	if p := adminA.post("/admin/partners/"+id+"/unblock", nil); p.Status != 200 || !p.Has("no longer blocked") {
		t.Fatalf("unblock: %d\n%s", p.Status, p.Body)
	}
	if got, ok := partnerSeen(t, a, b); ok && got.State == shrooms.PartnerBlocked {
		t.Fatalf("still blocked after unblock")
	}
}

// TestPartnersAPI: the same handshake, policy, resync, block and unlink
// through /api/v1, with 4xx and nothing changed on bad input, and 403 for
// members.
func TestPartnersAPI(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	tokenA := strings.TrimSpace(a.mustCLI("admin", "token", "create", "--user", "admin"))
	tokenB := strings.TrimSpace(b.mustCLI("admin", "token", "create", "--user", "admin"))

	for _, bad := range []map[string]any{{"expires_in_days": 0}, {"expires_in_days": 91}, {"note": "x", "token": "mine"}} {
		if status, body := a.api("POST", "/api/v1/partner-invites", tokenA, bad); status != 400 || body["error"] == "" {
			t.Errorf("invite %v: %d %v, want 400 with a message", bad, status, body)
		}
	}
	status, body := a.api("POST", "/api/v1/partner-invites", tokenA, map[string]any{"note": "B", "expires_in_days": 5})
	inv, _ := body["invite"].(map[string]any)
	invite, _ := body["url"].(string)
	if status != 201 || inv["state"] != "valid" || inv["note"] != "B" || !strings.HasPrefix(invite, a.org().IRI+"#invite=") {
		t.Fatalf("create invite: %d %v", status, body)
	}
	if status, body := a.api("GET", "/api/v1/partner-invites", tokenA, nil); status != 200 || body["total"] != 1.0 {
		t.Fatalf("invites: %d %v", status, body)
	}

	for _, bad := range []string{"", "ftp://x/actors/org#invite=abc", a.org().IRI} {
		if status, body := b.api("POST", "/api/v1/partners/link", tokenB, map[string]string{"url": bad}); status != 400 || body["error"] == "" {
			t.Errorf("link %q: %d %v, want 400", bad, status, body)
		}
	}
	if status, body := b.api("GET", "/api/v1/partners", tokenB, nil); status != 200 || body["total"] != 0.0 {
		t.Fatalf("B partners after bad links: %d %v", status, body)
	}
	status, body = b.api("POST", "/api/v1/partners/link", tokenB, map[string]string{"url": invite})
	if status != 201 || body["state"] != "pending-out" || body["iri"] != a.org().IRI || body["acct"] != a.acct() {
		t.Fatalf("link: %d %v", status, body)
	}
	if status, _ := b.api("POST", "/api/v1/partners/link", tokenB, map[string]string{"url": invite}); status != 409 {
		t.Errorf("link again: %d, want 409", status)
	}
	drain(t, a, b)

	status, body = a.api("GET", "/api/v1/partners?state=linked", tokenA, nil)
	items, _ := body["items"].([]any)
	if status != 200 || len(items) != 1 {
		t.Fatalf("A linked partners: %d %v", status, body)
	}
	pb := items[0].(map[string]any)
	if pb["iri"] != b.org().IRI || pb["state"] != "linked" || pb["sync"] == nil || pb["modules"] == nil {
		t.Fatalf("A's partner B: %v", pb)
	}
	id := strconv.FormatInt(int64(pb["id"].(float64)), 10)
	if status, body := b.api("GET", "/api/v1/partners", tokenB, nil); status != 200 || !strings.Contains(toJSON(body), `"state":"linked"`) {
		t.Fatalf("B partners: %d %v", status, body)
	}
	if status, _ := a.api("GET", "/api/v1/partners?state=friends", tokenA, nil); status != 400 {
		t.Errorf("bad state filter: %d", status)
	}

	// The policy.
	status, body = a.api("PATCH", "/api/v1/partners/"+id, tokenA, map[string]any{"modules": []string{"stock", "inventory"}})
	if status != 200 || toJSON(body["modules"]) != `["inventory","stock"]` {
		t.Fatalf("set modules: %d %v", status, body)
	}
	for _, bad := range []map[string]any{{"modules": []string{"secrets"}}, {}, {"mods": []string{}}} {
		if status, _ := a.api("PATCH", "/api/v1/partners/"+id, tokenA, bad); status != 400 {
			t.Errorf("modules %v: %d, want 400", bad, status)
		}
	}
	if status, body := a.api("GET", "/api/v1/partners/"+id, tokenA, nil); status != 200 || toJSON(body["modules"]) != `["inventory","stock"]` {
		t.Fatalf("modules after refused changes: %d %v", status, body)
	}
	if status, _ := a.api("GET", "/api/v1/partners/999999", tokenA, nil); status != 404 {
		t.Errorf("unknown partner: %d", status)
	}
	if status, body := a.api("POST", "/api/v1/partners/"+id+"/sync", tokenA, nil); status != 202 || body["id"] == nil {
		t.Errorf("sync: %d %v", status, body)
	}

	// Members may not.
	createUser(t, a, "mia", shrooms.RoleMember, memberPassword)
	memberToken := strings.TrimSpace(a.mustCLI("admin", "token", "create", "--user", "mia"))
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/partners"}, {"GET", "/api/v1/partners/" + id}, {"DELETE", "/api/v1/partners/" + id},
		{"POST", "/api/v1/partners/" + id + "/block"}, {"GET", "/api/v1/partner-invites"},
	} {
		if status, _ := a.api(c.method, c.path, memberToken, nil); status != 403 {
			t.Errorf("member %s %s: %d, want 403", c.method, c.path, status)
		}
	}
	if status, _ := a.api("POST", "/api/v1/partner-invites", memberToken, map[string]string{"note": "x"}); status != 403 {
		t.Errorf("member invite: %d", status)
	}

	// Revoke an invite, once.
	_, body = a.api("POST", "/api/v1/partner-invites", tokenA, map[string]string{"note": "C"})
	invID := strconv.FormatInt(int64(body["invite"].(map[string]any)["id"].(float64)), 10)
	if status, _ := a.api("DELETE", "/api/v1/partner-invites/"+invID, tokenA, nil); status != 204 {
		t.Errorf("revoke: %d", status)
	}
	if status, _ := a.api("DELETE", "/api/v1/partner-invites/"+invID, tokenA, nil); status != 409 {
		t.Errorf("revoke twice: %d, want 409", status)
	}

	// Block and unblock, then unlink.
	if status, _ := a.api("POST", "/api/v1/partners/"+id+"/block", tokenA, nil); status != 204 {
		t.Fatalf("block: %d", status)
	}
	if _, body := a.api("GET", "/api/v1/partners/"+id, tokenA, nil); body["state"] != "blocked" {
		t.Fatalf("after block: %v", body)
	}
	if status, _ := a.api("DELETE", "/api/v1/partners/"+id+"/block", tokenA, nil); status != 204 {
		t.Fatalf("unblock: %d", status)
	}
	if status, _ := a.api("DELETE", "/api/v1/partners/"+id+"/block", tokenA, nil); status != 409 && status != 404 {
		t.Errorf("unblock twice: %d, want 409 (or 404 when the partner is gone)", status)
	}
	drain(t, a, b)

	// B links again with a new invite, then A unlinks.
	_, body = a.api("POST", "/api/v1/partner-invites", tokenA, map[string]string{"note": "B again"})
	if status, body := b.api("POST", "/api/v1/partners/link", tokenB, map[string]any{"url": body["url"]}); status != 201 {
		t.Fatalf("link again: %d %v", status, body)
	}
	drain(t, a, b)
	if _, body := a.api("GET", "/api/v1/partners/"+id, tokenA, nil); body["state"] != "linked" {
		t.Fatalf("relinked: %v", body)
	}
	if status, _ := a.api("DELETE", "/api/v1/partners/"+id, tokenA, nil); status != 204 {
		t.Fatalf("unlink: %d", status)
	}
	drain(t, a, b)
	for _, c := range []struct {
		n     *testNode
		token string
	}{{a, tokenA}, {b, tokenB}} {
		if _, body := c.n.api("GET", "/api/v1/partners?state=linked", c.token, nil); body["total"] != 0.0 {
			t.Errorf("%s linked partners after unlink: %v", c.n.addr, body)
		}
	}
}

// toJSON renders v as compact JSON, for comparisons.
func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestDefaultAudienceWeb: the settings page sets the default audience of
// inventory and stock, a bad one is refused with nothing changed, and the
// new item form starts on the inventory's default.
func TestDefaultAudienceWeb(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	w := loginAs(t, n, "admin", adminPassword)
	checked := regexp.MustCompile(`id="audience-(\w+)" value="\w+" checked`)
	if m := checked.FindStringSubmatch(w.get("/items/new").Body); m == nil || m[1] != "members" {
		t.Fatalf("new item form starts on %v, want members", m)
	}
	p := w.get("/admin/settings")
	if !p.Has(`name="default_audience_inventory"`) || !p.Has(`name="default_audience_stock"`) {
		t.Fatalf("settings page has no default audience selects:\n%s", p.Body)
	}
	form := settingsForm("Node", shrooms.Modules...)
	form.Set("default_audience_inventory", "partners")
	form.Set("default_audience_stock", "staff")
	if p := w.post("/admin/settings", form); p.Status != 200 || !p.Has(`<option value="partners" selected>`) {
		t.Fatalf("save default audiences: %d\n%s", p.Status, p.Body)
	}
	st, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	if st.DefaultAudience("inventory") != shrooms.AudiencePartners || st.DefaultAudience("stock") != shrooms.AudienceStaff {
		t.Fatalf("default audiences = %v", st.DefaultAudiences)
	}
	form.Set("default_audience_inventory", "everyone")
	if p := w.post("/admin/settings", form); p.Status != http.StatusBadRequest || !p.Has(`role="alert"`) || !p.Has("Default audience of the inventory") {
		t.Errorf("bad audience: %d, want 400 with a message", p.Status)
	}
	if st, _ := n.m.DB.Settings.FindSettings(systemCtx); st.DefaultAudience("inventory") != shrooms.AudiencePartners {
		t.Errorf("a refused form changed the default to %s", st.DefaultAudience("inventory"))
	}
	if m := checked.FindStringSubmatch(w.get("/items/new").Body); m == nil || m[1] != "partners" {
		t.Fatalf("new item form starts on %v, want partners", m)
	}
}

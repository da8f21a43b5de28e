package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// Federation of partnerships seen from the wire: signed fetches of
// partners-only items, the shared collection, and what deliveries do to
// the partner's cache. (The three-node scenarios through the CLI are in
// partners_test.go.)

// fpLink links b to a with an invite made in a's store, and drains.
func fpLink(t *testing.T, a, b *testNode, all ...*testNode) {
	t.Helper()
	_, token, err := a.m.DB.Partners.CreatePartnerInvite(systemCtx, 0, "fp")
	if err != nil {
		t.Fatal(err)
	}
	remote, err := b.m.Fed.ResolveActor(systemCtx, a.org().IRI)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.m.DB.Partners.LinkPartner(systemCtx, remote.ID, token); err != nil {
		t.Fatal(err)
	}
	drain(t, all...)
	for _, pair := range [][2]*testNode{{a, b}, {b, a}} {
		if p := partnerOf(t, pair[0], pair[1].org().IRI); p == nil || p.State != shrooms.PartnerLinked {
			t.Fatalf("%s sees %s as %+v, want linked", pair[0].addr, pair[1].addr, p)
		}
	}
}

// fpShare sets n's sharing policy for other.
func fpShare(t *testing.T, n, other *testNode, modules ...string) {
	t.Helper()
	p := partnerOf(t, n, other.org().IRI)
	if _, err := n.m.DB.Partners.SetPartnerModules(systemCtx, p.Actor.ID, modules); err != nil {
		t.Fatal(err)
	}
}

// fpItem creates an item on n as the system.
func fpItem(t *testing.T, n *testNode, name string, kind shrooms.ItemKind, aud shrooms.Audience) *shrooms.Item {
	t.Helper()
	it := &shrooms.Item{Kind: kind, Name: name, Description: name + " for the partners test.", Condition: shrooms.ConditionGood,
		Status: shrooms.StatusAvailable, Audience: aud}
	if err := n.m.DB.Items.CreateItem(systemCtx, it); err != nil {
		t.Fatal(err)
	}
	return it
}

// TestPartnersOnlyItemFetch: a partners-only item is served to the
// signed fetch of a partner whose policy shares its module, addressed to
// it; every other reader gets the 404 of a missing item.
func TestPartnersOnlyItemFetch(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock), startNode(t, clock)
	fpLink(t, a, b, a, b)
	fpLink(t, a, c, a, c)
	fpShare(t, a, b, "inventory")
	fpShare(t, a, c, "stock")
	secret := fpItem(t, a, "Thermal camera", shrooms.KindDevice, shrooms.AudiencePartners)
	members := fpItem(t, a, "Members lathe", shrooms.KindTool, shrooms.AudienceMembers)
	public := fpItem(t, a, "Public ladder", shrooms.KindTool, shrooms.AudiencePublic)
	drain(t, a, b, c)

	_, _, missing := a.get("/items/999999", "application/activity+json")
	status, body := orgSigner(t, b).get(secret.IRI)
	if status != http.StatusOK || !strings.Contains(body, "Thermal camera") {
		t.Fatalf("B's signed fetch: %d %s", status, body)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if to, _ := doc["to"].([]any); len(to) != 1 || to[0] != b.org().IRI || doc["cc"] != nil {
		t.Fatalf("partners item addressed to %v cc %v, want B only", doc["to"], doc["cc"])
	}
	// A stranger with a valid signature: a remote Person, not a partner.
	stranger := newRemoteActor(t, clock, "mallory")
	for name, fetch := range map[string]func() (int, string){
		"C (policy without inventory)": func() (int, string) { return orgSigner(t, c).get(secret.IRI) },
		"a stranger":                   func() (int, string) { return stranger.get(secret.IRI) },
		"unsigned": func() (int, string) {
			s, _, b := a.get("/items/"+itoa(secret.ID), "application/activity+json")
			return s, string(b)
		},
		"B, members item": func() (int, string) { return orgSigner(t, b).get(members.IRI) },
		"B, bad signature": func() (int, string) {
			req := orgSigner(t, b).signed(http.MethodGet, secret.IRI, nil, signOpts{key: stranger.actor.PrivateKeyPEM,
				headers: []string{httpsig.RequestTarget, "host", "date"}})
			req.Header.Set("Accept", "application/activity+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		},
	} {
		t.Run(name, func(t *testing.T) {
			status, body := fetch()
			if status != http.StatusNotFound || body != string(missing) {
				t.Fatalf("%d %s, want the 404 of a missing item %s", status, body, missing)
			}
		})
	}
	// The public item is served to anyone, addressed to the public.
	if status, _, body := a.get("/items/"+itoa(public.ID), "application/activity+json"); status != http.StatusOK ||
		!strings.Contains(string(body), shrooms.PublicAudience) {
		t.Fatalf("public item: %d %s", status, body)
	}
}

// TestPartnerCacheDeliveries: Create, Update and Delete of a partners-only
// item reach the partner's cache; a policy that stops sharing the module
// withdraws it; a public item reaches a partner too, and the unlinked
// node's deliveries are refused.
func TestPartnerCacheDeliveries(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	fpLink(t, a, b, a, b)
	fpShare(t, a, b, "inventory")
	it := fpItem(t, a, "Router table", shrooms.KindTool, shrooms.AudiencePartners)
	pub := fpItem(t, a, "Step ladder", shrooms.KindTool, shrooms.AudiencePublic)
	drain(t, a, b)
	o := cached(t, b, it.IRI)
	if o == nil || o.Name != "Router table" || o.Public || o.Kind != shrooms.KindTool || !strings.Contains(o.Content, "partners test") {
		t.Fatalf("B's copy after the Create: %+v", o)
	}
	if p := cached(t, b, pub.IRI); p == nil || !p.Public {
		t.Fatalf("B's copy of the public item: %+v", p)
	}

	clock.Advance(time.Second)
	name := "Router table with fence"
	if _, err := a.m.DB.Items.UpdateItem(systemCtx, it.ID, shrooms.ItemUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	if o := cached(t, b, it.IRI); o == nil || o.Name != name {
		t.Fatalf("B's copy after the Update: %+v", o)
	}

	// The policy stops sharing inventory: B's copy is withdrawn.
	clock.Advance(time.Second)
	fpShare(t, a, b)
	drain(t, a, b)
	if o := cached(t, b, it.IRI); o != nil {
		t.Fatalf("B keeps the item the policy withdrew: %+v", o)
	}

	clock.Advance(time.Second)
	if err := a.m.DB.Items.DeleteItem(systemCtx, pub.ID); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	if o := cached(t, b, pub.IRI); o != nil {
		t.Fatalf("B keeps the deleted item: %+v", o)
	}
}

// fpWalk follows a shared collection's pages from the collection document
// and returns the embedded documents' names, and the collection's
// totalItems. get fetches one URL.
func fpWalk(t *testing.T, collection string, get func(string) (int, string)) ([]string, []map[string]any, int) {
	t.Helper()
	status, body := get(collection)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", collection, status, body)
	}
	first, total, err := vocab.ParseCollection([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var docs []map[string]any
	for next, pages := first, 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("more than 10 pages")
		}
		status, body := get(next)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", next, status, body)
		}
		page, err := vocab.ParseItemPage([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range page.Items {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			names = append(names, m["name"].(string))
			docs = append(docs, m)
		}
		next = page.Next
	}
	return names, docs, total
}

// TestSharedCollection: the shared collection pages through public items
// for anyone, and adds the partners-only items of its modules for a
// partner's signed fetch, addressed to it; members items never appear.
func TestSharedCollection(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b, c := startNode(t, clock), startNode(t, clock), startNode(t, clock)
	fpLink(t, a, b, a, b)
	fpLink(t, a, c, a, c)
	fpShare(t, a, b, "inventory")
	fpShare(t, a, c, "stock")
	for i := 0; i < 52; i++ { // more than one page of 50
		fpItem(t, a, fmt.Sprintf("Clamp %02d", i), shrooms.KindTool, shrooms.AudiencePublic)
	}
	fpItem(t, a, "Partner saw", shrooms.KindTool, shrooms.AudiencePartners)
	fpItem(t, a, "Members lathe", shrooms.KindTool, shrooms.AudienceMembers)
	coll := a.org().IRI + "/shared"

	anon := func(u string) (int, string) {
		s, _, body := a.get(strings.TrimPrefix(u, a.url()), "application/activity+json")
		return s, string(body)
	}
	names, docs, total := fpWalk(t, coll, anon)
	if total != 52 || len(names) != 52 || names[0] != "Clamp 00" || names[51] != "Clamp 51" {
		t.Fatalf("anonymous: total %d, %d names %v", total, len(names), names)
	}
	if to, _ := docs[0]["to"].([]any); len(to) != 1 || to[0] != shrooms.PublicAudience {
		t.Fatalf("public item addressed to %v", docs[0]["to"])
	}

	names, docs, total = fpWalk(t, coll, orgSigner(t, b).get)
	if total != 53 || len(names) != 53 || names[52] != "Partner saw" {
		t.Fatalf("B: total %d, names %v", total, names)
	}
	if to, _ := docs[52]["to"].([]any); len(to) != 1 || to[0] != b.org().IRI {
		t.Fatalf("partners item addressed to %v, want B", docs[52]["to"])
	}
	// C's policy shares stock only: the saw is not for it.
	if names, _, total := fpWalk(t, coll, orgSigner(t, c).get); total != 52 || len(names) != 52 {
		t.Fatalf("C: total %d, names %v", total, names)
	}
	for _, n := range names {
		if n == "Members lathe" {
			t.Fatal("a members item is in the shared collection")
		}
	}

	// Only the organisation has one; bad parameters are 400.
	createUser(t, a, "alice", shrooms.RoleMember, "correct-horse-battery-2")
	for path, want := range map[string]int{
		"/actors/alice/shared":                 http.StatusNotFound,
		"/actors/nobody/shared":                http.StatusNotFound,
		"/actors/org/shared?page=2":            http.StatusBadRequest,
		"/actors/org/shared?page=true&after=x": http.StatusBadRequest,
	} {
		if s, _, body := a.get(path, "application/activity+json"); s != want {
			t.Errorf("GET %s: %d %s, want %d", path, s, body, want)
		}
	}
}

// TestPartnerBlockOnTheWire: A blocks B. B receives the Block: its follows
// with A end and its cache of A's objects is purged. From then on A's
// inbox refuses B's signed activities (403 "blocked") before storing
// them.
func TestPartnerBlockOnTheWire(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	fpLink(t, a, b, a, b)
	it := fpItem(t, a, "Planer", shrooms.KindTool, shrooms.AudiencePublic)
	drain(t, a, b)
	if cached(t, b, it.IRI) == nil {
		t.Fatal("B did not cache A's item")
	}
	p := partnerOf(t, a, b.org().IRI)
	if err := a.m.DB.Partners.BlockPartner(systemCtx, p.Actor.ID); err != nil {
		t.Fatal(err)
	}
	drain(t, a, b)
	if o := cached(t, b, it.IRI); o != nil {
		t.Fatalf("B keeps A's item after A blocked it: %+v", o)
	}
	if p := partnerOf(t, b, a.org().IRI); p != nil && p.State == shrooms.PartnerLinked {
		t.Fatalf("B still sees A as linked: %+v", p)
	}

	before := len(inboxActivities(t, a))
	signer := orgSigner(t, b)
	status, body := signer.post(a.url()+"/inbox", signer.activity("Follow", a.org().IRI), signOpts{})
	if status != http.StatusForbidden || !strings.Contains(body, "blocked") {
		t.Fatalf("B's Follow after the block: %d %s", status, body)
	}
	if after := len(inboxActivities(t, a)); after != before {
		t.Fatalf("A stored %d activities of a blocked actor", after-before)
	}
}

// fpNotes maps n's inbox activities (by id) to their processing notes.
func fpNotes(t *testing.T, n *testNode) map[string]string {
	t.Helper()
	acts, _, err := n.m.DB.Inbox.FindInboxActivities(systemCtx, shrooms.InboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range acts {
		out[a.ActivityIRI] = a.Note
	}
	return out
}

// TestInboxCacheNotes: what the inbox records of cache activities it does
// not apply: an item from an actor that is not a partner is refused, an
// older version is stale, an Undo of a Block is ignored.
func TestInboxCacheNotes(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	fpLink(t, a, b, a, b)
	stranger := newRemoteActor(t, clock, "eve")

	create := func(r *remoteActor, id, itemIRI, updated string) []byte {
		return []byte(fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams",{"shrooms":"https://shrooms.org/ns#"}],
			"id":%q,"type":"Update","actor":%q,"to":["https://www.w3.org/ns/activitystreams#Public"],
			"object":{"id":%q,"type":["Page","shrooms:Item"],"name":"Bench grinder","shrooms:kind":"tool","shrooms:status":"available",
			"shrooms:condition":"good","to":["https://www.w3.org/ns/activitystreams#Public"],"published":"2025-01-01T00:00:00Z","updated":%q}}`,
			id, r.iri(), itemIRI, updated))
	}
	eveAct := stranger.iri() + "/activities/c1"
	if s, body := stranger.post(b.url()+"/inbox", create(stranger, eveAct, stranger.srv.URL+"/items/1", "2025-01-02T00:00:00Z"), signOpts{}); s != http.StatusAccepted {
		t.Fatalf("stranger's Create: %d %s", s, body)
	}

	org := orgSigner(t, a)
	item := a.url() + "/items/777"
	newer, older := a.url()+"/activities/u-new", a.url()+"/activities/u-old"
	for _, u := range []struct{ id, updated string }{{newer, "2025-01-03T00:00:00.500Z"}, {older, "2025-01-03T00:00:00.400Z"}} {
		if s, body := org.post(b.url()+"/inbox", create(org, u.id, item, u.updated), signOpts{}); s != http.StatusAccepted {
			t.Fatalf("A's Update: %d %s", s, body)
		}
	}
	undo := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Undo","actor":%q,
		"object":{"id":%q,"type":"Block","actor":%q,"object":%q}}`,
		a.url()+"/activities/ub1", a.org().IRI, a.url()+"/activities/b1", a.org().IRI, b.org().IRI)
	if s, body := org.post(b.url()+"/inbox", []byte(undo), signOpts{}); s != http.StatusAccepted {
		t.Fatalf("A's Undo Block: %d %s", s, body)
	}
	drain(t, b)

	notes := fpNotes(t, b)
	for id, want := range map[string]string{
		eveAct:                      "refused: not a partner",
		newer:                       "",
		older:                       "stale",
		a.url() + "/activities/ub1": "ignored: Undo of a Block",
	} {
		if got, ok := notes[id]; !ok || got != want {
			t.Errorf("note of %s = %q (recorded %v), want %q", id, got, ok, want)
		}
	}
	if o := cached(t, b, item); o == nil || !o.Updated.Equal(time.Date(2025, 1, 3, 0, 0, 0, 500e6, time.UTC)) {
		t.Fatalf("B's copy: %+v", o)
	}
	if o := cached(t, b, stranger.srv.URL+"/items/1"); o != nil {
		t.Fatalf("B caches a stranger's item: %+v", o)
	}
}

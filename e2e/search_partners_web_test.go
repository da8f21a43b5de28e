package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Search with a partner: B's member finds B's items and the objects A
// shares, each with its organisation; the saved choice of organisations.

// linkPartners links node b to node a as the handshake does: a's
// admin makes an invite, b's admin links with it, the nodes exchange the
// Follows and Accepts. Returns a's organisation as b knows it.
func linkPartners(t *testing.T, a, b *testNode) *shrooms.Actor {
	t.Helper()
	fpLink(t, a, b, a, b)
	return partnerOf(t, b, a.org().IRI).Actor
}

// remoteItem is an object a partner shares, as b's cache receives it.
type remoteItem struct {
	slug, name, summary string
	kind                shrooms.ItemKind
	status              shrooms.ItemStatus
	url                 string // "" for the object's own address
}

// cacheRemote puts objects of partner a into b's cache, as deliveries
// from a would.
func cacheRemote(t *testing.T, a, b *testNode, items ...remoteItem) {
	t.Helper()
	actor := a.org().IRI
	var changes []shrooms.RemoteChange
	for _, it := range items {
		iri := a.url() + "/items/search-" + it.slug
		u := it.url
		if u == "" {
			u = iri
		}
		raw, _ := json.Marshal(map[string]any{"id": iri, "type": "Item", "name": it.name, "summary": it.summary,
			"attributedTo": actor, "url": u, "kind": it.kind, "status": it.status})
		changes = append(changes, shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: actor, Object: shrooms.RemoteObject{
			IRI: iri, Type: "Item", Kind: it.kind, Status: it.status, Name: it.name, Summary: it.summary,
			URL: u, Updated: time.Now().UTC().Truncate(time.Second), Raw: raw}})
	}
	res, err := b.m.DB.Remote.ApplyRemoteChanges(systemCtx, changes)
	if err != nil {
		t.Fatalf("cache: %v", err)
	}
	for i, r := range res {
		if r != shrooms.RemoteApplied {
			t.Fatalf("cache %s: %s", items[i].name, r)
		}
	}
}

// TestSearchWebPartners: a member of B searches B and its partner A
// together: each hit names its organisation and links to its page there,
// one-off choices leave the saved choice alone, and the saved choice
// persists and filters, on the web and in the API.
func TestSearchWebPartners(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock)
	orgA := linkPartners(t, a, b)
	orgB := b.org()
	nameA := orgA.Name
	if nameA == "" {
		nameA = orgA.Acct()
	}
	createUser(t, b, "mia", shrooms.RoleMember, memberPassword)
	member := loginAs(t, b, "mia", memberPassword)
	token := strings.TrimSpace(b.mustCLI("admin", "token", "create", "--user", "mia"))

	createItem(t, b, &shrooms.Item{Name: "Local drill", Kind: shrooms.KindTool, Audience: shrooms.AudienceMembers})
	cacheRemote(t, a, b,
		remoteItem{slug: "drill", name: "Partner drill", summary: "Hammer drill, 800 W", kind: shrooms.KindTool, status: shrooms.StatusAvailable},
		remoteItem{slug: "bits", name: "Partner drill bits", kind: shrooms.KindPart, status: shrooms.StatusOnLoan})

	t.Run("both organisations", func(t *testing.T) {
		p := member.get("/search?q=drill")
		if !sameNames(hitsOf(p), "Local drill", "Partner drill", "Partner drill bits") {
			t.Fatalf("drill on B: %q\n%s", hitsOf(p), p.Body)
		}
		// A partner's item links to B's own page of it (A's page answers
		// a browser "not found" for a partners-only item).
		remote := a.url() + "/items/search-drill"
		if !p.Has(`<a href="`+remotePage(remote)+`">Partner drill</a>`) || p.Has(`href="`+remote+`"`) || !p.Has(orgA.Acct()) ||
			!p.Has(`<span class="search-org">`+nameA+`</span>`) {
			t.Errorf("the remote hit links to B's page of A's item and names A (%s):\n%s", orgA.Name, p.Body)
		}
		if p.Has(`src="http`) {
			t.Errorf("the page loads a remote image")
		}
		if p := member.get("/search?q=drill&type=part"); !sameNames(hitsOf(p), "Partner drill bits") {
			t.Errorf("remote type filter: %q", hitsOf(p))
		}
		if p := member.get("/search?q=drill&available=1"); !sameNames(hitsOf(p), "Local drill", "Partner drill") {
			t.Errorf("remote available filter: %q", hitsOf(p))
		}
		status, _, body := searchAPI(t, b, token, "q=hammer+drill")
		res, _ := body["results"].([]any)
		if status != http.StatusOK || len(res) == 0 {
			t.Fatalf("API: %d %v", status, body)
		}
		hit := res[0].(map[string]any)
		org := hit["organization"].(map[string]any)
		if hit["name"] != "Partner drill" || hit["iri"] != remote || hit["item_id"] != nil || hit["url"] != remote ||
			org["iri"] != orgA.IRI || org["acct"] != orgA.Acct() || org["local"] != false || org["id"] != float64(orgA.ID) {
			t.Errorf("remote hit JSON: %v", hit)
		}
	})

	instances := func() map[int64]bool {
		t.Helper()
		status, body := b.api("GET", "/api/v1/search/instances", token, nil)
		list, _ := body["instances"].([]any)
		if status != http.StatusOK || len(list) != 2 {
			t.Fatalf("instances: %d %v", status, body)
		}
		out := map[int64]bool{}
		for _, x := range list {
			m := x.(map[string]any)
			id := int64(m["id"].(float64))
			if (id == orgB.ID) != (m["local"] == true) {
				t.Errorf("instance %v: local is wrong", m)
			}
			out[id] = m["included"] == true
		}
		return out
	}

	t.Run("one-off choice", func(t *testing.T) {
		if got := instances(); !got[orgA.ID] || !got[orgB.ID] {
			t.Fatalf("default instances: %v, want both included", got)
		}
		p := member.get(fmt.Sprintf("/search?q=drill&in=%d", orgB.ID))
		if !sameNames(hitsOf(p), "Local drill") || !p.Has(fmt.Sprintf(`id="in-%d" checked`, orgB.ID)) || p.Has(fmt.Sprintf(`id="in-%d" checked`, orgA.ID)) {
			t.Errorf("in=B: %q", hitsOf(p))
		}
		if !p.Has(`id="search-save"`) {
			t.Errorf("a search naming organisations offers no save")
		}
		if _, names, _ := searchAPI(t, b, token, fmt.Sprintf("q=drill&partner=%d", orgA.ID)); !sameNames(names, "Partner drill", "Partner drill bits") {
			t.Errorf("API partner=A: %q", names)
		}
		if got := instances(); !got[orgA.ID] || !got[orgB.ID] {
			t.Errorf("a one-off search changed the saved choice: %v", got)
		}
	})

	t.Run("saved choice", func(t *testing.T) {
		p := member.post("/search/instances", url.Values{"in": {fmt.Sprint(orgA.ID)}, "q": {"drill"}, "type": {"tool"}, "available": {"1"}})
		if p.Status != http.StatusOK || p.Path != "/search?available=1&q=drill&type=tool" || !p.Has("Your organisations are saved") {
			t.Fatalf("save: %d %s\n%s", p.Status, p.Path, p.Body)
		}
		if !sameNames(hitsOf(p), "Partner drill") {
			t.Errorf("the search saved from, with A only: %q", hitsOf(p))
		}
		p = member.get("/search?q=drill")
		if !sameNames(hitsOf(p), "Partner drill", "Partner drill bits") || p.Has(fmt.Sprintf(`id="in-%d" checked`, orgB.ID)) {
			t.Errorf("after saving A only: %q", hitsOf(p))
		}
		if got := instances(); !got[orgA.ID] || got[orgB.ID] {
			t.Errorf("saved instances: %v, want A only", got)
		}
		// Another session of the same member sees the same choice.
		again := loginAs(t, b, "mia", memberPassword)
		if p := again.get("/search?q=drill"); !sameNames(hitsOf(p), "Partner drill", "Partner drill bits") {
			t.Errorf("new session: %q", hitsOf(p))
		}
		// Another member's choice is their own.
		createUser(t, b, "leo", shrooms.RoleMember, memberPassword)
		if p := loginAs(t, b, "leo", memberPassword).get("/search?q=drill"); len(hitsOf(p)) != 3 {
			t.Errorf("another member: %q", hitsOf(p))
		}

		// Bad choices change nothing.
		for _, form := range []url.Values{{}, {"in": {"x"}}, {"in": {"999999"}}} {
			if p := member.post("/search/instances", form); p.Status != http.StatusBadRequest {
				t.Errorf("save %v: %d, want 400", form, p.Status)
			} else if form.Get("in") == "999999" && !p.Has("Please tick only this organisation and linked partners.") {
				t.Errorf("save an unknown organisation: the page does not say why:\n%s", p.Body)
			}
		}
		for _, body := range []any{map[string]any{"included": []int64{999999}}, map[string]any{}, map[string]any{"included": []int64{orgB.ID}, "extra": 1}} {
			if status, out := b.api("PUT", "/api/v1/search/instances", token, body); status != http.StatusBadRequest || out["error"] == "" {
				t.Errorf("PUT %v: %d %v, want 400", body, status, out)
			}
		}
		if got := instances(); !got[orgA.ID] || got[orgB.ID] {
			t.Errorf("instances after bad saves: %v, want A only", got)
		}

		// The API saves too, and answers with the new list.
		status, out := b.api("PUT", "/api/v1/search/instances", token, map[string]any{"included": []int64{orgB.ID, orgA.ID}})
		if list, _ := out["instances"].([]any); status != http.StatusOK || len(list) != 2 {
			t.Fatalf("PUT: %d %v", status, out)
		}
		if got := instances(); !got[orgA.ID] || !got[orgB.ID] {
			t.Errorf("after PUT: %v, want both", got)
		}
		if _, names, _ := searchAPI(t, b, token, "q=drill"); len(names) != 3 {
			t.Errorf("API search after PUT: %q", names)
		}
	})
	t.Run("delivered by the partner", func(t *testing.T) {
		// Items A creates reach B's search through federation: those A
		// shares with partners, never those for its members or staff.
		shared := createItem(t, a, &shrooms.Item{Name: "Wood lathe", Kind: shrooms.KindDevice, Audience: shrooms.AudiencePartners})
		createItem(t, a, &shrooms.Item{Name: "Members lathe", Kind: shrooms.KindDevice, Audience: shrooms.AudienceMembers})
		createItem(t, a, &shrooms.Item{Name: "Staff lathe", Kind: shrooms.KindDevice, Audience: shrooms.AudienceStaff})
		drain(t, a, b)
		p := member.get("/search?q=lathe")
		if !sameNames(hitsOf(p), "Wood lathe") {
			t.Fatalf("lathe on B: %q", hitsOf(p))
		}
		if !p.Has(`<a href="` + remotePage(a.m.IRIs.Item(shared.ID)) + `">Wood lathe</a>`) {
			t.Errorf("the delivered item does not link to B's page of it:\n%s", p.Body)
		}
		if p := member.get(remotePage(a.m.IRIs.Item(shared.ID))); p.Status != http.StatusOK || !p.Has(`id="item-name">Wood lathe<`) {
			t.Errorf("B's page of the delivered item: %d\n%s", p.Status, p.Body)
		}
		if _, names, _ := searchAPI(t, b, token, "q=lathe"); !sameNames(names, "Wood lathe") {
			t.Errorf("API lathe on B: %q", names)
		}
	})

	t.Run("hostile partner address", func(t *testing.T) {
		// A partner's object whose address is not a web page is shown
		// without a link (if the cache keeps it at all).
		raw := []byte(`{"type":"Item","name":"Evil saw"}`)
		iri := a.url() + "/items/search-evil"
		res, err := b.m.DB.Remote.ApplyRemoteChanges(systemCtx, []shrooms.RemoteChange{{Op: shrooms.RemotePut, ActorIRI: orgA.IRI,
			Object: shrooms.RemoteObject{IRI: iri, Type: "Item", Kind: shrooms.KindTool, Status: shrooms.StatusAvailable,
				Name: "Evil saw", URL: "javascript:alert(1)", ImageURL: "javascript:alert(2)", Updated: time.Now().UTC(), Raw: raw}}})
		if err != nil || len(res) != 1 {
			t.Fatalf("cache: %v %v", res, err)
		}
		t.Logf("the cache answered %s", res[0])
		p := member.get("/search?q=evil")
		if p.Has("javascript:") || p.Has(`src="http`) {
			t.Errorf("a javascript: address reached the page:\n%s", p.Body)
		}
		// Kept, it links to B's page only; that page will not show a
		// document it cannot read.
		if res[0] == shrooms.RemoteApplied && !p.Has(`<h3 class="h6 mb-1 text-break"><a href="`+remotePage(iri)+`">Evil saw</a></h3>`) {
			t.Errorf("the evil saw is not shown with a link to B's page only:\n%s", p.Body)
		}
		if p := member.get(remotePage(iri)); p.Status != http.StatusNotFound || p.Has("javascript:") {
			t.Errorf("B's page of the evil saw: %d\n%s", p.Status, p.Body)
		}
	})
}

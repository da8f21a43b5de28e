package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Web and API tests of the search on one node: the local catalogue with
// the caller's rights, filters, ranking, paging and hostile input.
// search_partners_web_test.go adds a partner and the saved choice of
// organisations.

// searchAPI calls GET /api/v1/search and returns the status, the names of
// the results in order, and the decoded answer.
func searchAPI(t *testing.T, n *testNode, token, query string) (int, []string, map[string]any) {
	t.Helper()
	status, body := n.api("GET", "/api/v1/search?"+query, token, nil)
	var names []string
	if res, ok := body["results"].([]any); ok {
		for _, r := range res {
			names = append(names, r.(map[string]any)["name"].(string))
		}
	}
	return status, names, body
}

// hitsOf returns the result names of a search page, in order.
func hitsOf(p page) []string {
	var out []string
	_, list, ok := strings.Cut(p.Body, `id="search-results"`)
	if !ok {
		return nil
	}
	list, _, _ = strings.Cut(list, "</ol>")
	for _, part := range strings.Split(list, `<h3 class="h6 mb-1 text-break">`)[1:] {
		name, _, _ := strings.Cut(part, "</h3>")
		if i := strings.Index(name, ">"); strings.HasPrefix(name, "<a") && i >= 0 {
			name = strings.TrimSuffix(name[i+1:], "</a>")
		}
		out = append(out, name)
	}
	return out
}

func sameNames(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	have := map[string]int{}
	for _, g := range got {
		have[g]++
	}
	for _, w := range want {
		if have[w] == 0 {
			return false
		}
		have[w]--
	}
	return true
}

// TestSearchWebLocal: on one node, a member searches the catalogue: the
// form alone without words, the items their rights allow with filters,
// a helpful empty state, pages, hostile words answered safely, bad
// filters refused; anonymous visitors are sent to log in.
func TestSearchWebLocal(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	member := loginAs(t, n, "mia", memberPassword)
	token := strings.TrimSpace(n.mustCLI("admin", "token", "create", "--user", "mia"))

	pub := createItem(t, n, &shrooms.Item{Name: "Cordless drill", Description: "18 V with two batteries", Kind: shrooms.KindTool, Audience: shrooms.AudiencePublic})
	createItem(t, n, &shrooms.Item{Name: "Drill press", Kind: shrooms.KindDevice, Status: shrooms.StatusOnLoan, Audience: shrooms.AudienceMembers})
	createItem(t, n, &shrooms.Item{Name: "Drill bits", Kind: shrooms.KindPart, Audience: shrooms.AudienceMembers})
	createItem(t, n, &shrooms.Item{Name: "Secret staff drill", Kind: shrooms.KindTool, Audience: shrooms.AudienceStaff})
	createItem(t, n, &shrooms.Item{Name: "Sewing machine", Kind: shrooms.KindDevice, Audience: shrooms.AudiencePublic})

	t.Run("menu and empty form", func(t *testing.T) {
		p := member.get("/dashboard")
		if !p.Has(`href="/search"`) {
			t.Errorf("the member's menu has no search entry")
		}
		p = member.get("/search")
		if p.Status != http.StatusOK || !p.Has(`id="search-form"`) || p.Has(`id="search-results"`) || p.Has(`id="search-none"`) || p.Has("alert-danger") {
			t.Errorf("empty search: %d\n%s", p.Status, p.Body)
		}
		if p := member.get("/search?q=%20%20"); p.Status != http.StatusOK || p.Has(`id="search-none"`) {
			t.Errorf("blank words: %d", p.Status)
		}
	})

	t.Run("rights and organisation", func(t *testing.T) {
		p := member.get("/search?q=drill")
		if p.Status != http.StatusOK || !sameNames(hitsOf(p), "Cordless drill", "Drill press", "Drill bits") {
			t.Fatalf("drill: %d %q\n%s", p.Status, hitsOf(p), p.Body)
		}
		if p.Has("Secret staff drill") {
			t.Errorf("a member finds a staff item")
		}
		if !p.Has(fmt.Sprintf(`<a href="/items/%d">Cordless drill</a>`, pub.ID)) || !p.Has(`<span class="search-org">This organisation</span>`) {
			t.Errorf("a local hit links to its page and names this organisation:\n%s", p.Body)
		}
		admin := loginAs(t, n, "admin", adminPassword)
		if p := admin.get("/search?q=drill"); !p.Has("Secret staff drill") {
			t.Errorf("an admin does not find the staff item: %q", hitsOf(p))
		}
		if _, names, _ := searchAPI(t, n, token, "q=drill"); !sameNames(names, "Cordless drill", "Drill press", "Drill bits") {
			t.Errorf("API drill: %q", names)
		}
	})

	t.Run("ranking", func(t *testing.T) {
		// The name matches better than the description alone.
		createItem(t, n, &shrooms.Item{Name: "Battery charger", Kind: shrooms.KindDevice, Description: "charges 18 V batteries", Audience: shrooms.AudiencePublic})
		_, names, body := searchAPI(t, n, token, "q=drill+batteries")
		if len(names) == 0 || names[0] != "Cordless drill" {
			t.Errorf("drill batteries: %q, want Cordless drill first", names)
		}
		res := body["results"].([]any)
		first := res[0].(map[string]any)
		org := first["organization"].(map[string]any)
		if first["item_id"] != float64(pub.ID) || first["iri"] != nil || org["local"] != true || first["url"] != n.url()+fmt.Sprintf("/items/%d", pub.ID) || first["kind"] != "tool" {
			t.Errorf("local hit JSON: %v", first)
		}
	})

	t.Run("filters", func(t *testing.T) {
		if p := member.get("/search?q=drill&type=part"); !sameNames(hitsOf(p), "Drill bits") || !p.Has(`id="type-part" checked`) {
			t.Errorf("type=part: %q", hitsOf(p))
		}
		if p := member.get("/search?q=drill&type=part&type=device"); !sameNames(hitsOf(p), "Drill bits", "Drill press") {
			t.Errorf("two types: %q", hitsOf(p))
		}
		if p := member.get("/search?q=drill&available=1"); !sameNames(hitsOf(p), "Cordless drill", "Drill bits") || !p.Has(`id="available" checked`) {
			t.Errorf("available now: %q", hitsOf(p))
		}
		if _, names, _ := searchAPI(t, n, token, "q=drill&type=tool,part&available=true"); !sameNames(names, "Cordless drill", "Drill bits") {
			t.Errorf("API filters: %q", names)
		}
	})

	t.Run("in French", func(t *testing.T) {
		fr := loginAs(t, n, "mia", memberPassword)
		fr.lang = "fr"
		if p := fr.get("/search"); !p.Has("Que cherchez-vous ?") || !p.Has(">Recherche</a>") {
			t.Errorf("French search form:\n%s", p.Body)
		}
		if p := fr.get("/search?q=zeppelin"); !p.Has("Aucun résultat pour « zeppelin ».") {
			t.Errorf("French empty state:\n%s", p.Body)
		}
		if p := fr.get("/search?q=drill&type=boat"); p.Status != http.StatusBadRequest || !p.Has("Veuillez choisir des types parmi") {
			t.Errorf("French bad type: %d", p.Status)
		}
	})

	t.Run("nothing found", func(t *testing.T) {
		p := member.get("/search?q=zeppelin&type=kit")
		if p.Status != http.StatusOK || !p.Has(`id="search-none"`) || !p.Has("Nothing found for “zeppelin”.") || !p.Has("Untick some filters") {
			t.Errorf("empty state: %d\n%s", p.Status, p.Body)
		}
	})

	t.Run("hostile words", func(t *testing.T) {
		for _, q := range []string{`"drill`, `drill OR *`, `NEAR(drill`, `drill AND`, `'; DROP TABLE items; --`, `name:drill`, `^drill`, `drill*`, `{drill}`, `<script>alert(1)</script>`, `%`, `\`} {
			p := member.get("/search?q=" + url.QueryEscape(q))
			if p.Status != http.StatusOK || p.Has("<script>alert(1)") {
				t.Errorf("q=%q: %d\n%s", q, p.Status, p.Body)
			}
			if status, _, body := searchAPI(t, n, token, "q="+url.QueryEscape(q)); status != http.StatusOK {
				t.Errorf("API q=%q: %d %v", q, status, body)
			}
		}
		if p := member.get("/search?q=" + strings.Repeat("a", 201)); p.Status != http.StatusBadRequest || !p.Has("A search is at most 200 characters long.") {
			t.Errorf("long words: %d", p.Status)
		}
		if got := countItems(t, n); got != 6 {
			t.Errorf("items after hostile searches: %d, want 6", got)
		}
	})

	t.Run("bad filters", func(t *testing.T) {
		for _, q := range []string{"q=drill&type=boat", "q=drill&in=x", "q=drill&in=-1", "q=drill&available=maybe", "q=drill&offset=-3", "q=drill&offset=abc"} {
			if p := member.get("/search?" + q); p.Status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", q, p.Status)
			}
		}
		for _, q := range []string{"", "q=", "q=drill&type=boat", "q=drill&partner=x", "q=drill&available=maybe", "q=drill&limit=0", "q=drill&limit=500", "q=drill&limit=101", "q=drill&offset=-1", "q=" + strings.Repeat("a", 201)} {
			if status, _, body := searchAPI(t, n, token, q); status != http.StatusBadRequest || body["error"] == "" {
				t.Errorf("API %s: %d %v, want 400 with a message", q, status, body)
			}
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		anon := newWebClient(t, n)
		if p := anon.get("/search?q=drill"); !strings.HasPrefix(p.Path, "/login?next=") || p.Has("Cordless drill") {
			t.Errorf("anonymous search: ended on %s", p.Path)
		}
		if p := anon.post("/search/instances", url.Values{"in": {"1"}}); !strings.HasPrefix(p.Path, "/login") {
			t.Errorf("anonymous save: ended on %s", p.Path)
		}
		for _, path := range []string{"/api/v1/search?q=drill", "/api/v1/search/instances"} {
			if status, _ := n.api("GET", path, "", nil); status != http.StatusUnauthorized {
				t.Errorf("API %s without token: %d, want 401", path, status)
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		for i := 1; i <= 25; i++ {
			createItem(t, n, &shrooms.Item{Name: fmt.Sprintf("Claw hammer %02d", i), Kind: shrooms.KindTool, Audience: shrooms.AudienceMembers})
		}
		p := member.get("/search?q=hammer")
		if got := hitsOf(p); len(got) != 20 || !p.Has(`rel="next"`) || p.Has(`rel="prev"`) {
			t.Fatalf("page 1: %d hits\n%s", len(got), p.Body)
		}
		first := hitsOf(p)
		p = member.get("/search?q=hammer&offset=20")
		second := hitsOf(p)
		if len(second) != 5 || p.Has(`rel="next"`) || !p.Has(`rel="prev"`) || !p.Has(`href="/search?q=hammer&amp;offset=0"`) {
			t.Fatalf("page 2: %d hits\n%s", len(second), p.Body)
		}
		seen := map[string]bool{}
		for _, h := range append(first, second...) {
			seen[h] = true
		}
		if len(seen) != 25 {
			t.Errorf("the two pages show %d distinct hammers, want 25", len(seen))
		}
		if _, names, body := searchAPI(t, n, token, "q=hammer&limit=10&offset=20"); len(names) != 5 || body["more"] != false {
			t.Errorf("API last page: %q more=%v", names, body["more"])
		}
		if _, names, body := searchAPI(t, n, token, "q=hammer&limit=10"); len(names) != 10 || body["more"] != true {
			t.Errorf("API first page: %q more=%v", names, body["more"])
		}
	})
}

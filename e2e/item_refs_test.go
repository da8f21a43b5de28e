package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Tests of issue 11 item 2 through the real HTTP interface: an item may
// point only at records its editor may read, and its history shows each
// reader only the names they may read.

// refsNode is a node whose members may not use the locations module
// (so that a place that is not public is one they may not read), with a
// staff-only kit, a place that is not public, a group Mia is not in, and
// an item Mia owns.
type refsNode struct {
	n                *testNode
	mia, sam         *shrooms.User
	miaToken         string
	samToken         string
	kit, mine        *shrooms.Item
	backOffice, hall *shrooms.Place
	treasury         *shrooms.Group
}

func newRefsNode(t *testing.T) *refsNode {
	t.Helper()
	n := startNode(t, newTestClock())
	r := &refsNode{n: n}
	r.sam = createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	r.mia = createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	r.samToken = strings.TrimSpace(n.mustCLI("admin", "token", "create", "--user", "sam"))
	r.miaToken = strings.TrimSpace(n.mustCLI("admin", "token", "create", "--user", "mia"))
	var grants []shrooms.Grant
	for _, g := range shrooms.DefaultGrants() {
		if g.Module == "locations" && g.Role == shrooms.RoleMember {
			continue
		}
		grants = append(grants, g)
	}
	if err := n.m.DB.Groups.SetGrants(systemCtx, grants); err != nil {
		t.Fatal(err)
	}
	r.treasury = &shrooms.Group{Name: "Treasury"}
	if err := n.m.DB.Groups.CreateGroup(systemCtx, r.treasury); err != nil {
		t.Fatal(err)
	}
	r.hall = &shrooms.Place{Name: "Main hall", Public: true}
	r.backOffice = &shrooms.Place{Name: "Back office"}
	for _, p := range []*shrooms.Place{r.hall, r.backOffice} {
		if err := n.m.DB.Places.CreatePlace(systemCtx, p); err != nil {
			t.Fatal(err)
		}
	}
	r.kit = createItem(t, n, &shrooms.Item{Name: "Vault kit", Kind: shrooms.KindKit, Audience: shrooms.AudienceStaff})
	r.mine = createItem(t, n, &shrooms.Item{Name: "Orbital sander", OwnerID: r.mia.ID, Audience: shrooms.AudienceMembers})
	return r
}

// historyCount is how many history entries the item has.
func (r *refsNode) historyCount(t *testing.T, id int64) int {
	t.Helper()
	_, total, err := r.n.m.DB.Items.FindItemHistory(systemCtx, id, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// TestItemRefsNeedReadAccess: a member who owns an item cannot point it,
// through the API or the edit form, at a kit, a place or a group they may
// not read; nothing changes and the history records nothing.
func TestItemRefsNeedReadAccess(t *testing.T) {
	t.Parallel()
	r := newRefsNode(t)
	n := r.n
	path := fmt.Sprintf("/api/v1/items/%d", r.mine.ID)
	for _, c := range []struct {
		field string
		id    int64
		want  string
	}{
		{"kit_id", r.kit.ID, "kit"},
		{"place_id", r.backOffice.ID, "place"},
		{"group_id", r.treasury.ID, "group"},
	} {
		t.Run(c.field, func(t *testing.T) {
			status, body := n.api("PATCH", path, r.miaToken, map[string]any{c.field: c.id})
			if status < 400 || status >= 500 || !strings.Contains(fmt.Sprint(body["error"]), c.want) {
				t.Errorf("PATCH %s=%d: %d %v", c.field, c.id, status, body)
			}
			got, err := n.m.DB.Items.FindItemByID(systemCtx, r.mine.ID)
			if err != nil || got.Version != r.mine.Version || got.KitID != 0 || got.PlaceID != 0 || got.GroupID != 0 {
				t.Errorf("item after the refusal: %+v %v", got, err)
			}
			if h := r.historyCount(t, r.mine.ID); h != 1 {
				t.Errorf("%d history entries, want only the creation", h)
			}
		})
	}
	// The same through the edit form, which offers the kit to members.
	mia := loginAs(t, n, "mia", memberPassword)
	form := url.Values{"kind": {"tool"}, "name": {"Orbital sander"}, "condition": {"good"}, "status": {"available"},
		"audience": {"members"}, "version": {fmt.Sprint(r.mine.Version)}, "kit": {fmt.Sprint(r.kit.ID)},
		"place_id": {fmt.Sprint(r.backOffice.ID)}}
	p := mia.post(fmt.Sprintf("/items/%d/edit", r.mine.ID), form)
	if p.Status != http.StatusUnprocessableEntity || p.Has("Vault kit") || p.Has("Back office") {
		t.Errorf("edit form with a hidden kit: %d\n%s", p.Status, p.Body)
	}
	if got, _ := n.m.DB.Items.FindItemByID(systemCtx, r.mine.ID); got.Version != r.mine.Version {
		t.Errorf("the form changed the item: %+v", got)
	}
	// What she may read she may set: a public place, and then a group she
	// is in.
	status, body := n.api("PATCH", path, r.miaToken, map[string]any{"place_id": r.hall.ID})
	if status != http.StatusOK {
		t.Errorf("PATCH a public place: %d %v", status, body)
	}
	if err := n.m.DB.Groups.SetGroupMembers(systemCtx, r.treasury.ID, []int64{r.mia.ID}); err != nil {
		t.Fatal(err)
	}
	if status, body := n.api("PATCH", path, r.miaToken, map[string]any{"group_id": r.treasury.ID}); status != http.StatusOK {
		t.Errorf("PATCH her own group: %d %v", status, body)
	}
}

// TestItemHistoryHidesWhatReadersMayNotRead: staff move a public item
// into a place that is not public and into a staff-only kit; anonymous
// visitors see the change on the item page and in the API, without the
// names, and so does a member through the API; staff see the names; a
// French visitor reads it in French.
func TestItemHistoryHidesWhatReadersMayNotRead(t *testing.T) {
	t.Parallel()
	r := newRefsNode(t)
	n := r.n
	ladder := createItem(t, n, &shrooms.Item{Name: "Ladder", Audience: shrooms.AudiencePublic, PlaceID: r.hall.ID,
		Loanable: true, Loan: shrooms.LoanRules{MaxDays: 7, Members: true}})
	path := fmt.Sprintf("/api/v1/items/%d", ladder.ID)
	status, body := n.api("PATCH", path, r.samToken, map[string]any{"place_id": r.backOffice.ID, "kit_id": r.kit.ID,
		"status": "in_repair", "loan": map[string]any{"max_days": 14, "members": true, "partners": true}})
	if status != http.StatusOK {
		t.Fatalf("staff move the ladder: %d %v", status, body)
	}
	secrets := []string{"Back office", "Vault kit"}

	anon := newWebClient(t, n)
	p := anon.get(fmt.Sprintf("/items/%d", ladder.ID))
	if p.Status != http.StatusOK || !p.Has("hidden") || !p.Has("Main hall") || !p.Has("In repair") {
		t.Errorf("anonymous item page: %d\n%s", p.Status, p.Body)
	}
	for _, s := range secrets {
		if p.Has(s) {
			t.Errorf("anonymous item page shows %q", s)
		}
	}
	// The API wants a token: Mia's, who may read neither.
	status, body = n.api("GET", path+"/history", r.miaToken, nil)
	raw := fmt.Sprint(body)
	if status != http.StatusOK || !strings.Contains(raw, "hidden") || !strings.Contains(raw, "Main hall") {
		t.Errorf("member's API history: %d %s", status, raw)
	}
	for _, s := range secrets {
		if strings.Contains(raw, s) {
			t.Errorf("member's API history shows %q: %s", s, raw)
		}
	}
	// The place itself is not found by them either.
	if code, _, _ := n.get(fmt.Sprintf("/places/%d", r.backOffice.ID), "text/html"); code != http.StatusNotFound {
		t.Errorf("anonymous place page: %d", code)
	}

	sam := loginAs(t, n, "sam", memberPassword)
	p = sam.get(fmt.Sprintf("/items/%d", ladder.ID))
	for _, s := range secrets {
		if !p.Has(s) {
			t.Errorf("staff item page lacks %q:\n%s", s, p.Body)
		}
	}
	status, body = n.api("GET", path+"/history", r.samToken, nil)
	if status != http.StatusOK || !strings.Contains(fmt.Sprint(body), "Back office") || !strings.Contains(fmt.Sprint(body), "Vault kit") {
		t.Errorf("staff API history: %d %v", status, body)
	}

	fr := newWebClient(t, n)
	fr.lang = "fr"
	p = fr.get(fmt.Sprintf("/items/%d", ladder.ID))
	for _, s := range []string{"masqué", "Lieu", "Dans le kit", "En réparation", "Statut"} {
		if !p.Has(s) {
			t.Errorf("French item page lacks %q:\n%s", s, p.Body)
		}
	}
	for _, s := range append(secrets, "at most", "lent to", "in_repair") {
		if p.Has(s) {
			t.Errorf("French item page shows %q", s)
		}
	}
}

// TestPublicPlaceUnderHiddenOne: a public place inside one that is not
// public shows anonymous visitors its own name, never its parent's: on
// the item page, in the catalogue and on the places pages.
func TestPublicPlaceUnderHiddenOne(t *testing.T) {
	t.Parallel()
	r := newRefsNode(t)
	n := r.n
	rack := &shrooms.Place{Name: "Green rack", ParentID: r.backOffice.ID, Public: true}
	if err := n.m.DB.Places.CreatePlace(systemCtx, rack); err != nil {
		t.Fatal(err)
	}
	ladder := createItem(t, n, &shrooms.Item{Name: "Ladder", Audience: shrooms.AudiencePublic, PlaceID: rack.ID})
	anon := newWebClient(t, n)
	for _, path := range []string{fmt.Sprintf("/items/%d", ladder.ID), "/items", "/places", fmt.Sprintf("/places/%d", rack.ID)} {
		p := anon.get(path)
		if p.Status != http.StatusOK || !p.Has("Green rack") || p.Has("Back office") {
			t.Errorf("anonymous %s: %d\n%s", path, p.Status, p.Body)
		}
	}
	sam := loginAs(t, n, "sam", memberPassword)
	if p := sam.get(fmt.Sprintf("/items/%d", ladder.ID)); !p.Has("Back office › Green rack") {
		t.Errorf("staff item page lacks the whole path:\n%s", p.Body)
	}
}

// selectedIn returns the value of the selected option of the select
// named name in a page, as a browser would send it ("" for none: the
// browser sends the first option, which is "" in the item form).
func selectedIn(t *testing.T, body, name string) string {
	t.Helper()
	start := strings.Index(body, `name="`+name+`"`)
	if start < 0 {
		t.Fatalf("no select %s in the page", name)
	}
	end := strings.Index(body[start:], "</select>")
	if end < 0 {
		t.Fatalf("select %s is not closed", name)
	}
	m := regexp.MustCompile(`<option value="([^"]*)"[^>]*\sselected`).FindStringSubmatch(body[start : start+end])
	if m == nil {
		return ""
	}
	return m[1]
}

// TestItemFormKeepsHiddenReferences: staff put Mia's item in a staff-only
// kit and a place she may not read. Her edit form cannot list them, but it
// must keep them: saving it as it comes changes neither, and shows no
// name.
func TestItemFormKeepsHiddenReferences(t *testing.T) {
	t.Parallel()
	r := newRefsNode(t)
	n := r.n
	status, body := n.api("PATCH", fmt.Sprintf("/api/v1/items/%d", r.mine.ID), r.samToken,
		map[string]any{"kit_id": r.kit.ID, "place_id": r.backOffice.ID})
	if status != http.StatusOK {
		t.Fatalf("staff moving the item: %d %v", status, body)
	}
	before, err := n.m.DB.Items.FindItemByID(systemCtx, r.mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	mia := loginAs(t, n, "mia", memberPassword)
	p := mia.get(fmt.Sprintf("/items/%d/edit", r.mine.ID))
	if p.Status != http.StatusOK || p.Has("Vault kit") || p.Has("Back office") {
		t.Fatalf("edit form: %d (or it names what she may not read)\n%s", p.Status, p.Body)
	}
	kit, place := selectedIn(t, p.Body, "kit"), selectedIn(t, p.Body, "place_id")
	if kit != fmt.Sprint(r.kit.ID) || place != fmt.Sprint(r.backOffice.ID) {
		t.Errorf("the form selects kit %q and place %q, want the current %d and %d", kit, place, r.kit.ID, r.backOffice.ID)
	}
	form := url.Values{"kind": {"tool"}, "name": {"Orbital sander, serviced"}, "condition": {"good"},
		"status": {"available"}, "audience": {"members"}, "version": {fmt.Sprint(before.Version)},
		"kit": {kit}, "place_id": {place}}
	if p := mia.post(fmt.Sprintf("/items/%d/edit", r.mine.ID), form); p.Status != http.StatusOK {
		t.Fatalf("saving the form: %d\n%s", p.Status, p.Body)
	}
	after, err := n.m.DB.Items.FindItemByID(systemCtx, r.mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Name != "Orbital sander, serviced" || after.KitID != r.kit.ID || after.PlaceID != r.backOffice.ID {
		t.Errorf("after saving: name %q kit %d place %d, want the new name in kit %d and place %d",
			after.Name, after.KitID, after.PlaceID, r.kit.ID, r.backOffice.ID)
	}
}

package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Web tests of the places pages: the tree, the form with coordinates,
// who sees which place, and deleting.

// findPlace returns the place named name, as the system.
func findPlace(t *testing.T, n *testNode, name string) *shrooms.Place {
	t.Helper()
	all, err := n.m.DB.Places.FindPlaces(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no place %q", name)
	return nil
}

// countPlaces is how many places the store holds.
func countPlaces(t *testing.T, n *testNode) int {
	t.Helper()
	all, err := n.m.DB.Places.FindPlaces(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

func placeForm(name string, extra ...string) url.Values {
	f := url.Values{"name": {name}, "kind": {"storage"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

func TestPlacesCreateEditWithCoordinates(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	w := loginAs(t, n, "sam", memberPassword)

	form := w.get("/places/new")
	if form.Status != http.StatusOK || !form.Has(`id="latitude"`) || !form.Has(`data-mode="pick"`) {
		t.Fatalf("new place form: %d\n%s", form.Status, form.Body)
	}
	p := w.post("/places/new", placeForm("Workshop", "kind", "workshop", "street", "12 rue des Lilas",
		"postal_code", "75020", "city", "Paris", "latitude", "48.8719", "longitude", "2,3793", "public", "1"))
	if p.Status != http.StatusOK || !strings.HasPrefix(p.Path, "/places/") || !p.Has("Place created.") {
		t.Fatalf("create: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	shop := findPlace(t, n, "Workshop")
	if !shop.HasPoint || shop.Latitude != 48.8719 || shop.Longitude != 2.3793 || !shop.Public || shop.City != "Paris" {
		t.Errorf("stored: %+v", shop)
	}
	// The place page shows the point on a map, with a text list.
	if !p.Has(`data-mode="show"`) || !p.Has("48.871900, 2.379300") || !p.Has(`&#34;lat&#34;:48.8719`) {
		t.Errorf("place page has no map of the point:\n%s", p.Body)
	}

	// A wrong latitude: 422, the form comes back as typed, nothing stored.
	bad := w.post("/places/new", placeForm("Shelf A", "latitude", "95", "longitude", "2"))
	if bad.Status != http.StatusUnprocessableEntity || !bad.Has("The latitude must be a number between -90 and 90.") ||
		!bad.Has(`value="Shelf A"`) || !bad.Has(`value="95"`) {
		t.Errorf("latitude 95: %d\n%s", bad.Status, bad.Body)
	}
	bad = w.post("/places/new", placeForm("Shelf A", "latitude", "north", "longitude", "2"))
	if bad.Status != http.StatusUnprocessableEntity || !bad.Has(`role="alert"`) {
		t.Errorf("latitude north: %d", bad.Status)
	}
	bad = w.post("/places/new", placeForm("Shelf A", "latitude", "48"))
	if bad.Status != http.StatusUnprocessableEntity || !bad.Has("Give both the latitude and the longitude, or neither.") {
		t.Errorf("latitude alone: %d", bad.Status)
	}
	if got := countPlaces(t, n); got != 1 {
		t.Errorf("%d places after refused forms, want 1", got)
	}

	// Edit: a shelf inside the workshop; then the workshop loses its point.
	sid := strconv.FormatInt(shop.ID, 10)
	if p := w.post("/places/new", placeForm("Shelf A", "kind", "shelf", "parent_id", sid)); p.Status != http.StatusOK {
		t.Fatalf("create shelf: %d\n%s", p.Status, p.Body)
	}
	shelf := findPlace(t, n, "Shelf A")
	if shelf.ParentID != shop.ID || shelf.HasPoint || shelf.Public {
		t.Errorf("shelf: %+v", shelf)
	}
	edit := w.get("/places/" + sid + "/edit")
	if !edit.Has(`value="48.8719"`) || strings.Contains(edit.Body, `<option value="`+sid+`"`) ||
		strings.Contains(edit.Body, `<option value="`+strconv.FormatInt(shelf.ID, 10)+`"`) {
		t.Errorf("edit form: its coordinates, and neither itself nor its shelf as parent:\n%s", edit.Body)
	}
	// A cycle sent anyway is refused on the form.
	cyc := w.post("/places/"+sid+"/edit", placeForm("Workshop", "parent_id", strconv.FormatInt(shelf.ID, 10)))
	if cyc.Status != http.StatusUnprocessableEntity || !cyc.Has(`role="alert"`) {
		t.Errorf("cycle: %d\n%s", cyc.Status, cyc.Body)
	}
	p = w.post("/places/"+sid+"/edit", placeForm("Main workshop", "kind", "workshop", "public", "1"))
	if p.Status != http.StatusOK || !p.Has("Place saved.") {
		t.Fatalf("edit: %d\n%s", p.Status, p.Body)
	}
	if got := findPlace(t, n, "Main workshop"); got.HasPoint || got.Kind != shrooms.PlaceWorkshop {
		t.Errorf("after edit: %+v", got)
	}

	// The tree: the shelf follows the workshop, indented.
	list := w.get("/places")
	i, j := strings.Index(list.Body, "Main workshop"), strings.Index(list.Body, "Shelf A")
	if list.Status != http.StatusOK || i < 0 || j < i || !list.Has("place-depth-1") || !list.Has(`href="/places/new"`) {
		t.Errorf("tree: %d\n%s", list.Status, list.Body)
	}
}

func TestPlacesWhoSeesWhat(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	pub := &shrooms.Place{Name: "Repair café", Kind: shrooms.PlaceWorkshop, Public: true, HasPoint: true, Latitude: 45.75, Longitude: 4.85}
	private := &shrooms.Place{Name: "Back room", Kind: shrooms.PlaceStorage}
	for _, p := range []*shrooms.Place{pub, private} {
		if err := n.m.DB.Places.CreatePlace(systemCtx, p); err != nil {
			t.Fatal(err)
		}
	}
	anon := newWebClient(t, n)
	list := anon.get("/places")
	if list.Status != http.StatusOK || !list.Has("Repair café") || list.Has("Back room") || list.Has(`href="/places/new"`) {
		t.Errorf("anonymous list: %d\n%s", list.Status, list.Body)
	}
	if p := anon.get("/places/" + strconv.FormatInt(pub.ID, 10)); p.Status != http.StatusOK || !p.Has("Repair café") {
		t.Errorf("anonymous, public place: %d", p.Status)
	}
	if p := anon.get("/places/" + strconv.FormatInt(private.ID, 10)); p.Status != http.StatusNotFound {
		t.Errorf("anonymous, members place: %d, want 404", p.Status)
	}
	if p := anon.get("/places/new"); !strings.HasPrefix(p.Path, "/login") {
		t.Errorf("anonymous, new place: %s %d", p.Path, p.Status)
	}

	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	m := loginAs(t, n, "mia", memberPassword)
	if p := m.get("/places/" + strconv.FormatInt(private.ID, 10)); p.Status != http.StatusOK || !p.Has("Back room") || p.Has("/edit") {
		t.Errorf("member, members place: %d", p.Status)
	}
	if p := m.get("/places/new"); p.Status != http.StatusForbidden {
		t.Errorf("member, new place form: %d, want 403", p.Status)
	}
	if p := m.post("/places/new", placeForm("Attic")); p.Status != http.StatusForbidden {
		t.Errorf("member, create: %d, want 403", p.Status)
	}
	if countPlaces(t, n) != 2 {
		t.Error("a member created a place")
	}
}

func TestPlacesDelete(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	shelf := &shrooms.Place{Name: "Shelf B", Kind: shrooms.PlaceShelf}
	if err := n.m.DB.Places.CreatePlace(systemCtx, shelf); err != nil {
		t.Fatal(err)
	}
	item := createItem(t, n, &shrooms.Item{Name: "Soldering iron", Kind: shrooms.KindTool, PlaceID: shelf.ID})
	w := loginAs(t, n, "admin", adminPassword)
	path := "/places/" + strconv.FormatInt(shelf.ID, 10)

	page := w.get(path)
	if !page.Has("Soldering iron") || !page.Has("/items?place="+strconv.FormatInt(shelf.ID, 10)) {
		t.Errorf("place page lists its items:\n%s", page.Body)
	}
	if p := w.get(path + "/delete"); p.Status != http.StatusOK || !p.Has(`action="`+path+`/delete"`) {
		t.Errorf("confirmation: %d", p.Status)
	}
	p := w.post(path+"/delete", nil)
	if p.Status != http.StatusConflict || !p.Has("This place still holds items or other places: move them first.") {
		t.Errorf("delete with an item: %d\n%s", p.Status, p.Body)
	}
	if countPlaces(t, n) != 1 {
		t.Fatal("the place went with its item")
	}
	if err := n.m.DB.Items.DeleteItem(systemCtx, item.ID); err != nil {
		t.Fatal(err)
	}
	p = w.post(path+"/delete", nil)
	if p.Status != http.StatusOK || p.Path != "/places" || !p.Has("Place deleted.") || countPlaces(t, n) != 0 {
		t.Errorf("delete when empty: %s %d", p.Path, p.Status)
	}
}

// TestPlacesAndStockModulesOff: with locations and stock off, their pages
// are gone and the item page has no stock panel.
func TestPlacesAndStockModulesOff(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	shelf := &shrooms.Place{Name: "Shelf C", Kind: shrooms.PlaceShelf}
	if err := n.m.DB.Places.CreatePlace(systemCtx, shelf); err != nil {
		t.Fatal(err)
	}
	fuse := createItem(t, n, &shrooms.Item{Name: "Fuse 5A", Kind: shrooms.KindPart, Quantity: 3, Audience: shrooms.AudienceMembers})
	w := loginAs(t, n, "admin", adminPassword)
	item := "/items/" + strconv.FormatInt(fuse.ID, 10)
	if p := w.get(item); !p.Has(`id="stock-quantity"`) {
		t.Fatal("modules on: no stock panel")
	}
	s, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, m := range s.Modules {
		if m != "locations" && m != "stock" {
			mods = append(mods, m)
		}
	}
	s.Modules = mods
	if err := n.m.DB.Settings.UpdateSettings(systemCtx, s); err != nil {
		t.Fatal(err)
	}
	place := "/places/" + strconv.FormatInt(shelf.ID, 10)
	for _, path := range []string{"/places", place, place + "/edit", place + "/delete", "/places/new", "/stock", item + "/movements"} {
		if p := w.get(path); p.Status != http.StatusNotFound {
			t.Errorf("modules off: %s answers %d, want 404", path, p.Status)
		}
	}
	if p := w.post(item+"/stock", move("in", "1", "")); p.Status != http.StatusNotFound {
		t.Errorf("modules off: a movement answers %d, want 404", p.Status)
	}
	if p := w.get(item); p.Status != http.StatusOK || p.Has(`id="stock-quantity"`) {
		t.Errorf("modules off: item page %d still has the stock panel", p.Status)
	}
}

package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Web tests of the inventory pages: categories and their custom fields,
// the item form with photos, the item page, check-out and check-in,
// history, comments, who sees what, and the catalogue's filters.

// itemIDFrom reads the item ID of an item page's path (/items/ID).
func itemIDFrom(t *testing.T, p page) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(p.Path, "/items/"), 10, 64)
	if err != nil || p.Status != http.StatusOK {
		t.Fatalf("not an item page: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	return id
}

// findCategory returns the category named name, as the system.
func findCategory(t *testing.T, n *testNode, name string) *shrooms.Category {
	t.Helper()
	cats, err := n.m.DB.Categories.FindCategories(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no category %q in %v", name, cats)
	return nil
}

// countItems is how many items the store holds.
func countItems(t *testing.T, n *testNode) int {
	t.Helper()
	_, total, err := n.m.DB.Items.FindItems(systemCtx, shrooms.ItemFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// createItem stores an item as the system.
func createItem(t *testing.T, n *testNode, i *shrooms.Item) *shrooms.Item {
	t.Helper()
	if err := n.m.DB.Items.CreateItem(systemCtx, i); err != nil {
		t.Fatalf("create %s: %v", i.Name, err)
	}
	return i
}

// drillForm is the item form of a drill in category cat.
func drillForm(cat int64) url.Values {
	return url.Values{"kind": {"tool"}, "name": {"Cordless drill"}, "description": {"18 V, two batteries"},
		"category": {fmt.Sprint(cat)}, "condition": {"good"}, "status": {"available"}, "value": {"12.50"},
		"loanable": {"1"}, "max_days": {"7"}, "deposit": {"20"}, "loan_members": {"1"}, "audience": {"members"},
		"field_watts": {"750"}, "field_voltage": {"230"}, "field_bought": {"2024-03-01"}}
}

// TestItemsWebCatalogueAnItem: a staff member creates a category, an admin
// gives it custom fields, the staff member catalogues an item with a
// photo and custom field values, finds it in the catalogue and on its
// page; bad input is refused with a message and stores nothing.
func TestItemsWebCatalogueAnItem(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	admin := loginAs(t, n, "admin", adminPassword)
	staff := loginAs(t, n, "sam", memberPassword)

	p := staff.post("/items/categories", url.Values{"name": {"Power tools"}})
	if p.Status != http.StatusOK || p.Path != "/items/categories" || !p.Has("Category created.") || !p.Has("Power tools") {
		t.Fatalf("create category: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	cat := findCategory(t, n, "Power tools")
	if p := staff.get(fmt.Sprintf("/items/categories/%d/fields", cat.ID)); p.Status != http.StatusForbidden {
		t.Errorf("staff opens the fields page: %d, want 403", p.Status)
	}
	fields := url.Values{"rows": {"4"},
		"key_0": {"watts"}, "label_0": {"Power (W)"}, "type_0": {"number"}, "required_0": {"1"},
		"key_1": {"voltage"}, "label_1": {"Voltage"}, "type_1": {"choice"}, "choices_1": {"110, 230"},
		"key_2": {"bought"}, "label_2": {"Bought on"}, "type_2": {"date"},
		"key_3": {""}, "label_3": {""}, "type_3": {"text"}}
	p = admin.post(fmt.Sprintf("/items/categories/%d/fields", cat.ID), fields)
	if p.Status != http.StatusOK || !p.Has(`value="watts"`) || !p.Has(`value="110, 230"`) {
		t.Fatalf("set fields: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	bad := url.Values{"rows": {"1"}, "key_0": {"Bad Key"}, "label_0": {"Bad"}, "type_0": {"text"}}
	if p := admin.post(fmt.Sprintf("/items/categories/%d/fields", cat.ID), bad); p.Status != http.StatusUnprocessableEntity || !p.Has("Bad Key") {
		t.Errorf("bad field key: %d, want 422 naming it", p.Status)
	}

	// The form shows the category's fields once it is chosen.
	p = staff.get(fmt.Sprintf("/items/new?category=%d", cat.ID))
	if p.Status != http.StatusOK || !p.Has(`for="field_watts"`) || !p.Has("Power (W)") || !p.Has("<option>230</option>") {
		t.Fatalf("form with category: %d\n%s", p.Status, p.Body)
	}
	// Without JavaScript, the reload button does the same, keeping values.
	form := drillForm(cat.ID)
	form.Set("reload", "1")
	p = staff.post("/items/new", form)
	if p.Status != http.StatusOK || !p.Has(`for="field_watts"`) || !p.Has(`value="Cordless drill"`) || countItems(t, n) != 0 {
		t.Fatalf("reload: %d, %d items\n%s", p.Status, countItems(t, n), p.Body)
	}

	// With JavaScript, the form comes back by GET with the typed values.
	p = staff.get(fmt.Sprintf("/items/new?reload=1&name=Typed+name&category=%d", cat.ID))
	if !p.Has(`value="Typed name"`) || !p.Has(`for="field_watts"`) || !p.Has(`src="/static/js/item-form.js?v=`) {
		t.Errorf("reload by GET:\n%s", p.Body)
	}
	if p := staff.get("/static/js/item-form.js"); p.Status != http.StatusOK || !p.Has("data-reload") {
		t.Errorf("item-form.js: %d", p.Status)
	}

	// Bad input: a clear message, 422, nothing stored.
	for _, c := range []struct {
		key, value, want string
	}{
		{"name", "  ", "Please give the item a name."},
		{"field_watts", "lots", "Power (W): “lots” is not a number."},
		{"field_watts", "", "Power (W): required."},
		{"category", "999999", "This category does not exist"},
		{"value", "12.345", "Value: please write an amount like 12.50."},
	} {
		f := drillForm(cat.ID)
		f.Set(c.key, c.value)
		p := staff.postMultipart("/items/new", f, "photos", "drill.jpg", testJPEG(t, 64, 48))
		if p.Status != http.StatusUnprocessableEntity || !p.Has(c.want) {
			t.Errorf("%s=%q: %d, want 422 with %q\n%s", c.key, c.value, p.Status, c.want, p.Body)
		}
		if p.Status == http.StatusUnprocessableEntity && c.key != "name" && !p.Has(`value="Cordless drill"`) {
			t.Errorf("%s=%q: the form lost the typed name", c.key, c.value)
		}
	}
	if got := countItems(t, n); got != 0 {
		t.Fatalf("bad forms stored %d items", got)
	}

	// The item, with a photo.
	p = staff.postMultipart("/items/new", drillForm(cat.ID), "photos", "drill.jpg", testJPEG(t, 800, 600))
	id := itemIDFrom(t, p)
	if !p.Has("The item is in the inventory.") || !p.Has("Cordless drill") || !p.Has("Power tools") {
		t.Errorf("item page after creation:\n%s", p.Body)
	}
	for _, want := range []string{"<dt class=\"col-sm-4\">Power (W)</dt><dd class=\"col-sm-8\">750</dd>", "Bought on", "2024-03-01", "For 7 days at most", "Deposit: 20.00", "12.50"} {
		if !p.Has(want) {
			t.Errorf("item page lacks %q", want)
		}
	}
	item, err := n.m.DB.Items.FindItemByID(systemCtx, id)
	if err != nil {
		t.Fatal(err)
	}
	if item.ValueCents != 1250 || item.Loan.DepositCents != 2000 || item.Loan.MaxDays != 7 || !item.Loanable || !item.Loan.Members ||
		item.Fields["watts"] != "750" || item.Fields["voltage"] != "230" || item.CategoryID != cat.ID || len(item.Photos) != 1 {
		t.Fatalf("stored item: %+v", item)
	}
	ph := item.Photos[0]
	if !p.Has(fmt.Sprintf(`href="/media/%d"`, ph.MediaID)) || !p.Has(fmt.Sprintf(`src="/media/%d"`, ph.ThumbID)) {
		t.Errorf("item page does not show the photo thumb linking to the image")
	}
	res, err := staff.c.Get(n.url() + fmt.Sprintf("/media/%d", ph.ThumbID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
		t.Errorf("thumb: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// The catalogue lists it with its thumb and category.
	p = staff.get("/items")
	if p.Status != http.StatusOK || !p.Has("Cordless drill") || !p.Has(fmt.Sprintf(`src="/media/%d"`, ph.ThumbID)) || !p.Has("1 item") {
		t.Errorf("catalogue: %d\n%s", p.Status, p.Body)
	}
	// The French catalogue speaks French.
	staff.lang = "fr"
	if p := staff.get(fmt.Sprintf("/items/%d", id)); !p.Has("Disponible") || !p.Has("Historique") {
		t.Errorf("French item page:\n%s", p.Body)
	}
	staff.lang = "en"
}

// TestItemsWebEditAndLend: editing saves, a stale version is a conflict,
// check-out and check-in record history with the note.
func TestItemsWebEditAndLend(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)
	item := createItem(t, n, &shrooms.Item{Name: "Ladder", Audience: shrooms.AudienceMembers})
	path := fmt.Sprintf("/items/%d", item.ID)

	p := staff.get(path + "/edit")
	if p.Status != http.StatusOK || !p.Has(fmt.Sprintf(`name="version" value="%d"`, item.Version)) {
		t.Fatalf("edit form: %d\n%s", p.Status, p.Body)
	}
	form := url.Values{"kind": {"tool"}, "name": {"Long ladder"}, "condition": {"fair"}, "status": {"available"},
		"audience": {"members"}, "version": {fmt.Sprint(item.Version)}}
	p = staff.post(path+"/edit", form)
	if p.Status != http.StatusOK || p.Path != path || !p.Has("Long ladder") || !p.Has("Saved.") {
		t.Fatalf("edit: %s %d\n%s", p.Path, p.Status, p.Body)
	}
	form.Set("name", "Short ladder")
	p = staff.post(path+"/edit", form) // the version read before the first save
	if p.Status != http.StatusConflict || !p.Has("Someone else changed this item") || !p.Has(`value="Short ladder"`) {
		t.Errorf("stale edit: %d\n%s", p.Status, p.Body)
	}
	if got, _ := n.m.DB.Items.FindItemByID(systemCtx, item.ID); got.Name != "Long ladder" || got.Condition != shrooms.ConditionFair {
		t.Errorf("after the conflict: %q %q", got.Name, got.Condition)
	}

	p = staff.post(path+"/checkout", url.Values{"note": {"to Mia, back Sunday"}})
	if p.Status != http.StatusOK || !p.Has("Checked out.") || !p.Has("On loan") || !p.Has("to Mia, back Sunday") || !p.Has(`id="checkin"`) {
		t.Fatalf("check out: %d\n%s", p.Status, p.Body)
	}
	if got, _ := n.m.DB.Items.FindItemByID(systemCtx, item.ID); got.Status != shrooms.StatusOnLoan {
		t.Errorf("status after check-out: %s", got.Status)
	}
	p = staff.post(path+"/checkin", nil)
	if p.Status != http.StatusOK || !p.Has("Checked in.") || !p.Has(`id="checkout"`) {
		t.Fatalf("check in: %d\n%s", p.Status, p.Body)
	}
	hist, _, err := n.m.DB.Items.FindItemHistory(systemCtx, item.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) < 3 {
		t.Fatalf("history: %+v", hist)
	}
	var notes []string
	for _, h := range hist {
		notes = append(notes, h.Note)
	}
	if !strings.Contains(strings.Join(notes, "|"), "to Mia, back Sunday") {
		t.Errorf("history notes %q lack the check-out note", notes)
	}
	if !p.Has("Sam") || !p.Has("Ladder → Long ladder") {
		t.Errorf("item page history lacks who and what:\n%s", p.Body)
	}

	// Delete asks first, then deletes.
	if p := staff.get(path + "/delete"); p.Status != http.StatusOK || !p.Has("Delete “Long ladder”?") {
		t.Errorf("delete confirmation: %d", p.Status)
	}
	if p := staff.post(path+"/delete", nil); p.Path != "/items" || !p.Has("The item was deleted.") {
		t.Errorf("delete: %s %d", p.Path, p.Status)
	}
	if _, err := n.m.DB.Items.FindItemByID(systemCtx, item.ID); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Errorf("deleted item: %v", err)
	}
}

// TestItemsWebWhoSeesWhat: members comment and delete their comments;
// they cannot see staff items nor edit; anonymous visitors see public
// items only.
func TestItemsWebWhoSeesWhat(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	member := loginAs(t, n, "mia", memberPassword)
	anon := newWebClient(t, n)
	drill := createItem(t, n, &shrooms.Item{Name: "Members drill", Audience: shrooms.AudienceMembers})
	lathe := createItem(t, n, &shrooms.Item{Name: "Staff lathe", Audience: shrooms.AudienceStaff})
	saw := createItem(t, n, &shrooms.Item{Name: "Public saw", Audience: shrooms.AudiencePublic})

	if p := member.get(fmt.Sprintf("/items/%d", lathe.ID)); p.Status != http.StatusNotFound {
		t.Errorf("member opens a staff item: %d, want 404", p.Status)
	}
	if p := member.get("/items"); !p.Has("Members drill") || !p.Has("Public saw") || p.Has("Staff lathe") || p.Has("New item") {
		t.Errorf("member catalogue:\n%s", p.Body)
	}
	p := member.get(fmt.Sprintf("/items/%d", drill.ID))
	if p.Status != http.StatusOK || p.Has(`id="checkout"`) || p.Has("/edit") {
		t.Errorf("member item page: %d, offers staff actions", p.Status)
	}
	if p := member.get(fmt.Sprintf("/items/%d/edit", drill.ID)); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Errorf("member edit form: %d, want 403 or 404", p.Status)
	}
	if p := member.get("/items/new"); p.Status != http.StatusForbidden {
		t.Errorf("member new item form: %d, want 403", p.Status)
	}
	if p := member.post(fmt.Sprintf("/items/%d/checkout", drill.ID), nil); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Errorf("member checks out: %d, want 403 or 404", p.Status)
	}

	// Comments.
	cpath := fmt.Sprintf("/items/%d/comments", drill.ID)
	if p := member.post(cpath, url.Values{"body": {"  "}}); p.Status != http.StatusUnprocessableEntity || !p.Has("Please write a comment first.") {
		t.Errorf("empty comment: %d", p.Status)
	}
	p = member.post(cpath, url.Values{"body": {"The chuck is a bit loose."}})
	if p.Status != http.StatusOK || !p.Has("Comment added.") || !p.Has("The chuck is a bit loose.") {
		t.Fatalf("comment: %d\n%s", p.Status, p.Body)
	}
	comments, err := n.m.DB.Items.FindComments(systemCtx, drill.ID)
	if err != nil || len(comments) != 1 {
		t.Fatalf("comments: %v %v", comments, err)
	}
	p = member.post(fmt.Sprintf("/comments/%d/delete", comments[0].ID), url.Values{"item": {fmt.Sprint(drill.ID)}})
	if p.Status != http.StatusOK || !p.Has("Comment deleted.") || p.Has("The chuck is a bit loose.") {
		t.Errorf("delete comment: %d\n%s", p.Status, p.Body)
	}

	// Anonymous visitors.
	p = anon.get(fmt.Sprintf("/items/%d", saw.ID))
	if p.Status != http.StatusOK || !p.Has("Public saw") || !p.Has("Log in to borrow or comment.") || p.Has(`action="/items/`+fmt.Sprint(saw.ID)+`/comments"`) {
		t.Errorf("anonymous on a public item: %d\n%s", p.Status, p.Body)
	}
	if p := anon.get(fmt.Sprintf("/items/%d", drill.ID)); p.Status != http.StatusNotFound {
		t.Errorf("anonymous on a members item: %d, want 404", p.Status)
	}
	if p := anon.get("/items"); p.Status != http.StatusOK || !p.Has("Public saw") || p.Has("Members drill") {
		t.Errorf("anonymous catalogue: %d\n%s", p.Status, p.Body)
	}
	if p := anon.get("/items/new"); p.Path != "/login?next=%2Fitems%2Fnew" && !strings.HasPrefix(p.Path, "/login") {
		t.Errorf("anonymous new item: ended on %s", p.Path)
	}
}

// TestItemsWebFiltersAndPages: search, filters, sort and pages of the
// catalogue; the module off hides every page.
func TestItemsWebFiltersAndPages(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)
	for i := 1; i <= 60; i++ {
		createItem(t, n, &shrooms.Item{Name: fmt.Sprintf("Widget %02d", i), Audience: shrooms.AudienceMembers})
	}
	createItem(t, n, &shrooms.Item{Name: "Soldering iron", Kind: shrooms.KindDevice, Status: shrooms.StatusInRepair, Audience: shrooms.AudienceMembers})

	p := staff.get("/items")
	if p.Status != http.StatusOK || !p.Has("61 items") || !p.Has("Page 1 of 2") || !p.Has("Soldering iron") || !p.Has("Widget 49") || p.Has("Widget 50") {
		t.Fatalf("page 1: %d\n%s", p.Status, p.Body)
	}
	if !p.Has(`href="/items?page=2"`) {
		t.Errorf("page 1 has no link to page 2")
	}
	p = staff.get("/items?page=2")
	if !p.Has("Page 2 of 2") || !p.Has("Widget 50") || !p.Has("Widget 60") || p.Has("Soldering iron") || p.Has("Widget 01") {
		t.Errorf("page 2:\n%s", p.Body)
	}
	p = staff.get("/items?sort=-name")
	if !p.Has("Widget 60") || p.Has("Soldering iron") {
		t.Errorf("sorted by name descending, page 1 should start with Widget 60 and end before Soldering iron")
	}
	p = staff.get("/items?q=solder")
	if !p.Has("1 item") || !p.Has("Soldering iron") || p.Has("Widget") {
		t.Errorf("search:\n%s", p.Body)
	}
	p = staff.get("/items?status=in_repair&kind=device")
	if !p.Has("1 item") || !p.Has("Soldering iron") || !p.Has(`<option value="in_repair" selected>`) {
		t.Errorf("filters:\n%s", p.Body)
	}
	// Page links and the export keep the filter.
	p = staff.get("/items?q=widget&page=2")
	if !p.Has("60 items") || !p.Has(`href="/items?q=widget&amp;page=1"`) || !p.Has(`href="/items/export.csv?q=widget"`) {
		t.Errorf("filtered page 2 links:\n%s", p.Body)
	}
	if p := staff.get("/items?kind=spaceship"); p.Status != http.StatusBadRequest {
		t.Errorf("unknown kind: %d, want 400", p.Status)
	}

	// The module off: every inventory page is gone.
	s, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, m := range s.Modules {
		if m != "inventory" {
			mods = append(mods, m)
		}
	}
	s.Modules = mods
	if err := n.m.DB.Settings.UpdateSettings(systemCtx, s); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/items", "/items/1", "/items/new", "/items/categories"} {
		if p := staff.get(path); p.Status != http.StatusNotFound {
			t.Errorf("module off: %s answers %d, want 404", path, p.Status)
		}
	}
}

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestBrowserCatalogueItem is the "done when": a staff member, in
// a real browser on a desktop and on a phone, catalogues an item with a
// photo and custom fields, places it on the map, finds it on its page
// with its label to print, and checks it out as a scanned label would
// let them.
func TestBrowserCatalogueItem(t *testing.T) {
	t.Parallel()
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.Name, func(t *testing.T) {
			requireBrowser(t)
			n := startNode(t, newTestClock())
			power := &shrooms.Category{Name: "Power tools"}
			if err := n.m.DB.Categories.CreateCategory(systemCtx, power); err != nil {
				t.Fatal(err)
			}
			if err := n.m.DB.Categories.SetCategoryFields(systemCtx, power.ID, []shrooms.CustomField{
				{Key: "watts", Label: "Power (W)", Type: shrooms.FieldNumber, Required: true},
				{Key: "cordless", Label: "Cordless", Type: shrooms.FieldBool},
			}); err != nil {
				t.Fatal(err)
			}
			shop := &shrooms.Place{Name: "Workshop", Kind: shrooms.PlaceWorkshop, Public: true, HasPoint: true, Latitude: 48.8719, Longitude: 2.3793}
			if err := n.m.DB.Places.CreatePlace(systemCtx, shop); err != nil {
				t.Fatal(err)
			}
			createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
			photo := filepath.Join(t.TempDir(), "drill.jpg")
			if err := os.WriteFile(photo, testJPEG(t, 1200, 900), 0o600); err != nil {
				t.Fatal(err)
			}

			b := newBrowser(t, n, vp)
			b.open("/login")
			b.fill("login", "sam")
			b.fill("password", memberPassword)
			b.submit(`form[action="/login"] button[type="submit"]`)

			b.open("/items/new")
			b.waitVisible("#name")
			// Choosing the category brings its fields (item-form.js reloads
			// the form).
			b.eval(fmt.Sprintf(`(() => {
				const s = document.getElementById("category_select");
				s.value = %q;
				s.dispatchEvent(new Event("change", {bubbles: true}));
			})()`, strconv.FormatInt(power.ID, 10)))
			b.waitVisible("#field_watts")
			b.fill("name", "Cordless drill")
			b.fill("description", "18 V, two batteries, in its case.")
			b.fill("field_watts", "450")
			b.click("#field_cordless")
			b.upload("photos", photo)
			b.click("#audience-public")
			// Place it on the map: the workshop's marker selects it.
			if b.has(".map .leaflet-marker-icon") {
				b.click(".map .leaflet-marker-icon")
				b.waitJS(fmt.Sprintf(`document.getElementById("place_id").value === %q`, strconv.FormatInt(shop.ID, 10)), "the marker to select the place")
			} else {
				t.Error("the item form has no map to place the item on")
				b.fill("place_id", strconv.FormatInt(shop.ID, 10))
			}
			b.screenshot("item-form")
			b.submit(`#item-form button.btn-primary[type="submit"]`)

			b.waitText("Cordless drill")
			path := b.evalString(`location.pathname`)
			if !strings.HasPrefix(path, "/items/") {
				t.Fatalf("after saving: %s", path)
			}
			b.waitText("Power (W)")
			b.waitText("450")
			b.waitJS(`[...document.querySelectorAll("main img")].some(i => i.complete && i.naturalWidth > 0 && i.src.includes("/media/"))`, "the photo's thumbnail")
			b.waitPresent(".map .leaflet-marker-icon")
			b.screenshot("item-page")

			// The label sheet is a PDF, fetched as the browser would.
			b.waitPresent(`a[href*="/items/labels.pdf"]`)
			b.eval(`(async () => {
				const a = document.querySelector('a[href*="/items/labels.pdf"]');
				const r = await fetch(a.href);
				const buf = new Uint8Array(await r.arrayBuffer());
				window.labelCheck = r.status + " " + r.headers.get("Content-Type") + " " + String.fromCharCode(...buf.slice(0, 4));
			})(), true`)
			b.waitJS(`typeof window.labelCheck === "string"`, "the label sheet")
			got := b.evalString(`window.labelCheck`)
			if got != "200 application/pdf %PDF" {
				t.Fatalf("label link: %s", got)
			}

			// Checking out, as a phone that scanned the label would.
			b.submit(`form[action$="/checkout"] button[type="submit"]`)
			b.waitPresent(`form[action$="/checkin"] button[type="submit"]`)
			id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/items/"), 10, 64)
			item, err := n.m.DB.Items.FindItemByID(systemCtx, id)
			if err != nil {
				t.Fatal(err)
			}
			if item.Status != shrooms.StatusOnLoan || item.Fields["watts"] != "450" || item.Fields["cordless"] != "true" ||
				item.PlaceID != shop.ID || len(item.Photos) != 1 || item.Audience != shrooms.AudiencePublic {
				t.Fatalf("stored item: %+v", item)
			}
			b.screenshot("checked-out")
			b.checkContrast("item page")
			b.checkOverflow("item page")
		})
	}
}

// TestBrowserItemKindAudience: on a new item's form, the audience follows
// the kind's module default (inventory members, stock partners here) until
// the user picks one.
func TestBrowserItemKindAudience(t *testing.T) {
	t.Parallel()
	requireBrowser(t)
	n := startNode(t, newTestClock())
	st, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	st.DefaultAudiences = map[string]shrooms.Audience{"inventory": shrooms.AudienceMembers, "stock": shrooms.AudiencePartners}
	if err := n.m.DB.Settings.UpdateSettings(systemCtx, st); err != nil {
		t.Fatal(err)
	}
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	b := newBrowser(t, n, desktop)
	b.open("/login")
	b.fill("login", "sam")
	b.fill("password", memberPassword)
	b.submit(`form[action="/login"] button[type="submit"]`)
	b.open("/items/new")
	b.waitVisible("#name")
	checked := func() string { return b.evalString(`document.querySelector("input[name=audience]:checked").value`) }
	setKind := func(k string) {
		b.eval(fmt.Sprintf(`(() => {
			const s = document.getElementById("kind");
			s.value = %q;
			s.dispatchEvent(new Event("change", {bubbles: true}));
		})()`, k))
	}
	if got := checked(); got != "members" {
		t.Fatalf("a new tool's audience is %s, want members", got)
	}
	setKind("part")
	if got := checked(); got != "partners" {
		t.Fatalf("a part's audience is %s, want the stock default, partners", got)
	}
	setKind("tool")
	if got := checked(); got != "members" {
		t.Fatalf("back to a tool: %s, want members", got)
	}
	// A choice of the user's stays.
	b.click("#audience-public")
	setKind("part")
	if got := checked(); got != "public" {
		t.Fatalf("the user's choice became %s", got)
	}
	b.fill("name", "M4 bolts")
	b.fill("quantity", "40")
	setKind("part")
	b.click("#audience-partners")
	b.submit(`#item-form button.btn-primary[type="submit"]`)
	b.waitText("M4 bolts")
	items, _, err := n.m.DB.Items.FindItems(systemCtx, shrooms.ItemFilter{Query: "bolts"})
	if err != nil || len(items) != 1 || items[0].Kind != shrooms.KindPart || items[0].Audience != shrooms.AudiencePartners {
		t.Fatalf("stored %+v, %v", items, err)
	}
}

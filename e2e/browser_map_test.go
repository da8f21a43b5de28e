package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestBrowserMaps drives the Leaflet maps in a real browser, desktop and
// phone: a click on the new place's map fills its coordinates, the saved
// place shows a marker on its page, and a marker on the item form selects
// its place. The tiles come from the node itself (startNode points
// map.tile_url at static/img/tile.png), so any failed tile, CSP refusal
// or script error fails the test (newBrowser checks the console).
func TestBrowserMaps(t *testing.T) {
	t.Parallel()
	for _, vp := range []viewport{desktop, phone} {
		t.Run(vp.Name, func(t *testing.T) {
			requireBrowser(t)
			n := startNode(t, newTestClock())
			shop := &shrooms.Place{Name: "Workshop", Kind: shrooms.PlaceWorkshop, HasPoint: true, Latitude: 48.8719, Longitude: 2.3793}
			if err := n.m.DB.Places.CreatePlace(systemCtx, shop); err != nil {
				t.Fatal(err)
			}
			createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)

			b := newBrowser(t, n, vp)
			b.open("/login")
			b.fill("login", "sam")
			b.fill("password", memberPassword)
			b.submit(`form[action="/login"] button[type="submit"]`)

			// The place form: a click on the map sets the coordinates.
			b.open("/places/new")
			b.waitPresent(".map.leaflet-container")
			b.waitJS(`document.querySelectorAll(".map .leaflet-tile-loaded").length > 0`, "the tiles to load")
			if b.value("latitude") != "" || b.has(".map .leaflet-marker-icon") {
				t.Error("a new place's map starts with a point")
			}
			b.fill("name", "Tool shed")
			b.click(".map")
			b.waitJS(`document.getElementById("latitude").value !== "" && document.getElementById("longitude").value !== ""`,
				"the click to fill latitude and longitude")
			b.waitPresent(".map .leaflet-marker-icon")
			lat, lng := b.value("latitude"), b.value("longitude")
			wantLat, err1 := strconv.ParseFloat(lat, 64)
			wantLng, err2 := strconv.ParseFloat(lng, 64)
			if err1 != nil || err2 != nil || wantLat < -90 || wantLat > 90 || wantLng < -180 || wantLng > 180 {
				t.Fatalf("the map set latitude %q, longitude %q", lat, lng)
			}
			// Typing moves the marker.
			b.fill("latitude", "45.5")
			b.fill("longitude", "4.25")
			b.eval(`document.getElementById("longitude").dispatchEvent(new Event("input", {bubbles: true}))`)
			b.waitJS(`(() => {
				const m = document.querySelector(".map .leaflet-marker-icon");
				return m && m.getAttribute("src").includes("marker-icon");
			})()`, "the marker icon from the vendored assets")
			b.screenshot("place-form")
			b.submit(`#place-form button[type="submit"]`)

			// The place page shows its marker.
			b.waitPresent(".map.leaflet-container .leaflet-marker-icon")
			path := b.path()
			if !strings.HasPrefix(path, "/places/") {
				t.Fatalf("after saving the place: %s", path)
			}
			id, err := strconv.ParseInt(strings.TrimPrefix(path, "/places/"), 10, 64)
			if err != nil {
				t.Fatalf("after saving the place: %s", path)
			}
			shed, err := n.m.DB.Places.FindPlaceByID(systemCtx, id)
			if err != nil {
				t.Fatal(err)
			}
			if shed.Name != "Tool shed" || !shed.HasPoint || shed.Latitude != 45.5 || shed.Longitude != 4.25 {
				t.Errorf("stored place %+v", shed)
			}
			b.click(".map .leaflet-marker-icon")
			b.waitPresent(fmt.Sprintf(`.leaflet-popup a[href="/places/%d"]`, id))
			b.screenshot("place")

			// The item form: a marker click selects its place.
			b.open("/items/new")
			b.waitPresent(".map.leaflet-container")
			sel := `.map .leaflet-marker-icon[title="Tool shed"]`
			b.waitPresent(sel)
			b.click(sel)
			b.waitJS(fmt.Sprintf(`document.getElementById("place_id").value === %q`, strconv.FormatInt(id, 10)),
				"the marker to select the place")
			b.click(`.map .leaflet-marker-icon[title="Workshop"]`)
			b.waitJS(fmt.Sprintf(`document.getElementById("place_id").value === %q`, strconv.FormatInt(shop.ID, 10)),
				"the other marker to select its place")
			b.screenshot("item-form-map")
		})
	}
}

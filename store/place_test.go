package store_test

import (
	"context"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestPlaces(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	staff := as(p.staff)
	shop := &shrooms.Place{Name: "Workshop", Kind: shrooms.PlaceWorkshop, City: "Lyon", HasPoint: true, Latitude: 45.75, Longitude: 4.85, Public: true}
	if err := p.db.Places.CreatePlace(staff, shop); err != nil {
		t.Fatal(err)
	}
	shelf := &shrooms.Place{Name: "Shelf A", Kind: shrooms.PlaceShelf, ParentID: shop.ID}
	if err := p.db.Places.CreatePlace(staff, shelf); err != nil {
		t.Fatal(err)
	}
	if shelf.Path != "Workshop › Shelf A" || shelf.HasPoint {
		t.Fatalf("%+v", shelf)
	}
	wantCode(t, p.db.Places.CreatePlace(staff, &shrooms.Place{Name: "x", HasPoint: true, Latitude: 100}), shrooms.EINVALID, "latitude: must be between -90 and 90")
	wantCode(t, p.db.Places.CreatePlace(as(p.member), &shrooms.Place{Name: "Home"}), shrooms.EFORBIDDEN, "")

	got, err := p.db.Places.FindPlaceByID(anon, shop.ID)
	if err != nil || got.Latitude != 45.75 || got.City != "Lyon" {
		t.Fatalf("public place for anonymous: %+v %v", got, err)
	}
	_, err = p.db.Places.FindPlaceByID(anon, shelf.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "place not found")
	if all, _ := p.db.Places.FindPlaces(anon); len(all) != 1 {
		t.Fatalf("anonymous sees %d places", len(all))
	}
	if all, _ := p.db.Places.FindPlaces(as(p.member)); len(all) != 2 {
		t.Fatalf("member sees %d places", len(all))
	}

	shop.ParentID = shelf.ID
	wantCode(t, p.db.Places.UpdatePlace(staff, shop), shrooms.ECONFLICT, "parent: a place cannot be inside itself")
	shop.ParentID, shop.HasPoint = 0, false
	if err := p.db.Places.UpdatePlace(staff, shop); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.db.Places.FindPlaceByID(staff, shop.ID); got.HasPoint {
		t.Fatal("point not removed")
	}
	if err := p.db.Items.CreateItem(staff, &shrooms.Item{Name: "Drill", PlaceID: shelf.ID}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.Places.DeletePlace(staff, shelf.ID), shrooms.ECONFLICT, "the place still has items or places inside it")
	wantCode(t, p.db.Places.DeletePlace(staff, shop.ID), shrooms.ECONFLICT, "the place still has items or places inside it")

	s, _ := p.db.Settings.FindSettings(sys)
	s.Modules = []string{"people", "inventory"}
	if err := p.db.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	_, err = p.db.Places.FindPlaces(as(p.member))
	wantCode(t, err, shrooms.ENOTFOUND, "module locations is off")
}

// TestPlaceCountsAndDelete: a place counts only the items the caller may
// read; an empty place can be deleted, by a locations manager only.
func TestPlaceCountsAndDelete(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	staff := as(p.staff)
	wantCode(t, p.db.Places.CreatePlace(anon, &shrooms.Place{Name: "Shed"}), shrooms.EUNAUTHORIZED, "")
	hall := &shrooms.Place{Name: "Hall", Public: true}
	if err := p.db.Places.CreatePlace(staff, hall); err != nil {
		t.Fatal(err)
	}
	for _, a := range []shrooms.Audience{shrooms.AudiencePublic, shrooms.AudienceMembers, shrooms.AudienceStaff} {
		if err := p.db.Items.CreateItem(staff, &shrooms.Item{Name: "Ladder " + string(a), PlaceID: hall.ID, Audience: a}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		who   string
		ctx   context.Context
		items int
	}{
		{"anonymous", anon, 1},
		{"member", as(p.member), 2},
		{"staff", staff, 3},
	} {
		all, err := p.db.Places.FindPlaces(tc.ctx)
		if err != nil || len(all) != 1 || all[0].Items != tc.items {
			t.Errorf("%s: %+v %v, want %d items", tc.who, all, err, tc.items)
		}
	}
	// Without the inventory module there is nothing to count.
	setModules(t, p.db, "people", "locations")
	if all, err := p.db.Places.FindPlaces(staff); err != nil || len(all) != 1 || all[0].Items != 0 {
		t.Fatalf("inventory off: %+v %v", all, err)
	}
	setModules(t, p.db, "people", "inventory", "locations", "stock")

	// Moving a place under another keeps the depth limit.
	parent := int64(0)
	var chain []*shrooms.Place
	for i := 0; i < 8; i++ {
		pl := &shrooms.Place{Name: "Box", ParentID: parent}
		if err := p.db.Places.CreatePlace(staff, pl); err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		parent = pl.ID
		chain = append(chain, pl)
	}
	hall.ParentID = chain[len(chain)-1].ID // a ninth level
	wantCode(t, p.db.Places.UpdatePlace(staff, hall), shrooms.ECONFLICT, "parent: at most 8 levels")
	// So does moving a whole branch: seven levels below the first box.
	chain[0].ParentID = hall.ID
	wantCode(t, p.db.Places.UpdatePlace(staff, chain[0]), shrooms.ECONFLICT, "parent: at most 8 levels")
	chain[0].ParentID = 0
	hall.ParentID = 999
	wantCode(t, p.db.Places.UpdatePlace(staff, hall), shrooms.ENOTFOUND, "parent place not found")

	last := chain[len(chain)-1]
	wantCode(t, p.db.Places.DeletePlace(as(p.member), last.ID), shrooms.EFORBIDDEN, "")
	if err := p.db.Places.DeletePlace(staff, last.ID); err != nil {
		t.Fatal(err)
	}
	_, err := p.db.Places.FindPlaceByID(staff, last.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "place not found")
	wantCode(t, p.db.Places.DeletePlace(staff, last.ID), shrooms.ENOTFOUND, "place not found")
}

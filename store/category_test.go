package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestCategoryTree(t *testing.T) {
	p := newPeople(t)
	staff := as(p.staff)
	tools := &shrooms.Category{Name: "Tools"}
	if err := p.db.CreateCategory(staff, tools); err != nil {
		t.Fatal(err)
	}
	power := &shrooms.Category{Name: "Power tools", ParentID: tools.ID}
	if err := p.db.CreateCategory(staff, power); err != nil {
		t.Fatal(err)
	}
	if power.Path != "Tools › Power tools" || power.Depth != 1 {
		t.Fatalf("path %q depth %d", power.Path, power.Depth)
	}
	aaa := &shrooms.Category{Name: "Aardvark care"}
	if err := p.db.CreateCategory(staff, aaa); err != nil {
		t.Fatal(err)
	}
	all, err := p.db.FindCategories(as(p.member))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range all {
		order = append(order, c.Path)
	}
	if len(order) != 3 || order[0] != "Aardvark care" || order[1] != "Tools" || order[2] != "Tools › Power tools" {
		t.Fatalf("tree order %q", order)
	}
	wantCode(t, p.db.CreateCategory(staff, &shrooms.Category{Name: "power TOOLS", ParentID: tools.ID}), shrooms.ECONFLICT, "name: another category here has this name")
	wantCode(t, p.db.CreateCategory(staff, &shrooms.Category{Name: "x", ParentID: 999}), shrooms.ENOTFOUND, "parent category not found")
	wantCode(t, p.db.CreateCategory(as(p.member), &shrooms.Category{Name: "Mine"}), shrooms.EFORBIDDEN, "")
	wantCode(t, p.db.CreateCategory(anon, &shrooms.Category{Name: "Mine"}), shrooms.EUNAUTHORIZED, "")

	tools.ParentID = power.ID // a cycle
	wantCode(t, p.db.UpdateCategory(staff, tools), shrooms.ECONFLICT, "parent: a category cannot be inside itself")
	tools.ParentID = 0
	tools.Name = "Hand and power tools"
	if err := p.db.UpdateCategory(staff, tools); err != nil {
		t.Fatal(err)
	}
	if c, _ := p.db.FindCategoryByID(staff, power.ID); c.Path != "Hand and power tools › Power tools" {
		t.Fatalf("renamed parent, child path %q", c.Path)
	}
	wantCode(t, p.db.DeleteCategory(staff, tools.ID), shrooms.ECONFLICT, "the category still has items or subcategories")
	if err := p.db.CreateItem(staff, &shrooms.Item{Name: "Drill", CategoryID: power.ID}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.DeleteCategory(staff, power.ID), shrooms.ECONFLICT, "the category still has items or subcategories")
	if err := p.db.DeleteCategory(staff, aaa.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.DeleteCategory(staff, aaa.ID), shrooms.ENOTFOUND, "category not found")
}

func TestCategoryDepthLimit(t *testing.T) {
	p := newPeople(t)
	parent := int64(0)
	for i := 0; i < 8; i++ {
		c := &shrooms.Category{Name: "Level", ParentID: parent}
		if err := p.db.CreateCategory(sys, c); err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		parent = c.ID
	}
	wantCode(t, p.db.CreateCategory(sys, &shrooms.Category{Name: "Too deep", ParentID: parent}), shrooms.ECONFLICT, "parent: at most 8 levels")
}

func TestCategoryFields(t *testing.T) {
	p := newPeople(t)
	tools := &shrooms.Category{Name: "Tools"}
	power := &shrooms.Category{Name: "Power"}
	if err := p.db.CreateCategory(sys, tools); err != nil {
		t.Fatal(err)
	}
	power.ParentID = tools.ID
	if err := p.db.CreateCategory(sys, power); err != nil {
		t.Fatal(err)
	}
	fields := []shrooms.CustomField{
		{Key: "bought", Label: "Bought on", Type: shrooms.FieldDate},
		{Key: "brand", Label: "Brand", Type: shrooms.FieldText},
	}
	wantCode(t, p.db.SetCategoryFields(as(p.staff), tools.ID, fields), shrooms.EFORBIDDEN, "only admins may do this")
	if err := p.db.SetCategoryFields(as(p.admin), tools.ID, fields); err != nil {
		t.Fatal(err)
	}
	volt := []shrooms.CustomField{{Key: "voltage", Label: "Voltage", Type: shrooms.FieldChoice, Choices: []string{"110 V", "230 V"}, Required: true}}
	if err := p.db.SetCategoryFields(as(p.admin), power.ID, volt); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.SetCategoryFields(as(p.admin), power.ID, []shrooms.CustomField{{Key: "brand", Label: "B", Type: shrooms.FieldText}}),
		shrooms.ECONFLICT, "field key brand is already used by a parent or a subcategory")
	wantCode(t, p.db.SetCategoryFields(as(p.admin), tools.ID, append(fields, shrooms.CustomField{Key: "voltage", Label: "V", Type: shrooms.FieldText})),
		shrooms.ECONFLICT, "field key voltage is already used by a parent or a subcategory")
	wantCode(t, p.db.SetCategoryFields(as(p.admin), tools.ID, append(fields, fields[0])), shrooms.ECONFLICT, "field key bought is used twice")
	wantCode(t, p.db.SetCategoryFields(as(p.admin), tools.ID, []shrooms.CustomField{{Key: "Bad Key", Label: "x", Type: shrooms.FieldText}}), shrooms.EINVALID, "")

	defs, err := p.db.FindFieldsFor(as(p.member), power.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 3 || defs[0].Key != "bought" || defs[1].Key != "brand" || defs[2].Key != "voltage" || len(defs[2].Choices) != 2 {
		t.Fatalf("fields root first, in order: %+v", defs)
	}
	// An item of the subcategory must satisfy its ancestors' fields too.
	it := &shrooms.Item{Name: "Drill", CategoryID: power.ID, Fields: map[string]string{"bought": "2026-02-30"}}
	wantCode(t, p.db.CreateItem(as(p.staff), it), shrooms.EINVALID, "")
	it.Fields = map[string]string{"bought": "2026-02-03", "voltage": "230 v"}
	if err := p.db.CreateItem(as(p.staff), it); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.db.FindItemByID(as(p.member), it.ID); got.Fields["voltage"] != "230 V" {
		t.Fatalf("normalised value: %v", got.Fields)
	}
}

func TestPlaces(t *testing.T) {
	p := newPeople(t)
	staff := as(p.staff)
	shop := &shrooms.Place{Name: "Workshop", Kind: shrooms.PlaceWorkshop, City: "Lyon", HasPoint: true, Latitude: 45.75, Longitude: 4.85, Public: true}
	if err := p.db.CreatePlace(staff, shop); err != nil {
		t.Fatal(err)
	}
	shelf := &shrooms.Place{Name: "Shelf A", Kind: shrooms.PlaceShelf, ParentID: shop.ID}
	if err := p.db.CreatePlace(staff, shelf); err != nil {
		t.Fatal(err)
	}
	if shelf.Path != "Workshop › Shelf A" || shelf.HasPoint {
		t.Fatalf("%+v", shelf)
	}
	wantCode(t, p.db.CreatePlace(staff, &shrooms.Place{Name: "x", HasPoint: true, Latitude: 100}), shrooms.EINVALID, "latitude: must be between -90 and 90")
	wantCode(t, p.db.CreatePlace(as(p.member), &shrooms.Place{Name: "Home"}), shrooms.EFORBIDDEN, "")

	got, err := p.db.FindPlaceByID(anon, shop.ID)
	if err != nil || got.Latitude != 45.75 || got.City != "Lyon" {
		t.Fatalf("public place for anonymous: %+v %v", got, err)
	}
	_, err = p.db.FindPlaceByID(anon, shelf.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "place not found")
	if all, _ := p.db.FindPlaces(anon); len(all) != 1 {
		t.Fatalf("anonymous sees %d places", len(all))
	}
	if all, _ := p.db.FindPlaces(as(p.member)); len(all) != 2 {
		t.Fatalf("member sees %d places", len(all))
	}

	shop.ParentID = shelf.ID
	wantCode(t, p.db.UpdatePlace(staff, shop), shrooms.ECONFLICT, "parent: a place cannot be inside itself")
	shop.ParentID, shop.HasPoint = 0, false
	if err := p.db.UpdatePlace(staff, shop); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.db.FindPlaceByID(staff, shop.ID); got.HasPoint {
		t.Fatal("point not removed")
	}
	if err := p.db.CreateItem(staff, &shrooms.Item{Name: "Drill", PlaceID: shelf.ID}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.DeletePlace(staff, shelf.ID), shrooms.ECONFLICT, "the place still has items or places inside it")
	wantCode(t, p.db.DeletePlace(staff, shop.ID), shrooms.ECONFLICT, "the place still has items or places inside it")

	s, _ := p.db.FindSettings(sys)
	s.Modules = []string{"people", "inventory"}
	if err := p.db.UpdateSettings(sys, s); err != nil {
		t.Fatal(err)
	}
	_, err = p.db.FindPlaces(as(p.member))
	wantCode(t, err, shrooms.ENOTFOUND, "module locations is off")
}

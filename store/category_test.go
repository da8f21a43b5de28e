package store_test

import (
	"context"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestCategoryTree(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	staff := as(p.staff)
	tools := &shrooms.Category{Name: "Tools"}
	if err := p.db.Categories.CreateCategory(staff, tools); err != nil {
		t.Fatal(err)
	}
	power := &shrooms.Category{Name: "Power tools", ParentID: tools.ID}
	if err := p.db.Categories.CreateCategory(staff, power); err != nil {
		t.Fatal(err)
	}
	if power.Path != "Tools › Power tools" || power.Depth != 1 {
		t.Fatalf("path %q depth %d", power.Path, power.Depth)
	}
	aaa := &shrooms.Category{Name: "Aardvark care"}
	if err := p.db.Categories.CreateCategory(staff, aaa); err != nil {
		t.Fatal(err)
	}
	all, err := p.db.Categories.FindCategories(as(p.member))
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
	wantCode(t, p.db.Categories.CreateCategory(staff, &shrooms.Category{Name: "power TOOLS", ParentID: tools.ID}), shrooms.ECONFLICT, "name: another category here has this name")
	wantCode(t, p.db.Categories.CreateCategory(staff, &shrooms.Category{Name: "x", ParentID: 999}), shrooms.ENOTFOUND, "parent category not found")
	wantCode(t, p.db.Categories.CreateCategory(as(p.member), &shrooms.Category{Name: "Mine"}), shrooms.EFORBIDDEN, "")
	wantCode(t, p.db.Categories.CreateCategory(anon, &shrooms.Category{Name: "Mine"}), shrooms.EUNAUTHORIZED, "")

	tools.ParentID = power.ID // a cycle
	wantCode(t, p.db.Categories.UpdateCategory(staff, tools), shrooms.ECONFLICT, "parent: a category cannot be inside itself")
	tools.ParentID = 0
	tools.Name = "Hand and power tools"
	if err := p.db.Categories.UpdateCategory(staff, tools); err != nil {
		t.Fatal(err)
	}
	if c, _ := p.db.Categories.FindCategoryByID(staff, power.ID); c.Path != "Hand and power tools › Power tools" {
		t.Fatalf("renamed parent, child path %q", c.Path)
	}
	wantCode(t, p.db.Categories.DeleteCategory(staff, tools.ID), shrooms.ECONFLICT, "the category still has items or subcategories")
	if err := p.db.Items.CreateItem(staff, &shrooms.Item{Name: "Drill", CategoryID: power.ID}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.Categories.DeleteCategory(staff, power.ID), shrooms.ECONFLICT, "the category still has items or subcategories")
	if err := p.db.Categories.DeleteCategory(staff, aaa.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.Categories.DeleteCategory(staff, aaa.ID), shrooms.ENOTFOUND, "category not found")
}

func TestCategoryDepthLimit(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	parent := int64(0)
	for i := 0; i < 8; i++ {
		c := &shrooms.Category{Name: "Level", ParentID: parent}
		if err := p.db.Categories.CreateCategory(sys, c); err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		parent = c.ID
	}
	wantCode(t, p.db.Categories.CreateCategory(sys, &shrooms.Category{Name: "Too deep", ParentID: parent}), shrooms.ECONFLICT, "parent: at most 8 levels")
}

func TestCategoryFields(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	tools := &shrooms.Category{Name: "Tools"}
	power := &shrooms.Category{Name: "Power"}
	if err := p.db.Categories.CreateCategory(sys, tools); err != nil {
		t.Fatal(err)
	}
	power.ParentID = tools.ID
	if err := p.db.Categories.CreateCategory(sys, power); err != nil {
		t.Fatal(err)
	}
	fields := []shrooms.CustomField{
		{Key: "bought", Label: "Bought on", Type: shrooms.FieldDate},
		{Key: "brand", Label: "Brand", Type: shrooms.FieldText},
	}
	wantCode(t, p.db.Categories.SetCategoryFields(as(p.staff), tools.ID, fields), shrooms.EFORBIDDEN, "only admins may do this")
	if err := p.db.Categories.SetCategoryFields(as(p.admin), tools.ID, fields); err != nil {
		t.Fatal(err)
	}
	volt := []shrooms.CustomField{{Key: "voltage", Label: "Voltage", Type: shrooms.FieldChoice, Choices: []string{"110 V", "230 V"}, Required: true}}
	if err := p.db.Categories.SetCategoryFields(as(p.admin), power.ID, volt); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.Categories.SetCategoryFields(as(p.admin), power.ID, []shrooms.CustomField{{Key: "brand", Label: "B", Type: shrooms.FieldText}}),
		shrooms.ECONFLICT, "field key brand is already used by a parent or a subcategory")
	wantCode(t, p.db.Categories.SetCategoryFields(as(p.admin), tools.ID, append(fields, shrooms.CustomField{Key: "voltage", Label: "V", Type: shrooms.FieldText})),
		shrooms.ECONFLICT, "field key voltage is already used by a parent or a subcategory")
	wantCode(t, p.db.Categories.SetCategoryFields(as(p.admin), tools.ID, append(fields, fields[0])), shrooms.ECONFLICT, "field key bought is used twice")
	wantCode(t, p.db.Categories.SetCategoryFields(as(p.admin), tools.ID, []shrooms.CustomField{{Key: "Bad Key", Label: "x", Type: shrooms.FieldText}}), shrooms.EINVALID, "")

	defs, err := p.db.Categories.FindFieldsFor(as(p.member), power.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 3 || defs[0].Key != "bought" || defs[1].Key != "brand" || defs[2].Key != "voltage" || len(defs[2].Choices) != 2 {
		t.Fatalf("fields root first, in order: %+v", defs)
	}
	// An item of the subcategory must satisfy its ancestors' fields too.
	it := &shrooms.Item{Name: "Drill", CategoryID: power.ID, Fields: map[string]string{"bought": "2026-02-30"}}
	wantCode(t, p.db.Items.CreateItem(as(p.staff), it), shrooms.EINVALID, "")
	it.Fields = map[string]string{"bought": "2026-02-03", "voltage": "230 v"}
	if err := p.db.Items.CreateItem(as(p.staff), it); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.db.Items.FindItemByID(as(p.member), it.ID); got.Fields["voltage"] != "230 V" {
		t.Fatalf("normalised value: %v", got.Fields)
	}
}

// TestCategoryVisibility: categories are not secret, but their counts
// only include the items the caller may read; with the module off they
// are gone.
func TestCategoryVisibility(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	tools := &shrooms.Category{Name: "Tools"}
	if err := p.db.Categories.CreateCategory(as(p.staff), tools); err != nil {
		t.Fatal(err)
	}
	for _, a := range []shrooms.Audience{shrooms.AudiencePublic, shrooms.AudienceMembers, shrooms.AudienceStaff} {
		if err := p.db.Items.CreateItem(as(p.staff), &shrooms.Item{Name: "Saw " + string(a), CategoryID: tools.ID, Audience: a}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		who   string
		ctx   func() context.Context
		items int
	}{
		{"anonymous", func() context.Context { return anon }, 1},
		{"member", func() context.Context { return as(p.member) }, 2},
		{"staff", func() context.Context { return as(p.staff) }, 3},
	} {
		all, err := p.db.Categories.FindCategories(tc.ctx())
		if err != nil || len(all) != 1 || all[0].Items != tc.items {
			t.Errorf("%s: %+v %v, want 1 category with %d items", tc.who, all, err, tc.items)
		}
		c, err := p.db.Categories.FindCategoryByID(tc.ctx(), tools.ID)
		if err != nil || c.Items != tc.items {
			t.Errorf("%s by id: %+v %v, want %d items", tc.who, c, err, tc.items)
		}
	}
	if _, err := p.db.Categories.FindFieldsFor(anon, tools.ID); err != nil {
		t.Fatalf("anonymous fields: %v", err)
	}
	_, err := p.db.Categories.FindFieldsFor(anon, 999)
	wantCode(t, err, shrooms.ENOTFOUND, "category not found")

	setModules(t, p.db, "people", "locations", "stock")
	_, err = p.db.Categories.FindCategories(anon)
	wantCode(t, err, shrooms.ENOTFOUND, "module inventory is off")
	_, err = p.db.Categories.FindCategoryByID(as(p.staff), tools.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "module inventory is off")
	wantCode(t, p.db.Categories.CreateCategory(as(p.staff), &shrooms.Category{Name: "Kitchen"}), shrooms.ENOTFOUND, "module inventory is off")
	wantCode(t, p.db.Categories.SetCategoryFields(as(p.admin), tools.ID, nil), shrooms.ENOTFOUND, "module inventory is off")
}

// TestCategoryFieldsReplaced: the definitions are replaced as a whole, in
// the order given, and a choice needs options.
func TestCategoryFieldsReplaced(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	admin := as(p.admin)
	c := &shrooms.Category{Name: "Bikes"}
	if err := p.db.Categories.CreateCategory(admin, c); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.Categories.SetCategoryFields(admin, c.ID, []shrooms.CustomField{{Key: "size", Label: "Size", Type: shrooms.FieldChoice, Choices: []string{" ", ""}}}),
		shrooms.EINVALID, "field size: a choice needs at least one option")
	wantCode(t, p.db.Categories.SetCategoryFields(admin, 999, nil), shrooms.ENOTFOUND, "category not found")
	keys := func() []string {
		t.Helper()
		got, err := p.db.Categories.FindCategoryByID(admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range got.Fields {
			out = append(out, f.Key+":"+strings.Join(f.Choices, "/"))
		}
		return out
	}
	if err := p.db.Categories.SetCategoryFields(admin, c.ID, []shrooms.CustomField{
		{Key: "wheel", Label: "Wheel", Type: shrooms.FieldNumber},
		{Key: "size", Label: "Size", Type: shrooms.FieldChoice, Choices: []string{"S", "M", "S", " L "}},
		{Key: "electric", Label: "Electric", Type: shrooms.FieldBool},
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys(), " "); got != "wheel: size:S/M/L electric:" {
		t.Fatalf("fields in order: %q", got)
	}
	if err := p.db.Categories.SetCategoryFields(admin, c.ID, []shrooms.CustomField{{Key: "electric", Label: "Electric", Type: shrooms.FieldBool}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys(), " "); got != "electric:" {
		t.Fatalf("replaced fields: %q", got)
	}
	if err := p.db.Categories.SetCategoryFields(admin, c.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := keys(); len(got) != 0 {
		t.Fatalf("cleared fields: %q", got)
	}
	// An empty category with fields can go; its fields go with it.
	if err := p.db.Categories.SetCategoryFields(admin, c.ID, []shrooms.CustomField{{Key: "electric", Label: "Electric", Type: shrooms.FieldBool}}); err != nil {
		t.Fatal(err)
	}
	if err := p.db.Categories.DeleteCategory(as(p.staff), c.ID); err != nil {
		t.Fatal(err)
	}
}

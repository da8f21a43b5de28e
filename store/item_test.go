package store_test

import (
	"context"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestItemRights(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	type who struct {
		name string
		ctx  context.Context
	}
	callers := []who{{"anonymous", anon}, {"member", as(v.member)}, {"staff", as(v.staff)},
		{"owner", as(v.owner)}, {"group", as(v.grouper)}}
	// read[audience] and write[audience] per caller, in callers' order.
	cases := []struct {
		aud         shrooms.Audience
		read, write []bool
	}{
		{shrooms.AudiencePublic, []bool{true, true, true, true, true}, []bool{false, false, true, true, true}},
		{shrooms.AudiencePartners, []bool{false, true, true, true, true}, []bool{false, false, true, true, true}},
		{shrooms.AudienceMembers, []bool{false, true, true, true, true}, []bool{false, false, true, true, true}},
		{shrooms.AudienceStaff, []bool{false, false, true, true, true}, []bool{false, false, true, true, true}},
	}
	for _, c := range cases {
		it := v.item(t, &shrooms.Item{Name: "Drill " + string(c.aud), Audience: c.aud,
			OwnerID: v.owner.ID, GroupID: v.group.ID})
		for k, w := range callers {
			t.Run(string(c.aud)+"/"+w.name, func(t *testing.T) {
				got, err := v.db.Items.FindItemByID(w.ctx, it.ID)
				if c.read[k] {
					if err != nil || got.Name != it.Name {
						t.Fatalf("FindItemByID = %v, %v; want the item", got, err)
					}
				} else {
					wantCode(t, err, shrooms.ENOTFOUND, "item not found")
				}
				list, total, err := v.db.Items.FindItems(w.ctx, shrooms.ItemFilter{Query: it.Name})
				if err != nil {
					t.Fatal(err)
				}
				if found := total == 1 && len(list) == 1 && list[0].ID == it.ID; found != c.read[k] {
					t.Fatalf("FindItems total %d, %d rows; want visible = %v", total, len(list), c.read[k])
				}
				_, err = v.db.Items.UpdateItem(w.ctx, it.ID, shrooms.ItemUpdate{Note: "x", Condition: ptr(shrooms.ConditionFair)})
				switch {
				case c.write[k]:
					if err != nil {
						t.Fatalf("UpdateItem: %v", err)
					}
					// Put it back for the next caller.
					if _, err := v.db.Items.UpdateItem(sys, it.ID, shrooms.ItemUpdate{Condition: ptr(shrooms.ConditionGood)}); err != nil {
						t.Fatal(err)
					}
				case c.read[k]:
					wantCode(t, err, shrooms.EFORBIDDEN, "")
				default:
					wantCode(t, err, shrooms.ENOTFOUND, "")
				}
				if !c.write[k] {
					if c.read[k] {
						wantCode(t, v.db.Items.DeleteItem(w.ctx, it.ID), shrooms.EFORBIDDEN, "")
					} else {
						wantCode(t, v.db.Items.DeleteItem(w.ctx, it.ID), shrooms.ENOTFOUND, "")
					}
				}
			})
		}
	}
	t.Run("create", func(t *testing.T) {
		wantCode(t, v.db.Items.CreateItem(anon, &shrooms.Item{Name: "x"}), shrooms.EUNAUTHORIZED, "")
		wantCode(t, v.db.Items.CreateItem(as(v.member), &shrooms.Item{Name: "x"}), shrooms.EFORBIDDEN, "")
		wantCode(t, v.db.Items.CreateItem(as(v.owner), &shrooms.Item{Name: "x"}), shrooms.EFORBIDDEN, "")
	})
}

func TestItemModuleOff(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	it := v.item(t, &shrooms.Item{Name: "Saw", Audience: shrooms.AudiencePublic})
	setModules(t, v.db, "people", "stock", "locations")
	for _, ctx := range []context.Context{anon, as(v.member), as(v.staff), as(v.admin)} {
		_, err := v.db.Items.FindItemByID(ctx, it.ID)
		wantCode(t, err, shrooms.ENOTFOUND, "")
		_, _, err = v.db.Items.FindItems(ctx, shrooms.ItemFilter{})
		wantCode(t, err, shrooms.ENOTFOUND, "")
		wantCode(t, v.db.Items.CreateItem(ctx, &shrooms.Item{Name: "x"}), shrooms.ENOTFOUND, "")
		_, err = v.db.Items.UpdateItem(ctx, it.ID, shrooms.ItemUpdate{Name: ptr("y")})
		wantCode(t, err, shrooms.ENOTFOUND, "")
		wantCode(t, v.db.Items.DeleteItem(ctx, it.ID), shrooms.ENOTFOUND, "")
		_, err = v.db.Items.FindComments(ctx, it.ID)
		wantCode(t, err, shrooms.ENOTFOUND, "")
	}
}

func TestCreateItem(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	it := v.item(t, &shrooms.Item{Name: "  Bosch drill ", CategoryID: v.drills, PlaceID: v.shelf,
		OwnerID: v.owner.ID, GroupID: v.group.ID, Fields: map[string]string{"watts": "1,5", "chuck": "13MM"}})
	if it.ID == 0 || it.IRI != testURL+"/items/"+itoa(it.ID) || it.Version != 1 || it.Name != "Bosch drill" {
		t.Fatalf("created %+v", it)
	}
	if it.CategoryPath != "Tools › Power tools › Drills" || it.Place == nil || it.Place.Path != "Workshop › Shelf A" ||
		it.OwnerName != "olga Name" {
		t.Fatalf("paths %q %+v owner %q", it.CategoryPath, it.Place, it.OwnerName)
	}
	if it.Fields["watts"] != "1.5" || it.Fields["chuck"] != "13mm" || len(it.FieldDefs) != 2 || it.FieldDefs[0].Key != "watts" {
		t.Fatalf("fields %v defs %+v", it.Fields, it.FieldDefs)
	}
	for _, c := range []struct {
		name string
		item shrooms.Item
		code string
		msg  string
	}{
		{"required field", shrooms.Item{Name: "d", CategoryID: v.power}, shrooms.EINVALID, "watts: required"},
		{"bad number", shrooms.Item{Name: "d", CategoryID: v.drills, Fields: map[string]string{"watts": "lots"}}, shrooms.EINVALID, "is not a number"},
		{"bad choice", shrooms.Item{Name: "d", CategoryID: v.drills, Fields: map[string]string{"watts": "1", "chuck": "8mm"}}, shrooms.EINVALID, "chuck"},
		{"unknown field", shrooms.Item{Name: "d", CategoryID: v.kitchen, Fields: map[string]string{"watts": "1"}}, shrooms.EINVALID, "no such field"},
		{"no name", shrooms.Item{}, shrooms.EINVALID, "name: required"},
		{"category", shrooms.Item{Name: "d", CategoryID: 999}, shrooms.ENOTFOUND, "category not found"},
		{"place", shrooms.Item{Name: "d", PlaceID: 999}, shrooms.ENOTFOUND, "place not found"},
		{"owner", shrooms.Item{Name: "d", OwnerID: 999}, shrooms.ENOTFOUND, "owner not found"},
		{"group", shrooms.Item{Name: "d", GroupID: 999}, shrooms.ENOTFOUND, "group not found"},
		{"kit", shrooms.Item{Name: "d", KitID: 999}, shrooms.ENOTFOUND, "kit not found"},
		{"kit not a kit", shrooms.Item{Name: "d", KitID: it.ID}, shrooms.EINVALID, "not a kit"},
		{"kit in kit", shrooms.Item{Name: "d", Kind: shrooms.KindKit, KitID: it.ID}, shrooms.EINVALID, "kit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := count(t, v.db, `SELECT COUNT(*) FROM items`)
			i := c.item
			wantCode(t, v.db.Items.CreateItem(as(v.staff), &i), c.code, c.msg)
			if n := count(t, v.db, `SELECT COUNT(*) FROM items`); n != before {
				t.Fatalf("items %d, want %d", n, before)
			}
		})
	}
	t.Run("kit contents", func(t *testing.T) {
		kit := v.item(t, &shrooms.Item{Name: "Soldering kit", Kind: shrooms.KindKit})
		v.item(t, &shrooms.Item{Name: "Iron", KitID: kit.ID})
		got, err := v.db.Items.FindItemByID(as(v.member), kit.ID)
		if err != nil || len(got.Contents) != 1 || got.Contents[0].Name != "Iron" {
			t.Fatalf("kit %+v, %v", got, err)
		}
		_, err = v.db.Items.UpdateItem(as(v.staff), kit.ID, shrooms.ItemUpdate{KitID: ptr(kit.ID), Kind: ptr(shrooms.KindTool)})
		wantCode(t, err, shrooms.EINVALID, "")
		_, err = v.db.Items.UpdateItem(as(v.staff), kit.ID, shrooms.ItemUpdate{Kind: ptr(shrooms.KindTool)})
		wantCode(t, err, shrooms.EINVALID, "still contains items")
	})
	t.Run("initial quantity", func(t *testing.T) {
		part := v.item(t, &shrooms.Item{Name: "Fuse", Kind: shrooms.KindPart, Quantity: 12, MinQuantity: 3})
		if part.Unit != "pcs" || part.Quantity != 12 {
			t.Fatalf("part %+v", part)
		}
		if n := count(t, v.db, `SELECT COUNT(*) FROM stock_movements WHERE item_id = ? AND kind = 'in' AND delta = 12
			AND balance = 12 AND reason = 'initial quantity'`, part.ID); n != 1 {
			t.Fatalf("initial movements = %d", n)
		}
		// The quantity does not move through UpdateItem.
		got, err := v.db.Items.UpdateItem(as(v.staff), part.ID, shrooms.ItemUpdate{Name: ptr("Fuse 5A")})
		if err != nil || got.Quantity != 12 {
			t.Fatalf("update %+v, %v", got, err)
		}
	})
}

func TestUpdateItemVersion(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	it := v.item(t, &shrooms.Item{Name: "Saw"})
	got, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Version: 1, Name: ptr("Hand saw")})
	if err != nil || got.Version != 2 || got.Name != "Hand saw" || !got.UpdatedAt.Equal(v.clock.Now().UTC()) {
		t.Fatalf("update %+v, %v", got, err)
	}
	_, err = v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Version: 1, Name: ptr("Rip saw")})
	wantCode(t, err, shrooms.ECONFLICT, "the item was changed by someone else; reload and try again")
	if got, _ := v.db.Items.FindItemByID(as(v.staff), it.ID); got.Name != "Hand saw" || got.Version != 2 {
		t.Fatalf("after conflict %+v", got)
	}
	// A change that changes nothing is not a version.
	got, err = v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Version: 2, Name: ptr("Hand saw")})
	if err != nil || got.Version != 2 {
		t.Fatalf("no-op update %+v, %v", got, err)
	}
	_, err = v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Name: ptr("")})
	wantCode(t, err, shrooms.EINVALID, "name: required")
	_, err = v.db.Items.UpdateItem(as(v.staff), 999, shrooms.ItemUpdate{Name: ptr("x")})
	wantCode(t, err, shrooms.ENOTFOUND, "")
}

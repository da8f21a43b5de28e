package store_test

import (
	"context"
	"reflect"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// withoutMemberGrant sets the default grants less the members' grant of
// module.
func withoutMemberGrant(t *testing.T, v *inv, module string, extra ...shrooms.Grant) {
	t.Helper()
	var grants []shrooms.Grant
	for _, g := range shrooms.DefaultGrants() {
		if g.Module != module || g.Role != shrooms.RoleMember {
			grants = append(grants, g)
		}
	}
	if err := v.db.Groups.SetGrants(sys, append(grants, extra...)); err != nil {
		t.Fatal(err)
	}
}

// TestItemRefsNeedReadAccess: a member who owns an item may point it only
// at what they may read; a refusal reads as a missing record and changes
// nothing, history included.
func TestItemRefsNeedReadAccess(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	withoutMemberGrant(t, v, "locations")
	kit := v.item(t, &shrooms.Item{Name: "Vault kit", Kind: shrooms.KindKit, Audience: shrooms.AudienceStaff})
	open := v.item(t, &shrooms.Item{Name: "Open kit", Kind: shrooms.KindKit})
	zed := createUser(t, v.db, "zed", shrooms.RoleMember)
	if _, err := v.db.Users.UpdateUser(sys, zed.ID, shrooms.UserUpdate{Status: ptr(shrooms.StatusSuspended)}); err != nil {
		t.Fatal(err)
	}
	mine := v.item(t, &shrooms.Item{Name: "Sander", OwnerID: v.owner.ID})
	for _, c := range []struct {
		name string
		u    shrooms.ItemUpdate
		msg  string
	}{
		{"staff-only kit", shrooms.ItemUpdate{KitID: ptr(kit.ID)}, "kit not found"},
		{"place not public", shrooms.ItemUpdate{PlaceID: ptr(v.shelf)}, "place not found"},
		{"group not hers", shrooms.ItemUpdate{GroupID: ptr(v.group.ID)}, "group not found"},
		{"suspended owner", shrooms.ItemUpdate{OwnerID: ptr(zed.ID)}, "owner not found"},
		{"no such place", shrooms.ItemUpdate{PlaceID: ptr(int64(999))}, "place not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.db.Items.UpdateItem(as(v.owner), mine.ID, c.u)
			wantCode(t, err, shrooms.ENOTFOUND, c.msg)
			got, _ := v.db.Items.FindItemByID(sys, mine.ID)
			if got.Version != mine.Version {
				t.Fatalf("item changed: %+v", got)
			}
			if _, n, _ := v.db.Items.FindItemHistory(sys, mine.ID, 0, 1); n != 1 {
				t.Fatalf("%d history entries", n)
			}
		})
	}
	// What she may read she may set: a kit members read, a public place,
	// a group once she is in it, herself.
	got, err := v.db.Items.UpdateItem(as(v.owner), mine.ID, shrooms.ItemUpdate{KitID: ptr(open.ID), PlaceID: ptr(v.workshop)})
	if err != nil || got.KitID != open.ID || got.PlaceID != v.workshop {
		t.Fatalf("readable references: %+v %v", got, err)
	}
	if err := v.db.Groups.SetGroupMembers(sys, v.group.ID, []int64{v.grouper.ID, v.owner.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.Items.UpdateItem(as(v.owner), mine.ID, shrooms.ItemUpdate{GroupID: ptr(v.group.ID)}); err != nil {
		t.Fatal(err)
	}
	// Staff may; and what staff set stays when she changes something else.
	if _, err := v.db.Items.UpdateItem(as(v.staff), mine.ID, shrooms.ItemUpdate{KitID: ptr(kit.ID), PlaceID: ptr(v.shelf)}); err != nil {
		t.Fatal(err)
	}
	got, err = v.db.Items.UpdateItem(as(v.owner), mine.ID, shrooms.ItemUpdate{Name: ptr("Belt sander"), KitID: ptr(kit.ID), PlaceID: ptr(v.shelf)})
	if err != nil || got.Name != "Belt sander" {
		t.Fatalf("unchanged references: %+v %v", got, err)
	}
}

// TestItemRefsOnCreateAndImport: creation and import check references by
// the same rule, for someone who may create items but not read every
// place (a group granted inventory write).
func TestItemRefsOnCreateAndImport(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	withoutMemberGrant(t, v, "locations", shrooms.Grant{Module: "inventory", GroupID: v.group.ID, Access: shrooms.AccessReadWrite})
	gus := as(v.grouper)
	wantCode(t, v.db.Items.CreateItem(gus, &shrooms.Item{Name: "Saw", PlaceID: v.shelf}), shrooms.ENOTFOUND, "place not found")
	if err := v.db.Items.CreateItem(gus, &shrooms.Item{Name: "Saw", PlaceID: v.workshop}); err != nil {
		t.Fatal(err)
	}
	rows, err := v.db.Items.ImportItems(gus, []*shrooms.Item{{Name: "Plane", PlaceID: v.workshop}, {Name: "Rasp", PlaceID: v.storage}}, 2, false)
	if err != nil || len(rows) != 1 || !reflect.DeepEqual(rows[0], shrooms.RowError{Row: 3, Field: "place", Message: "place not found", Key: "items.error.db_place_missing"}) {
		t.Fatalf("import: %+v %v", rows, err)
	}
	if n := count(t, v.db, `SELECT COUNT(*) FROM items WHERE name IN ('Plane', 'Rasp')`); n != 0 {
		t.Fatalf("%d items imported", n)
	}
}

// TestItemHistoryPerReader: the history names what each reader may read
// and hides the rest, gone records included; it stores no name.
func TestItemHistoryPerReader(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	rack := v.exec(t, `INSERT INTO places (parent_id, kind, name, public, created_at, updated_at) VALUES (?, 'shelf', 'Rack', 1, 0, 0)`, v.storage)
	kit := v.item(t, &shrooms.Item{Name: "Vault kit", Kind: shrooms.KindKit, Audience: shrooms.AudienceStaff})
	gone := v.item(t, &shrooms.Item{Name: "Old kit", Kind: shrooms.KindKit, Audience: shrooms.AudiencePublic})
	it := v.item(t, &shrooms.Item{Name: "Ladder", Audience: shrooms.AudiencePublic, PlaceID: v.workshop, KitID: gone.ID})
	if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{PlaceID: ptr(v.shelf), KitID: ptr(kit.ID),
		GroupID: ptr(v.group.ID), OwnerID: ptr(v.owner.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{PlaceID: ptr(rack)}); err != nil {
		t.Fatal(err)
	}
	if err := v.db.Items.DeleteItem(as(v.staff), gone.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, v.db, `SELECT COUNT(*) FROM item_changes WHERE fields LIKE '%Vault%' OR fields LIKE '%Shelf%'
		OR fields LIKE '%Woodwork%' OR fields LIKE '%olga%'`); n != 0 {
		t.Fatalf("%d entries store names", n)
	}
	hidden := shrooms.ChangeValue{Hidden: true}
	for _, c := range []struct {
		name   string
		reader *shrooms.User
		// want: place (from, to), kit (from, to), group to, owner to, and
		// the place of the last change.
		want [7]shrooms.ChangeValue
		user string
	}{
		{"anonymous", nil, [7]shrooms.ChangeValue{ref(v.workshop, "Workshop"), hidden, hidden, hidden, hidden, hidden,
			ref(rack, "Rack")}, ""},
		{"member", v.member, [7]shrooms.ChangeValue{ref(v.workshop, "Workshop"), ref(v.shelf, "Workshop › Shelf A"),
			hidden, hidden, ref(v.group.ID, "Woodwork"), ref(v.owner.ID, "olga Name"), ref(rack, "Cellar › Rack")}, "sam Name"},
		{"staff", v.staff, [7]shrooms.ChangeValue{ref(v.workshop, "Workshop"), ref(v.shelf, "Workshop › Shelf A"),
			hidden, ref(kit.ID, "Vault kit"), ref(v.group.ID, "Woodwork"), ref(v.owner.ID, "olga Name"),
			ref(rack, "Cellar › Rack")}, "sam Name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := anon
			if c.reader != nil {
				ctx = as(c.reader)
			}
			hist, _, err := v.db.Items.FindItemHistory(ctx, it.ID, 0, 0)
			if err != nil || len(hist) != 3 {
				t.Fatalf("history %+v %v", hist, err)
			}
			moved, last := hist[1], hist[0]
			byField := map[shrooms.ChangeField]shrooms.FieldChange{}
			for _, f := range moved.Fields {
				byField[f.Field] = f
			}
			got := [7]shrooms.ChangeValue{byField["place"].From, byField["place"].To, byField["kit"].From,
				byField["kit"].To, byField["group"].To, byField["owner"].To, last.Fields[0].To}
			for k := range got {
				if !got[k].Equal(c.want[k]) {
					t.Errorf("value %d = %+v, want %+v", k, got[k], c.want[k])
				}
			}
			if moved.UserName != c.user || moved.UserHidden != (c.user == "") {
				t.Errorf("author %q hidden %v", moved.UserName, moved.UserHidden)
			}
		})
	}
}

// TestItemHistoryOldRows: entries written as English text before the
// history was structured read in the new shape; their names show only
// to readers who may read every record of that kind.
func TestItemHistoryOldRows(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	it := v.item(t, &shrooms.Item{Name: "Drill", Audience: shrooms.AudiencePublic})
	v.exec(t, `INSERT INTO item_changes (item_id, user_id, user_name, action, fields, note, at) VALUES (?, NULL, 'sam Name',
		'updated', ?, '', 1)`, it.ID, `[{"field":"status","from":"available","to":"on_loan"},
		{"field":"value","from":"12.50","to":"20.00"},
		{"field":"loanable","from":"no","to":"yes"},
		{"field":"loan","from":"no time limit, no deposit, lent to nobody","to":"at most 14 days, deposit 20.00, lent to members and partners"},
		{"field":"place","from":"","to":"Cellar"},
		{"field":"kit","from":"Vault kit","to":""},
		{"field":"category","from":"","to":"Tools"},
		{"field":"Power (W)","from":"500","to":"650"}]`)
	for _, c := range []struct {
		name   string
		reader *shrooms.User
		place  shrooms.ChangeValue
		kit    shrooms.ChangeValue
	}{
		{"anonymous", nil, shrooms.ChangeValue{Hidden: true}, shrooms.ChangeValue{Hidden: true}},
		{"member", v.member, shrooms.ChangeValue{Name: "Cellar"}, shrooms.ChangeValue{Hidden: true}},
		{"staff", v.staff, shrooms.ChangeValue{Name: "Cellar"}, shrooms.ChangeValue{Name: "Vault kit"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := anon
			if c.reader != nil {
				ctx = as(c.reader)
			}
			hist, _, err := v.db.Items.FindItemHistory(ctx, it.ID, 0, 1)
			if err != nil || len(hist) != 1 {
				t.Fatalf("history %+v %v", hist, err)
			}
			want := []shrooms.FieldChange{
				{Field: "status", From: text("available"), To: text("on_loan")},
				{Field: "value", From: shrooms.NumberValue(1250), To: shrooms.NumberValue(2000)},
				{Field: "loanable", From: shrooms.BoolValue(false), To: shrooms.BoolValue(true)},
				{Field: "loan", From: shrooms.LoanValue(shrooms.LoanRules{}),
					To: shrooms.LoanValue(shrooms.LoanRules{MaxDays: 14, DepositCents: 2000, Members: true, Partners: true})},
				{Field: "place", To: c.place},
				{Field: "kit", From: c.kit},
				{Field: "category", To: shrooms.ChangeValue{Name: "Tools"}},
				{Field: "custom", Label: "Power (W)", From: text("500"), To: text("650")},
			}
			if len(hist[0].Fields) != len(want) {
				t.Fatalf("fields %+v", hist[0].Fields)
			}
			for k := range want {
				if !sameChange(hist[0].Fields[k], want[k]) {
					t.Errorf("field %d = %+v, want %+v", k, hist[0].Fields[k], want[k])
				}
			}
		})
	}
}

// TestPublicPlacePaths: readers of public places only see a public
// place's path stop below its first ancestor that is not public, on
// items, in lists and among places; members read it whole.
func TestPublicPlacePaths(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	rack := v.exec(t, `INSERT INTO places (parent_id, kind, name, public, created_at, updated_at) VALUES (?, 'shelf', 'Rack', 1, 0, 0)`, v.storage)
	it := v.item(t, &shrooms.Item{Name: "Ladder", Audience: shrooms.AudiencePublic, PlaceID: rack})
	for _, c := range []struct {
		name  string
		ctx   func() context.Context
		path  string
		depth int
	}{
		{"anonymous", func() context.Context { return anon }, "Rack", 0},
		{"member", func() context.Context { return as(v.member) }, "Cellar › Rack", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := c.ctx()
			got, err := v.db.Items.FindItemByID(ctx, it.ID)
			if err != nil || got.Place == nil || got.Place.Path != c.path || got.Place.Depth != c.depth {
				t.Errorf("item place %+v %v", got, err)
			}
			list, _, err := v.db.Items.FindItems(ctx, shrooms.ItemFilter{})
			if err != nil || len(list) == 0 || list[0].Place == nil || list[0].Place.Path != c.path {
				t.Errorf("list %+v %v", list, err)
			}
			pl, err := v.db.Places.FindPlaceByID(ctx, rack)
			if err != nil || pl.Path != c.path || pl.Depth != c.depth {
				t.Errorf("place %+v %v", pl, err)
			}
			all, err := v.db.Places.FindPlaces(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range all {
				if p.ID == rack && (p.Path != c.path || p.Depth != c.depth) {
					t.Errorf("places: %+v", p)
				}
			}
		})
	}
}

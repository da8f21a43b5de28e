package store_test

import (
	"slices"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// names lists item names in order.
func sharedNames(items []*shrooms.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

func TestFindSharedItems(t *testing.T) {
	v := newInv(t)
	setModules(t, v.db, "people", "inventory", "stock", "locations")
	pub := v.item(t, &shrooms.Item{Name: "Public drill", Audience: shrooms.AudiencePublic, OwnerID: v.owner.ID, PlaceID: v.shelf})
	tool := v.item(t, &shrooms.Item{Name: "Partner saw", Audience: shrooms.AudiencePartners})
	part := v.item(t, &shrooms.Item{Name: "Partner fuse", Kind: shrooms.KindPart, Audience: shrooms.AudiencePartners})
	v.item(t, &shrooms.Item{Name: "Members lathe", Audience: shrooms.AudienceMembers})
	v.item(t, &shrooms.Item{Name: "Staff safe", Audience: shrooms.AudienceStaff})

	for _, tc := range []struct {
		name    string
		modules []string
		want    []string
	}{
		{"anyone", nil, []string{"Public drill"}},
		{"inventory", []string{"inventory"}, []string{"Public drill", "Partner saw"}},
		{"stock", []string{"stock"}, []string{"Public drill", "Partner fuse"}},
		{"both", []string{"inventory", "stock"}, []string{"Public drill", "Partner saw", "Partner fuse"}},
		{"events only", []string{"events"}, []string{"Public drill"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, total, err := v.db.FindSharedItems(sys, 0, tc.modules, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := sharedNames(items); total != len(tc.want) || len(got) != len(tc.want) {
				t.Fatalf("got %v (total %d), want %v", got, total, tc.want)
			}
			for i, n := range tc.want {
				if items[i].Name != n {
					t.Fatalf("got %v, want %v", sharedNames(items), tc.want)
				}
			}
		})
	}

	// Pages go on after an ID, ascending; the total stays the whole.
	items, total, err := v.db.FindSharedItems(sys, pub.ID, []string{"inventory", "stock"}, 1)
	if err != nil || total != 3 || len(items) != 1 || items[0].ID != tool.ID {
		t.Fatalf("page after %d: %v total %d err %v", pub.ID, sharedNames(items), total, err)
	}

	// Snapshots do not leak: no private place, no owner name.
	if items, _, _ := v.db.FindSharedItems(sys, 0, nil, 10); items[0].Place != nil || items[0].OwnerName != "" {
		t.Fatalf("snapshot leaks: %+v", items[0])
	}

	// One item: the same rule, ENOTFOUND for the rest.
	if it, err := v.db.FindSharedItem(sys, tool.ID, []string{"inventory"}); err != nil || it.Name != "Partner saw" {
		t.Fatalf("FindSharedItem: %v %v", it, err)
	}
	_, err = v.db.FindSharedItem(sys, tool.ID, nil)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	_, err = v.db.FindSharedItem(sys, part.ID, []string{"inventory"})
	wantCode(t, err, shrooms.ENOTFOUND, "")
	_, err = v.db.FindSharedItem(sys, 9999, shrooms.SharedModules)
	wantCode(t, err, shrooms.ENOTFOUND, "")

	// A module that is off shares nothing: stock off keeps parts home,
	// inventory off empties the collection.
	setModules(t, v.db, "people", "inventory")
	if items, _, _ := v.db.FindSharedItems(sys, 0, []string{"inventory", "stock"}, 10); len(items) != 2 {
		t.Fatalf("stock off: %v", sharedNames(items))
	}
	setModules(t, v.db, "people")
	if items, total, err := v.db.FindSharedItems(sys, 0, shrooms.SharedModules, 10); err != nil || len(items) != 0 || total != 0 {
		t.Fatalf("inventory off: %v %d %v", sharedNames(items), total, err)
	}
	_, err = v.db.FindSharedItem(sys, pub.ID, nil)
	wantCode(t, err, shrooms.ENOTFOUND, "")
}

// A partners-only kit goes to partners with the names of its public and
// partners-only contents, as its deliveries do; a public kit with its
// public contents only, since anyone may read the collection.
func TestSharedKitContents(t *testing.T) {
	v := newInv(t)
	kit := v.item(t, &shrooms.Item{Name: "Soldering kit", Kind: shrooms.KindKit, Audience: shrooms.AudiencePartners})
	pubKit := v.item(t, &shrooms.Item{Name: "Sewing kit", Kind: shrooms.KindKit, Audience: shrooms.AudiencePublic})
	for _, it := range []*shrooms.Item{
		{Name: "Iron", KitID: kit.ID, Audience: shrooms.AudiencePartners},
		{Name: "Stand", KitID: kit.ID, Audience: shrooms.AudiencePublic},
		{Name: "Spare tips", KitID: kit.ID, Audience: shrooms.AudienceMembers},
		{Name: "Needles", KitID: pubKit.ID, Audience: shrooms.AudiencePublic},
		{Name: "Scissors", KitID: pubKit.ID, Audience: shrooms.AudiencePartners},
	} {
		v.item(t, it)
	}
	contents := func(it *shrooms.Item) []string {
		var out []string
		for _, r := range it.Contents {
			out = append(out, r.Name)
		}
		slices.Sort(out)
		return out
	}
	got, err := v.db.FindSharedItem(sys, kit.ID, []string{"inventory"})
	if err != nil {
		t.Fatal(err)
	}
	if c := contents(got); !slices.Equal(c, []string{"Iron", "Stand"}) {
		t.Fatalf("partners kit contents %v, want Iron and Stand", c)
	}
	got, err = v.db.FindSharedItem(sys, pubKit.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := contents(got); !slices.Equal(c, []string{"Needles"}) {
		t.Fatalf("public kit contents %v, want Needles", c)
	}
	iron, _, _ := v.db.FindSharedItems(sys, kit.ID, []string{"inventory"}, 10)
	for _, it := range iron {
		if it.Name == "Iron" && (it.Kit == nil || it.Kit.Name != "Soldering kit") {
			t.Fatalf("a partners item in a partners kit lost its kit: %+v", it.Kit)
		}
	}
}

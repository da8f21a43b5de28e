package store_test

import (
	"context"
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

// remote is the context of a request from the network signed by a.
func remote(a *shrooms.Actor) context.Context {
	return shrooms.NewRemoteContext(context.Background(), a.IRI)
}

// unsigned is the context of an unsigned request from the network.
var unsigned = shrooms.NewRemoteContext(context.Background(), "")

// linkWith links a partner on host whose policy shares modules.
func (s *sharing) linkWith(t *testing.T, host string, modules ...string) *shrooms.Actor {
	t.Helper()
	a := s.link(t, host)
	if _, err := s.db.Partners.SetPartnerModules(sys, a.ID, modules); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestFindSharedItems(t *testing.T) {
	t.Parallel()
	s := newSharing(t)
	v := s.v
	setModules(t, v.db, "people", "inventory", "stock", "locations")
	stockOnly := s.linkWith(t, "stock.example", "stock")
	eventsOnly := s.linkWith(t, "events.example", "events")
	pub := v.item(t, &shrooms.Item{Name: "Public drill", Audience: shrooms.AudiencePublic, OwnerID: v.owner.ID, PlaceID: v.shelf})
	tool := v.item(t, &shrooms.Item{Name: "Partner saw", Audience: shrooms.AudiencePartners})
	part := v.item(t, &shrooms.Item{Name: "Partner fuse", Kind: shrooms.KindPart, Audience: shrooms.AudiencePartners})
	v.item(t, &shrooms.Item{Name: "Members lathe", Audience: shrooms.AudienceMembers})
	v.item(t, &shrooms.Item{Name: "Staff safe", Audience: shrooms.AudienceStaff})

	for _, tc := range []struct {
		name string
		ctx  context.Context
		want []string
	}{
		{"anyone", unsigned, []string{"Public drill"}},
		{"inventory", remote(s.b), []string{"Public drill", "Partner saw"}},
		{"stock", remote(stockOnly), []string{"Public drill", "Partner fuse"}},
		{"both", remote(s.c), []string{"Public drill", "Partner saw", "Partner fuse"}},
		{"events only", remote(eventsOnly), []string{"Public drill"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, total, err := v.db.Items.FindSharedItems(tc.ctx, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := sharedNames(items); total != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v (total %d), want %v", got, total, tc.want)
			}
		})
	}

	// Pages go on after an ID, ascending; the total stays the whole.
	items, total, err := v.db.Items.FindSharedItems(remote(s.c), pub.ID, 1)
	if err != nil || total != 3 || len(items) != 1 || items[0].ID != tool.ID {
		t.Fatalf("page after %d: %v total %d err %v", pub.ID, sharedNames(items), total, err)
	}

	// Snapshots do not leak: no private place, no owner name.
	if items, _, _ := v.db.Items.FindSharedItems(unsigned, 0, 10); items[0].Place != nil || items[0].OwnerName != "" {
		t.Fatalf("snapshot leaks: %+v", items[0])
	}

	// One item: the same rule, ENOTFOUND for the rest.
	if it, err := v.db.Items.FindSharedItem(remote(s.b), tool.ID); err != nil || it.Name != "Partner saw" {
		t.Fatalf("FindSharedItem: %v %v", it, err)
	}
	_, err = v.db.Items.FindSharedItem(unsigned, tool.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	_, err = v.db.Items.FindSharedItem(remote(s.b), part.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	_, err = v.db.Items.FindSharedItem(remote(s.c), 9999)
	wantCode(t, err, shrooms.ENOTFOUND, "")

	// A module that is off shares nothing: stock off keeps parts home,
	// inventory off empties the collection.
	setModules(t, v.db, "people", "inventory")
	if items, _, _ := v.db.Items.FindSharedItems(remote(s.c), 0, 10); len(items) != 2 {
		t.Fatalf("stock off: %v", sharedNames(items))
	}
	setModules(t, v.db, "people")
	if items, total, err := v.db.Items.FindSharedItems(remote(s.c), 0, 10); err != nil || len(items) != 0 || total != 0 {
		t.Fatalf("inventory off: %v %d %v", sharedNames(items), total, err)
	}
	_, err = v.db.Items.FindSharedItem(unsigned, pub.ID)
	wantCode(t, err, shrooms.ENOTFOUND, "")
}

// A partners-only kit goes to partners with the names of its public and
// partners-only contents, as its deliveries do; a public kit with its
// public contents only, since anyone may read the collection.
func TestSharedKitContents(t *testing.T) {
	t.Parallel()
	s := newSharing(t)
	v := s.v
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
	got, err := v.db.Items.FindSharedItem(remote(s.b), kit.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := contents(got); !slices.Equal(c, []string{"Iron", "Stand"}) {
		t.Fatalf("partners kit contents %v, want Iron and Stand", c)
	}
	got, err = v.db.Items.FindSharedItem(unsigned, pubKit.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := contents(got); !slices.Equal(c, []string{"Needles"}) {
		t.Fatalf("public kit contents %v, want Needles", c)
	}
	iron, _, _ := v.db.Items.FindSharedItems(remote(s.b), kit.ID, 10)
	for _, it := range iron {
		if it.Name == "Iron" && (it.Kit == nil || it.Kit.Name != "Soldering kit") {
			t.Fatalf("a partners item in a partners kit lost its kit: %+v", it.Kit)
		}
	}
}

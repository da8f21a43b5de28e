package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestItemOutbox(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	// Members and staff items never leave the node.
	hidden := v.item(t, &shrooms.Item{Name: "Safe", Audience: shrooms.AudienceStaff})
	if _, err := v.db.Items.UpdateItem(as(v.staff), hidden.ID, shrooms.ItemUpdate{Audience: ptr(shrooms.AudienceMembers)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.Items.UpdateItem(as(v.staff), hidden.ID, shrooms.ItemUpdate{Audience: ptr(shrooms.AudiencePartners)}); err != nil {
		t.Fatal(err)
	}
	if err := v.db.Items.DeleteItem(as(v.staff), hidden.ID); err != nil {
		t.Fatal(err)
	}
	if acts := v.outbox(t); len(acts) != 0 {
		t.Fatalf("outbox for non-public items: %+v", acts)
	}

	it := v.item(t, &shrooms.Item{Name: "Drill", Audience: shrooms.AudiencePublic, OwnerID: v.owner.ID,
		PlaceID: v.shelf})
	if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Name: ptr("Hammer drill"), PlaceID: ptr(v.workshop)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Audience: ptr(shrooms.AudienceMembers)}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Name: ptr("Quiet drill")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Audience: ptr(shrooms.AudiencePublic)}); err != nil {
		t.Fatal(err)
	}
	if err := v.db.Items.DeleteItem(as(v.staff), it.ID); err != nil {
		t.Fatal(err)
	}
	acts := v.outbox(t)
	wantTypes := []shrooms.ActivityType{shrooms.ActivityCreate, shrooms.ActivityUpdate, shrooms.ActivityDelete,
		shrooms.ActivityCreate, shrooms.ActivityDelete}
	if len(acts) != len(wantTypes) {
		t.Fatalf("%d activities, want %d: %+v", len(acts), len(wantTypes), acts)
	}
	iri := testURL + "/items/" + itoa(it.ID)
	for k, a := range acts {
		if a.Type != wantTypes[k] || a.Object != iri || a.Actor != v.org.IRI || a.ObjectType != "Item" ||
			len(a.To) != 1 || a.To[0] != shrooms.PublicAudience || len(a.CC) != 1 || a.CC[0] != v.org.Followers ||
			a.IRI == "" || a.Published.IsZero() {
			t.Fatalf("activity %d = %+v", k, a)
		}
		if (a.Type == shrooms.ActivityDelete) != (a.Item == nil) {
			t.Fatalf("activity %d (%s) item = %+v", k, a.Type, a.Item)
		}
	}
	// The Create carries the snapshot without the private shelf nor the
	// owner's name; the Update the public workshop.
	if c := acts[0].Item; c.Name != "Drill" || c.Place != nil || c.PlaceID != 0 || c.OwnerName != "" {
		t.Fatalf("create snapshot %+v", c)
	}
	if u := acts[1].Item; u.Name != "Hammer drill" || u.Place == nil || u.Place.Name != "Workshop" || u.OwnerName != "" {
		t.Fatalf("update snapshot %+v", u)
	}
	if c := acts[3].Item; c.Name != "Quiet drill" {
		t.Fatalf("second create %+v", c)
	}

	t.Run("photos federate", func(t *testing.T) {
		it := v.item(t, &shrooms.Item{Name: "Saw", Audience: shrooms.AudiencePublic})
		p, tb := img("saw")
		if _, err := v.db.Items.AddItemPhoto(as(v.staff), it.ID, p, tb); err != nil {
			t.Fatal(err)
		}
		acts := v.outbox(t)
		last := acts[len(acts)-1]
		if last.Type != shrooms.ActivityUpdate || len(last.Item.Photos) != 1 || last.Item.Photos[0].URL != testURL+"/media/"+itoa(p.ID) {
			t.Fatalf("photo update %+v", last)
		}
	})
	t.Run("module off federates nothing", func(t *testing.T) {
		n := len(v.outbox(t))
		it := v.item(t, &shrooms.Item{Name: "Plane", Audience: shrooms.AudiencePublic})
		setModules(t, v.db, "people")
		if _, err := v.db.Items.UpdateItem(sys, it.ID, shrooms.ItemUpdate{Name: ptr("Block plane")}); err != nil {
			t.Fatal(err)
		}
		if got := len(v.outbox(t)); got != n+1 {
			t.Fatalf("outbox %d, want %d", got, n+1)
		}
	})
}

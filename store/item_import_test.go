package store_test

import (
	"fmt"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestImportItems(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	rows := func() []*shrooms.Item {
		return []*shrooms.Item{
			{Name: "Drill", CategoryID: v.drills, Fields: map[string]string{"watts": "500"}, Audience: shrooms.AudiencePublic},
			{Name: "Pan", CategoryID: v.kitchen},
			{Name: "Fuse", Kind: shrooms.KindPart, Quantity: 5},
		}
	}
	t.Run("one bad row writes nothing", func(t *testing.T) {
		items := append(rows(),
			&shrooms.Item{Name: "", CategoryID: v.kitchen},
			&shrooms.Item{Name: "Sander", CategoryID: v.power, Fields: map[string]string{"watts": "loud"}},
			&shrooms.Item{Name: "Lamp", PlaceID: 999})
		errs, err := v.db.Items.ImportItems(as(v.staff), items, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		want := []shrooms.RowError{
			{Row: 5, Field: "name", Message: "required"},
			{Row: 6, Field: "watts", Message: `"loud" is not a number`},
			{Row: 7, Field: "place", Message: "place not found"},
		}
		// The keys of the item's own validation are the root package's;
		// the store's own refusal (an unknown place) is checked here.
		var got []shrooms.RowError
		for _, e := range errs {
			got = append(got, shrooms.RowError{Row: e.Row, Field: e.Field, Message: e.Message})
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("errors %+v, want %+v", errs, want)
		}
		if k := errs[2].Key; k != "items.error.db_place_missing" {
			t.Fatalf("row 7 has key %q", k)
		}
		for _, table := range []string{"items", "item_changes", "stock_movements", "outbox"} {
			if n := count(t, v.db, `SELECT COUNT(*) FROM `+table); n != 0 {
				t.Fatalf("%s has %d rows", table, n)
			}
		}
	})
	t.Run("dry run", func(t *testing.T) {
		errs, err := v.db.Items.ImportItems(as(v.staff), rows(), 2, true)
		if err != nil || len(errs) != 0 {
			t.Fatalf("dry run %+v, %v", errs, err)
		}
		if n := count(t, v.db, `SELECT COUNT(*) FROM items`); n != 0 {
			t.Fatalf("dry run wrote %d items", n)
		}
	})
	t.Run("rights", func(t *testing.T) {
		_, err := v.db.Items.ImportItems(as(v.member), rows(), 2, false)
		wantCode(t, err, shrooms.EFORBIDDEN, "")
		_, err = v.db.Items.ImportItems(anon, rows(), 2, false)
		wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	})
	t.Run("error cap", func(t *testing.T) {
		var items []*shrooms.Item
		for k := 0; k < 300; k++ {
			items = append(items, &shrooms.Item{})
		}
		errs, err := v.db.Items.ImportItems(as(v.staff), items, 1, false)
		if err != nil || len(errs) != 100 {
			t.Fatalf("%d errors, %v", len(errs), err)
		}
	})
	t.Run("all good", func(t *testing.T) {
		items := rows()
		errs, err := v.db.Items.ImportItems(as(v.staff), items, 2, false)
		if err != nil || len(errs) != 0 {
			t.Fatalf("import %+v, %v", errs, err)
		}
		if items[0].ID == 0 || items[0].Fields["watts"] != "500" {
			t.Fatalf("imported %+v", items[0])
		}
		if n := count(t, v.db, `SELECT COUNT(*) FROM item_changes WHERE action = 'imported'`); n != 3 {
			t.Fatalf("imported history %d", n)
		}
		if n := count(t, v.db, `SELECT COUNT(*) FROM stock_movements WHERE reason = 'initial quantity'`); n != 1 {
			t.Fatalf("movements %d", n)
		}
		if acts := v.outbox(t); len(acts) != 1 || acts[0].Type != shrooms.ActivityCreate || acts[0].Item.Name != "Drill" {
			t.Fatalf("outbox %+v", acts)
		}
	})
}

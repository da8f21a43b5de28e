package store_test

import (
	"fmt"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestFindItemsFilters(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	drill := v.item(t, &shrooms.Item{Name: "Drill", Description: "cordless hammer drill", CategoryID: v.drills,
		PlaceID: v.shelf, Fields: map[string]string{"watts": "500"}, Audience: shrooms.AudiencePublic, Loanable: true})
	pan := v.item(t, &shrooms.Item{Name: "Pan", CategoryID: v.kitchen, PlaceID: v.storage, Audience: shrooms.AudiencePublic})
	sander := v.item(t, &shrooms.Item{Name: "Sander", CategoryID: v.power, PlaceID: v.workshop,
		Fields: map[string]string{"watts": "300"}, Status: shrooms.StatusInRepair})
	fuse := v.item(t, &shrooms.Item{Name: "Fuse", Kind: shrooms.KindPart, Quantity: 2, MinQuantity: 5, OwnerID: v.owner.ID})
	names := func(f shrooms.ItemFilter) (string, int) {
		t.Helper()
		list, total, err := v.db.Items.FindItems(as(v.member), f)
		if err != nil {
			t.Fatalf("FindItems %+v: %v", f, err)
		}
		s := ""
		for _, i := range list {
			s += i.Name + ","
		}
		return s, total
	}
	for _, c := range []struct {
		name string
		f    shrooms.ItemFilter
		want string
	}{
		{"all by name", shrooms.ItemFilter{}, "Drill,Fuse,Pan,Sander,"},
		{"name desc", shrooms.ItemFilter{Sort: shrooms.SortNameDesc}, "Sander,Pan,Fuse,Drill,"},
		{"newest", shrooms.ItemFilter{Sort: shrooms.SortNewest}, "Fuse,Sander,Pan,Drill,"},
		{"category with descendants", shrooms.ItemFilter{CategoryID: v.tools}, "Drill,Sander,"},
		{"leaf category", shrooms.ItemFilter{CategoryID: v.drills}, "Drill,"},
		{"place with descendants", shrooms.ItemFilter{PlaceID: v.workshop}, "Drill,Sander,"},
		{"kind", shrooms.ItemFilter{Kind: shrooms.KindPart}, "Fuse,"},
		{"status", shrooms.ItemFilter{Status: shrooms.StatusInRepair}, "Sander,"},
		{"loanable", shrooms.ItemFilter{Loanable: ptr(true)}, "Drill,"},
		{"not loanable", shrooms.ItemFilter{Loanable: ptr(false)}, "Fuse,Pan,Sander,"},
		{"owner", shrooms.ItemFilter{OwnerID: v.owner.ID}, "Fuse,"},
		{"audience", shrooms.ItemFilter{Audience: shrooms.AudiencePublic}, "Drill,Pan,"},
		{"low stock", shrooms.ItemFilter{LowStock: true}, "Fuse,"},
		{"text prefix", shrooms.ItemFilter{Query: "cordl"}, "Drill,"},
		{"text in custom field", shrooms.ItemFilter{Query: "300"}, "Sander,"},
		{"text diacritics", shrooms.ItemFilter{Query: "HÂMMER"}, "Drill,"},
		{"two words", shrooms.ItemFilter{Query: "cordless pan"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total := names(c.f)
			if got != c.want || total != len(splitNames(c.want)) {
				t.Fatalf("got %q (total %d), want %q", got, total, c.want)
			}
		})
	}
	t.Run("hostile query", func(t *testing.T) {
		for _, q := range []string{`"`, `NEAR(`, `name:drill`, `*`, `"dri"*`, `) OR (`, `-`, `^drill`, `AND`, `drill"`} {
			list, total, err := v.db.Items.FindItems(as(v.member), shrooms.ItemFilter{Query: q})
			if err != nil {
				t.Fatalf("query %q: %v", q, err)
			}
			_ = list
			_ = total
		}
		if got, _ := names(shrooms.ItemFilter{Query: `name:drill`}); got != "" {
			// "name" and "drill" are both words: only items with both.
			t.Fatalf("name:drill = %q", got)
		}
		if got, total := names(shrooms.ItemFilter{Query: `"*`}); total != 4 {
			t.Fatalf("punctuation only should not filter: %q %d", got, total)
		}
		if got, _ := names(shrooms.ItemFilter{Query: `NEAR(drill`}); got != "" {
			t.Fatalf("NEAR(drill = %q", got)
		}
		if got, _ := names(shrooms.ItemFilter{Query: `"dri"*`}); got != "Drill," {
			t.Fatalf(`"dri"* = %q`, got)
		}
	})
	t.Run("bad sort", func(t *testing.T) {
		_, _, err := v.db.Items.FindItems(as(v.member), shrooms.ItemFilter{Sort: "price"})
		wantCode(t, err, shrooms.EINVALID, "sort")
	})
	t.Run("list rows", func(t *testing.T) {
		list, _, err := v.db.Items.FindItems(as(v.member), shrooms.ItemFilter{Query: "drill"})
		if err != nil || len(list) != 1 {
			t.Fatal(err)
		}
		d := list[0]
		if d.ID != drill.ID || d.CategoryPath != "Tools › Power tools › Drills" || d.Place == nil ||
			d.Place.Path != "Workshop › Shelf A" || d.Place.Name != "Shelf A" {
			t.Fatalf("row %+v place %+v", d, d.Place)
		}
		// Anonymous visitors see the public place only.
		list, _, _ = v.db.Items.FindItems(anon, shrooms.ItemFilter{})
		if len(list) != 2 || list[0].Place != nil || list[1].ID != pan.ID || list[1].Place != nil {
			t.Fatalf("anonymous rows %+v", list)
		}
		list, _, _ = v.db.Items.FindItems(anon, shrooms.ItemFilter{PlaceID: v.workshop})
		if len(list) != 1 {
			t.Fatalf("anonymous rows at the workshop %+v", list)
		}
		got, err := v.db.Items.FindItemByID(anon, drill.ID)
		if err != nil || got.Place != nil || got.OwnerName != "" {
			t.Fatalf("anonymous item %+v, %v", got, err)
		}
	})
	_, _ = sander, fuse
}

func splitNames(s string) []string {
	var out []string
	start := 0
	for k := 0; k < len(s); k++ {
		if s[k] == ',' {
			out = append(out, s[start:k])
			start = k + 1
		}
	}
	return out
}

func TestFindItemsPagination(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	for k := 0; k < 23; k++ {
		aud := shrooms.AudienceMembers
		if k%3 == 0 {
			aud = shrooms.AudienceStaff
		}
		v.item(t, &shrooms.Item{Name: fmt.Sprintf("Item %02d", k), Audience: aud})
	}
	// 8 staff items, 15 for members: totals and pages count only what
	// the caller may see.
	seen := map[int64]bool{}
	for off := 0; off < 20; off += 10 {
		list, total, err := v.db.Items.FindItems(as(v.member), shrooms.ItemFilter{Offset: off, Limit: 10})
		if err != nil || total != 15 {
			t.Fatalf("page %d: total %d, %v", off, total, err)
		}
		want := 10
		if off == 10 {
			want = 5
		}
		if len(list) != want {
			t.Fatalf("page %d: %d rows", off, len(list))
		}
		for _, i := range list {
			if seen[i.ID] || i.Audience == shrooms.AudienceStaff {
				t.Fatalf("row %+v twice or not visible", i)
			}
			seen[i.ID] = true
		}
	}
	if _, total, _ := v.db.Items.FindItems(as(v.staff), shrooms.ItemFilter{}); total != 23 {
		t.Fatalf("staff total %d", total)
	}
	list, total, err := v.db.Items.FindItems(as(v.member), shrooms.ItemFilter{Offset: 100})
	if err != nil || total != 15 || len(list) != 0 {
		t.Fatalf("beyond the end: %d rows, total %d, %v", len(list), total, err)
	}
}

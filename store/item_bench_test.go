package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// benchItems is how many items the catalogue benchmark seeds.
const benchItems = 100_000

// seedCatalogue opens a node with a member, 10 root categories of 10
// children each, 5 workshops of 10 shelves each and n items spread over
// them, inserted with multi-row INSERTs in one transaction. It returns
// the member's context and a root category.
func seedCatalogue(b *testing.B, n int) (*store.Services, context.Context, int64) {
	b.Helper()
	sdb, err := store.Open(filepath.Join(b.TempDir(), "shrooms.db"), store.Options{PublicURL: testURL})
	if err != nil {
		b.Fatal(err)
	}
	db := store.NewServices(sdb)
	b.Cleanup(func() { db.Close() })
	if _, err := db.Nodes.InitNode(bg, shrooms.NodeInit{Node: shrooms.Node{OrgHandle: "org", Name: "Repair Café"}}); err != nil {
		b.Fatal(err)
	}
	member := &shrooms.User{Username: "mia", Email: "mia@example.org", Role: shrooms.RoleMember}
	if err := db.Users.CreateUser(sys, member, password); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	raw := rawDBB(b, db.Path())
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(q, args...); err != nil {
			b.Fatalf("%.80s: %v", q, err)
		}
	}
	var cats, places []int64
	for r := 1; r <= 10; r++ {
		exec(`INSERT INTO categories (id, parent_id, name, created_at) VALUES (?, NULL, ?, 0)`, r, fmt.Sprintf("Root %d", r))
		for c := 1; c <= 10; c++ {
			id := int64(r*100 + c)
			exec(`INSERT INTO categories (id, parent_id, name, created_at) VALUES (?, ?, ?, 0)`, id, r, fmt.Sprintf("Sub %d", c))
			cats = append(cats, id)
		}
	}
	for w := 1; w <= 5; w++ {
		exec(`INSERT INTO places (id, parent_id, kind, name, public, created_at, updated_at) VALUES (?, NULL, 'workshop', ?, 1, 0, 0)`,
			w, fmt.Sprintf("Workshop %d", w))
		for s := 1; s <= 10; s++ {
			id := int64(w*100 + s)
			exec(`INSERT INTO places (id, parent_id, kind, name, public, created_at, updated_at) VALUES (?, ?, 'shelf', ?, 0, 0, 0)`,
				id, w, fmt.Sprintf("Shelf %d", s))
			places = append(places, id)
		}
	}
	rng := rand.New(rand.NewSource(1))
	nouns := []string{"drill", "saw", "sander", "kettle", "toaster", "lamp", "radio", "hammer", "clamp", "router",
		"grinder", "jigsaw", "mixer", "iron", "fan", "heater", "vacuum", "ladder", "wrench", "level"}
	adjs := []string{"red", "blue", "cordless", "heavy", "small", "large", "old", "new", "bosch", "makita",
		"compact", "electric", "manual", "steel", "wooden"}
	audiences := []string{"public", "public", "partners", "members", "members", "members", "members", "members", "members", "staff"}
	const batch = 500
	cols := `(kind, name, description, category_id, condition, status, loanable, place_id, audience, fields,
		created_at, updated_at)`
	now := time.Now().UnixMilli()
	for k := 0; k < n; k += batch {
		var sb strings.Builder
		var args []any
		sb.WriteString(`INSERT INTO items ` + cols + ` VALUES `)
		for j := k; j < k+batch && j < n; j++ {
			if j > k {
				sb.WriteString(",")
			}
			sb.WriteString(`(?, ?, ?, ?, 'good', 'available', ?, ?, ?, '{}', ?, ?)`)
			name := adjs[rng.Intn(len(adjs))] + " " + nouns[rng.Intn(len(nouns))] + fmt.Sprintf(" %d", j)
			desc := "a " + adjs[rng.Intn(len(adjs))] + " thing for the workshop"
			if j%10_000 == 7 {
				desc += " zeppelin" // the rare word: 10 items
			}
			args = append(args, "tool", name, desc, cats[rng.Intn(len(cats))], j%3 == 0,
				places[rng.Intn(len(places))], audiences[rng.Intn(len(audiences))], now-int64(j), now-int64(j))
		}
		exec(sb.String(), args...)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d items in %v", n, time.Since(start).Round(time.Millisecond))
	return db, as(member), 1
}

// BenchmarkFindItems measures the catalogue query of a member at 100,000
// items and reports p50 and p99 in milliseconds per case.
func BenchmarkFindItems(b *testing.B) {
	db, ctx, root := seedCatalogue(b, benchItems)
	cases := []struct {
		name string
		f    shrooms.ItemFilter
	}{
		{"default", shrooms.ItemFilter{}},
		{"deep", shrooms.ItemFilter{Offset: 5000}},
		{"category", shrooms.ItemFilter{CategoryID: root}},
		{"common-word", shrooms.ItemFilter{Query: "drill"}},
		{"rare-word", shrooms.ItemFilter{Query: "zeppelin"}},
		{"newest", shrooms.ItemFilter{Sort: shrooms.SortNewest}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t := time.Now()
				list, total, err := db.Items.FindItems(ctx, c.f)
				lat = append(lat, time.Since(t))
				if err != nil || total == 0 || len(list) == 0 {
					b.Fatalf("FindItems: %d rows of %d, %v", len(list), total, err)
				}
			}
			slices.Sort(lat)
			ms := func(q float64) float64 {
				return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
		})
	}
}

// rawDBB opens the database file directly, for seeding.
func rawDBB(b *testing.B, path string) *sql.DB {
	b.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	return raw
}

// BenchmarkImportItems measures an import of 5,000 rows in one
// transaction, each with a category, custom fields and a place.
func BenchmarkImportItems(b *testing.B) {
	db, _, _ := seedCatalogue(b, 0)
	raw := rawDBB(b, db.Path())
	if _, err := raw.Exec(`INSERT INTO custom_fields (category_id, key, label, type, position) VALUES (101, 'watts', 'Watts', 'number', 1)`); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		items := make([]*shrooms.Item, 5000)
		for k := range items {
			aud := shrooms.AudienceMembers
			if k%5 == 0 {
				aud = shrooms.AudiencePublic
			}
			items[k] = &shrooms.Item{Name: fmt.Sprintf("Drill %d", k), CategoryID: 101, PlaceID: 101,
				Fields: map[string]string{"watts": "500"}, Audience: aud}
		}
		start := time.Now()
		errs, err := db.Items.ImportItems(sys, items, 2, false)
		if err != nil || len(errs) > 0 {
			b.Fatalf("import: %v %v", errs, err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/5000-rows")
	}
}

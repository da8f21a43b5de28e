package store_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// benchRemote is how many cached objects BenchmarkSearchRemote seeds;
// SHROOMS_BENCH_REMOTE overrides it.
const benchRemote = 1_000_000

// benchPartner opens a node with a member and one linked partner
// (partners row, both follows accepted, written straight into the
// database).
func benchPartner(b *testing.B) (*store.Services, context.Context, *shrooms.Actor) {
	b.Helper()
	sdb, err := store.Open(filepath.Join(b.TempDir(), "shrooms.db"), store.Options{PublicURL: testURL})
	if err != nil {
		b.Fatal(err)
	}
	db := store.NewServices(sdb)
	b.Cleanup(func() { db.Close() })
	org, err := db.Nodes.InitNode(bg, shrooms.NodeInit{Node: shrooms.Node{OrgHandle: "org", Name: "Repair Café"}})
	if err != nil {
		b.Fatal(err)
	}
	member := &shrooms.User{Username: "mia", Email: "mia@example.org", Role: shrooms.RoleMember}
	if err := db.Users.CreateUser(sys, member, password); err != nil {
		b.Fatal(err)
	}
	a := remoteDoc("a.example", "org")
	if err := db.Actors.UpsertRemoteActor(bg, a); err != nil {
		b.Fatal(err)
	}
	raw := rawDBB(b, db.Path())
	for _, q := range []string{
		`INSERT INTO partners (actor_id, modules, created_at, updated_at) VALUES (?2, 'inventory,stock', 0, 0)`,
		`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at) VALUES ('f1', ?1, ?2, 'accepted', 0, 0)`,
		`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at) VALUES ('f2', ?2, ?1, 'accepted', 0, 0)`,
	} {
		if _, err := raw.Exec(q, org.ID, a.ID); err != nil {
			b.Fatal(err)
		}
	}
	return db, as(member), a
}

// benchObject is the j-th object of the seeded cache: one name in five
// holds "drill" (the common word, 20 %), one object in 10,000 "zeppelin"
// (the rare word); one in four is on loan.
func benchObject(rng *rand.Rand, host string, j int) shrooms.RemoteObject {
	nouns := []string{"saw", "sander", "kettle", "toaster", "lamp", "radio", "hammer", "clamp", "router",
		"grinder", "jigsaw", "mixer", "iron", "fan", "heater", "vacuum", "ladder", "wrench", "level", "pump"}
	adjs := []string{"red", "blue", "cordless", "heavy", "small", "large", "old", "new", "bosch", "makita",
		"compact", "electric", "manual", "steel", "wooden"}
	noun := nouns[rng.Intn(len(nouns))]
	if j%5 == 0 {
		noun = "drill"
	}
	o := shrooms.RemoteObject{
		IRI: fmt.Sprintf("https://%s/items/%d", host, j), Type: "Item",
		Kind: shrooms.ItemKinds[j%3], Status: shrooms.StatusAvailable,
		Name:    adjs[rng.Intn(len(adjs))] + " " + noun + " " + strconv.Itoa(j),
		Summary: "a " + adjs[rng.Intn(len(adjs))] + " " + nouns[rng.Intn(len(nouns))] + " for the workshop",
		Content: "Tools › Power tools. Condition good. Watts " + strconv.Itoa(300+j%900),
		Updated: time.UnixMilli(1_700_000_000_000 + int64(j)).UTC(),
	}
	if j%10_000 == 7 {
		o.Content += " zeppelin"
	}
	if j%4 == 0 {
		o.Status = shrooms.StatusOnLoan
	}
	o.URL = o.IRI
	o.Raw = []byte(`{"type":["Document","shrooms:Item"],"id":"` + o.IRI + `","name":"` + o.Name + `"}`)
	return o
}

// seedRemote inserts n cached objects of actor a in one transaction with
// one prepared statement (the FTS triggers index them).
func seedRemote(b *testing.B, db *store.Services, a *shrooms.Actor, n int) {
	b.Helper()
	start := time.Now()
	raw := rawDBB(b, db.Path())
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO remote_objects (iri, actor_id, type, kind, status, name, summary, content,
		tags, url, public, updated_at, raw, cached_at) VALUES (?, ?, 'Item', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0)`)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	tag := " a" + strconv.FormatInt(a.ID, 10)
	for j := 0; j < n; j++ {
		o := benchObject(rng, a.Host, j)
		status := "savailable"
		if o.Status == shrooms.StatusOnLoan {
			status = "sonloan"
		}
		if _, err := st.Exec(o.IRI, a.ID, o.Kind, o.Status, o.Name, o.Summary, o.Content,
			"k"+string(o.Kind)+" "+status+tag, o.URL, o.Updated.UnixMilli(), []byte(o.Raw)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d cached objects in %v", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkSearchRemote measures Search over a cache of 1,000,000
// objects of one partner (SHROOMS_BENCH_REMOTE=n to change), 20 ranked
// hits a query, and reports p50 and p99 in milliseconds.
//
// Measured on 2 cores shared with the other helpers' builds and tests
// (load average 4 to 9, so the p99 column is mostly their noise), go test
// -tags sqlite_fts5 ./store/ -run '^$' -bench SearchRemote -benchtime
// 200x, two runs:
//
//	rare (100 matches)                  p50  0.5 ms     p99  1 to   2 ms
//	common (200,000 matches, 20 %)      p50 12   ms     p99 36 to  72 ms
//	common, available, kind filters     p50 33   ms     p99 90 to 113 ms
//	two common words, both prefixes     p50 23 to 38 ms p99 38 to 125 ms
//
// At 500,000 objects on a quieter machine the common word took p50 6.3
// ms, p99 7.6 ms.
// The bound makes the common word cheap: bm25 over every match takes 70
// ms and more. What remains is FTS5's work per query, not the ranking:
// a prefix word ("drill"*) merges the doclists of every term it starts
// before walking them (an exact "drill" costs a third), and bm25 counts
// the documents of every phrase once, the filter tokens too.
func BenchmarkSearchRemote(b *testing.B) {
	n := benchRemote
	if v, err := strconv.Atoi(os.Getenv("SHROOMS_BENCH_REMOTE")); err == nil && v > 0 {
		n = v
	}
	db, ctx, a := benchPartner(b)
	seedRemote(b, db, a, n)
	cases := []struct {
		name string
		q    shrooms.SearchQuery
	}{
		{"rare", shrooms.SearchQuery{Text: "zeppelin"}},
		{"common", shrooms.SearchQuery{Text: "drill"}},
		{"common-filtered", shrooms.SearchQuery{Text: "drill", Available: true, Kinds: []shrooms.ItemKind{shrooms.KindTool}}},
		{"two-words", shrooms.SearchQuery{Text: "cordless drill"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				t := time.Now()
				res, err := db.Search.Search(ctx, c.q)
				lat = append(lat, time.Since(t))
				if err != nil || len(res.Hits) == 0 || len(res.Hits) < 20 && n >= 200_000 {
					b.Fatalf("Search: %d hits, %v", len(res.Hits), err)
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

// BenchmarkApplyRemoteChanges measures ingest into the cache in batches
// of 100 changes, as the inbox worker and the sync apply them: 80 % new
// objects, 20 % newer versions of cached ones. It reports activities/s.
func BenchmarkApplyRemoteChanges(b *testing.B) {
	const batch = 100
	db, _, a := benchPartner(b)
	rng := rand.New(rand.NewSource(2))
	next, done := 0, 0
	start := time.Now()
	for b.Loop() {
		changes := make([]shrooms.RemoteChange, batch)
		for k := range changes {
			j := next
			if k%5 == 4 && next > batch {
				j = rng.Intn(next - batch) // an Update of an older object
			} else {
				next++
			}
			o := benchObject(rng, a.Host, j)
			o.Updated = time.UnixMilli(1_700_000_000_000 + int64(next)*1000 + int64(k)).UTC()
			changes[k] = shrooms.RemoteChange{Op: shrooms.RemotePut, ActorIRI: a.IRI, Object: o}
		}
		res, err := db.Remote.ApplyRemoteChanges(sys, changes)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r != shrooms.RemoteApplied {
				b.Fatalf("result %s", r)
			}
		}
		done += batch
	}
	b.ReportMetric(float64(done)/time.Since(start).Seconds(), "activities/s")
}

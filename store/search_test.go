package store_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// seedSearch caches objects of A and B and creates local items:
// A: "Drill press" (name), "Saw" whose content mentions drill, an on-loan
// "Drill driver", a part "Drill bit"; B: "Cordless drill"; local: a
// members "Hammer drill" and a staff-only "Drill secret".
func seedSearch(t *testing.T) *cache {
	t.Helper()
	c := newCache(t)
	saw := obj(c.a, "2", "Saw", 1)
	saw.Content = "cuts wood, not a drill"
	onLoan := obj(c.a, "3", "Drill driver", 1)
	onLoan.Status = shrooms.StatusOnLoan
	bit := obj(c.a, "4", "Drill bit", 1)
	bit.Kind = shrooms.KindPart
	c.apply(t, []shrooms.RemoteResult{applied, applied, applied, applied, applied},
		put(c.a, obj(c.a, "1", "Drill press", 1)), put(c.a, saw), put(c.a, onLoan), put(c.a, bit),
		put(c.b, obj(c.b, "1", "Cordless drill", 1)))
	c.item(t, &shrooms.Item{Kind: shrooms.KindTool, Name: "Hammer drill", Condition: "good", Status: shrooms.StatusAvailable, Audience: shrooms.AudienceMembers})
	c.item(t, &shrooms.Item{Kind: shrooms.KindTool, Name: "Drill secret", Condition: "good", Status: shrooms.StatusAvailable, Audience: shrooms.AudienceStaff})
	return c
}

func sorted(names []string) []string {
	s := slices.Clone(names)
	slices.Sort(s)
	return s
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	c := seedSearch(t)
	member := as(c.member)
	cases := []struct {
		name string
		q    shrooms.SearchQuery
		want []string
	}{
		{"everything a member may see", shrooms.SearchQuery{Text: "drill"},
			[]string{"Cordless drill", "Drill bit", "Drill driver", "Drill press", "Hammer drill", "Saw"}},
		{"prefix", shrooms.SearchQuery{Text: "dri"},
			[]string{"Cordless drill", "Drill bit", "Drill driver", "Drill press", "Hammer drill", "Saw"}},
		{"all words", shrooms.SearchQuery{Text: "drill press"}, []string{"Drill press"}},
		{"kind", shrooms.SearchQuery{Text: "drill", Kinds: []shrooms.ItemKind{shrooms.KindPart}}, []string{"Drill bit"}},
		{"kinds", shrooms.SearchQuery{Text: "drill", Kinds: []shrooms.ItemKind{shrooms.KindPart, shrooms.KindDevice}}, []string{"Drill bit"}},
		{"available", shrooms.SearchQuery{Text: "drill", Available: true},
			[]string{"Cordless drill", "Drill bit", "Drill press", "Hammer drill", "Saw"}},
		{"partner A", shrooms.SearchQuery{Text: "drill", Instances: []int64{c.a.ID}},
			[]string{"Drill bit", "Drill driver", "Drill press", "Saw"}},
		{"partner B", shrooms.SearchQuery{Text: "drill", Instances: []int64{c.b.ID}}, []string{"Cordless drill"}},
		{"local", shrooms.SearchQuery{Text: "drill", Instances: []int64{c.org.ID}}, []string{"Hammer drill"}},
		{"local and B", shrooms.SearchQuery{Text: "drill", Instances: []int64{c.org.ID, c.b.ID}}, []string{"Cordless drill", "Hammer drill"}},
		{"none", shrooms.SearchQuery{Text: "drill", Instances: []int64{}}, []string{}},
		{"unknown instance ignored", shrooms.SearchQuery{Text: "drill", Instances: []int64{999}}, []string{}},
		{"no match", shrooms.SearchQuery{Text: "zeppelin"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sorted(c.search(t, member, tc.q)); !slices.Equal(got, tc.want) {
				t.Fatalf("hits = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("staff see staff items", func(t *testing.T) {
		got := c.search(t, as(c.staff), shrooms.SearchQuery{Text: "secret"})
		if !slices.Equal(got, []string{"Drill secret"}) {
			t.Fatalf("hits = %v", got)
		}
	})
}

func TestSearchRanking(t *testing.T) {
	t.Parallel()
	c := seedSearch(t)
	res, err := c.db.Search.Search(as(c.member), shrooms.SearchQuery{Text: "drill"})
	if err != nil {
		t.Fatal(err)
	}
	if last := res.Hits[len(res.Hits)-1]; last.Name != "Saw" {
		t.Fatalf("last hit = %q, want Saw (drill only in its content)", last.Name)
	}
	for k := 1; k < len(res.Hits); k++ {
		if res.Hits[k].Score > res.Hits[k-1].Score {
			t.Fatalf("hit %d scores %v above hit %d (%v)", k, res.Hits[k].Score, k-1, res.Hits[k-1].Score)
		}
	}
	for _, h := range res.Hits {
		switch {
		case h.Score <= 0:
			t.Errorf("%s: score %v, want positive (higher is better)", h.Name, h.Score)
		case h.Name == "Hammer drill":
			if h.Local == nil || h.Org.ID != c.org.ID || h.URL != testURL+"/items/"+strconv.FormatInt(h.Local.ID, 10) || h.Kind != shrooms.KindTool {
				t.Errorf("local hit = %+v", h)
			}
		case h.Name == "Cordless drill":
			if h.Remote == nil || h.Org.ID != c.b.ID || h.URL != "https://b.example/items/1" || h.Summary != "Cordless drill to lend" ||
				h.Status != shrooms.StatusAvailable {
				t.Errorf("remote hit = %+v", h)
			}
		}
	}
	t.Run("pages", func(t *testing.T) {
		var all []string
		for off := 0; ; off += 4 {
			res, err := c.db.Search.Search(as(c.member), shrooms.SearchQuery{Text: "drill", Offset: off, Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				all = append(all, h.Name)
			}
			if !res.More {
				break
			}
		}
		if want := c.search(t, as(c.member), shrooms.SearchQuery{Text: "drill"}); !slices.Equal(all, want) {
			t.Fatalf("pages = %v, want %v", all, want)
		}
		res, _ := c.db.Search.Search(as(c.member), shrooms.SearchQuery{Text: "drill", Limit: 6})
		if res.More || len(res.Hits) != 6 {
			t.Fatalf("limit 6 of 6: %d hits, more %v", len(res.Hits), res.More)
		}
	})
}

func TestSearchInput(t *testing.T) {
	t.Parallel()
	c := seedSearch(t)
	_, err := c.db.Search.Search(anon, shrooms.SearchQuery{Text: "drill"})
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	for name, q := range map[string]shrooms.SearchQuery{
		"empty":          {Text: "  "},
		"too long":       {Text: strings.Repeat("a", 201)},
		"unknown kind":   {Text: "drill", Kinds: []shrooms.ItemKind{"boat"}},
		"negative actor": {Text: "drill", Instances: []int64{-1}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.db.Search.Search(as(c.member), q)
			wantCode(t, err, shrooms.EINVALID, "")
		})
	}
	for _, text := range []string{`"`, `NEAR(`, `name:`, `*`, `drill"`, `NEAR(drill press)`, `tags:ktool`, `{name}: drill`,
		`drill OR saw`, `-drill`, `^drill`, `drill AND`, `(`, `a"b*c`, `ktool`, `savailable`, `a7`} {
		t.Run(text, func(t *testing.T) {
			if _, err := c.db.Search.Search(as(c.member), shrooms.SearchQuery{Text: text}); err != nil {
				t.Fatalf("Search(%q): %v", text, err)
			}
		})
	}
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "ktool"}); len(got) != 0 {
		t.Fatalf("filter tokens are not text: %v", got)
	}
}

func TestSearchNeverShowsUnlinkedPartners(t *testing.T) {
	t.Parallel()
	for name, breakLink := range map[string]string{
		"blocked":          `UPDATE partners SET blocked = 1 WHERE actor_id = ?`,
		"host blocked":     `INSERT INTO blocked_hosts (host, created_at) SELECT host, 0 FROM actors WHERE id = ?`,
		"their follow":     `DELETE FROM follows WHERE follower_id = ?`,
		"our follow":       `UPDATE follows SET state = 'pending' WHERE followee_id = ?`,
		"no partners row":  `DELETE FROM partners WHERE actor_id = ?`,
		"follows rejected": `UPDATE follows SET state = 'rejected' WHERE follower_id = ? OR followee_id = ?1`,
	} {
		t.Run(name, func(t *testing.T) {
			c := seedSearch(t)
			c.exec(t, breakLink, c.b.ID)
			for _, q := range []shrooms.SearchQuery{{Text: "drill"}, {Text: "cordless", Instances: []int64{c.b.ID}}, {Text: "cordless"}} {
				if got := c.search(t, as(c.member), q); slices.Contains(got, "Cordless drill") {
					t.Fatalf("%+v found B's object: %v", q, got)
				}
			}
			if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "press"}); !slices.Equal(got, []string{"Drill press"}) {
				t.Fatalf("A's objects: %v", got)
			}
			ins, err := c.db.Search.FindSearchInstances(as(c.member))
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range ins {
				if in.Org.ID == c.b.ID {
					t.Fatalf("B is offered as a search instance")
				}
			}
			err = c.db.Search.SetSearchInstances(as(c.member), []int64{c.b.ID})
			wantCode(t, err, shrooms.EINVALID, "")
		})
	}
}

func TestSearchInstances(t *testing.T) {
	t.Parallel()
	c := seedSearch(t)
	_, err := c.db.Search.FindSearchInstances(anon)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")
	wantCode(t, c.db.Search.SetSearchInstances(anon, nil), shrooms.EUNAUTHORIZED, "")
	wantCode(t, c.db.Search.SetSearchInstances(as(c.member), []int64{c.org.ID, 999}), shrooms.EINVALID, "")
	included := func(u *shrooms.User) map[int64]bool {
		t.Helper()
		ins, err := c.db.Search.FindSearchInstances(as(u))
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, in := range ins {
			out[in.Org.ID] = in.Included
			if in.Local != (in.Org.ID == c.org.ID) {
				t.Fatalf("instance %d local = %v", in.Org.ID, in.Local)
			}
		}
		return out
	}
	if got := included(c.member); len(got) != 3 || !got[c.org.ID] || !got[c.a.ID] || !got[c.b.ID] {
		t.Fatalf("default = %v, want all three included", got)
	}
	if err := c.db.Search.SetSearchInstances(as(c.member), []int64{c.b.ID}); err != nil {
		t.Fatal(err)
	}
	if got := included(c.member); got[c.org.ID] || got[c.a.ID] || !got[c.b.ID] {
		t.Fatalf("after choice = %v", got)
	}
	if got := sorted(c.search(t, as(c.member), shrooms.SearchQuery{Text: "drill"})); !slices.Equal(got, []string{"Cordless drill"}) {
		t.Fatalf("member's search = %v, want B only", got)
	}
	// An explicit choice in the query wins over the saved one.
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "hammer", Instances: []int64{c.org.ID}}); len(got) != 1 {
		t.Fatalf("explicit local = %v", got)
	}
	// The choice is the member's own; a partner linked later is included.
	if got := included(c.staff); !got[c.org.ID] || !got[c.a.ID] {
		t.Fatalf("staff = %v, want all included", got)
	}
	d := c.partner(t, "d.example", "org")
	if got := included(c.member); !got[d.ID] || got[c.a.ID] {
		t.Fatalf("after a new partner = %v", got)
	}
	// One partner of three: the filter names it rather than the others.
	c.apply(t, []shrooms.RemoteResult{applied}, put(d, obj(d, "1", "Drill stand", 1)))
	if got := c.search(t, as(c.member), shrooms.SearchQuery{Text: "drill", Instances: []int64{c.b.ID}}); !slices.Equal(got, []string{"Cordless drill"}) {
		t.Fatalf("B of three = %v", got)
	}
	if got := sorted(c.search(t, as(c.member), shrooms.SearchQuery{Text: "drill"})); !slices.Equal(got, []string{"Cordless drill", "Drill stand"}) {
		t.Fatalf("saved choice with D = %v", got)
	}
}

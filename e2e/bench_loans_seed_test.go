package e2e

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// loanBench is the node BenchmarkLoans measures and what was seeded in it.
type loanBench struct {
	n     *testNode
	db    *sql.DB // a second connection to the node's file, for seeding and checks
	today shrooms.Date
	items []int64 // every item, in creation order
	// popular are the items with the most loans, most first; quiet
	// items hold no loan from today on, for the concurrent requests.
	popular, quiet []int64
	// heavy is the member with the most loans, median a member with the
	// median count; their tokens and counts.
	heavy, median           *shrooms.User
	heavyToken, medianToken string
	heavyLoans, medianLoans int
	members                 []*shrooms.User
}

// skewed picks an index below n, low indices more often (u^1.6): with
// 2,000 members the busiest borrows about 0.9 % of all loans, the median
// one about 0.04 %; items likewise.
func skewed(r *rand.Rand, n int) int {
	return min(n-1, int(float64(n)*math.Pow(r.Float64(), 1.6)))
}

// seedLoanBench creates items (through the store's import), members (through
// the store) and past loans (straight into SQLite, in one transaction).
func seedLoanBench(b *testing.B, n *testNode, items, members, loans int) *loanBench {
	x := &loanBench{n: n, today: shrooms.DateOf(n.clock.Now().UTC())}
	start := time.Now()
	const chunk = 5000
	for first := 0; first < items; first += chunk {
		var batch []*shrooms.Item
		for i := first; i < first+chunk && i < items; i++ {
			w := catalogueWords[i%len(catalogueWords)]
			batch = append(batch, &shrooms.Item{Name: fmt.Sprintf("%s %d", w, i), Description: "A " + w + " lent to members.",
				Audience: shrooms.AudienceMembers, Loanable: true, Loan: shrooms.LoanRules{Members: true}})
		}
		if rowErrs, err := n.m.DB.Items.ImportItems(systemCtx, batch, first, false); err != nil || len(rowErrs) > 0 {
			b.Fatalf("seeding items: %v %v", err, rowErrs)
		}
	}
	for i := 0; i < members; i++ {
		x.members = append(x.members, createUser(b, n, "m"+strconv.Itoa(i), shrooms.RoleMember, memberPassword))
	}
	db, err := sql.Open("sqlite3", "file:"+n.m.Config.DBPath()+"?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=10000")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	x.db = db
	type itemRow struct {
		id        int64
		iri, name string
	}
	rows, err := db.Query(`SELECT id, name FROM items ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	var its []itemRow
	for rows.Next() {
		var it itemRow
		if err := rows.Scan(&it.id, &it.name); err != nil {
			b.Fatal(err)
		}
		it.iri = n.url() + "/items/" + strconv.FormatInt(it.id, 10)
		its = append(its, it)
		x.items = append(x.items, it.id)
	}
	rows.Close()
	org := n.org()

	// Who borrowed what: loans spread unevenly over items and members.
	r := rand.New(rand.NewPCG(13, 9))
	perItem := make([][]int, len(its)) // member indices, newest loan first
	perMember := make([]int, len(x.members))
	for i := 0; i < loans; i++ {
		it, m := skewed(r, len(its)), skewed(r, len(x.members))
		perItem[it] = append(perItem[it], m)
		perMember[m]++
	}
	states := []shrooms.LoanState{shrooms.LoanCancelled, shrooms.LoanRejected, shrooms.LoanExpired}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO loans (iri, item_id, item_iri, item_name, lender_iri, lender_name,
		borrower_user_id, borrower_name, state, start_day, end_day, due_day, renewals, checked_out_at, returned_at,
		version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	seq := 0
	insert := func(it itemRow, m int, st shrooms.LoanState, from, end shrooms.Date, renewals int) {
		seq++
		u := x.members[m]
		at := from.In(time.UTC).Add(10 * time.Hour).UnixMilli()
		var out, back any
		if st == shrooms.LoanReturned || st == shrooms.LoanCheckedOut {
			out = at
		}
		if st == shrooms.LoanReturned {
			back = end.In(time.UTC).Add(17 * time.Hour).UnixMilli()
		}
		if _, err := ins.Exec(fmt.Sprintf("%s/loans/seed%d", n.url(), seq), it.id, it.iri, it.name, org.IRI, org.Name,
			u.ID, u.Name, st, from.String(), end.String(), end.String(), renewals, out, back, 1, at, at); err != nil {
			b.Fatal(err)
		}
	}
	for i, it := range its {
		// Each item's past loans one after the other, back from
		// yesterday: 3–14 days each, 0–10 days apart.
		day := x.today.AddDays(-1 - r.IntN(5))
		for _, m := range perItem[i] {
			end := day
			from := end.AddDays(-2 - r.IntN(12))
			st := shrooms.LoanReturned
			if p := r.IntN(100); p < 10 {
				st = states[p%len(states)]
			}
			insert(it, m, st, from, end, r.IntN(3)/2)
			day = from.AddDays(-1 - r.IntN(11))
		}
		// One item in five is out now or promised soon.
		switch i % 10 {
		case 3:
			insert(it, r.IntN(len(x.members)), shrooms.LoanCheckedOut, x.today.AddDays(-4), x.today.AddDays(10), 0)
		case 7:
			from := x.today.AddDays(2 + r.IntN(10))
			insert(it, r.IntN(len(x.members)), shrooms.LoanApproved, from, from.AddDays(6), 0)
		default:
			x.quiet = append(x.quiet, it.id)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}

	order := make([]int, len(its))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return len(perItem[order[i]]) > len(perItem[order[j]]) })
	for _, i := range order[:200] {
		x.popular = append(x.popular, its[i].id)
	}
	byCount := make([]int, len(x.members))
	for i := range byCount {
		byCount[i] = i
	}
	sort.SliceStable(byCount, func(i, j int) bool { return perMember[byCount[i]] > perMember[byCount[j]] })
	h, md := byCount[0], byCount[len(byCount)/2]
	x.heavy, x.median = x.members[h], x.members[md]
	x.heavyLoans, x.medianLoans = perMember[h], perMember[md]
	x.heavyToken, x.medianToken = userToken(b, n, x.heavy, "bench"), userToken(b, n, x.median, "bench")
	b.Logf("seeded %d items, %d members, %d past loans (the busiest item %d, the busiest member %d, the median member %d) in %s",
		len(its), len(x.members), seq, len(perItem[order[0]]), x.heavyLoans, x.medianLoans, time.Since(start).Round(time.Millisecond))
	return x
}

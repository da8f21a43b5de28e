package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/internal/testkeys"
	"github.com/shrooms-org/shrooms/store"
	"github.com/shrooms-org/shrooms/vocab"
)

// loanPair is a lender node A and a borrower node B over real stores,
// linked as partners straight in their tables; messages between them go
// through their outboxes and vocab, in the order a fuzz input chooses.
type loanPair struct {
	a, b       *store.Services
	rawA, rawB *sql.DB
	aOrg, bOrg *shrooms.Actor
	bea        *shrooms.User // B's member
	mia        *shrooms.User // A's own member, who competes for the days
	seenA      int64         // outbox entries already taken from each side
	seenB      int64
}

func openNamed(tb testing.TB, dir, url string, now func() time.Time) (*store.Services, *sql.DB, *shrooms.Actor) {
	tb.Helper()
	path := filepath.Join(dir, shrooms.HostOf(url)+".db")
	db, err := store.Open(path, store.Options{PublicURL: url, Now: now, NewKeyPair: testkeys.NewKeyPair, PasswordCost: 4})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	svc := store.NewServices(db)
	org, err := svc.Nodes.InitNode(sys, shrooms.NodeInit{Node: shrooms.Node{OrgHandle: "org", Name: shrooms.HostOf(url)}, OrgName: shrooms.HostOf(url)})
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return svc, raw, org
}

// linkPartners makes other's organisation a linked partner of the node,
// sharing every module, as store/partner_helpers_test.go's link ends.
func linkPartners(tb testing.TB, svc *store.Services, raw *sql.DB, org, other *shrooms.Actor) {
	tb.Helper()
	doc := *other
	doc.ID, doc.Local, doc.PrivateKeyPEM = 0, false, ""
	if err := svc.Actors.UpsertRemoteActor(sys, &doc); err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO partners (actor_id, modules, created_at, updated_at)
		VALUES (?, 'inventory,stock,loans', 0, 0)`, doc.ID); err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
		VALUES (? || '/follows/out', ?, ?, 'accepted', 0, 0)`, org.IRI, org.ID, doc.ID); err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO follows (activity_iri, follower_id, followee_id, state, created_at, updated_at)
		VALUES (? || '/follows/in', ?, ?, 'accepted', 0, 0)`, doc.IRI, doc.ID, org.ID); err != nil {
		tb.Fatal(err)
	}
}

func newLoanPair(tb testing.TB) *loanPair {
	tb.Helper()
	dir := tb.TempDir()
	now := func() time.Time { return t0 }
	x := &loanPair{}
	x.a, x.rawA, x.aOrg = openNamed(tb, dir, "https://a.example", now)
	x.b, x.rawB, x.bOrg = openNamed(tb, dir, "https://b.example", now)
	linkPartners(tb, x.a, x.rawA, x.aOrg, x.bOrg)
	linkPartners(tb, x.b, x.rawB, x.bOrg, x.aOrg)
	x.bea = &shrooms.User{Username: "bea", Email: "bea@b.example", Name: "Bea", Role: shrooms.RoleMember}
	x.mia = &shrooms.User{Username: "mia", Email: "mia@a.example", Name: "Mia", Role: shrooms.RoleMember}
	for _, u := range []struct {
		svc *store.Services
		u   *shrooms.User
	}{{x.b, x.bea}, {x.a, x.mia}} {
		if err := u.svc.Users.CreateUser(sys, u.u, password); err != nil {
			tb.Fatal(err)
		}
	}
	return x
}

// item creates on A an item lent to everyone, cached on B.
func (x *loanPair) item(tb testing.TB, name string) *shrooms.Item {
	tb.Helper()
	it := &shrooms.Item{Kind: shrooms.KindTool, Name: name, Audience: shrooms.AudiencePartners, Loanable: true,
		Loan: shrooms.LoanRules{Members: true, Partners: true}}
	if err := x.a.Items.CreateItem(sys, it); err != nil {
		tb.Fatal(err)
	}
	if _, err := x.rawB.Exec(`INSERT INTO remote_objects (iri, actor_id, type, name, updated_at, cached_at)
		VALUES (?, (SELECT id FROM actors WHERE iri = ?), 'Item', ?, 0, 0)`, it.IRI, x.aOrg.IRI, name); err != nil {
		tb.Fatal(err)
	}
	return it
}

// message is an activity on its way from one node to the other.
type message struct {
	toA bool
	raw []byte
}

// collect takes the loan messages each node's outbox gained, rendered
// by vocab as they would be sent.
func (x *loanPair) collect(tb testing.TB) []message {
	tb.Helper()
	var out []message
	for _, side := range []struct {
		svc  *store.Services
		seen *int64
		toA  bool
	}{{x.a, &x.seenA, false}, {x.b, &x.seenB, true}} {
		es, _, err := side.svc.Outbox.FindOutboxEntries(sys, shrooms.OutboxFilter{Limit: 500})
		if err != nil {
			tb.Fatal(err)
		}
		for k := len(es) - 1; k >= 0; k-- {
			e := es[k]
			if e.ID <= *side.seen {
				continue
			}
			*side.seen = e.ID
			if e.Activity.Loan == nil && e.Activity.Embedded == nil {
				continue // an item's Create or Update
			}
			raw, err := vocab.ActivityJSON(&e.Activity)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, message{toA: side.toA, raw: raw})
		}
	}
	return out
}

// deliver hands a message to its node's loan service, as the inbox
// worker does.
func (x *loanPair) deliver(tb testing.TB, m message) {
	tb.Helper()
	act, err := vocab.ParseActivity(m.raw)
	if err != nil {
		tb.Fatalf("%v\n%s", err, m.raw)
	}
	switch {
	case m.toA && act.Type == shrooms.ActivityOffer:
		_, err = x.a.Loans.ReceiveLoanOffer(sys, act)
	case m.toA && act.Type == shrooms.ActivityUndo:
		_, err = x.a.Loans.ReceiveLoanUndo(sys, act)
	case !m.toA:
		_, err = x.b.Loans.ReceiveLoanAnswer(sys, act)
	}
	if err != nil && !shrooms.Permanent(err) {
		tb.Fatalf("delivering %s: %v", act.Type, err)
	}
}

// FuzzLoanProtocol drives lender and borrower with a random sequence of
// requests (B's member and A's own), desk actions, withdrawals and
// deliveries in any order, repeated or not. Whatever happens, A never
// holds two loans whose days overlap, and once every message is
// delivered B's mirrors agree with A's loans.
func FuzzLoanProtocol(f *testing.F) {
	f.Add([]byte{1, 0, 0, 9, 1, 2, 3, 9, 0, 0, 4, 9, 5, 9})
	f.Add([]byte{0, 0, 3, 0, 1, 3, 6, 0, 9, 9, 9, 2, 0, 9})
	f.Add([]byte{1, 0, 2, 2, 8, 1, 2, 9, 9, 7, 0, 9, 6, 1, 9, 9})
	x := newLoanPair(f)
	var n int
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 || len(ops) > 120 {
			return
		}
		n++
		rules := shrooms.DefaultLendingRules()
		rules.AutoApprove = ops[0]%2 == 1
		if err := x.a.Loans.UpdateLendingRules(sys, rules); err != nil {
			t.Fatal(err)
		}
		item := x.item(t, "Drill "+itoa(int64(n)))
		var queue, sent []message
		var mirrors []int64
		next := func(k *int) byte {
			if *k >= len(ops) {
				return 0
			}
			*k++
			return ops[*k-1]
		}
		lenderLoans := func() []*shrooms.Loan {
			ls, _, err := x.a.Loans.FindLoans(sys, shrooms.LoanFilter{Desk: true, ItemID: item.ID, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return ls
		}
		for k := 1; k < len(ops); {
			op := next(&k) % 10
			arg := int(next(&k))
			switch op {
			case 0, 8: // a request: B's member (0) or A's own member (8)
				start := fuzzDay(arg % 12)
				req := shrooms.LoanRequest{ItemIRI: item.IRI, ItemID: item.ID, Start: start, End: start.AddDays(int(next(&k)) % 4)}
				if op == 0 {
					if l, err := x.b.Loans.RequestRemoteLoan(as(x.bea), req); err == nil {
						mirrors = append(mirrors, l.ID)
					}
				} else {
					_, _ = x.a.Loans.RequestLoan(as(x.mia), req)
				}
			case 1, 2, 3, 4, 5: // the desk acts on one of A's loans
				ls := lenderLoans()
				if len(ls) > 0 {
					a := []shrooms.LoanAction{shrooms.LoanApprove, shrooms.LoanReject, shrooms.LoanCheckOut,
						shrooms.LoanRenew, shrooms.LoanCheckIn}[op-1]
					_, _ = x.a.Loans.ActOnLoan(sys, ls[arg%len(ls)].ID, a, shrooms.LoanChange{Reason: "desk"})
				}
			case 6: // B's member withdraws a request
				if len(mirrors) > 0 {
					_, _ = x.b.Loans.ActOnLoan(as(x.bea), mirrors[arg%len(mirrors)], shrooms.LoanCancel, shrooms.LoanChange{})
				}
			case 7: // a message delivered again
				if len(sent) > 0 {
					x.deliver(t, sent[arg%len(sent)])
				}
			case 9: // one message delivered, any of those in flight
				queue = append(queue, x.collect(t)...)
				if len(queue) > 0 {
					i := arg % len(queue)
					x.deliver(t, queue[i])
					sent = append(sent, queue[i])
					queue = append(queue[:i], queue[i+1:]...)
				}
			}
			checkNoOverlap(t, lenderLoans())
		}
		// Everything still in flight arrives, in the order it waited.
		for round := 0; round < 20; round++ {
			queue = append(queue, x.collect(t)...)
			if len(queue) == 0 {
				break
			}
			for _, m := range queue {
				x.deliver(t, m)
			}
			queue = queue[:0]
		}
		byOffer := map[string]*shrooms.Loan{}
		for _, l := range lenderLoans() {
			byOffer[l.OfferIRI] = l
		}
		for _, id := range mirrors {
			m, err := x.b.Loans.FindLoanByID(as(x.bea), id)
			if err != nil {
				t.Fatal(err)
			}
			l := byOffer[m.OfferIRI]
			switch {
			case l == nil && m.State != shrooms.LoanRejected:
				t.Fatalf("A never recorded the offer, B's mirror is %s", m.State)
			case l != nil && (m.State != l.State || m.Due != l.Due):
				t.Fatalf("B's mirror %s due %s, A's loan %s due %s", m.State, m.Due, l.State, l.Due)
			// A request the desk has not decided yet is not answered: its
			// mirror learns the loan's IRI and version with the decision.
			case l != nil && l.State != shrooms.LoanPending && (m.Version != l.Version || m.IRI != l.IRI):
				t.Fatalf("B's mirror %s v%d due %s, A's loan %s v%d due %s", m.State, m.Version, m.Due, l.State, l.Version, l.Due)
			}
		}
	})
}

// day is the n-th day after the pair's clock.
func fuzzDay(n int) shrooms.Date { return shrooms.DateOf(t0).AddDays(n) }

// checkNoOverlap fails when two loans holding days of one item overlap.
func checkNoOverlap(t *testing.T, ls []*shrooms.Loan) {
	t.Helper()
	rules := shrooms.DefaultLendingRules()
	for i, a := range ls {
		for _, b := range ls[i+1:] {
			if a.State.HoldsDates() && b.State.HoldsDates() && shrooms.Conflicts(a, b, rules.Buffer(), time.UTC) {
				t.Fatalf("double booking: %s..%s (%s) and %s..%s (%s)", a.Start, a.End, a.State, b.Start, b.End, b.State)
			}
		}
	}
}

// A lender that turned lending off answers a partner's Offer with a
// Reject saying so, and records nothing.
func TestLoanOfferWhileLendingOff(t *testing.T) {
	t.Parallel()
	x := newLoanPair(t)
	item := x.item(t, "Sander")
	setModules(t, x.a, "people", "inventory", "stock", "locations")
	mirror, err := x.b.Loans.RequestRemoteLoan(as(x.bea), shrooms.LoanRequest{ItemIRI: item.IRI, Start: fuzzDay(1), End: fuzzDay(2)})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		for _, m := range x.collect(t) {
			x.deliver(t, m)
		}
	}
	got, err := x.b.Loans.FindLoanByID(as(x.bea), mirror.ID)
	if err != nil || got.State != shrooms.LoanRejected || got.Reason != "this organisation does not lend at the moment" {
		t.Fatalf("B's mirror: %+v %v", got, err)
	}
	if ls, n, _ := x.a.Loans.FindLoans(sys, shrooms.LoanFilter{Desk: true}); n != 0 {
		t.Fatalf("A recorded %+v", ls)
	}
}

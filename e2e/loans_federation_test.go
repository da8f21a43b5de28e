package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
	"github.com/shrooms-org/shrooms/vocab"
)

// lendingNodes are three linked nodes: A lends, B's and C's members
// borrow. New partnerships share every module, loans included.
type lendingNodes struct {
	clock   *testClock
	a, b, c *testNode
	bMail   *mailtest.Server // B's mail server: its members' notices
	bea     *shrooms.User    // a member of B
	cid     *shrooms.User    // a member of C
}

func newLendingNodes(t *testing.T) *lendingNodes {
	t.Helper()
	x := &lendingNodes{clock: newTestClock(), bMail: mailtest.NewServer(t)}
	x.a, x.b, x.c = startNode(t, x.clock), startNode(t, x.clock, withSMTP(x.bMail)), startNode(t, x.clock)
	linkByInvite(t, x.a, x.b, x.a, x.b, x.c)
	linkByInvite(t, x.a, x.c, x.a, x.b, x.c)
	x.bea = createUser(t, x.b, "bea", shrooms.RoleMember, memberPassword)
	x.cid = createUser(t, x.c, "cid", shrooms.RoleMember, memberPassword)
	return x
}

// lend creates on A an item lent to partners' members, shared with
// partners, and lets B and C cache it.
func (x *lendingNodes) lend(t *testing.T, name string) *shrooms.Item {
	t.Helper()
	it := &shrooms.Item{Kind: shrooms.KindTool, Name: name, Condition: shrooms.ConditionGood, Status: shrooms.StatusAvailable,
		Audience: shrooms.AudiencePartners, Loanable: true, Loan: shrooms.LoanRules{Members: true, Partners: true, DepositCents: 1500}}
	if err := x.a.m.DB.Items.CreateItem(systemCtx, it); err != nil {
		t.Fatal(err)
	}
	drain(t, x.a, x.b, x.c)
	return it
}

func (x *lendingNodes) day(n int) shrooms.Date { return shrooms.DateOf(x.clock.Now().UTC()).AddDays(n) }

func as(u *shrooms.User) context.Context { return shrooms.NewContextWithUser(context.Background(), u) }

// lenderLoan is A's loan answering the Offer offerIRI.
func lenderLoan(t *testing.T, a *testNode, offerIRI string) *shrooms.Loan {
	t.Helper()
	ls, _, err := a.m.DB.Loans.FindLoans(systemCtx, shrooms.LoanFilter{Desk: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.OfferIRI == offerIRI {
			return l
		}
	}
	t.Fatalf("A has no loan for the offer %s", offerIRI)
	return nil
}

func mirrorOf(t *testing.T, n *testNode, u *shrooms.User, id int64) *shrooms.Loan {
	t.Helper()
	l, err := n.m.DB.Loans.FindLoanByID(as(u), id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A member of B borrows an item of A: request, automatic approval,
// check-out, renewal and return, each change mirrored on B; the loan's
// document is served to B only.
func TestLoanAcrossPartners(t *testing.T) {
	t.Parallel()
	x := newLendingNodes(t)
	drill := x.lend(t, "Cordless drill")
	mirror, err := x.b.m.DB.Loans.RequestRemoteLoan(as(x.bea), shrooms.LoanRequest{ItemIRI: drill.IRI,
		Start: x.day(1), End: x.day(7), Message: "For the garden shed"})
	if err != nil {
		t.Fatal(err)
	}
	if !mirror.Mirror || mirror.State != shrooms.LoanPending {
		t.Fatalf("B's mirror: %+v", mirror)
	}
	drain(t, x.a, x.b, x.c)
	loan := lenderLoan(t, x.a, mirror.OfferIRI)
	if loan.State != shrooms.LoanApproved || loan.Borrower.OrgIRI != x.b.org().IRI || loan.Borrower.Name != "Bea" ||
		loan.Message != "For the garden shed" || loan.ItemID != drill.ID {
		t.Fatalf("A's loan: %+v", loan)
	}
	got := mirrorOf(t, x.b, x.bea, mirror.ID)
	if got.State != shrooms.LoanApproved || got.IRI != loan.IRI || got.Version != loan.Version {
		t.Fatalf("B's mirror after the Accept: %+v (A's loan %s v%d)", got, loan.IRI, loan.Version)
	}

	steps := []struct {
		action shrooms.LoanAction
		check  func(*shrooms.Loan) bool
	}{
		{shrooms.LoanCheckOut, func(l *shrooms.Loan) bool { return l.State == shrooms.LoanCheckedOut && l.DepositCents == 1500 }},
		{shrooms.LoanRenew, func(l *shrooms.Loan) bool { return l.Renewals == 1 && l.Due.After(l.End) }},
		{shrooms.LoanCheckIn, func(l *shrooms.Loan) bool { return l.State == shrooms.LoanReturned && l.DepositBack }},
	}
	for _, s := range steps {
		lent, err := x.a.m.DB.Loans.ActOnLoan(systemCtx, loan.ID, s.action, shrooms.LoanChange{DepositBack: true})
		if err != nil {
			t.Fatalf("%s on A: %v", s.action, err)
		}
		drain(t, x.a, x.b, x.c)
		got := mirrorOf(t, x.b, x.bea, mirror.ID)
		if !s.check(got) || got.Version != lent.Version || got.Due != lent.Due {
			t.Fatalf("B's mirror after %s: %+v\nA's loan: %+v", s.action, got, lent)
		}
	}
	// Bea heard of each step from her own node, in the app and by mail.
	if _, err := x.b.m.Notifier.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	drainMail(t, x.b)
	var subjects []string
	for _, m := range mailsTo(x.bMail, "bea@example.org") {
		subjects = append(subjects, m.Subject)
	}
	if !slices.Contains(subjects, "Your loan of Cordless drill is approved") || !slices.Contains(subjects, "Cordless drill is back: thank you") {
		t.Fatalf("bea's mails from B: %q", subjects)
	}
	list, err := x.b.m.DB.Notices.FindNotifications(as(x.bea), shrooms.NotificationFilter{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []shrooms.NotificationKind
	for _, n := range list.Notifications {
		kinds = append(kinds, n.Kind)
	}
	if !slices.Contains(kinds, shrooms.NotifyLoanApproved) || !slices.Contains(kinds, shrooms.NotifyLoanReturned) {
		t.Fatalf("bea's notifications on B: %v", kinds)
	}
	events, err := x.b.m.DB.Loans.FindLoanEvents(as(x.bea), mirror.ID)
	if err != nil || len(events) != 5 || events[4].Action != shrooms.LoanCheckIn || events[4].ActorName != x.a.org().Name {
		t.Fatalf("B's history of the loan: %+v %v", events, err)
	}

	// The loan's document: to B's organisation, not to C's, nor anyone.
	if status, body := orgSigner(t, x.b).get(loan.IRI); status != http.StatusOK || !strings.Contains(body, `"shrooms:state":"returned"`) {
		t.Fatalf("B's signed fetch of the loan: %d %s", status, body)
	}
	if status, _ := orgSigner(t, x.c).get(loan.IRI); status != http.StatusNotFound {
		t.Fatalf("C's signed fetch of the loan: %d", status)
	}
	if status, _, _ := x.a.get(strings.TrimPrefix(loan.IRI, x.a.url()), "application/activity+json"); status != http.StatusNotFound {
		t.Fatalf("unsigned fetch of the loan: %d", status)
	}

	// Forged and stale messages change nothing: C's organisation cannot
	// speak for A's loan (its Update is refused at the door, its Accept
	// of the Offer by the store), and A's own older Update comes too late.
	final := mirrorOf(t, x.b, x.bea, mirror.ID)
	forged := *loan
	forged.State, forged.Version = shrooms.LoanLost, 99
	for _, tc := range []struct {
		name   string
		signer *testNode
		typ    shrooms.ActivityType
		l      shrooms.Loan
		status int
	}{
		{"C's Update", x.c, shrooms.ActivityUpdate, forged, http.StatusForbidden},
		{"C's Accept", x.c, shrooms.ActivityAccept, forged, http.StatusAccepted},
		{"A's older Update", x.a, shrooms.ActivityUpdate, *loan, http.StatusAccepted},
	} {
		act := &shrooms.Activity{IRI: tc.signer.url() + "/activities/" + shrooms.RandomToken(8), Type: tc.typ,
			Actor: tc.signer.org().IRI, Object: loan.IRI, Loan: &tc.l, To: []string{x.b.org().IRI}}
		if tc.typ == shrooms.ActivityAccept {
			act.Object = mirror.OfferIRI
		}
		raw, err := vocab.ActivityJSON(act)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := orgSigner(t, tc.signer).post(x.b.url()+"/inbox", raw, signOpts{}); status != tc.status {
			t.Fatalf("%s: %d %s", tc.name, status, body)
		}
		drain(t, x.a, x.b, x.c)
		if got := mirrorOf(t, x.b, x.bea, mirror.ID); got.State != final.State || got.Version != final.Version {
			t.Fatalf("B's mirror after %s: %+v", tc.name, got)
		}
	}
}

// B's and C's members ask for the same days of A's item at once: exactly
// one gets it, the other hears why.
func TestLoanRaceAcrossPartners(t *testing.T) {
	t.Parallel()
	x := newLendingNodes(t)
	saw := x.lend(t, "Circular saw")
	var wg sync.WaitGroup
	mirrors := make([]*shrooms.Loan, 2)
	for i, side := range []struct {
		n *testNode
		u *shrooms.User
	}{{x.b, x.bea}, {x.c, x.cid}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := side.n.m.DB.Loans.RequestRemoteLoan(as(side.u), shrooms.LoanRequest{ItemIRI: saw.IRI, Start: x.day(2), End: x.day(5)})
			if err != nil {
				t.Error(err)
			}
			mirrors[i] = l
		}()
	}
	wg.Wait()
	drain(t, x.a, x.b, x.c)
	bea, cid := mirrorOf(t, x.b, x.bea, mirrors[0].ID), mirrorOf(t, x.c, x.cid, mirrors[1].ID)
	states := []shrooms.LoanState{bea.State, cid.State}
	if !(states[0] == shrooms.LoanApproved && states[1] == shrooms.LoanRejected ||
		states[0] == shrooms.LoanRejected && states[1] == shrooms.LoanApproved) {
		t.Fatalf("B's mirror %s, C's mirror %s: want one approved, one rejected", bea.State, cid.State)
	}
	loser := bea
	if bea.State == shrooms.LoanApproved {
		loser = cid
	}
	if !strings.Contains(loser.Reason, "taken") {
		t.Fatalf("the rejection says %q", loser.Reason)
	}
	held, n, err := x.a.m.DB.Loans.FindLoans(systemCtx, shrooms.LoanFilter{Desk: true, ItemID: saw.ID,
		States: []shrooms.LoanState{shrooms.LoanPending, shrooms.LoanApproved}})
	if err != nil || n != 1 {
		t.Fatalf("A holds %d loans of the saw: %+v %v", n, held, err)
	}
}

// B's member withdraws an approved request while A is down, and B
// restarts before A is back: the Undo waits in B's queue, and both sides
// agree once A is back.
func TestLoanCancelWhileLenderDown(t *testing.T) {
	t.Parallel()
	x := newLendingNodes(t)
	ladder := x.lend(t, "Ladder")
	mirror, err := x.b.m.DB.Loans.RequestRemoteLoan(as(x.bea), shrooms.LoanRequest{ItemIRI: ladder.IRI, Start: x.day(3), End: x.day(4)})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, x.a, x.b, x.c)
	x.a.stop()
	if _, err := x.b.m.DB.Loans.ActOnLoan(as(x.bea), mirror.ID, shrooms.LoanCancel, shrooms.LoanChange{}); err != nil {
		t.Fatal(err)
	}
	drain(t, x.b, x.c)
	if got := mirrorOf(t, x.b, x.bea, mirror.ID); got.State != shrooms.LoanApproved {
		t.Fatalf("B's mirror changed before A answered: %s", got.State)
	}
	// B goes down too before A is back: the Undo waits in B's database.
	x.b.restart()
	x.a.restart()
	x.clock.Advance(10 * time.Minute) // B's delivery retries are due
	drain(t, x.a, x.b, x.c)
	if got := lenderLoan(t, x.a, mirror.OfferIRI); got.State != shrooms.LoanCancelled {
		t.Fatalf("A's loan: %s", got.State)
	}
	if got := mirrorOf(t, x.b, x.bea, mirror.ID); got.State != shrooms.LoanCancelled {
		t.Fatalf("B's mirror: %s", got.State)
	}
}

// A partner whose policy leaves loans out, and a suspended borrower, are
// answered with a Reject.
func TestLoanOfferRefused(t *testing.T) {
	t.Parallel()
	x := newLendingNodes(t)
	drill := x.lend(t, "Hammer drill")
	x.a.mustCLI("admin", "partner", "share", x.c.org().IRI, "--modules", "inventory")
	drain(t, x.a, x.b, x.c)
	cid, err := x.c.m.DB.Loans.RequestRemoteLoan(as(x.cid), shrooms.LoanRequest{ItemIRI: drill.IRI, Start: x.day(1), End: x.day(2)})
	if err != nil {
		t.Fatal(err)
	}
	beaActor, err := x.b.m.DB.Actors.FindActorByID(systemCtx, x.bea.ActorID)
	if err != nil {
		t.Fatal(err)
	}
	// The desk suspends her through the API; a member may not, and an
	// actor that is not a remote IRI is refused naming the field.
	desk := strings.TrimSpace(x.a.mustCLI("admin", "token", "create", "--user", "admin"))
	member := memberToken(t, x.a, "mo")
	if status, body := x.a.api("PUT", "/api/v1/loans/suspensions", member, map[string]any{"actor": beaActor.IRI, "suspended": true}); status != http.StatusForbidden {
		t.Fatalf("a member suspends: %d %v", status, body)
	}
	if status, body := x.a.api("PUT", "/api/v1/loans/suspensions", desk, map[string]any{"actor": "bea", "suspended": true}); status != http.StatusBadRequest || !strings.Contains(body["error"].(string), "actor") {
		t.Fatalf("a bad actor: %d %v", status, body)
	}
	if status, body := x.a.api("PUT", "/api/v1/loans/suspensions", desk, map[string]any{"actor": beaActor.IRI, "suspended": true}); status != http.StatusOK || body["suspended"] != true {
		t.Fatalf("the desk suspends: %d %v", status, body)
	}
	bea, err := x.b.m.DB.Loans.RequestRemoteLoan(as(x.bea), shrooms.LoanRequest{ItemIRI: drill.IRI, Start: x.day(1), End: x.day(2)})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, x.a, x.b, x.c)
	for _, tc := range []struct {
		n    *testNode
		u    *shrooms.User
		id   int64
		says string
	}{{x.c, x.cid, cid.ID, "does not lend"}, {x.b, x.bea, bea.ID, "may not borrow"}} {
		got := mirrorOf(t, tc.n, tc.u, tc.id)
		if got.State != shrooms.LoanRejected || !strings.Contains(got.Reason, tc.says) {
			t.Fatalf("%s's mirror: %s %q", tc.n.addr, got.State, got.Reason)
		}
	}
	if _, n, _ := x.a.m.DB.Loans.FindLoans(systemCtx, shrooms.LoanFilter{Desk: true}); n != 0 {
		t.Fatalf("A recorded %d loans", n)
	}
}

package vocab

import (
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Every loan message renders and parses back to the same loan: the Offer
// (object: the request), the Accept and Reject (result: the loan), the
// Update (object: the loan), and the Undo of an Offer.
func TestLoanActivitiesRoundTrip(t *testing.T) {
	day := func(s string) shrooms.Date { d, _ := shrooms.ParseDate(s); return d }
	loan := &shrooms.Loan{IRI: "https://a.example/loans/9f", OfferIRI: "https://b.example/activities/o1",
		ItemIRI: "https://a.example/items/12", ItemName: "Drill", LenderIRI: "https://a.example/actors/org",
		Borrower: shrooms.Borrower{ActorIRI: "https://b.example/actors/bea"}, State: shrooms.LoanCheckedOut,
		Start: day("2027-03-06"), End: day("2027-03-13"), Due: day("2027-03-20"), Renewals: 1, DepositCents: 2000,
		Version: 4, Reason: "", Message: "for the shelves"}
	ask := &shrooms.Loan{ItemIRI: loan.ItemIRI, Start: loan.Start, End: loan.End, Due: loan.End, Message: "for the shelves",
		Borrower: loan.Borrower}
	for _, tc := range []struct {
		name string
		act  *shrooms.Activity
		want *shrooms.Loan
	}{
		{"offer", &shrooms.Activity{IRI: loan.OfferIRI, Type: shrooms.ActivityOffer, Actor: loan.Borrower.ActorIRI,
			To: []string{loan.LenderIRI}, Loan: ask}, ask},
		{"accept", &shrooms.Activity{IRI: "https://a.example/activities/a1", Type: shrooms.ActivityAccept, Actor: loan.LenderIRI,
			Object: loan.OfferIRI, To: []string{loan.Borrower.ActorIRI}, Loan: loan}, loan},
		{"update", &shrooms.Activity{IRI: "https://a.example/activities/u1", Type: shrooms.ActivityUpdate, Actor: loan.LenderIRI,
			Object: loan.IRI, To: []string{loan.Borrower.ActorIRI}, Loan: loan}, loan},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := ActivityJSON(tc.act)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseActivity(raw)
			if err != nil {
				t.Fatalf("%v\n%s", err, raw)
			}
			if back.Loan == nil {
				t.Fatalf("no loan parsed from %s", raw)
			}
			got, want := *back.Loan, *tc.want
			if got != want {
				t.Fatalf("got  %+v\nwant %+v\n%s", got, want, raw)
			}
			if tc.act.Type == shrooms.ActivityAccept && back.Object != loan.OfferIRI {
				t.Fatalf("accept's object %q", back.Object)
			}
		})
	}
	reject := &shrooms.Activity{IRI: "https://a.example/activities/r1", Type: shrooms.ActivityReject, Actor: loan.LenderIRI,
		Object: loan.OfferIRI, Loan: &shrooms.Loan{OfferIRI: loan.OfferIRI, ItemIRI: loan.ItemIRI, State: shrooms.LoanRejected,
			Start: loan.Start, End: loan.End, Due: loan.End, Reason: "the item is taken", Version: 1}}
	raw, err := ActivityJSON(reject)
	if err != nil || !strings.Contains(string(raw), `"content":"the item is taken"`) {
		t.Fatalf("reject: %s %v", raw, err)
	}
	back, err := ParseActivity(raw)
	if err != nil || back.Loan == nil || back.Loan.State != shrooms.LoanRejected || back.Loan.Reason != "the item is taken" {
		t.Fatalf("reject parsed: %+v %v", back, err)
	}
	undo := &shrooms.Activity{IRI: "https://b.example/activities/u2", Type: shrooms.ActivityUndo, Actor: loan.Borrower.ActorIRI,
		Embedded: &shrooms.Activity{IRI: loan.OfferIRI, Type: shrooms.ActivityOffer, Actor: loan.Borrower.ActorIRI}}
	raw, _ = ActivityJSON(undo)
	back, err = ParseActivity(raw)
	if err != nil || back.Embedded == nil || back.Embedded.Type != shrooms.ActivityOffer || back.Object != loan.OfferIRI {
		t.Fatalf("undo parsed: %+v %v\n%s", back, err, raw)
	}
}

// Hostile loan documents are refused, not half-read.
func TestLoanDocumentRefused(t *testing.T) {
	for name, doc := range map[string]string{
		"no days":    `{"type":["Object","shrooms:Loan"],"schema:reservationFor":"https://a.example/items/1"}`,
		"bad state":  `{"type":["Object","shrooms:Loan"],"schema:reservationFor":"https://a.example/items/1","startTime":"2027-03-06T00:00:00Z","endTime":"2027-03-07T00:00:00Z","shrooms:state":"stolen"}`,
		"bad due":    `{"type":["Object","shrooms:Loan"],"schema:reservationFor":"https://a.example/items/1","startTime":"2027-03-06T00:00:00Z","endTime":"2027-03-07T00:00:00Z","shrooms:due":"soon"}`,
		"long texts": `{"type":["Object","shrooms:Loan"],"schema:reservationFor":"https://a.example/items/1","startTime":"2027-03-06T00:00:00Z","endTime":"2027-03-07T00:00:00Z","content":"` + strings.Repeat("x", 2001) + `"}`,
	} {
		raw := `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://b.example/activities/1","type":"Offer","actor":"https://b.example/actors/bea","object":` + doc + `}`
		if _, err := ParseActivity([]byte(raw)); shrooms.ErrorCode(err) != shrooms.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

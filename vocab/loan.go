package vocab

import (
	"time"

	"github.com/go-fed/activity/streams"

	shrooms "github.com/shrooms-org/shrooms"
)

// LoanType is the extension type a loan document carries beside Object:
// the request in an Offer, the loan in an Accept's or Reject's result and
// in an Update. Its days are startTime and endTime (ActivityStreams, the
// day at 00:00 UTC: only the date counts); its state is schema.org's
// reservationStatus, refined by shrooms:state.
const LoanType = "shrooms:Loan"

// loanStatus maps a loan state to schema.org's reservationStatus.
var loanStatus = map[shrooms.LoanState]string{
	shrooms.LoanPending:    "schema:ReservationPending",
	shrooms.LoanApproved:   "schema:ReservationConfirmed",
	shrooms.LoanCheckedOut: "schema:ReservationConfirmed",
	shrooms.LoanReturned:   "schema:ReservationConfirmed",
	shrooms.LoanRejected:   "schema:ReservationCancelled",
	shrooms.LoanCancelled:  "schema:ReservationCancelled",
	shrooms.LoanExpired:    "schema:ReservationCancelled",
	shrooms.LoanLost:       "schema:ReservationCancelled",
}

// loanMap renders a loan document: id (absent in an Offer), attributedTo
// the lender, the item, the borrower, the days, the message as content,
// and the SHROOMS terms of its state.
func loanMap(l *shrooms.Loan) (map[string]any, error) {
	obj := streams.NewActivityStreamsObject()
	if l.IRI != "" {
		id, err := parseIRI("loan id", l.IRI)
		if err != nil {
			return nil, err
		}
		p := streams.NewJSONLDIdProperty()
		p.Set(id)
		obj.SetJSONLDId(p)
	}
	if l.LenderIRI != "" {
		u, err := parseIRI("loan lender", l.LenderIRI)
		if err != nil {
			return nil, err
		}
		p := streams.NewActivityStreamsAttributedToProperty()
		p.AppendIRI(u)
		obj.SetActivityStreamsAttributedTo(p)
	}
	start := streams.NewActivityStreamsStartTimeProperty()
	start.Set(l.Start.In(time.UTC))
	obj.SetActivityStreamsStartTime(start)
	end := streams.NewActivityStreamsEndTimeProperty()
	end.Set(l.End.In(time.UTC))
	obj.SetActivityStreamsEndTime(end)
	if l.Message != "" {
		c := streams.NewActivityStreamsContentProperty()
		c.AppendXMLSchemaString(l.Message)
		obj.SetActivityStreamsContent(c)
	}
	if l.ItemName != "" {
		n := streams.NewActivityStreamsNameProperty()
		n.AppendXMLSchemaString(l.ItemName)
		obj.SetActivityStreamsName(n)
	}
	m, err := obj.Serialize()
	if err != nil {
		return nil, err
	}
	m["type"] = []any{"Object", LoanType}
	if _, err := parseIRI("loan item", l.ItemIRI); err != nil {
		return nil, err
	}
	m["schema:reservationFor"] = l.ItemIRI
	if l.Borrower.ActorIRI != "" {
		m["schema:underName"] = l.Borrower.ActorIRI
	}
	if l.OfferIRI != "" {
		m["shrooms:offer"] = l.OfferIRI
	}
	if l.State != "" {
		m["schema:reservationStatus"] = loanStatus[l.State]
		m["shrooms:state"] = string(l.State)
		m["shrooms:version"] = l.Version
		m["shrooms:due"] = l.Due.String()
		m["shrooms:renewals"] = l.Renewals
		m["shrooms:depositCents"] = l.DepositCents
		m["shrooms:depositReturned"] = l.DepositBack
	}
	if l.Reason != "" {
		m["shrooms:reason"] = l.Reason
	}
	return m, nil
}

// isLoan reports whether a raw object is a SHROOMS loan document.
func isLoan(m map[string]any) bool {
	for _, t := range rawTypes(m["type"]) {
		if t == LoanType || t == Namespace+"Loan" {
			return true
		}
	}
	return false
}

// rawTypes lists the types of a raw object.
func rawTypes(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// maxLoanText bounds the texts a loan document carries.
const maxLoanText = 2000

// loanFromMap reads a loan document (see loanMap). It returns EINVALID for
// days that are not dates, a state that is unknown, or texts too long.
func loanFromMap(m map[string]any) (*shrooms.Loan, error) {
	l := &shrooms.Loan{IRI: rawString(m, "id"), LenderIRI: rawID(m["attributedTo"]), Message: rawString(m, "content"),
		ItemName: rawString(m, "name")}
	l.ItemIRI, _ = m["schema:reservationFor"].(string)
	if v, ok := m["schema:underName"].(string); ok {
		l.Borrower.ActorIRI = v
	}
	l.OfferIRI, _ = ext(m, "offer").(string)
	l.Reason, _ = ext(m, "reason").(string)
	start, end := rawTime(m, "startTime"), rawTime(m, "endTime")
	if start.IsZero() || end.IsZero() || l.ItemIRI == "" {
		return nil, shrooms.Errorf(shrooms.EINVALID, "a loan needs an item, a startTime and an endTime").Keyed("federation.error.loan_fields")
	}
	l.Start, l.End, l.Due = shrooms.DateOf(start), shrooms.DateOf(end), shrooms.DateOf(end)
	if len(l.Message) > maxLoanText || len(l.Reason) > maxLoanText || len(l.ItemName) > maxLoanText {
		return nil, shrooms.Errorf(shrooms.EINVALID, "a loan's texts are at most %d characters", maxLoanText).
			Keyed("federation.error.loan_text", "Max", maxLoanText)
	}
	if st, ok := ext(m, "state").(string); ok {
		state, err := shrooms.ParseLoanState(st)
		if err != nil {
			return nil, err
		}
		l.State = state
	}
	if due, ok := ext(m, "due").(string); ok && due != "" {
		d, err := shrooms.ParseDate(due)
		if err != nil {
			return nil, err
		}
		l.Due = d
	}
	num := func(term string) int64 {
		f, _ := ext(m, term).(float64)
		if f < 0 || f > 1<<53 {
			return 0
		}
		return int64(f)
	}
	l.Version, l.Renewals, l.DepositCents = num("version"), int(num("renewals")), num("depositCents")
	l.DepositBack, _ = ext(m, "depositReturned").(bool)
	return l, nil
}

// finishLoan reads the loan an Offer or Update carries as its object, or
// an Accept or Reject as its result.
func finishLoan(a *shrooms.Activity, m map[string]any) error {
	key := "object"
	if a.Type == shrooms.ActivityAccept || a.Type == shrooms.ActivityReject {
		key = "result"
	}
	obj, _ := firstRaw(m[key]).(map[string]any)
	if obj == nil || !isLoan(obj) {
		return nil
	}
	l, err := loanFromMap(obj)
	if err != nil {
		return err
	}
	a.Loan = l
	if a.Type == shrooms.ActivityOffer {
		a.ObjectType = LoanType
	}
	return nil
}

// LoanJSON renders a loan as the document its IRI answers with.
func LoanJSON(l *shrooms.Loan) ([]byte, error) {
	doc := *l
	doc.ItemID, doc.Mirror = 0, false
	m, err := loanMap(&doc)
	if err != nil {
		return nil, err
	}
	m["@context"] = Context()
	return marshal(m)
}

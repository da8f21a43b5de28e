package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiLoanRoutes: requests, the caller's loans and the desk's, actions on
// a loan, availability, waiting lists, the rules and the calendar feed.
// The loan service decides who may do what.
func (s *server) apiLoanRoutes(auth *mux.Router) {
	auth.HandleFunc("/loans", s.apiLoans).Methods(http.MethodGet)
	auth.HandleFunc("/loans", s.apiRequestLoan).Methods(http.MethodPost)
	auth.HandleFunc("/loans/rules", s.apiLendingRules).Methods(http.MethodGet)
	auth.HandleFunc("/loans/rules", s.apiUpdateLendingRules).Methods(http.MethodPut)
	auth.HandleFunc("/loans/suspensions", s.apiSuspendBorrower).Methods(http.MethodPut)
	auth.HandleFunc("/loans/feed", s.apiLoanFeed).Methods(http.MethodGet)
	auth.HandleFunc("/loans/feed", s.apiRotateLoanFeed).Methods(http.MethodPost)
	auth.HandleFunc("/loans/feed", s.apiRevokeLoanFeed).Methods(http.MethodDelete)
	auth.HandleFunc("/loans/{id:[0-9]+}", s.apiLoan).Methods(http.MethodGet)
	auth.HandleFunc("/loans/{id:[0-9]+}/{action:approve|reject|checkout|checkin|renew|cancel|write_off}",
		s.apiActOnLoan).Methods(http.MethodPost)
	auth.HandleFunc("/items/{id:[0-9]+}/availability", s.apiAvailability).Methods(http.MethodGet)
	auth.HandleFunc("/items/{id:[0-9]+}/waitlist", s.apiItemWaitlist).Methods(http.MethodGet)
	auth.HandleFunc("/items/{id:[0-9]+}/waitlist", s.apiJoinWaitlist).Methods(http.MethodPost)
	auth.HandleFunc("/items/{id:[0-9]+}/waitlist", s.apiLeaveItemWaitlist).Methods(http.MethodDelete)
	auth.HandleFunc("/waitlist", s.apiMyWaitlist).Methods(http.MethodGet)
	auth.HandleFunc("/waitlist/{id:[0-9]+}", s.apiDelete(func(ctx context.Context, id int64) error { return s.Loans.LeaveWaitlist(ctx, id) })).Methods(http.MethodDelete)
}

// loanRequestJSON is what POST /loans takes. Item is a number (an item of
// this node) or a string: an item's IRI, this node's or a partner's
// cached one. Dates are strings so that a bad one is refused naming its
// field.
type loanRequestJSON struct {
	Item    json.RawMessage `json:"item"`
	Start   string          `json:"start"`
	End     string          `json:"end"`
	Message string          `json:"message"`
}

// apiRequestLoan records the caller's request for an item's days and
// answers 201 with the loan: approved at once when the rules
// auto-approve, pending otherwise.
func (s *server) apiRequestLoan(w http.ResponseWriter, r *http.Request) {
	var in loanRequestJSON
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	req := shrooms.LoanRequest{Message: in.Message}
	var err error
	if req.Start, err = dateField("start", in.Start); err == nil {
		req.End, err = dateField("end", in.End)
	}
	var remote *shrooms.RemoteObject
	if err == nil {
		req.ItemID, remote, err = s.loanItem(r.Context(), in.Item)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	var l *shrooms.Loan
	if remote != nil {
		// A partner's item: the request goes across, and the member's
		// mirror of it comes back; the lender decides.
		req.ItemID, req.ItemIRI = 0, remote.IRI
		l, err = s.Loans.RequestRemoteLoan(r.Context(), req)
	} else {
		l, err = s.Loans.RequestLoan(r.Context(), req)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.Header().Set("Location", s.IRIs.Base+"/api/v1/loans/"+strconv.FormatInt(l.ID, 10))
	writeJSON(w, http.StatusCreated, l)
}

// dateField parses a day given as YYYY-MM-DD; "" is the zero day, which
// the rules refuse naming the field.
func dateField(field, v string) (shrooms.Date, error) {
	if v == "" {
		return shrooms.Date{}, nil
	}
	d, err := shrooms.ParseDate(v)
	if err != nil {
		return d, shrooms.Errorf(shrooms.EINVALID, "%s: %q is not a date (YYYY-MM-DD)", field, v).
			Keyed("loans.error.date_format", "Value", v).On(field)
	}
	return d, nil
}

// loanItem resolves the item of a loan request: a number (or a string of
// digits) is an item ID of this node; a string is an item's IRI, this
// node's (its ID) or a partner's cached item (returned as remote).
func (s *server) loanItem(ctx context.Context, raw json.RawMessage) (id int64, remote *shrooms.RemoteObject, err error) {
	bad := shrooms.Errorf(shrooms.EINVALID, "item: give an item's id or IRI").Keyed("loans.error.item_required").On("item")
	unknown := shrooms.Errorf(shrooms.ENOTFOUND, "item: no such item").Keyed("loans.error.item_unknown").On("item")
	raw = bytes.TrimSpace(raw)
	var s2 string
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return 0, nil, bad
	case raw[0] == '"':
		if json.Unmarshal(raw, &s2) != nil {
			return 0, nil, bad
		}
	default:
		s2 = string(raw)
	}
	s2 = strings.TrimSpace(s2)
	if n, err := strconv.ParseInt(s2, 10, 64); err == nil {
		if n <= 0 {
			return 0, nil, bad
		}
		return n, nil, nil
	}
	u, err := url.Parse(s2)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return 0, nil, bad
	}
	if s.IRIs.Local(s2) {
		rest, ok := strings.CutPrefix(u.EscapedPath(), "/items/")
		n, err := strconv.ParseInt(rest, 10, 64)
		if !ok || err != nil || n <= 0 || u.RawQuery != "" || u.Fragment != "" {
			return 0, nil, unknown
		}
		return n, nil, nil
	}
	obj, err := s.Remote.FindRemoteObject(ctx, s2)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND || err == nil && obj.Type != "Item" {
		return 0, nil, unknown
	} else if err != nil {
		return 0, nil, err
	}
	return 0, obj, nil
}

// loanFilterOf reads the filters of GET /loans: scope (mine, desk),
// state (a comma-separated list), overdue, item_id, and the paging.
func loanFilterOf(r *http.Request) (shrooms.LoanFilter, error) {
	q := r.URL.Query()
	var f shrooms.LoanFilter
	switch q.Get("scope") {
	case "", "mine":
	case "desk":
		f.Desk = true
	default:
		return f, shrooms.Errorf(shrooms.EINVALID, "scope: must be mine or desk").Keyed("loans.error.scope").On("scope")
	}
	if v := q.Get("state"); v != "" {
		for _, part := range strings.Split(v, ",") {
			st, err := shrooms.ParseLoanState(strings.TrimSpace(part))
			if err != nil {
				return f, err
			}
			if !slices.Contains(f.States, st) {
				f.States = append(f.States, st)
			}
		}
	}
	overdue, err := queryBool(q, "overdue")
	if err != nil {
		return f, err
	}
	f.Overdue = overdue != nil && *overdue
	if v := q.Get("item_id"); v != "" {
		if f.ItemID, err = strconv.ParseInt(v, 10, 64); err != nil || f.ItemID <= 0 {
			return f, shrooms.Errorf(shrooms.EINVALID, "item_id: must be a record id").Keyed("loans.error.item_id").On("item_id")
		}
	}
	f.Offset, f.Limit, err = paging(r)
	return f, err
}

// apiLoans lists the caller's loans, or with scope=desk every loan of
// this node for the lending desk.
func (s *server) apiLoans(w http.ResponseWriter, r *http.Request) {
	f, err := loanFilterOf(r)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	f.Newest = true
	ls, total, err := s.Loans.FindLoans(r.Context(), f)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeList(w, ls, total, func(l *shrooms.Loan) *shrooms.Loan { return l })
}

// loanWithEvents is a loan with its history, oldest first.
type loanWithEvents struct {
	*shrooms.Loan
	Events []*shrooms.LoanEvent `json:"events"`
}

// apiLoan answers with a loan the caller may see and its history.
func (s *server) apiLoan(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	var l *shrooms.Loan
	if err == nil {
		l, err = s.Loans.FindLoanByID(r.Context(), id)
	}
	var events []*shrooms.LoanEvent
	if err == nil {
		events, err = s.Loans.FindLoanEvents(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if events == nil {
		events = []*shrooms.LoanEvent{}
	}
	writeJSON(w, http.StatusOK, loanWithEvents{Loan: l, Events: events})
}

// loanActionJSON is the optional body of POST /loans/{id}/{action}.
type loanActionJSON struct {
	Reason          string            `json:"reason"`
	Condition       shrooms.Condition `json:"condition"`
	Note            string            `json:"note"`
	DepositCents    *int64            `json:"deposit_cents"`
	DepositReturned bool              `json:"deposit_returned"`
	ToRepair        bool              `json:"to_repair"`
}

// change checks the body's fields and returns it as the service takes it.
func (in loanActionJSON) change() (shrooms.LoanChange, error) {
	ch := shrooms.LoanChange{Reason: in.Reason, Condition: in.Condition, Note: in.Note,
		DepositCents: in.DepositCents, DepositBack: in.DepositReturned, ToRepair: in.ToRepair}
	switch {
	case in.Condition != "" && !slices.Contains(shrooms.Conditions, in.Condition):
		return ch, shrooms.Errorf(shrooms.EINVALID, "condition: must be one of new, good, fair, poor, broken").
			Keyed("loans.error.condition").On("condition")
	case len(strings.TrimSpace(in.Note)) > 2000:
		return ch, shrooms.Errorf(shrooms.EINVALID, "note: must be at most 2000 characters").
			Keyed("loans.error.message_long", "Max", 2000).On("note")
	case in.DepositCents != nil && (*in.DepositCents < 0 || *in.DepositCents > shrooms.MaxMoneyCents):
		return ch, shrooms.Errorf(shrooms.EINVALID, "deposit_cents: out of range").Keyed("loans.error.deposit_range").On("deposit_cents")
	}
	return ch, nil
}

// apiActOnLoan applies an action to a loan and answers with the loan.
func (s *server) apiActOnLoan(w http.ResponseWriter, r *http.Request) {
	var in loanActionJSON
	id, err := apiPathID(r, "id")
	if err == nil {
		err = decodeOptionalJSON(r, &in)
	}
	var ch shrooms.LoanChange
	if err == nil {
		ch, err = in.change()
	}
	var l *shrooms.Loan
	if err == nil {
		l, err = s.Loans.ActOnLoan(r.Context(), id, shrooms.LoanAction(mux.Vars(r)["action"]), ch)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// decodeOptionalJSON reads a JSON object as decodeJSON does, leaving v
// as it is when the body is empty.
func decodeOptionalJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAPIBody+1))
	if err != nil {
		return shrooms.Errorf(shrooms.EINVALID, "body must be a JSON object")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decodeJSON(r, v)
}

// suspensionJSON stops (or lets again) a partner's member borrow here.
type suspensionJSON struct {
	Actor     string `json:"actor"`
	Suspended bool   `json:"suspended"`
}

// apiSuspendBorrower is the desk suspending a partner's member: their
// requests are then answered with a Reject.
func (s *server) apiSuspendBorrower(w http.ResponseWriter, r *http.Request) {
	var in suspensionJSON
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := s.Loans.SuspendBorrower(r.Context(), in.Actor, in.Suspended); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

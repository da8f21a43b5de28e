package handlers

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// itemLending is the lending part of a loanable item's page: its
// calendar, the request form, the caller's place in line, and for the
// desk the loan out and the pickups due.
type itemLending struct {
	Calendar *calendarMonth
	Form     loanForm
	// Place is the caller's place on the item's waiting list, if any.
	Place *shrooms.WaitEntry
	// Mine are the caller's requests and loans of the item still open.
	Mine []*shrooms.Loan
	// Desk: the caller works the lending desk; Out is the loan out,
	// Pickups the requests to hand over (starting today or before), Line
	// the waiting list.
	Desk    bool
	Out     *shrooms.Loan
	Pickups []*shrooms.Loan
	Line    []*shrooms.WaitEntry
	// Acts are the check-out and check-in forms of Out and Pickups.
	OutAct  deskAct
	PickAct []deskAct
}

// loanForm is the "request these dates" form, sent back with the error
// on its field.
type loanForm struct {
	Start, End, Message string
	Error, Field        string
}

// openStates are the states of a loan not yet over.
var openStates = []shrooms.LoanState{shrooms.LoanPending, shrooms.LoanApproved, shrooms.LoanCheckedOut}

// isDesk reports whether the request's user works the lending desk, to
// choose what to show; the service decides again on every action.
func (s *server) isDesk(r *http.Request) bool {
	return s.moduleAccess(r, "loans")&shrooms.AccessWrite != 0
}

// itemLending fills the lending part of item's page, or returns nil when
// the loans module is off or the item is not lent.
func (s *server) itemLending(r *http.Request, item *shrooms.Item, form loanForm) (*itemLending, error) {
	ctx := r.Context()
	st := stateFrom(ctx)
	if !st.Settings.HasModule("loans") || !item.Loanable || item.KitID != 0 {
		return nil, nil
	}
	rules, err := s.Loans.FindLendingRules(ctx)
	if err != nil {
		return nil, err
	}
	today := rules.Today(s.Now())
	d := &itemLending{Form: form}
	if d.Calendar, err = s.itemCalendar(ctx, item.ID, monthOf(r.URL.Query().Get("month"), today), today); err != nil {
		return nil, err
	}
	if st.User == nil {
		return d, nil
	}
	places, err := s.Loans.FindWaitlist(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, p := range places {
		if p.ItemID == item.ID {
			d.Place = p
		}
	}
	if d.Mine, _, err = s.Loans.FindLoans(ctx, shrooms.LoanFilter{ItemID: item.ID, UserID: st.User.ID, States: openStates}); err != nil {
		return nil, err
	}
	if d.Desk = s.isDesk(r); !d.Desk {
		return d, nil
	}
	out, _, err := s.Loans.FindLoans(ctx, shrooms.LoanFilter{Desk: true, ItemID: item.ID, States: []shrooms.LoanState{shrooms.LoanCheckedOut}})
	if err != nil {
		return nil, err
	}
	here := itemPath(item.ID) + "#lending"
	if len(out) > 0 {
		d.Out = out[0]
		d.OutAct = deskActFor(r, d.Out, "", here)
	}
	if d.Pickups, _, err = s.Loans.FindLoans(ctx, shrooms.LoanFilter{Desk: true, ItemID: item.ID, ToDate: today,
		States: []shrooms.LoanState{shrooms.LoanPending, shrooms.LoanApproved}}); err != nil {
		return nil, err
	}
	for _, l := range d.Pickups {
		d.PickAct = append(d.PickAct, deskActFor(r, l, centsText(item.Loan.DepositCents), here))
	}
	if d.Line, err = s.Loans.FindWaitlist(ctx, item.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// handleLoanRequest asks for an item's days; a refused request shows the
// item page again with the days typed and the error on its field.
func (s *server) handleLoanRequest(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	f := loanForm{Start: formValue(r, "start"), End: formValue(r, "end"), Message: formValue(r, "message")}
	req := shrooms.LoanRequest{ItemID: id, Message: f.Message}
	var err error
	if req.Start, err = parseDay(f.Start, "start"); err == nil {
		if req.End, err = parseDay(f.End, "end"); err == nil {
			_, err = s.Loans.RequestLoan(r.Context(), req)
		}
	}
	switch shrooms.ErrorCode(err) {
	case "":
		s.redirect(w, r, "/loans", "loans.requested")
	case shrooms.EINVALID, shrooms.ECONFLICT, shrooms.EFORBIDDEN:
		f.Error, f.Field = s.errorText(r, err), shrooms.ErrorField(err)
		if f.Field == "" {
			f.Field = "start"
		}
		s.showItemPage(w, r, statusOf(shrooms.ErrorCode(err)), itemPageExtra{loan: f})
	default:
		s.fail(w, r, err, 0)
	}
}

// parseDay reads a form's day; empty is the zero day, which the rules
// refuse with their own message.
func parseDay(v, field string) (shrooms.Date, error) {
	if v == "" {
		return shrooms.Date{}, nil
	}
	d, err := shrooms.ParseDate(v)
	if err != nil {
		return d, shrooms.Errorf(shrooms.EINVALID, "%s: %q is not a date", field, v).Keyed("loans.error.date_format", "Value", v).On(field)
	}
	return d, nil
}

// handleWaitlistJoin puts the caller in line for an item.
func (s *server) handleWaitlistJoin(w http.ResponseWriter, r *http.Request) {
	id := pathID(r)
	if _, err := s.Loans.JoinWaitlist(r.Context(), id); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, itemPath(id)+"#lending", "loans.joined")
}

// handleWaitlistLeave takes a place out of its line, and goes back where
// the form said.
func (s *server) handleWaitlistLeave(w http.ResponseWriter, r *http.Request) {
	if err := s.Loans.LeaveWaitlist(r.Context(), pathID(r)); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, backTo(r, "/loans"), "loans.left")
}

// backTo is the form's "next" page when it is on this site, else def.
func backTo(r *http.Request, def string) string {
	if t, ok := localTarget(r.PostFormValue("next")); ok && t != "" {
		return t
	}
	return def
}

// loanActions are the actions the loan forms send, by their path word.
var loanActions = map[string]shrooms.LoanAction{
	"approve": shrooms.LoanApprove, "reject": shrooms.LoanReject, "cancel": shrooms.LoanCancel,
	"checkout": shrooms.LoanCheckOut, "renew": shrooms.LoanRenew, "checkin": shrooms.LoanCheckIn,
	"write_off": shrooms.LoanWriteOff,
}

// handleLoanAct applies one action to a loan from any of its forms (my
// loans, the loan's page, the desk, the item page) and goes back there.
func (s *server) handleLoanAct(w http.ResponseWriter, r *http.Request) {
	word := mux.Vars(r)["action"]
	action, ok := loanActions[word]
	if !ok {
		s.handleNotFound(w, r)
		return
	}
	ch := shrooms.LoanChange{Reason: formValue(r, "reason"), Note: formValue(r, "note"),
		Condition:   shrooms.Condition(formValue(r, "condition")),
		DepositBack: r.PostFormValue("deposit_back") != "", ToRepair: r.PostFormValue("to_repair") != ""}
	if v := formValue(r, "deposit"); v != "" {
		cents, err := shrooms.ParseMoney(v)
		if err != nil {
			s.fail(w, r, shrooms.Errorf(shrooms.EINVALID, "deposit: %q is not an amount", v).Keyed("loans.error.deposit_range").On("deposit"), 0)
			return
		}
		ch.DepositCents = &cents
	}
	id := pathID(r)
	if _, err := s.Loans.ActOnLoan(r.Context(), id, action, ch); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, backTo(r, "/loans/"+strconv.FormatInt(id, 10)), "loans.done."+word)
}

// deskAct is what the check-out and check-in forms of a loan need, on
// the desk, the item page and the loan's page alike.
type deskAct struct {
	Loan       *shrooms.Loan
	Deposit    string
	Conditions []shrooms.Condition
	// Next is where the form comes back to; CSRF its token.
	Next, CSRF string
}

// deskActFor builds the forms of loan l, to come back to next.
func deskActFor(r *http.Request, l *shrooms.Loan, deposit, next string) deskAct {
	return deskAct{Loan: l, Deposit: deposit, Conditions: shrooms.Conditions, Next: next, CSRF: stateFrom(r.Context()).CSRF}
}

package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// deskView is the lending desk: what staff have to do today.
type deskView struct {
	Today shrooms.Date
	// Requests wait for a decision; Pickups are approved loans starting
	// today or before, not yet out; Returns are due today; Overdue are out
	// past their due day, with the borrower's contact.
	Requests []deskAct
	Pickups  []deskAct
	Returns  []deskAct
	Overdue  []deskOverdue
	// Lines are the waiting lists of the items the desk lists.
	Lines []deskLine
}

// deskOverdue is an overdue loan with what the desk may read of its
// borrower's contact.
type deskOverdue struct {
	Act          deskAct
	Email, Phone string
}

// deskLine is one item's waiting list.
type deskLine struct {
	ItemID   int64
	ItemName string
	Line     []*shrooms.WaitEntry
}

// deskList is how many loans each part of the desk lists.
const deskList = 100

// handleDesk shows the desk; the service answers EFORBIDDEN to others.
func (s *server) handleDesk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rules, err := s.Loans.FindLendingRules(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &deskView{Today: rules.Today(s.Now())}
	find := func(f shrooms.LoanFilter) []*shrooms.Loan {
		if err != nil {
			return nil
		}
		f.Desk, f.Limit = true, deskList
		var ls []*shrooms.Loan
		ls, _, err = s.Loans.FindLoans(ctx, f)
		return ls
	}
	for _, l := range find(shrooms.LoanFilter{States: []shrooms.LoanState{shrooms.LoanPending}}) {
		d.Requests = append(d.Requests, deskActFor(r, l, "", "/desk"))
	}
	for _, l := range find(shrooms.LoanFilter{States: []shrooms.LoanState{shrooms.LoanApproved}, ToDate: d.Today}) {
		d.Pickups = append(d.Pickups, deskActFor(r, l, s.depositOf(r, l), "/desk"))
	}
	for _, l := range find(shrooms.LoanFilter{States: []shrooms.LoanState{shrooms.LoanCheckedOut}, FromDate: d.Today, ToDate: d.Today}) {
		if l.Due == d.Today {
			d.Returns = append(d.Returns, deskActFor(r, l, "", "/desk"))
		}
	}
	overdue := find(shrooms.LoanFilter{Overdue: true})
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	for _, l := range overdue {
		o := deskOverdue{Act: deskActFor(r, l, "", "/desk")}
		if l.Borrower.UserID != 0 {
			// The profile as the desk may read it: contact details only
			// when the member shows them to staff.
			if p, err := s.Profiles.FindProfile(ctx, l.Borrower.UserID); err == nil {
				o.Email, o.Phone = p.ContactEmail, p.Phone
			}
		}
		d.Overdue = append(d.Overdue, o)
	}
	if d.Lines, err = s.deskLines(r, d); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "desk", "loans.desk.title", d)
}

// deskLines reads the waiting lists of the items the desk lists: those
// are the items people wait for.
func (s *server) deskLines(r *http.Request, d *deskView) ([]deskLine, error) {
	var lines []deskLine
	seen := map[int64]bool{}
	var all []*shrooms.Loan
	for _, a := range append(append(append(d.Requests, d.Pickups...), d.Returns...), overdueActs(d.Overdue)...) {
		all = append(all, a.Loan)
	}
	out, _, err := s.Loans.FindLoans(r.Context(), shrooms.LoanFilter{Desk: true, States: []shrooms.LoanState{shrooms.LoanCheckedOut}, Limit: deskList})
	if err != nil {
		return nil, err
	}
	for _, l := range append(all, out...) {
		if l.ItemID == 0 || seen[l.ItemID] {
			continue
		}
		seen[l.ItemID] = true
		line, err := s.Loans.FindWaitlist(r.Context(), l.ItemID)
		if err != nil {
			return nil, err
		}
		if len(line) > 0 {
			lines = append(lines, deskLine{ItemID: l.ItemID, ItemName: l.ItemName, Line: line})
		}
	}
	return lines, nil
}

// overdueActs are the forms of the overdue loans.
func overdueActs(os []deskOverdue) []deskAct {
	var out []deskAct
	for _, o := range os {
		out = append(out, o.Act)
	}
	return out
}

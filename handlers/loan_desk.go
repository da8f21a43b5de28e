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
	// Lines are the items' waiting lists, item by item.
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
	if d.Lines, err = s.deskLines(r); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.render(w, r, 0, "desk", "loans.desk.title", d)
}

// deskLines reads every item's waiting list, item by item.
func (s *server) deskLines(r *http.Request) ([]deskLine, error) {
	places, err := s.Loans.FindWaitlists(r.Context())
	if err != nil {
		return nil, err
	}
	var lines []deskLine
	for _, w := range places {
		if n := len(lines); n == 0 || lines[n-1].ItemID != w.ItemID {
			lines = append(lines, deskLine{ItemID: w.ItemID, ItemName: w.ItemName})
		}
		lines[len(lines)-1].Line = append(lines[len(lines)-1].Line, w)
	}
	return lines, nil
}

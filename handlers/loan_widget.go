package handlers

import (
	"net/http"

	shrooms "github.com/shrooms-org/shrooms"
)

// loansWidget is the dashboard's loans box: the member's loans and
// requests, their places in line, and for the desk what waits for it.
type loansWidget struct {
	Loans  []*shrooms.Loan
	Places []*shrooms.WaitEntry
	// Desk: the user works the desk; the counts are its work today.
	Desk                                bool
	Requests, Pickups, Returns, Overdue int
}

// widgetLoans is how many loans the widget lists.
const widgetLoans = 5

// loansWidget reads the widget's content.
func (s *server) loansWidget(r *http.Request) (*loansWidget, error) {
	ctx := r.Context()
	w := &loansWidget{}
	var err error
	if w.Loans, _, err = s.Loans.FindLoans(ctx, shrooms.LoanFilter{UserID: stateFrom(ctx).User.ID, States: openStates, Limit: widgetLoans}); err != nil {
		return nil, err
	}
	if w.Places, err = s.Loans.FindWaitlist(ctx, 0); err != nil {
		return nil, err
	}
	if w.Desk = s.isDesk(r); !w.Desk {
		return w, nil
	}
	rules, err := s.Loans.FindLendingRules(ctx)
	if err != nil {
		return nil, err
	}
	today := rules.Today(s.Now())
	count := func(f shrooms.LoanFilter) int {
		if err != nil {
			return 0
		}
		f.Desk, f.Limit = true, 1
		var n int
		_, n, err = s.Loans.FindLoans(ctx, f)
		return n
	}
	w.Requests = count(shrooms.LoanFilter{States: []shrooms.LoanState{shrooms.LoanPending}})
	w.Pickups = count(shrooms.LoanFilter{States: []shrooms.LoanState{shrooms.LoanApproved}, ToDate: today})
	w.Overdue = count(shrooms.LoanFilter{Overdue: true})
	// Due today: out, and holding no day after today.
	out := count(shrooms.LoanFilter{States: []shrooms.LoanState{shrooms.LoanCheckedOut}, FromDate: today})
	later := count(shrooms.LoanFilter{States: []shrooms.LoanState{shrooms.LoanCheckedOut}, FromDate: today.AddDays(1)})
	w.Returns = out - later
	return w, err
}

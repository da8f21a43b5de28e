package handlers

import (
	"net/http"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// apiAvailability answers with an item's calendar from ?from= to ?to=
// (YYYY-MM-DD); by default this month and the next two, in the
// organisation's time zone.
func (s *server) apiAvailability(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	q := r.URL.Query()
	from, err := dateField("from", q.Get("from"))
	var to shrooms.Date
	if err == nil {
		to, err = dateField("to", q.Get("to"))
	}
	if err == nil && (from.IsZero() || to.IsZero()) {
		var rules *shrooms.LendingRules
		if rules, err = s.Loans.FindLendingRules(r.Context()); err == nil {
			defFrom, defTo := defaultCalendarSpan(rules.Today(s.Now()))
			if from.IsZero() {
				from = defFrom
			}
			if to.IsZero() {
				to = defTo
			}
		}
	}
	var a *shrooms.Availability
	if err == nil {
		a, err = s.Loans.FindAvailability(r.Context(), id, from, to)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// defaultCalendarSpan is the span an availability calendar shows when
// not told: the month of today and the next two.
func defaultCalendarSpan(today shrooms.Date) (from, to shrooms.Date) {
	t := today.In(time.UTC)
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return shrooms.DateOf(first), shrooms.DateOf(first.AddDate(0, 3, -1))
}

// writeWaitlist answers with places on waiting lists; none is [].
func writeWaitlist(w http.ResponseWriter, ws []*shrooms.WaitEntry) {
	writeList(w, ws, len(ws), func(e *shrooms.WaitEntry) *shrooms.WaitEntry { return e })
}

// apiMyWaitlist lists the caller's places on waiting lists.
func (s *server) apiMyWaitlist(w http.ResponseWriter, r *http.Request) {
	ws, err := s.Loans.FindWaitlist(r.Context(), 0)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeWaitlist(w, ws)
}

// apiItemWaitlist lists an item's line: everyone for the desk, the
// caller's own place for others.
func (s *server) apiItemWaitlist(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	var ws []*shrooms.WaitEntry
	if err == nil {
		ws, err = s.Loans.FindWaitlist(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeWaitlist(w, ws)
}

// apiJoinWaitlist puts the caller in line for an item: 201 with the place.
func (s *server) apiJoinWaitlist(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	var e *shrooms.WaitEntry
	if err == nil {
		e, err = s.Loans.JoinWaitlist(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// apiLeaveItemWaitlist takes the caller out of an item's line: 204, or
// 404 when they are not in it.
func (s *server) apiLeaveItemWaitlist(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "id")
	var ws []*shrooms.WaitEntry
	if err == nil {
		ws, err = s.Loans.FindWaitlist(r.Context(), 0)
	}
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	for _, e := range ws {
		if e.ItemID == id {
			if err := s.Loans.LeaveWaitlist(r.Context(), e.ID); err != nil {
				s.fail(w, r, err, 0)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	s.fail(w, r, shrooms.Errorf(shrooms.ENOTFOUND, "you are not on this item's waiting list").Keyed("loans.error.wait_not_found"), 0)
}

// apiLendingRules answers with the organisation's lending rules.
func (s *server) apiLendingRules(w http.ResponseWriter, r *http.Request) {
	rules, err := s.Loans.FindLendingRules(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusOK, rules)
}

// apiUpdateLendingRules replaces the lending rules (admins) and answers
// with them as stored.
func (s *server) apiUpdateLendingRules(w http.ResponseWriter, r *http.Request) {
	var in shrooms.LendingRules
	if err := decodeJSON(r, &in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	if err := s.Loans.UpdateLendingRules(r.Context(), in); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.apiLendingRules(w, r)
}

// loanFeedJSON is the state of the caller's calendar feed; URL only in
// the answer that made it.
type loanFeedJSON struct {
	Active     bool       `json:"active"`
	URL        string     `json:"url,omitempty"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// apiLoanFeed says whether the caller has a calendar feed, since when
// and when a calendar last read it.
func (s *server) apiLoanFeed(w http.ResponseWriter, r *http.Request) {
	f, err := s.LoanFeeds.FindLoanFeed(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	out := loanFeedJSON{}
	if f != nil {
		out = loanFeedJSON{Active: true, CreatedAt: optTime(f.CreatedAt), LastUsedAt: optTime(f.LastUsedAt)}
	}
	writeJSON(w, http.StatusOK, out)
}

// apiRotateLoanFeed makes the caller a new feed address, revoking the
// old one: 201 with the address, shown this once.
func (s *server) apiRotateLoanFeed(w http.ResponseWriter, r *http.Request) {
	secret, f, err := s.LoanFeeds.RotateLoanFeed(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	writeJSON(w, http.StatusCreated, loanFeedJSON{Active: true, URL: s.loanFeedURL(secret), CreatedAt: optTime(f.CreatedAt)})
}

// apiRevokeLoanFeed ends the caller's feed: 204.
func (s *server) apiRevokeLoanFeed(w http.ResponseWriter, r *http.Request) {
	if err := s.LoanFeeds.RevokeLoanFeed(r.Context()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

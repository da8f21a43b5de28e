package handlers

import (
	"net/http"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// The calendar feed of a member's loans is RFC 5545 written by
// github.com/arran4/golang-ical: maintained, dependency-free, it folds
// long lines and escapes text as the RFC says, which hand-written
// templates get wrong. It writes bare LF on Unix unless told: the feed
// asks for CRLF, as the RFC requires.

// loanFeedPath is where a feed is served: outside /api/v1 and the web
// pages, since calendar applications send neither a token nor a cookie.
const loanFeedPath = "/feeds/loans/"

// loanFeedURL is the address of the feed with this secret.
func (s *server) loanFeedURL(secret string) string {
	return s.IRIs.Base + loanFeedPath + secret + ".ics"
}

// handleLoanFeed serves the iCalendar feed of the member whose secret
// the address holds; an unknown or revoked secret is 404.
func (s *server) handleLoanFeed(w http.ResponseWriter, r *http.Request) {
	f, loans, err := s.LoanFeeds.FindFeedLoans(r.Context(), mux.Vars(r)["secret"])
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		http.Error(w, "no such calendar feed", http.StatusNotFound)
		return
	} else if err != nil {
		s.Logger.Error("loan feed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	org := ""
	if node, err := s.Nodes.FindNode(r.Context()); err == nil {
		org = node.Name
	}
	cal := s.loanCalendar(f.Language, org, loans)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodHead {
		return
	}
	if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil {
		s.Logger.Error("loan feed", "err", err)
	}
}

// loanCalendar writes the loans' days as all-day events, in lang: an
// approved loan's pickup and return days, a loan out its due day. Each
// event's UID is its loan's IRI and a suffix, so that it stays the same
// across fetches; its SEQUENCE is the loan's version.
func (s *server) loanCalendar(lang, org string, loans []*shrooms.Loan) *ics.Calendar {
	cat := s.pages.cat
	cal := ics.NewCalendarFor("SHROOMS")
	cal.SetProductId("-//SHROOMS//Loans " + shrooms.Version + "//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetXWRCalName(cat.translate(lang, "loans.feed.name", "Org", org))
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	for _, l := range loans {
		desc := cat.translate(lang, "loans.feed.description", "Lender", l.LenderName, "Start", l.Start.String(), "Due", l.Due.String())
		if l.State == shrooms.LoanApproved {
			addDayEvent(cal, l, "#pickup", l.Start, cat.translate(lang, "loans.feed.pickup", "Item", l.ItemName), desc)
		}
		summary := cat.translate(lang, "loans.feed.due", "Item", l.ItemName)
		if l.IsOverdue {
			summary = cat.translate(lang, "loans.feed.overdue", "Item", l.ItemName)
		}
		addDayEvent(cal, l, "#due", l.Due, summary, desc)
	}
	return cal
}

// addDayEvent adds an all-day event of loan l on day d.
func addDayEvent(cal *ics.Calendar, l *shrooms.Loan, suffix string, d shrooms.Date, summary, desc string) {
	e := cal.AddEvent(l.IRI + suffix)
	e.SetDtStampTime(l.UpdatedAt)
	e.SetCreatedTime(l.CreatedAt)
	e.SetModifiedAt(l.UpdatedAt)
	e.SetSequence(int(l.Version))
	e.SetAllDayStartAt(d.In(time.UTC))
	e.SetAllDayEndAt(d.AddDays(1).In(time.UTC))
	e.SetSummary(summary)
	e.SetDescription(desc)
	e.SetStatus(ics.ObjectStatusConfirmed)
	e.SetProperty(ics.ComponentPropertyTransp, "TRANSPARENT")
	if l.ItemIRI != "" {
		e.SetURL(l.ItemIRI)
	}
}

// accountFeed loads the caller's feed for the account page: hidden when
// the loans module is off or the caller may not borrow.
func (s *server) accountFeed(r *http.Request, v *accountView) error {
	if s.LoanFeeds == nil {
		return nil
	}
	f, err := s.LoanFeeds.FindLoanFeed(r.Context())
	switch shrooms.ErrorCode(err) {
	case "":
		v.FeedShown, v.Feed = true, f
	case shrooms.ENOTFOUND, shrooms.EFORBIDDEN, shrooms.EUNAUTHORIZED:
	default:
		return err
	}
	return nil
}

// handleRotateLoanFeed makes the member a new feed address, revoking
// the old one, and shows it this once.
func (s *server) handleRotateLoanFeed(w http.ResponseWriter, r *http.Request) {
	secret, f, err := s.LoanFeeds.RotateLoanFeed(r.Context())
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.Logger.Info("loan feed rotated", "user", f.UserID)
	s.accountPage(w, r, 0, &accountView{NewFeedURL: s.loanFeedURL(secret)})
}

// handleRevokeLoanFeed ends the member's feed.
func (s *server) handleRevokeLoanFeed(w http.ResponseWriter, r *http.Request) {
	if err := s.LoanFeeds.RevokeLoanFeed(r.Context()); err != nil {
		s.fail(w, r, err, 0)
		return
	}
	s.redirect(w, r, "/account", "loans.feed.revoked")
}

package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
)

// remoteItemPath is this node's page of a partner's cached item, by the
// item's IRI: a member who finds the item in a search reads and borrows
// it here, since the partner's own page answers only partners' nodes.
func remoteItemPath(iri string) string {
	return "/remote/items?" + url.Values{"iri": {iri}}.Encode()
}

// remoteItemRoutes: the page of a partner's item and its loan requests.
// Members only; the request needs the loans module.
func (s *server) remoteItemRoutes(r *mux.Router) {
	r.HandleFunc("/remote/items", s.requireLogin(s.handleRemoteItem)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/remote/items/loans", s.requireModule("loans", s.requireLogin(s.handleRemoteLoanRequest))).Methods(http.MethodPost)
}

// remoteItemPage is what remote_item.html gets.
type remoteItemPage struct {
	Item *shrooms.Item
	// IRI is the item's; OrgName and OrgURL its lending organisation and
	// its page; Href the item's page on the partner's site, for a public
	// item only.
	IRI, OrgName, OrgURL, Href string
	// Thumb is this node's copy of the item's picture, "" for none.
	Thumb  string
	Fields []fieldValue
	// Lends: the loans module is on here and the partner lends the item
	// to partners' members; Lending then holds the calendar and the form.
	Lends   bool
	Lending *remoteLending
}

// remoteLending is the lending part of a partner's item page.
type remoteLending struct {
	// Calendar is nil when the lender did not answer (Unknown).
	Calendar *calendarMonth
	Unknown  bool
	Form     loanForm
	// Mine are the member's requests and loans of the item still open.
	Mine []*shrooms.Loan
}

// Money formats cents for the loan rules.
func (d *remoteItemPage) Money(c int64) string { return centsText(c) }

// handleRemoteItem shows a partner's cached item.
func (s *server) handleRemoteItem(w http.ResponseWriter, r *http.Request) {
	s.showRemoteItem(w, r, 0, r.URL.Query().Get("iri"), loanForm{})
}

// showRemoteItem renders the page of item iri with the request form f
// (its values and error, after a refused request).
func (s *server) showRemoteItem(w http.ResponseWriter, r *http.Request, status int, iri string, f loanForm) {
	ctx := r.Context()
	if s.RemoteItems == nil || iri == "" {
		s.handleNotFound(w, r)
		return
	}
	o, err := s.RemoteItems.FindRemoteItem(ctx, iri)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	item := o.Item
	d := &remoteItemPage{Item: item, IRI: o.IRI, OrgName: orgName(o.Actor)}
	if o.Public {
		// A partners-only item's page on the partner answers a browser
		// "not found": no link to that dead end.
		d.Href = webURL(o.URL)
	}
	if o.Actor != nil {
		d.OrgURL = webURL(o.Actor.URL)
		if d.OrgURL == "" {
			d.OrgURL = webURL(o.Actor.IRI)
		}
	}
	if o.ImageURL != "" {
		if thumbs, err := s.Remote.FindRemoteThumbs(ctx, []int64{o.ID}); err == nil && thumbs[o.ID] != nil {
			d.Thumb = remoteMediaPath(o.ID)
		}
	}
	keys := make([]string, 0, len(item.Fields))
	for k := range item.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d.Fields = append(d.Fields, fieldValue{Label: k, Value: item.Fields[k]})
	}
	st := stateFrom(ctx)
	d.Lends = st.Settings.HasModule("loans") && item.Loanable && item.Loan.Partners
	if d.Lends {
		if d.Lending, err = s.remoteLending(r, o.IRI, f); err != nil {
			s.fail(w, r, err, 0)
			return
		}
	}
	s.render(w, r, status, "remote_item", "search.remote.title", d)
}

// remoteLending fills the calendar, from the lender, and the member's
// open loans of the item. A lender that does not answer leaves the page
// saying the days are unknown: the request can still be made, and the
// lender decides.
func (s *server) remoteLending(r *http.Request, iri string, f loanForm) (*remoteLending, error) {
	ctx := r.Context()
	d := &remoteLending{Form: f}
	today := shrooms.DateOf(s.Now().UTC())
	month := monthOf(r.URL.Query().Get("month"), today)
	from, to := monthSpan(month)
	a, err := s.RemoteItems.FindRemoteAvailability(ctx, iri, from, to)
	switch shrooms.ErrorCode(err) {
	case "":
		d.Calendar = layMonth(a, month, today)
		d.Calendar.Link = remoteItemPath(iri) + "&"
	case shrooms.EUNAVAILABLE, shrooms.EINVALID:
		s.Logger.Info("partner's calendar", "item", iri, "err", err)
		d.Unknown = true
	default:
		return nil, err
	}
	mine, _, err := s.Loans.FindLoans(ctx, shrooms.LoanFilter{UserID: stateFrom(ctx).User.ID, States: openStates})
	if err != nil {
		return nil, err
	}
	for _, l := range mine {
		if l.Mirror && l.ItemIRI == iri {
			d.Mine = append(d.Mine, l)
		}
	}
	return d, nil
}

// handleRemoteLoanRequest asks the partner for its item's days; the
// member's mirror of the request opens, or the page shows again with the
// days typed and the error on its field.
func (s *server) handleRemoteLoanRequest(w http.ResponseWriter, r *http.Request) {
	iri := formValue(r, "iri")
	f := loanForm{Start: formValue(r, "start"), End: formValue(r, "end"), Message: formValue(r, "message")}
	req := shrooms.LoanRequest{ItemIRI: iri, Message: f.Message}
	var err error
	var l *shrooms.Loan
	if req.Start, err = parseDay(f.Start, "start"); err == nil {
		if req.End, err = parseDay(f.End, "end"); err == nil {
			l, err = s.Loans.RequestRemoteLoan(r.Context(), req)
		}
	}
	switch shrooms.ErrorCode(err) {
	case "":
		s.redirect(w, r, "/loans/"+strconv.FormatInt(l.ID, 10), "loans.remote_requested")
	case shrooms.EINVALID, shrooms.ECONFLICT, shrooms.EFORBIDDEN:
		f.Error, f.Field = s.errorText(r, err), shrooms.ErrorField(err)
		if f.Field == "" || f.Field == "item" {
			f.Field = "start"
		}
		s.showRemoteItem(w, r, statusOf(shrooms.ErrorCode(err)), iri, f)
	default:
		s.fail(w, r, err, 0)
	}
}

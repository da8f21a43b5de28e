package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// adminLoans is the lending rules form.
type adminLoans struct {
	adminPage
	R *shrooms.LendingRules
	// Closed is the closed days, one a line, as typed.
	Closed string
	// Field is the field the error is about.
	Field    string
	Weekdays []time.Weekday
}

// ruleNumbers are the whole-number fields of the rules form.
var ruleNumbers = []string{"default_days", "min_days", "max_days", "buffer_hours", "max_loans", "max_requests",
	"renewal_limit", "pickup_days", "due_soon_days", "overdue_every_days"}

// numberField points at the rules' field a form name sets.
func numberField(r *shrooms.LendingRules, name string) *int {
	return map[string]*int{"default_days": &r.DefaultDays, "min_days": &r.MinDays, "max_days": &r.MaxDays,
		"buffer_hours": &r.BufferHours, "max_loans": &r.MaxLoans, "max_requests": &r.MaxRequests,
		"renewal_limit": &r.RenewalLimit, "pickup_days": &r.PickupDays, "due_soon_days": &r.DueSoonDays,
		"overdue_every_days": &r.OverdueEveryDays}[name]
}

// weekOrder is the week as the form lists it, Monday first.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// handleAdminLoans shows (GET) and saves (POST) the lending rules.
func (s *server) handleAdminLoans(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cur, err := s.Loans.FindLendingRules(ctx)
	if err != nil {
		s.fail(w, r, err, 0)
		return
	}
	d := &adminLoans{adminPage: adminPage{Section: "loans"}, R: cur, Weekdays: weekOrder, Closed: closedText(cur.Opening.Closed)}
	if r.Method != http.MethodPost {
		s.render(w, r, 0, "admin_loans", "loans.rules.title", d)
		return
	}
	next, err := readRules(r)
	if err == nil {
		err = s.Loans.UpdateLendingRules(ctx, *next)
	}
	if err == nil {
		s.redirect(w, r, "/admin/loans", "loans.rules.saved")
		return
	}
	if next != nil {
		d.R = next
	}
	d.Closed = r.PostFormValue("closed")
	d.Error, d.Field = s.errorText(r, err), shrooms.ErrorField(err)
	status := statusOf(shrooms.ErrorCode(err))
	if status == http.StatusBadRequest {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "admin_loans", "loans.rules.title", d)
}

// readRules reads the form into rules; a number or a day that does not
// parse is EINVALID on its field.
func readRules(r *http.Request) (*shrooms.LendingRules, error) {
	rules := &shrooms.LendingRules{BlockOverdue: r.PostFormValue("block_overdue") != "",
		AutoApprove: r.PostFormValue("auto_approve") != "", TimeZone: formValue(r, "time_zone")}
	for _, name := range ruleNumbers {
		v := formValue(r, name)
		n, err := strconv.Atoi(v)
		if err != nil {
			return rules, shrooms.Errorf(shrooms.EINVALID, "%s: %q is not a whole number", name, v).
				Keyed("loans.error.number", "Value", v).On(name)
		}
		*numberField(rules, name) = n
	}
	for _, v := range r.PostForm["weekdays"] {
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return rules, shrooms.Errorf(shrooms.EINVALID, "weekdays: %q is not a day of the week", v).Keyed("loans.error.weekday").On("weekdays")
		}
		rules.Opening.Weekdays = append(rules.Opening.Weekdays, time.Weekday(n))
	}
	for _, line := range strings.Split(r.PostFormValue("closed"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		day, err := parseDay(line, "closed")
		if err != nil {
			return rules, err
		}
		rules.Opening.Closed = append(rules.Opening.Closed, day)
	}
	return rules, nil
}

// closedText writes closed days one a line, for the form.
func closedText(days []shrooms.Date) string {
	var b strings.Builder
	for _, d := range days {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// OpenOn reports whether the form ticks weekday w: every day when the
// rules name none.
func (d *adminLoans) OpenOn(w time.Weekday) bool {
	if len(d.R.Opening.Weekdays) == 0 {
		return true
	}
	for _, x := range d.R.Opening.Weekdays {
		if x == w {
			return true
		}
	}
	return false
}

// Number is a whole-number field's value, by its form name.
func (d *adminLoans) Number(name string) int { return *numberField(d.R, name) }

// NumberNames are the form's whole-number fields, in order.
func (d *adminLoans) NumberNames() []string { return ruleNumbers }

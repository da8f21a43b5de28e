package handlers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestReadRules: the lending rules form reads every field, and a value
// that does not parse is refused on its own field with a key.
func TestReadRules(t *testing.T) {
	form := func(set map[string][]string) *http.Request {
		f := url.Values{"default_days": {"14"}, "min_days": {"1"}, "max_days": {"28"}, "buffer_hours": {"24"},
			"max_loans": {"5"}, "max_requests": {"4"}, "renewal_limit": {"2"}, "pickup_days": {"3"},
			"due_soon_days": {"2"}, "overdue_every_days": {"7"}, "auto_approve": {"1"},
			"weekdays": {"2", "6"}, "closed": {"2025-12-25\r\n\n 2026-01-01 \n"}, "time_zone": {" Europe/Paris "}}
		for k, v := range set {
			f[k] = v
		}
		r := httptest.NewRequest(http.MethodPost, "/admin/loans", strings.NewReader(f.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r, err := readRules(form(nil))
	if err != nil {
		t.Fatal(err)
	}
	if r.DefaultDays != 14 || r.BufferHours != 24 || r.MaxRequests != 4 || r.OverdueEveryDays != 7 || !r.AutoApprove || r.BlockOverdue ||
		len(r.Opening.Weekdays) != 2 || r.Opening.Weekdays[1] != time.Saturday || len(r.Opening.Closed) != 2 ||
		r.Opening.Closed[1].String() != "2026-01-01" || r.TimeZone != "Europe/Paris" {
		t.Errorf("rules read: %+v", r)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("valid rules refused: %v", err)
	}
	for name, tc := range map[string]struct {
		set        map[string][]string
		field, key string
	}{
		"number":  {map[string][]string{"max_loans": {"five"}}, "max_loans", "loans.error.number"},
		"empty":   {map[string][]string{"pickup_days": {""}}, "pickup_days", "loans.error.number"},
		"weekday": {map[string][]string{"weekdays": {"Monday"}}, "weekdays", "loans.error.weekday"},
		"closed":  {map[string][]string{"closed": {"2025-12-25\n25/12/2025"}}, "closed", "loans.error.date_format"},
	} {
		_, err := readRules(form(tc.set))
		var e *shrooms.Error
		if shrooms.ErrorField(err) != tc.field || !errors.As(err, &e) || e.Key != tc.key {
			t.Errorf("%s: %v (field %q)", name, err, shrooms.ErrorField(err))
		}
	}
}

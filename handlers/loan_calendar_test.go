package handlers

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func day(t *testing.T, s string) shrooms.Date {
	t.Helper()
	d, err := shrooms.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLayMonth: whole weeks from Monday, the month's days marked as in
// it, booked and closed days where the availability says, no names.
func TestLayMonth(t *testing.T) {
	for _, tc := range []struct {
		month, from, to, prev, next string
		weeks                       int
	}{
		{"2025-03", "2025-02-24", "2025-04-06", "2025-02", "2025-04", 6}, // starts on a Saturday
		{"2025-09", "2025-09-01", "2025-10-05", "2025-08", "2025-10", 5}, // starts on a Monday
		{"2026-02", "2026-01-26", "2026-03-01", "2026-01", "2026-03", 5},
		{"2025-12", "2025-12-01", "2026-01-04", "2025-11", "2026-01", 5}, // across the year
	} {
		first := monthOf(tc.month, shrooms.Date{})
		from, to := monthSpan(first)
		if from.String() != tc.from || to.String() != tc.to {
			t.Errorf("%s: span %s..%s, want %s..%s", tc.month, from, to, tc.from, tc.to)
		}
		a := &shrooms.Availability{From: from, To: to}
		c := layMonth(a, first, day(t, "2025-03-05"))
		if len(c.Weeks) != tc.weeks || c.Prev != tc.prev || c.Next != tc.next {
			t.Errorf("%s: %d weeks, prev %s next %s", tc.month, len(c.Weeks), c.Prev, c.Next)
		}
		for _, w := range c.Weeks {
			if len(w) != 7 || w[0].Day.Weekday() != 1 {
				t.Fatalf("%s: a week of %d days starting on %s", tc.month, len(w), w[0].Day.Weekday())
			}
		}
	}

	first := monthOf("2025-03", shrooms.Date{})
	a := &shrooms.Availability{OnShelf: true, Waiting: 2, Closed: []shrooms.Date{day(t, "2025-03-09")},
		Booked: []shrooms.BookedRange{{Start: day(t, "2025-02-27"), End: day(t, "2025-03-02"), State: shrooms.LoanCheckedOut}}}
	c := layMonth(a, first, day(t, "2025-03-05"))
	cells := map[string]calendarDay{}
	for _, w := range c.Weeks {
		for _, d := range w {
			cells[d.Day.String()] = d
		}
	}
	for d, want := range map[string]calendarDay{
		"2025-02-24": {Out: true, Past: true},
		"2025-02-27": {Out: true, Past: true, Booked: shrooms.LoanCheckedOut},
		"2025-03-02": {Past: true, Booked: shrooms.LoanCheckedOut},
		"2025-03-03": {Past: true},
		"2025-03-05": {Today: true},
		"2025-03-09": {Closed: true},
		"2025-04-06": {Out: true},
	} {
		got := cells[d]
		want.Day = got.Day
		if got != want {
			t.Errorf("%s: %+v, want %+v", d, got, want)
		}
	}
	if !c.OnShelf || c.Waiting != 2 || c.MonthKey() != "loans.month.3" || c.Year() != 2025 {
		t.Errorf("calendar: %+v", c)
	}
	if got := monthOf("junk", day(t, "2025-03-19")); got.String() != "2025-03-01" {
		t.Errorf("monthOf(junk) = %s", got)
	}
}

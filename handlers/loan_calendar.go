package handlers

import (
	"context"
	"strconv"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// calendarMonth is an item's availability over one month as a grid of
// weeks, Monday first, as the item page draws it.
type calendarMonth struct {
	// Month is the month's first day; Prev and Next link to its
	// neighbours as YYYY-MM.
	Month      shrooms.Date
	Prev, Next string
	// Link starts the months' links: "?" on an item's page, the page's
	// address and "&" where the page has a query of its own.
	Link    string
	Weeks   [][]calendarDay
	OnShelf bool
	Waiting int
}

// calendarDay is one cell of the grid.
type calendarDay struct {
	Day shrooms.Date
	// Out says the day belongs to the previous or next month.
	Out    bool
	Today  bool
	Past   bool
	Closed bool
	// Booked is the state of the loan holding the day, "" when free.
	Booked shrooms.LoanState
}

// monthOf reads "YYYY-MM" into the month's first day, today's month when
// it is empty or malformed.
func monthOf(v string, today shrooms.Date) shrooms.Date {
	if t, err := time.Parse("2006-01", v); err == nil {
		return shrooms.DateOf(t)
	}
	t := today.In(time.UTC)
	return shrooms.DateOf(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC))
}

// itemCalendar reads an item's availability over the weeks showing month
// and lays it out.
func (s *server) itemCalendar(ctx context.Context, itemID int64, month, today shrooms.Date) (*calendarMonth, error) {
	from, to := monthSpan(month)
	a, err := s.Loans.FindAvailability(ctx, itemID, from, to)
	if err != nil {
		return nil, err
	}
	return layMonth(a, month, today), nil
}

// monthSpan is the days the grid of month shows: whole weeks, from the
// Monday on or before its first day to the Sunday on or after its last.
func monthSpan(first shrooms.Date) (from, to shrooms.Date) {
	last := shrooms.DateOf(first.In(time.UTC).AddDate(0, 1, -1))
	return first.AddDays(-((int(first.Weekday()) + 6) % 7)), last.AddDays((7 - int(last.Weekday())) % 7)
}

// layMonth lays availability a out as month's grid, week by week.
func layMonth(a *shrooms.Availability, first, today shrooms.Date) *calendarMonth {
	m := first.In(time.UTC)
	c := &calendarMonth{Month: first, OnShelf: a.OnShelf, Waiting: a.Waiting, Link: "?",
		Prev: m.AddDate(0, -1, 0).Format("2006-01"), Next: m.AddDate(0, 1, 0).Format("2006-01")}
	closed := map[shrooms.Date]bool{}
	for _, d := range a.Closed {
		closed[d] = true
	}
	from, to := monthSpan(first)
	var week []calendarDay
	for d := from; !d.After(to); d = d.AddDays(1) {
		cell := calendarDay{Day: d, Out: d.In(time.UTC).Month() != m.Month(), Today: d == today,
			Past: d.Before(today), Closed: closed[d]}
		for _, b := range a.Booked {
			if !d.Before(b.Start) && !d.After(b.End) {
				cell.Booked = b.State
			}
		}
		week = append(week, cell)
		if len(week) == 7 {
			c.Weeks = append(c.Weeks, week)
			week = nil
		}
	}
	return c
}

// DayNumber is the day of the month, for the grid's cells.
func (d calendarDay) DayNumber() int { return d.Day.In(time.UTC).Day() }

// MonthKey names the month's message ("loans.month.3") and Year its year,
// for the grid's caption.
func (c *calendarMonth) MonthKey() string {
	return "loans.month." + strconv.Itoa(int(c.Month.In(time.UTC).Month()))
}

// Year is the calendar month's year.
func (c *calendarMonth) Year() int { return c.Month.In(time.UTC).Year() }

// Heads are the grid's columns as weekday numbers, Monday first.
func (c *calendarMonth) Heads() []int { return []int{1, 2, 3, 4, 5, 6, 0} }

package shrooms_test

import (
	"fmt"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

func day(s string) shrooms.Date {
	d, err := shrooms.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Every state against every action: the table of item 1, written out so
// that a change to the machine shows here.
func TestLoanStateMachine(t *testing.T) {
	t.Parallel()
	want := map[shrooms.LoanState]map[shrooms.LoanAction]shrooms.LoanState{
		shrooms.LoanPending: {
			shrooms.LoanApprove: shrooms.LoanApproved, shrooms.LoanReject: shrooms.LoanRejected,
			shrooms.LoanCancel: shrooms.LoanCancelled, shrooms.LoanExpire: shrooms.LoanExpired,
			shrooms.LoanCheckOut: shrooms.LoanCheckedOut,
		},
		shrooms.LoanApproved: {
			shrooms.LoanCancel: shrooms.LoanCancelled, shrooms.LoanExpire: shrooms.LoanExpired,
			shrooms.LoanCheckOut: shrooms.LoanCheckedOut,
		},
		shrooms.LoanCheckedOut: {
			shrooms.LoanRenew: shrooms.LoanCheckedOut, shrooms.LoanCheckIn: shrooms.LoanReturned,
			shrooms.LoanWriteOff: shrooms.LoanLost,
		},
	}
	actions := []shrooms.LoanAction{shrooms.LoanSubmit, shrooms.LoanApprove, shrooms.LoanReject, shrooms.LoanCancel,
		shrooms.LoanExpire, shrooms.LoanCheckOut, shrooms.LoanRenew, shrooms.LoanCheckIn, shrooms.LoanWriteOff}
	for _, s := range shrooms.LoanStates {
		for _, a := range actions {
			t.Run(fmt.Sprintf("%s/%s", s, a), func(t *testing.T) {
				got, err := shrooms.NextLoanState(s, a)
				to, ok := want[s][a]
				if ok && (err != nil || got != to) {
					t.Fatalf("got %q, %v; want %q", got, err, to)
				}
				if !ok && (shrooms.ErrorCode(err) != shrooms.ECONFLICT || shrooms.ErrorKey(err) != "loans.error.transition") {
					t.Fatalf("got %q, %v; want a keyed ECONFLICT", got, err)
				}
				if s.Final() && err == nil {
					t.Fatalf("final state %s moved", s)
				}
			})
		}
	}
	for s, holds := range map[shrooms.LoanState]bool{shrooms.LoanPending: true, shrooms.LoanApproved: true,
		shrooms.LoanCheckedOut: true, shrooms.LoanReturned: false, shrooms.LoanRejected: false,
		shrooms.LoanCancelled: false, shrooms.LoanExpired: false, shrooms.LoanLost: false} {
		if s.HoldsDates() != holds {
			t.Errorf("%s holds dates: %v", s, s.HoldsDates())
		}
	}
	if _, err := shrooms.ParseLoanState("overdue"); shrooms.ErrorCode(err) != shrooms.EINVALID {
		t.Errorf("overdue parsed as a state: %v", err)
	}
	for _, a := range actions {
		want := a == shrooms.LoanSubmit || a == shrooms.LoanCancel || a == shrooms.LoanRenew
		if shrooms.BorrowerMay(a) != want {
			t.Errorf("borrower may %s: %v", a, !want)
		}
	}
}

func TestWaitStateMachine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from shrooms.WaitState
		a    shrooms.WaitAction
		to   shrooms.WaitState
	}{
		{shrooms.WaitWaiting, shrooms.WaitOffer, shrooms.WaitOffered},
		{shrooms.WaitWaiting, shrooms.WaitCancel, shrooms.WaitCancelled},
		{shrooms.WaitWaiting, shrooms.WaitFulfil, ""},
		{shrooms.WaitWaiting, shrooms.WaitExpire, ""},
		{shrooms.WaitOffered, shrooms.WaitFulfil, shrooms.WaitFulfilled},
		{shrooms.WaitOffered, shrooms.WaitExpire, shrooms.WaitExpired},
		{shrooms.WaitOffered, shrooms.WaitCancel, shrooms.WaitCancelled},
		{shrooms.WaitOffered, shrooms.WaitRequeue, shrooms.WaitWaiting},
		{shrooms.WaitOffered, shrooms.WaitOffer, ""},
		{shrooms.WaitFulfilled, shrooms.WaitCancel, ""},
		{shrooms.WaitExpired, shrooms.WaitOffer, ""},
		{shrooms.WaitCancelled, shrooms.WaitOffer, ""},
	} {
		got, err := shrooms.NextWaitState(tc.from, tc.a)
		if got != tc.to || (tc.to == "") != (err != nil) {
			t.Errorf("%s/%s: got %q, %v; want %q", tc.from, tc.a, got, err, tc.to)
		}
	}
}

// Conflicts counts a loan from its first day to the end of its last, the
// buffer after; a loan out past its return day holds until its due day.
func TestLoanConflicts(t *testing.T) {
	t.Parallel()
	loan := func(start, end string) *shrooms.Loan {
		return &shrooms.Loan{State: shrooms.LoanApproved, Start: day(start), End: day(end), Due: day(end)}
	}
	a := loan("2027-03-06", "2027-03-13")
	for _, tc := range []struct {
		name   string
		b      *shrooms.Loan
		buffer time.Duration
		want   bool
	}{
		{"same days", loan("2027-03-06", "2027-03-13"), 0, true},
		{"inside", loan("2027-03-08", "2027-03-09"), 0, true},
		{"around", loan("2027-03-01", "2027-03-20"), 0, true},
		{"starts on the return day", loan("2027-03-13", "2027-03-15"), 0, true},
		{"the day after, no buffer", loan("2027-03-14", "2027-03-15"), 0, false},
		{"the day after, 24 h buffer", loan("2027-03-14", "2027-03-15"), 24 * time.Hour, true},
		{"two days after, 24 h buffer", loan("2027-03-15", "2027-03-16"), 24 * time.Hour, false},
		{"ends the day before, no buffer", loan("2027-03-01", "2027-03-05"), 0, false},
		{"ends the day before, 1 h buffer", loan("2027-03-01", "2027-03-05"), time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shrooms.Conflicts(a, tc.b, tc.buffer, time.UTC); got != tc.want {
				t.Fatalf("a×b = %v, want %v", got, tc.want)
			}
			if got := shrooms.Conflicts(tc.b, a, tc.buffer, time.UTC); got != tc.want {
				t.Fatalf("b×a = %v, want %v", got, tc.want)
			}
		})
	}
	late := loan("2027-03-06", "2027-03-13")
	late.State, late.Due = shrooms.LoanCheckedOut, day("2027-03-20")
	if !shrooms.Conflicts(late, loan("2027-03-18", "2027-03-19"), 0, time.UTC) {
		t.Fatal("a renewed loan does not hold its new days")
	}
	out := loan("2027-03-06", "2027-03-13")
	out.State = shrooms.LoanCheckedOut
	if !out.Overdue(day("2027-03-14")) || out.Overdue(day("2027-03-13")) {
		t.Fatal("overdue is not the day after the due day")
	}
	if a.Overdue(day("2027-04-01")) {
		t.Fatal("an approved loan is overdue")
	}
}

// A week open Tuesday, Thursday and Saturday, with one closed Saturday.
func TestOpening(t *testing.T) {
	t.Parallel()
	o := shrooms.Opening{Weekdays: []time.Weekday{time.Tuesday, time.Thursday, time.Saturday},
		Closed: []shrooms.Date{day("2027-03-13")}}
	for _, tc := range []struct {
		d          string
		open       bool
		next, prev string
	}{
		{"2027-03-06", true, "2027-03-06", "2027-03-06"},  // a Saturday
		{"2027-03-07", false, "2027-03-09", "2027-03-06"}, // Sunday
		{"2027-03-12", false, "2027-03-16", "2027-03-11"}, // Friday, then the closed Saturday
		{"2027-03-13", false, "2027-03-16", "2027-03-11"},
	} {
		d := day(tc.d)
		next, _ := o.NextOpen(d)
		prev, _ := o.PrevOpen(d)
		if o.IsOpen(d) != tc.open || next != day(tc.next) || prev != day(tc.prev) {
			t.Errorf("%s: open %v next %s prev %s; want %v %s %s", tc.d, o.IsOpen(d), next, prev, tc.open, tc.next, tc.prev)
		}
	}
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2027-03-06", 0, "2027-03-06"},
		{"2027-03-06", 1, "2027-03-09"},
		{"2027-03-06", 3, "2027-03-16"}, // Tue 9, Thu 11, (Sat 13 closed) Tue 16
		{"2027-03-07", 1, "2027-03-11"},
	} {
		if got, _ := o.AddOpenDays(day(tc.from), tc.n); got != day(tc.want) {
			t.Errorf("%s + %d open days = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	if _, ok := (shrooms.Opening{Weekdays: []time.Weekday{time.Monday}, Closed: mondays(2027, 60)}).NextOpen(day("2027-01-01")); ok {
		t.Error("found an open day in a year of closed Mondays")
	}
	if !(shrooms.Opening{}).IsOpen(day("2027-03-07")) {
		t.Error("no opening hours set is not every day open")
	}
}

func mondays(year, n int) []shrooms.Date {
	var out []shrooms.Date
	d := shrooms.Date{Year: year, Month: time.January, Day: 4}
	for i := 0; i < n; i++ {
		out = append(out, d.AddDays(7*i))
	}
	return out
}

func TestDates(t *testing.T) {
	t.Parallel()
	d := day("2027-02-28")
	if d.AddDays(1).String() != "2027-03-01" || d.DaysUntil(day("2027-03-07")) != 7 || day("2028-02-28").AddDays(1).String() != "2028-02-29" {
		t.Fatal("calendar arithmetic")
	}
	for _, bad := range []string{"", "2027-02-30", "27-3-1", "2027-03-01T00:00:00Z", "tomorrow"} {
		if _, err := shrooms.ParseDate(bad); shrooms.ErrorCode(err) != shrooms.EINVALID || shrooms.ErrorKey(err) == "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	var back shrooms.Date
	b, _ := d.MarshalText()
	if err := back.UnmarshalText(b); err != nil || back != d {
		t.Fatalf("round trip: %v %v", back, err)
	}
}

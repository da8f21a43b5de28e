package vocab_test

import (
	"reflect"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

func mustDay(t *testing.T, s string) shrooms.Date {
	t.Helper()
	d, err := shrooms.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// An item's calendar renders as the golden document and parses back to
// the same days.
func TestAvailabilityRoundTrip(t *testing.T) {
	a := &shrooms.Availability{From: mustDay(t, "2025-03-01"), To: mustDay(t, "2025-03-31"), OnShelf: true, Waiting: 2,
		Booked: []shrooms.BookedRange{{Start: mustDay(t, "2025-03-10"), End: mustDay(t, "2025-03-14"), State: shrooms.LoanApproved}},
		Closed: []shrooms.Date{mustDay(t, "2025-03-02"), mustDay(t, "2025-03-09")}}
	item := "https://shrooms.example/items/42"
	raw, err := vocab.AvailabilityJSON(item+"/availability?from=2025-03-01&to=2025-03-31", item, a)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "availability", raw)
	back, gotItem, err := vocab.ParseAvailability(raw)
	if err != nil {
		t.Fatal(err)
	}
	if gotItem != item || !reflect.DeepEqual(back, a) {
		t.Fatalf("parsed back: %s %+v, want %+v", gotItem, back, a)
	}
}

// Documents that are not calendars, or out of bounds, are refused.
func TestAvailabilityRefused(t *testing.T) {
	good := `"type":["Object","shrooms:Availability"],"shrooms:item":"https://a.example/items/1","startTime":"2025-03-01T00:00:00Z","endTime":"2025-03-31T00:00:00Z"`
	for name, doc := range map[string]string{
		"not JSON":       `{`,
		"another type":   `{"type":"Note","shrooms:item":"https://a.example/items/1","startTime":"2025-03-01T00:00:00Z","endTime":"2025-03-31T00:00:00Z"}`,
		"no item":        `{"type":"shrooms:Availability","startTime":"2025-03-01T00:00:00Z","endTime":"2025-03-31T00:00:00Z"}`,
		"backwards":      `{"type":"shrooms:Availability","shrooms:item":"https://a.example/items/1","startTime":"2025-03-31T00:00:00Z","endTime":"2025-03-01T00:00:00Z"}`,
		"over a year":    `{"type":"shrooms:Availability","shrooms:item":"https://a.example/items/1","startTime":"2025-03-01T00:00:00Z","endTime":"2027-03-01T00:00:00Z"}`,
		"unknown state":  `{` + good + `,"shrooms:booked":[{"startTime":"2025-03-02T00:00:00Z","endTime":"2025-03-03T00:00:00Z","shrooms:state":"stolen"}]}`,
		"range no day":   `{` + good + `,"shrooms:booked":[{"shrooms:state":"approved"}]}`,
		"closed not day": `{` + good + `,"shrooms:closed":["monday"]}`,
		"too many":       `{` + good + `,"shrooms:closed":[` + strings.Repeat(`"2025-03-02",`, 400) + `"2025-03-02"]}`,
	} {
		if _, _, err := vocab.ParseAvailability([]byte(doc)); shrooms.ErrorCode(err) != shrooms.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

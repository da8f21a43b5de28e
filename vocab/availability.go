package vocab

import (
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// AvailabilityType is the extension type of an item's calendar, what a
// lender answers to a partner's signed GET of the item's IRI followed by
// shrooms.AvailabilityPath. Its span is startTime and endTime (the days
// at 00:00 UTC, as in a loan); shrooms:booked lists the ranges loans hold
// (startTime, endTime, shrooms:state), never who holds them.
const AvailabilityType = "shrooms:Availability"

// Bounds on what ParseAvailability accepts: a calendar spans at most a
// year, so no more ranges or closed days than that many days.
const (
	maxAvailabilityDays   = 366
	maxAvailabilityRanges = maxAvailabilityDays
)

// AvailabilityJSON renders item itemIRI's calendar a as the document id
// answers with.
func AvailabilityJSON(id, itemIRI string, a *shrooms.Availability) ([]byte, error) {
	if _, err := parseIRI("availability id", id); err != nil {
		return nil, err
	}
	if _, err := parseIRI("availability item", itemIRI); err != nil {
		return nil, err
	}
	booked := make([]any, 0, len(a.Booked))
	for _, b := range a.Booked {
		booked = append(booked, map[string]any{"startTime": dayTime(b.Start), "endTime": dayTime(b.End), "shrooms:state": string(b.State)})
	}
	closed := make([]any, 0, len(a.Closed))
	for _, d := range a.Closed {
		closed = append(closed, d.String())
	}
	return marshal(map[string]any{
		"@context":        Context(),
		"id":              id,
		"type":            []any{"Object", AvailabilityType},
		"shrooms:item":    itemIRI,
		"startTime":       dayTime(a.From),
		"endTime":         dayTime(a.To),
		"shrooms:onShelf": a.OnShelf,
		"shrooms:waiting": a.Waiting,
		"shrooms:booked":  booked,
		"shrooms:closed":  closed,
	})
}

// dayTime writes a day as loans do: its midnight UTC.
func dayTime(d shrooms.Date) string { return d.In(time.UTC).Format(time.RFC3339) }

// ParseAvailability reads an item's calendar (see AvailabilityJSON) and
// returns it with the item's IRI. It returns EINVALID for a document of
// another type, days that are not dates, a span over a year, an unknown
// loan state, or more ranges than days.
func ParseAvailability(raw []byte) (*shrooms.Availability, string, error) {
	m, err := decodeObject(raw, "availability")
	if err != nil {
		return nil, "", err
	}
	bad := func(what string) error {
		return shrooms.Errorf(shrooms.EINVALID, "availability: %s", what).Keyed("federation.error.availability", "Detail", what)
	}
	isAvail := false
	for _, t := range rawTypes(m["type"]) {
		isAvail = isAvail || t == AvailabilityType || t == Namespace+"Availability"
	}
	if !isAvail {
		return nil, "", bad("not a shrooms:Availability")
	}
	item, _ := ext(m, "item").(string)
	from, to := rawTime(m, "startTime"), rawTime(m, "endTime")
	if item == "" || from.IsZero() || to.IsZero() {
		return nil, "", bad("an item, a startTime and an endTime are required")
	}
	a := &shrooms.Availability{From: shrooms.DateOf(from), To: shrooms.DateOf(to), Booked: []shrooms.BookedRange{}, Closed: []shrooms.Date{}}
	if a.To.Before(a.From) || a.From.DaysUntil(a.To) > maxAvailabilityDays {
		return nil, "", bad("the span must run forwards, at most a year")
	}
	a.OnShelf, _ = ext(m, "onShelf").(bool)
	if n := rawInt(ext(m, "waiting")); n > 0 && n < 1e6 {
		a.Waiting = int(n)
	}
	booked, _ := ext(m, "booked").([]any)
	closed, _ := ext(m, "closed").([]any)
	if len(booked) > maxAvailabilityRanges || len(closed) > maxAvailabilityDays+1 {
		return nil, "", bad("more ranges than days")
	}
	for _, v := range booked {
		r, _ := v.(map[string]any)
		start, end := rawTime(r, "startTime"), rawTime(r, "endTime")
		st, _ := ext(r, "state").(string)
		state, err := shrooms.ParseLoanState(st)
		if r == nil || start.IsZero() || end.IsZero() || err != nil {
			return nil, "", bad("a booked range needs a startTime, an endTime and a loan state")
		}
		a.Booked = append(a.Booked, shrooms.BookedRange{Start: shrooms.DateOf(start), End: shrooms.DateOf(end), State: state})
	}
	for _, v := range closed {
		s, _ := v.(string)
		d, err := shrooms.ParseDate(s)
		if err != nil {
			return nil, "", bad("closed days must be dates")
		}
		a.Closed = append(a.Closed, d)
	}
	return a, item, nil
}

package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// Tests of the calendar feed of a member's loans (issue 13 item 6), read
// back with github.com/emersion/go-ical: another parser than the one
// that writes it.

// feedEvent is what a test checks of one VEVENT.
type feedEvent struct {
	Start, End, Summary, Status string
	Sequence                    int
	Stamp                       time.Time
}

// readFeed fetches a feed address without credentials, as a calendar
// application does; a 404 gives a nil map.
func readFeed(t *testing.T, feedURL string) map[string]feedEvent {
	t.Helper()
	resp, err := http.Get(feedURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), raw.String())
	}
	if strings.Count(raw.String(), "\n") != strings.Count(raw.String(), "\r\n") {
		t.Fatalf("feed lines do not all end in CRLF:\n%s", raw.String())
	}
	cal, err := ical.NewDecoder(bytes.NewReader(raw.Bytes())).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the feed: %v\n%s", err, raw.String())
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" || cal.Props.Get(ical.PropProductID) == nil {
		t.Fatalf("calendar properties: %v", cal.Props)
	}
	if ri := cal.Props.Get(ical.PropRefreshInterval); ri == nil || len(ri.Params.Values(ical.ParamValue)) != 1 {
		t.Fatalf("REFRESH-INTERVAL: %+v", ri)
	}
	out := map[string]feedEvent{}
	for _, e := range cal.Events() {
		uid, err := e.Props.Text(ical.PropUID)
		if err != nil || uid == "" {
			t.Fatalf("event without UID: %v", e.Props)
		}
		var fe feedEvent
		for name, dst := range map[string]*string{ical.PropDateTimeStart: &fe.Start, ical.PropDateTimeEnd: &fe.End} {
			p := e.Props.Get(name)
			if p == nil || p.ValueType() != ical.ValueDate {
				t.Fatalf("%s of %s is not a DATE: %+v", name, uid, p)
			}
			*dst = p.Value
		}
		fe.Summary, _ = e.Props.Text(ical.PropSummary)
		fe.Status, _ = e.Props.Text(ical.PropStatus)
		if fe.Stamp, err = e.Props.DateTime(ical.PropDateTimeStamp, time.UTC); err != nil || fe.Stamp.IsZero() {
			t.Fatalf("DTSTAMP of %s: %v", uid, err)
		}
		seq := e.Props.Get(ical.PropSequence)
		if seq == nil {
			t.Fatalf("no SEQUENCE in %s", uid)
		}
		if fe.Sequence, err = seq.Int(); err != nil {
			t.Fatal(err)
		}
		out[uid] = fe
	}
	return out
}

// icalDay writes a YYYY-MM-DD day as an iCalendar DATE.
func icalDay(d string) string { return strings.ReplaceAll(d, "-", "") }

// TestLoanFeedCalendar: a member makes a feed through the API; a
// calendar reads an approved loan's pickup and return days, then, once
// it is out, its due day with a higher SEQUENCE; rotating the address
// makes the old one 404; the account page makes and revokes it too; a
// returned loan leaves the feed.
func TestLoanFeedCalendar(t *testing.T) {
	t.Parallel()
	x := newLendingNode(t)
	l := x.loan(t, "POST", "/api/v1/loans", x.tk.member, map[string]any{"item": x.drill, "start": x.day(1), "end": x.day(5)}, 201)
	iri, path := l["iri"].(string), fmt.Sprintf("/api/v1/loans/%v", l["id"])
	x.loan(t, "POST", "/api/v1/loans", x.carol, map[string]any{"item": x.saw, "start": x.day(1), "end": x.day(2)}, 201)

	if got := x.loan(t, "GET", "/api/v1/loans/feed", x.tk.member, nil, 200); got["active"] != false {
		t.Fatalf("feed before any: %v", got)
	}
	made := x.loan(t, "POST", "/api/v1/loans/feed", x.tk.member, nil, 201)
	feedURL, _ := made["url"].(string)
	if !strings.HasPrefix(feedURL, x.url()+"/feeds/loans/shf_") || !strings.HasSuffix(feedURL, ".ics") {
		t.Fatalf("feed made: %v", made)
	}
	wantDocumented(t, x.testNode, "LoanFeed", made)
	events := readFeed(t, feedURL)
	pickup, due := events[iri+"#pickup"], events[iri+"#due"]
	if len(events) != 2 || pickup.Start != icalDay(x.day(1)) || pickup.End != icalDay(x.day(2)) ||
		due.Start != icalDay(x.day(5)) || due.End != icalDay(x.day(6)) || due.Sequence != int(l["version"].(float64)) ||
		!strings.Contains(pickup.Summary, "Drill") || due.Status != "CONFIRMED" {
		t.Fatalf("approved loan in the feed (carol's must not be there): %+v", events)
	}
	if got := x.loan(t, "GET", "/api/v1/loans/feed", x.tk.member, nil, 200); got["active"] != true || got["last_used_at"] == nil || got["url"] != nil {
		t.Fatalf("feed state: %v", got)
	}

	x.clock.Advance(time.Hour)
	out := x.loan(t, "POST", path+"/checkout", x.tk.staff, nil, 200)
	events = readFeed(t, feedURL)
	if after := events[iri+"#due"]; len(events) != 1 || after.Sequence != int(out["version"].(float64)) ||
		after.Sequence <= due.Sequence || !after.Stamp.After(due.Stamp) || after.Start != icalDay(out["due"].(string)) {
		t.Fatalf("checked-out loan in the feed: %+v (before: %+v)", events, due)
	}

	rotated := x.loan(t, "POST", "/api/v1/loans/feed", x.tk.member, nil, 201)["url"].(string)
	if rotated == feedURL || readFeed(t, feedURL) != nil || readFeed(t, rotated) == nil {
		t.Fatal("after rotation the old address must be gone and the new one read")
	}

	// The account page: the member makes a new address there, which
	// revokes the API's one, and turns it off.
	w := loginAs(t, x.testNode, "mia", memberPassword)
	if p := w.get("/account"); !p.Has(`id="loan-feed"`) || !p.Has("/account/loan-feed") {
		t.Fatalf("account page has no feed form:\n%s", p.Body)
	}
	p := w.post("/account/loan-feed", url.Values{})
	webURL := regexp.MustCompile(`id="new-feed-url"[^>]*>([^<]+)<`).FindStringSubmatch(p.Body)
	if p.Status != 200 || webURL == nil || readFeed(t, webURL[1]) == nil || readFeed(t, rotated) != nil {
		t.Fatalf("web rotation: %d %v", p.Status, webURL)
	}
	if p := w.post("/account/loan-feed/revoke", url.Values{}); p.Status != 200 || readFeed(t, webURL[1]) != nil {
		t.Fatalf("web revocation: %d", p.Status)
	}
	if got := x.loan(t, "GET", "/api/v1/loans/feed", x.tk.member, nil, 200); got["active"] != false {
		t.Fatalf("feed after revocation: %v", got)
	}
	status, body := x.api("DELETE", "/api/v1/loans/feed", x.tk.member, nil)
	apiWantError(t, "revoke twice", status, body, 404, "feed")

	// A returned loan leaves the feed.
	again := x.loan(t, "POST", "/api/v1/loans/feed", x.tk.member, nil, 201)["url"].(string)
	x.loan(t, "POST", path+"/checkin", x.tk.staff, nil, 200)
	if events := readFeed(t, again); events == nil || len(events) != 0 {
		t.Fatalf("after the return: %+v", events)
	}
	if status, _ := x.api("DELETE", "/api/v1/loans/feed", x.tk.member, nil); status != 204 {
		t.Fatalf("revoke: %d", status)
	}
	if readFeed(t, again) != nil {
		t.Fatal("a revoked feed still answers")
	}
}

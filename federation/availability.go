package federation

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// Remote calendars are kept this long, for this many asks at most: a
// member paging through a partner's months, or a few members looking at
// one item, ask the partner once a minute; a minute-old calendar is as
// good as the lender's answer to a request, which decides anyway.
const (
	availabilityTTL     = time.Minute
	availabilityEntries = 1000
	// availabilityTimeout bounds the fetch a page waits for: a partner
	// that does not answer soon leaves the page saying so.
	availabilityTimeout = 5 * time.Second
)

// handleAvailability serves a local item's calendar (from and to as
// YYYY-MM-DD) to a signed fetch of a linked partner whose policy shares
// loans and that may read the item; the store decides with the signer's
// principal, as for the item's document. Everyone else gets 404.
func (f *Federation) handleAvailability(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	ctx, signer := f.readerContext(r)
	if err != nil || id <= 0 || f.svc.Loans == nil || signer == "" {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	q := r.URL.Query()
	from, err1 := shrooms.ParseDate(q.Get("from"))
	to, err2 := shrooms.ParseDate(q.Get("to"))
	if err1 != nil || err2 != nil {
		writeError(w, http.StatusBadRequest, "from and to must be dates (YYYY-MM-DD)")
		return
	}
	a, err := f.svc.Loans.FindAvailability(ctx, id, from, to)
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	iri := f.cfg.IRIs.Base + "/items/" + strconv.FormatInt(id, 10)
	body, err := vocab.AvailabilityJSON(iri+shrooms.AvailabilityPath+"?"+spanQuery(from, to), iri, a)
	f.write(w, vocab.ContentType, body, err)
}

// spanQuery is the query string of a calendar's span.
func spanQuery(from, to shrooms.Date) string {
	return url.Values{"from": {from.String()}, "to": {to.String()}}.Encode()
}

// FindRemoteItem returns a partner's cached item, parsed, for members.
func (f *Federation) FindRemoteItem(ctx context.Context, iri string) (*shrooms.RemoteObject, error) {
	o, err := f.svc.Remote.FindRemoteObject(ctx, iri)
	if err != nil {
		return nil, err
	}
	if o.Type != "Item" {
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "no partner's item %q is known here", iri).Keyed("loans.error.remote_unknown").On("item")
	}
	if o.Item, o.Extra, err = vocab.ParseEmbeddedItem(o.Raw); err != nil {
		// The cache kept it, so it parsed once: a document this version
		// cannot read is as good as gone.
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "no partner's item %q is known here", iri).Keyed("loans.error.remote_unknown").On("item")
	}
	return o, nil
}

// FindRemoteAvailability fetches a partner's item calendar, signed as
// this node's organisation, or returns the copy fetched less than a
// minute ago.
func (f *Federation) FindRemoteAvailability(ctx context.Context, iri string, from, to shrooms.Date) (*shrooms.Availability, error) {
	if from.IsZero() || to.IsZero() || to.Before(from) || from.DaysUntil(to) > 366 {
		return nil, shrooms.Errorf(shrooms.EINVALID, "to: the span must run forwards, at most %d days", 366).
			Keyed("loans.error.span", "Max", 366).On("to")
	}
	o, err := f.svc.Remote.FindRemoteObject(ctx, iri) // members only, linked partners only
	if err != nil {
		return nil, err
	}
	key := iri + " " + from.String() + " " + to.String()
	now := f.cfg.Now()
	if a := f.calendars.get(key, now); a != nil {
		return a, nil
	}
	sys := shrooms.NewSystemContext(ctx)
	org, err := f.orgActor(sys)
	if err != nil {
		return nil, err
	}
	u := iri + shrooms.AvailabilityPath + "?" + spanQuery(from, to)
	if o.Actor == nil || shrooms.HostOf(u) != o.Actor.Host {
		return nil, unavailable(iri, "the item is not on its lender's host")
	}
	fetchCtx, cancel := context.WithTimeout(sys, availabilityTimeout)
	defer cancel()
	resp, err := f.client.get(fetchCtx, u, "", &fetchOptions{signer: org, avoidDown: true})
	if err != nil {
		return nil, unavailable(iri, err.Error())
	}
	a, item, err := vocab.ParseAvailability(resp.Body)
	if err != nil {
		return nil, unavailable(iri, err.Error())
	}
	if item != iri || a.From != from || a.To != to {
		return nil, unavailable(iri, "the answer is about other days or another item")
	}
	f.calendars.put(key, a, now.Add(availabilityTTL))
	return a, nil
}

// unavailable is the error of a calendar the partner did not give.
func unavailable(iri, detail string) error {
	return shrooms.Errorf(shrooms.EUNAVAILABLE, "calendar of %s: %s", iri, detail).Keyed("federation.error.fetch_failed", "Detail", detail)
}

// calendarCache keeps partners' calendars briefly, bounded in size.
type calendarCache struct {
	mu      sync.Mutex
	entries map[string]calendarEntry
}

type calendarEntry struct {
	a       *shrooms.Availability
	expires time.Time
}

// get returns a copy of the calendar kept under key, nil when none is
// fresh.
func (c *calendarCache) get(key string, now time.Time) *shrooms.Availability {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil
	}
	a := *e.a
	return &a
}

// put keeps a calendar until expires; when full, it drops what expired,
// and if nothing did, everything: a burst of distinct asks costs the next
// ones a fetch, never the node its memory.
func (c *calendarCache) put(key string, a *shrooms.Availability, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]calendarEntry{}
	}
	if len(c.entries) >= availabilityEntries {
		now := expires.Add(-availabilityTTL)
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= availabilityEntries {
			clear(c.entries)
		}
	}
	c.entries[key] = calendarEntry{a: a, expires: expires}
}

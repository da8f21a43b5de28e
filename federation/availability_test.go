package federation

import (
	"strconv"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// The calendar cache answers within its minute, forgets after it, and
// never holds more than its bound.
func TestCalendarCache(t *testing.T) {
	var c calendarCache
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	a := &shrooms.Availability{Waiting: 3}
	c.put("x", a, now.Add(availabilityTTL))
	if got := c.get("x", now.Add(59*time.Second)); got == nil || got.Waiting != 3 {
		t.Fatalf("within the minute: %+v", got)
	}
	if got := c.get("x", now.Add(availabilityTTL)); got != nil {
		t.Fatalf("after the minute: %+v", got)
	}
	for i := range 3 * availabilityEntries {
		c.put(strconv.Itoa(i), a, now.Add(availabilityTTL))
		if len(c.entries) > availabilityEntries {
			t.Fatalf("%d entries after %d puts", len(c.entries), i+1)
		}
	}
	if c.get(strconv.Itoa(3*availabilityEntries-1), now) == nil {
		t.Fatal("the newest calendar is gone")
	}
}

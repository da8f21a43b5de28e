package federation

import (
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestRemoteObject: the cache keeps the searchable text (description,
// category, field values, kind), a one-line summary, the thumbnail first.
func TestRemoteObject(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	item := &shrooms.Item{
		IRI: "https://a.example/items/4", Name: "Drill", Kind: shrooms.KindTool, Status: shrooms.StatusOnLoan,
		Description: "18 V drill.\n\nTwo   batteries." + strings.Repeat(" long", 100), CategoryPath: "Tools › Power",
		Fields: map[string]string{"volts": "18", "brand": "Makita"},
		Photos: []shrooms.Photo{{URL: "https://a.example/media/1", ThumbURL: "https://a.example/media/2"}},
	}
	o := remoteObject(item, []byte(`{"id":"x"}`), true, now)
	if o.IRI != item.IRI || o.URL != item.IRI || o.Type != "Item" || o.Kind != shrooms.KindTool || o.Status != shrooms.StatusOnLoan ||
		!o.Public || !o.Updated.Equal(now) || string(o.Raw) != `{"id":"x"}` || o.ImageURL != "https://a.example/media/2" {
		t.Fatalf("remote object: %+v", o)
	}
	for _, want := range []string{"18 V drill.", "Tools › Power", "Makita", "18", "tool"} {
		if !strings.Contains(o.Content, want) {
			t.Errorf("content lacks %q: %q", want, o.Content)
		}
	}
	if strings.Contains(o.Summary, "\n") || len([]rune(o.Summary)) > maxSummary || !strings.HasPrefix(o.Summary, "18 V drill. Two batteries.") {
		t.Fatalf("summary %q", o.Summary)
	}
	item.Photos[0].ThumbURL = ""
	if o := remoteObject(item, nil, false, now); o.ImageURL != "https://a.example/media/1" || o.Public {
		t.Fatalf("without thumbnail: %+v", o)
	}
}

package vocab_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

var itemTo, itemCC = []string{shrooms.PublicAudience}, []string{orgFollowers}

func TestItemGolden(t *testing.T) {
	renamed := toolItem()
	renamed.Name = "Cordless drill (18 V)"
	renamed.UpdatedAt = published.Add(48 * time.Hour)
	for _, tc := range []struct {
		name   string
		render func() ([]byte, error)
	}{
		{"item_tool", func() ([]byte, error) { return vocab.ItemJSON(toolItem(), orgActor(t), itemTo, itemCC) }},
		{"item_part", func() ([]byte, error) { return vocab.ItemJSON(partItem(), orgActor(t), itemTo, itemCC) }},
		{"activity_create_item", func() ([]byte, error) {
			return vocab.ActivityJSON(itemActivity(shrooms.ActivityCreate, "c42", toolItem()))
		}},
		{"activity_update_item", func() ([]byte, error) {
			return vocab.ActivityJSON(itemActivity(shrooms.ActivityUpdate, "u42", renamed))
		}},
		{"activity_delete_item", func() ([]byte, error) {
			return vocab.ActivityJSON(itemActivity(shrooms.ActivityDelete, "d42", nil))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.render()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
		})
	}
}

// What Mastodon needs to show an item as a post (a "converted" Page:
// name as a title, summary, url; Document attachments with url and
// mediaType) and what other servers read (content, PropertyValue).
func TestItemMastodonFields(t *testing.T) {
	raw, err := vocab.ActivityJSON(itemActivity(shrooms.ActivityCreate, "c42", toolItem()))
	if err != nil {
		t.Fatal(err)
	}
	var act struct {
		Type   string          `json:"type"`
		Object json.RawMessage `json:"object"`
		To     []string        `json:"to"`
	}
	if err := json.Unmarshal(raw, &act); err != nil {
		t.Fatal(err)
	}
	var obj struct {
		ID           string            `json:"id"`
		Type         []string          `json:"type"`
		Name         string            `json:"name"`
		Summary      string            `json:"summary"`
		Content      string            `json:"content"`
		URL          string            `json:"url"`
		AttributedTo string            `json:"attributedTo"`
		Published    string            `json:"published"`
		Updated      string            `json:"updated"`
		To           []string          `json:"to"`
		CC           []string          `json:"cc"`
		Image        map[string]any    `json:"image"`
		Attachment   []map[string]any  `json:"attachment"`
		Location     map[string]any    `json:"location"`
		Fields       map[string]string `json:"shrooms:fields"`
	}
	if err := json.Unmarshal(act.Object, &obj); err != nil {
		t.Fatalf("object: %v\n%s", err, act.Object)
	}
	check := func(what string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s: object %s", what, act.Object)
		}
	}
	check("activity type Create", act.Type == "Create")
	check("activity to Public", slices.Contains(act.To, shrooms.PublicAudience))
	check("type has Page and shrooms:Item", slices.Contains(obj.Type, "Page") && slices.Contains(obj.Type, "shrooms:Item"))
	check("id = url = item IRI", obj.ID == "https://shrooms.example/items/42" && obj.URL == obj.ID)
	check("name", obj.Name == "Cordless drill")
	check("summary has the facts", strings.HasPrefix(obj.Summary, "Cordless drill · tool · Tools › Power tools · available · loanable"))
	check("summary is plain text", !strings.Contains(obj.Summary, "<p>"))
	check("content is HTML with escaped description", strings.HasPrefix(obj.Content, "<p>18 V drill with two batteries &amp; a charger.") &&
		strings.Contains(obj.Content, "&lt;b&gt;long&lt;/b&gt;") && strings.Contains(obj.Content, "<li><strong>Voltage (V):</strong> 18</li>"))
	check("attributedTo org", obj.AttributedTo == "https://shrooms.example/actors/org")
	check("published", obj.Published == "2025-03-01T10:30:00Z")
	check("updated with milliseconds", obj.Updated == "2025-03-02T12:30:01.500Z")
	check("object to Public, cc followers", slices.Contains(obj.To, shrooms.PublicAudience) && slices.Contains(obj.CC, orgFollowers))
	check("image", obj.Image["url"] == "https://shrooms.example/media/11" && obj.Image["mediaType"] == "image/jpeg" && obj.Image["width"] == 1600.0)
	check("location", obj.Location["type"] == "Place" && obj.Location["latitude"] == 48.8566 && obj.Location["name"] == "Main workshop")
	var docs, props int
	values := map[string]any{}
	for _, a := range obj.Attachment {
		switch a["type"] {
		case "Document":
			docs++
			check("document url and mediaType", strings.HasPrefix(a["url"].(string), "https://shrooms.example/media/") &&
				(a["mediaType"] == "image/jpeg" || a["mediaType"] == "image/png") && a["name"] == "Cordless drill")
		case "PropertyValue":
			props++
			values[a["name"].(string)] = a["value"]
		default:
			t.Errorf("unexpected attachment %v", a)
		}
	}
	check("two documents", docs == 2)
	for name, want := range map[string]string{"Category": "Tools › Power tools", "Condition": "good", "Status": "available",
		"Location": "Main workshop, 12 rue des Lilas, 75011 Paris, France", "Voltage (V)": "18", "Brushless": "yes", "Bought on": "5 November 2024"} {
		if values[name] != want {
			t.Errorf("PropertyValue %q = %v, want %q", name, values[name], want)
		}
	}
	check("fields by key", obj.Fields["voltage"] == "18" && obj.Fields["bought"] == "2024-11-05")
}

// Internal data stays on the node: the value, the owner and group, and a
// place that is not public.
func TestItemJSONKeepsInternalData(t *testing.T) {
	for name, item := range map[string]*shrooms.Item{"tool": toolItem(), "part": partItem()} {
		t.Run(name, func(t *testing.T) {
			raw, err := vocab.ItemJSON(item, orgActor(t), itemTo, itemCC)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{"12990", "129.90", "Alice", "owner", "group", "value_cents", "valueCents", "Back shelf", `"version"`} {
				if strings.Contains(string(raw), leak) {
					t.Errorf("document contains %q: %s", leak, raw)
				}
			}
		})
	}
}

// publicView is what a remote node learns of an item: ParseItem's result.
func publicView(i *shrooms.Item) *shrooms.Item {
	v := &shrooms.Item{
		IRI: i.IRI, Kind: i.Kind, Name: i.Name, Description: i.Description, CategoryPath: i.CategoryPath,
		Condition: i.Condition, Status: i.Status, Loanable: i.Loanable, Audience: i.Audience, Fields: i.Fields,
		Quantity: i.Quantity, Unit: i.Unit, MinQuantity: i.MinQuantity,
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt.Truncate(time.Millisecond),
	}
	if i.Loanable {
		v.Loan = i.Loan
	}
	for _, p := range i.Photos {
		v.Photos = append(v.Photos, shrooms.Photo{URL: p.URL, ThumbURL: p.ThumbURL, Width: p.Width, Height: p.Height, ContentType: p.ContentType})
	}
	if p := i.Place; p != nil && p.Public {
		v.Place = &shrooms.Place{Kind: shrooms.PlaceOther, Name: p.Name, Street: p.Address(), HasPoint: p.HasPoint,
			Latitude: p.Latitude, Longitude: p.Longitude, Public: true}
	}
	return v
}

func TestParseItemRoundTrip(t *testing.T) {
	limited, unrenewable := toolItem(), toolItem()
	limited.Loan.Renewals, unrenewable.Loan.Renewals = ptr(3), ptr(0)
	for name, item := range map[string]*shrooms.Item{"tool": toolItem(), "part": partItem(),
		"tool with a renewal limit": limited, "tool without renewal": unrenewable} {
		t.Run(name, func(t *testing.T) {
			raw, err := vocab.ItemJSON(item, orgActor(t), itemTo, itemCC)
			if err != nil {
				t.Fatal(err)
			}
			got, unknown, err := vocab.ParseItem(raw)
			if err != nil {
				t.Fatal(err)
			}
			if want := publicView(item); !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
			}
			if unknown["shrooms:kind"] != string(item.Kind) {
				t.Fatalf("unknown properties lack shrooms:kind: %v", unknown)
			}
		})
	}
}

// A Create or Update carrying an item parses back with the item.
func TestParseActivityWithItem(t *testing.T) {
	for _, typ := range []shrooms.ActivityType{shrooms.ActivityCreate, shrooms.ActivityUpdate} {
		t.Run(string(typ), func(t *testing.T) {
			a := itemActivity(typ, "x42", toolItem())
			raw, err := vocab.ActivityJSON(a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := vocab.ParseActivity(raw)
			if err != nil {
				t.Fatal(err)
			}
			want := *a
			want.Item = publicView(a.Item)
			want.Published = a.Published.Truncate(time.Second)
			want.Updated = a.Item.UpdatedAt.Truncate(time.Millisecond)
			// Raw is the object as received (TestParseActivityRawAndUpdated).
			if len(got.Raw) == 0 {
				t.Fatal("Raw is empty")
			}
			got.Raw = nil
			if !reflect.DeepEqual(got, &want) {
				t.Fatalf("\n got %+v\n     item %+v\nwant %+v\n     item %+v", got, got.Item, &want, want.Item)
			}
		})
	}
	// A Delete carries a Tombstone.
	got, err := vocab.ParseActivity(mustJSON(t, itemActivity(shrooms.ActivityDelete, "d42", nil)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Object != "https://shrooms.example/items/42" || got.ObjectType != "Tombstone" || got.Item != nil {
		t.Fatalf("delete: %+v", got)
	}
}

func mustJSON(t *testing.T, a *shrooms.Activity) []byte {
	t.Helper()
	raw, err := vocab.ActivityJSON(a)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseItemRefusals(t *testing.T) {
	const ctx = `"@context": "https://www.w3.org/ns/activitystreams", `
	for _, tc := range []struct{ name, doc, msg string }{
		{"no context", `{"id": "https://x.example/items/1", "type": ["Page", "shrooms:Item"], "name": "Saw"}`, "no @context"},
		{"a Note", `{` + ctx + `"id": "https://x.example/n/1", "type": "Note", "content": "hi"}`, "not a SHROOMS item"},
		{"a plain Page", `{` + ctx + `"id": "https://x.example/p/1", "type": "Page", "name": "Saw"}`, "not a SHROOMS item"},
		{"no id", `{` + ctx + `"type": ["Page", "shrooms:Item"], "name": "Saw"}`, "no id"},
		{"no name", `{` + ctx + `"id": "https://x.example/items/1", "type": ["Page", "shrooms:Item"]}`, "name"},
		{"bad kind", `{` + ctx + `"id": "https://x.example/items/1", "type": ["Page", "shrooms:Item"], "name": "Saw", "shrooms:kind": "spaceship"}`, "kind"},
		{"field not text", `{` + ctx + `"id": "https://x.example/items/1", "type": ["Page", "shrooms:Item"], "name": "Saw", "shrooms:fields": {"a": {"b": 1}}}`, "not a short text"},
		{"invalid JSON", `{"id": `, "invalid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := vocab.ParseItem([]byte(tc.doc))
			wantCode(t, err, shrooms.EINVALID, tc.msg)
		})
	}
}

// The full namespace IRI works as well as the compact one, and what the
// node does not know is kept.
func TestParseItemExpandedTerms(t *testing.T) {
	doc := `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/items/1",
		"type": ["Page", "https://shrooms.org/ns#Item"], "name": "Saw", "https://shrooms.org/ns#kind": "device",
		"https://shrooms.org/ns#status": "in_repair", "ext:colour": "red"}`
	item, unknown, err := vocab.ParseItem([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if item.Kind != shrooms.KindDevice || item.Status != shrooms.StatusInRepair || item.Condition != shrooms.ConditionGood || item.Audience != shrooms.AudienceMembers {
		t.Fatalf("got %+v", item)
	}
	if unknown["ext:colour"] != "red" {
		t.Fatalf("unknown = %v", unknown)
	}
}

// A kit lists its contents, an item its kit, by name.
func TestItemKitFacts(t *testing.T) {
	kit := toolItem()
	kit.Kind = shrooms.KindKit
	kit.Contents = []shrooms.ItemRef{{ID: 50, Name: "Drill"}, {ID: 51, Name: "Bit set"}}
	inKit := partItem()
	inKit.Kit = &shrooms.ItemRef{ID: 49, Name: "Electrician's kit"}
	for _, tc := range []struct {
		item       *shrooms.Item
		name, want string
	}{{kit, "Contents", "Drill, Bit set"}, {inKit, "In kit", "Electrician's kit"}} {
		raw, err := vocab.ItemJSON(tc.item, orgActor(t), itemTo, itemCC)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Attachment []map[string]any }
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range doc.Attachment {
			found = found || (a["name"] == tc.name && a["value"] == tc.want)
		}
		if !found {
			t.Errorf("no PropertyValue %s = %s in %v", tc.name, tc.want, doc.Attachment)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// A renewal limit out of bounds, or not a whole number, is read as none
// of the item's own: the reader's organisation rule applies.
func TestParseItemBadRenewals(t *testing.T) {
	item := toolItem()
	raw, err := vocab.ItemJSON(item, orgActor(t), itemTo, itemCC)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"-1", "101", "2.5", `"3"`, "null"} {
		doc := strings.Replace(string(raw), `"maxDays":`, `"renewals": `+bad+`, "maxDays":`, 1)
		if doc == string(raw) {
			t.Fatal("no maxDays to put the limit next to")
		}
		got, _, err := vocab.ParseItem([]byte(doc))
		if err != nil || got.Loan.Renewals != nil || got.Loan.MaxDays != 14 {
			t.Errorf("renewals %s: %+v, %v", bad, got.Loan, err)
		}
	}
}

// The Loans fact tells partners' readers how often a loan may be renewed
// when the item has its own limit.
func TestItemRenewalsFact(t *testing.T) {
	for limit, want := range map[int]string{0: "up to 14 days, not renewable", 1: "up to 14 days, renewable 1 time",
		3: "up to 14 days, renewable 3 times"} {
		item := toolItem()
		item.Loan.Renewals = ptr(limit)
		raw, err := vocab.ItemJSON(item, orgActor(t), itemTo, itemCC)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), `"value":"`+want+`"`) && !strings.Contains(string(raw), `"value": "`+want+`"`) {
			t.Errorf("limit %d: no Loans fact %q in\n%s", limit, want, raw)
		}
	}
}

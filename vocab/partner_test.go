package vocab_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

const partnerOrg = "https://partner.example/actors/org"

// followWithToken is our Follow using a partner's invite.
func followWithToken() *shrooms.Activity {
	f := follow()
	f.InviteToken = "k3Jx9-invite"
	return f
}

// block is our organisation blocking a remote organisation.
func block() *shrooms.Activity {
	return &shrooms.Activity{
		IRI:       "https://shrooms.example/activities/b7",
		Type:      shrooms.ActivityBlock,
		Actor:     "https://shrooms.example/actors/org",
		Object:    partnerOrg,
		To:        []string{partnerOrg},
		Published: published,
	}
}

// undoBlock lifts it.
func undoBlock() *shrooms.Activity {
	b := block()
	return &shrooms.Activity{
		IRI:       "https://shrooms.example/activities/ub7",
		Type:      shrooms.ActivityUndo,
		Actor:     b.Actor,
		Object:    b.IRI,
		Embedded:  b,
		To:        []string{partnerOrg},
		Published: published.Add(time.Hour),
	}
}

func sharedPage(t *testing.T) ([]byte, error) {
	part := partItem()
	part.Audience = shrooms.AudiencePartners
	return vocab.ItemPageJSON(vocab.Page{
		ID:         "https://shrooms.example/actors/org/shared?page=true&after=0",
		PartOf:     "https://shrooms.example/actors/org/shared",
		Next:       "https://shrooms.example/actors/org/shared?page=true&after=43",
		TotalItems: 3,
	}, "https://shrooms.example/actors/org", []vocab.ItemDoc{
		{Item: toolItem(), To: []string{shrooms.PublicAudience}, CC: []string{orgFollowers}},
		{Item: part, To: []string{partnerOrg}},
	})
}

func TestPartnerGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		render func() ([]byte, error)
	}{
		{"activity_follow_invite", func() ([]byte, error) { return vocab.ActivityJSON(followWithToken()) }},
		{"activity_block", func() ([]byte, error) { return vocab.ActivityJSON(block()) }},
		{"activity_undo_block", func() ([]byte, error) { return vocab.ActivityJSON(undoBlock()) }},
		{"page_shared_items", func() ([]byte, error) { return sharedPage(t) }},
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

func TestPartnerActivitiesRoundTrip(t *testing.T) {
	ub := undoBlock()
	ub.ObjectType = "Block"
	for name, a := range map[string]*shrooms.Activity{"follow with token": followWithToken(), "block": block(), "undo block": ub} {
		t.Run(name, func(t *testing.T) {
			got, err := vocab.ParseActivity(mustJSON(t, a))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, a) {
				t.Fatalf("round trip:\n got %+v (embedded %+v)\nwant %+v (embedded %+v)", got, got.Embedded, a, a.Embedded)
			}
		})
	}
	// The token travels only on the Follow itself: an Accept embedding it
	// does not echo it.
	acc := answer(shrooms.ActivityAccept, "a9")
	acc.Embedded.InviteToken = "secret-token"
	if raw := mustJSON(t, acc); strings.Contains(string(raw), "secret-token") {
		t.Fatalf("Accept echoes the token: %s", raw)
	}
}

// Peers may write the token with the bare term or the full IRI.
func TestParseFollowTokenForms(t *testing.T) {
	base := `{"@context": ["https://www.w3.org/ns/activitystreams", {"shrooms": "https://shrooms.org/ns#", "inviteToken": "shrooms:inviteToken"}],
		"id": "https://partner.example/f/1", "type": "Follow", "actor": "https://partner.example/actors/org", "object": "https://shrooms.example/actors/org", `
	for name, prop := range map[string]string{
		"compact": `"shrooms:inviteToken": "t1"`,
		"term":    `"inviteToken": "t1"`,
		"full":    `"https://shrooms.org/ns#inviteToken": "t1"`,
	} {
		t.Run(name, func(t *testing.T) {
			a, err := vocab.ParseActivity([]byte(base + prop + "}"))
			if err != nil {
				t.Fatal(err)
			}
			if a.InviteToken != "t1" {
				t.Fatalf("token = %q", a.InviteToken)
			}
		})
	}
	_, err := vocab.ParseActivity([]byte(base + `"shrooms:inviteToken": "` + strings.Repeat("x", 201) + `"}`))
	wantCode(t, err, shrooms.EINVALID, "invite token")
}

// A received Create or Update of an item keeps the object as it came,
// unknown properties included, and its time; a Delete its deletion time.
func TestParseActivityRawAndUpdated(t *testing.T) {
	a := itemActivity(shrooms.ActivityUpdate, "u1", toolItem())
	var m map[string]any
	if err := json.Unmarshal(mustJSON(t, a), &m); err != nil {
		t.Fatal(err)
	}
	m["object"].(map[string]any)["shrooms:futureThing"] = map[string]any{"x": 1.0}
	raw, _ := json.Marshal(m)
	got, err := vocab.ParseActivity(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := toolItem().UpdatedAt.Truncate(time.Millisecond); !got.Updated.Equal(want) {
		t.Fatalf("Updated = %v, want %v", got.Updated, want)
	}
	var obj map[string]any
	if err := json.Unmarshal(got.Raw, &obj); err != nil {
		t.Fatalf("Raw is not JSON: %v", err)
	}
	if obj["id"] != "https://shrooms.example/items/42" || !reflect.DeepEqual(obj["shrooms:futureThing"], map[string]any{"x": 1.0}) {
		t.Fatalf("Raw lost properties: %s", got.Raw)
	}

	// Without "updated", the object's "published".
	delete(m["object"].(map[string]any), "updated")
	raw, _ = json.Marshal(m)
	if got, err = vocab.ParseActivity(raw); err != nil || !got.Updated.Equal(published) {
		t.Fatalf("Updated = %v (%v), want published %v", got.Updated, err, published)
	}

	// A Create of something else has neither.
	note := `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://m.example/c/1", "type": "Create", "actor": "https://m.example/u/a",
		"object": {"id": "https://m.example/n/1", "type": "Note", "content": "hi", "updated": "2025-01-01T00:00:00Z"}}`
	if got, err = vocab.ParseActivity([]byte(note)); err != nil || got.Raw != nil || !got.Updated.IsZero() {
		t.Fatalf("note: %+v, %v", got, err)
	}

	// A Delete: the Tombstone's "deleted", else the activity's "published".
	del := `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://p.example/d/1", "type": "Delete", "actor": "https://p.example/actors/org",
		"published": "2025-03-01T10:30:00Z", "object": {"id": "https://p.example/items/1", "type": "Tombstone"DELETED}}`
	got, err = vocab.ParseActivity([]byte(strings.Replace(del, "DELETED", `, "deleted": "2025-03-01T09:00:00.250Z"`, 1)))
	if err != nil || !got.Updated.Equal(time.Date(2025, 3, 1, 9, 0, 0, 250e6, time.UTC)) {
		t.Fatalf("deleted: %v, %v", got.Updated, err)
	}
	got, err = vocab.ParseActivity([]byte(strings.Replace(del, "DELETED", "", 1)))
	if err != nil || !got.Updated.Equal(published) {
		t.Fatalf("published: %v, %v", got.Updated, err)
	}
}

func TestItemPageRoundTrip(t *testing.T) {
	raw, err := sharedPage(t)
	if err != nil {
		t.Fatal(err)
	}
	p, err := vocab.ParseItemPage(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Next != "https://shrooms.example/actors/org/shared?page=true&after=43" || p.TotalItems != 3 || len(p.Items) != 2 {
		t.Fatalf("page: next %q total %d items %d", p.Next, p.TotalItems, len(p.Items))
	}
	tool, extra, err := vocab.ParseEmbeddedItem(p.Items[0])
	if err != nil {
		t.Fatal(err)
	}
	if tool.Name != "Cordless drill" || tool.Audience != shrooms.AudiencePublic || extra["shrooms:kind"] != "tool" {
		t.Fatalf("tool: %+v", tool)
	}
	part, _, err := vocab.ParseEmbeddedItem(p.Items[1])
	if err != nil {
		t.Fatal(err)
	}
	if part.Name != "Fuse 5 A" || part.Audience == shrooms.AudiencePublic || part.Quantity != 12 {
		t.Fatalf("part: %+v", part)
	}

	// The last page has no next; IRIs among the items are skipped.
	last := `{"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollectionPage", "id": "https://p.example/s?page=2",
		"orderedItems": ["https://p.example/items/9", {"id": "https://p.example/items/10"}]}`
	if p, err = vocab.ParseItemPage([]byte(last)); err != nil || p.Next != "" || len(p.Items) != 1 || p.TotalItems != -1 {
		t.Fatalf("last page: %+v, %v", p, err)
	}
}

func TestParseCollection(t *testing.T) {
	raw, err := vocab.CollectionJSON("https://shrooms.example/actors/org/shared", 7, "https://shrooms.example/actors/org/shared?page=true", "")
	if err != nil {
		t.Fatal(err)
	}
	first, total, err := vocab.ParseCollection(raw)
	if err != nil || first != "https://shrooms.example/actors/org/shared?page=true" || total != 7 {
		t.Fatalf("first %q total %d err %v", first, total, err)
	}
	for name, doc := range map[string]string{
		"invalid":          `{"type": `,
		"no context":       `{"type": "OrderedCollection", "first": "https://x.example/p"}`,
		"not a collection": `{"@context": "https://www.w3.org/ns/activitystreams", "type": "Note"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := vocab.ParseCollection([]byte(doc))
			wantCode(t, err, shrooms.EINVALID, "")
			_, err = vocab.ParseItemPage([]byte(doc))
			wantCode(t, err, shrooms.EINVALID, "")
		})
	}
}

package vocab_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

func TestActivityRoundTrip(t *testing.T) {
	create := &shrooms.Activity{
		IRI:       "https://shrooms.example/activities/c1",
		Type:      shrooms.ActivityCreate,
		Actor:     "https://shrooms.example/actors/org",
		Object:    "https://shrooms.example/items/42",
		To:        []string{shrooms.PublicAudience},
		CC:        []string{"https://shrooms.example/actors/org/followers", "https://partner.example/actors/org"},
		Published: published,
	}
	block := &shrooms.Activity{
		IRI:    "https://shrooms.example/activities/b1",
		Type:   shrooms.ActivityBlock,
		Actor:  "https://shrooms.example/actors/org",
		Object: "https://spam.example/actors/x",
	}
	// The embedded activity of an Accept comes back with its type in
	// ObjectType, as any embedded object does.
	accept := answer(shrooms.ActivityAccept, "a1")
	accept.ObjectType = "Follow"
	reject := answer(shrooms.ActivityReject, "r1")
	reject.ObjectType = "Follow"
	undo := undoFollow()
	undo.ObjectType = "Follow"
	for _, a := range []*shrooms.Activity{follow(), accept, reject, undo, create, block,
		{IRI: "https://shrooms.example/activities/u1", Type: shrooms.ActivityUpdate, Actor: "https://shrooms.example/actors/org", Object: "https://shrooms.example/actors/org", Published: published},
		{IRI: "https://shrooms.example/activities/d1", Type: shrooms.ActivityDelete, Actor: "https://shrooms.example/actors/org", Object: "https://shrooms.example/items/42", Published: published, Updated: published},
	} {
		t.Run(string(a.Type), func(t *testing.T) {
			raw, err := vocab.ActivityJSON(a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := vocab.ParseActivity(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, a) {
				t.Fatalf("round trip:\n got %+v (embedded %+v)\nwant %+v (embedded %+v)", got, got.Embedded, a, a.Embedded)
			}
		})
	}
}

func TestActivityJSONRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    *shrooms.Activity
		msg  string
	}{
		{"unknown type", &shrooms.Activity{IRI: "https://x.example/1", Type: "Wiggle", Actor: "https://x.example/a"}, "unsupported activity type"},
		{"bad id", &shrooms.Activity{IRI: "", Type: shrooms.ActivityFollow, Actor: "https://x.example/a"}, "activity id"},
		{"bad actor", &shrooms.Activity{IRI: "https://x.example/1", Type: shrooms.ActivityFollow, Actor: "alice"}, "activity actor"},
		{"bad embedded", &shrooms.Activity{IRI: "https://x.example/1", Type: shrooms.ActivityUndo, Actor: "https://x.example/a",
			Embedded: &shrooms.Activity{IRI: "https://x.example/2", Type: "Wiggle", Actor: "https://x.example/a"}}, "unsupported activity type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vocab.ActivityJSON(tc.a)
			wantCode(t, err, shrooms.EINVALID, tc.msg)
		})
	}
}

func TestParseActivityPeers(t *testing.T) {
	const (
		alice = "https://mastodon.example/users/alice"
		org   = "https://shrooms.example/actors/org"
		erin  = "https://pleroma.example/users/erin"
		react = "https://pleroma.example/activities/7e0f3a2c-1b2d-4c5e-8f9a-0b1c2d3e4f50"
	)
	for _, tc := range []struct {
		file string
		want *shrooms.Activity
	}{
		{"mastodon_accept_follow.json", &shrooms.Activity{
			IRI: alice + "#accepts/follows/8812", Type: shrooms.ActivityAccept, Actor: alice,
			Object: "https://shrooms.example/activities/5f2b7c", ObjectType: "Follow",
			Embedded: &shrooms.Activity{IRI: "https://shrooms.example/activities/5f2b7c", Type: shrooms.ActivityFollow, Actor: org, Object: alice},
		}},
		{"mastodon_undo_follow.json", &shrooms.Activity{
			IRI: alice + "#follows/4410/undo", Type: shrooms.ActivityUndo, Actor: alice,
			Object: "https://mastodon.example/0c3e5c9a-71f2-4d8e-9f4b-5b2f8d1a6e11", ObjectType: "Follow",
			Embedded: &shrooms.Activity{IRI: "https://mastodon.example/0c3e5c9a-71f2-4d8e-9f4b-5b2f8d1a6e11", Type: shrooms.ActivityFollow, Actor: alice, Object: org},
		}},
		{"mastodon_create_note.json", &shrooms.Activity{
			IRI: alice + "/statuses/1100/activity", Type: shrooms.ActivityCreate, Actor: alice,
			Object: alice + "/statuses/1100", ObjectType: "Note",
			To:        []string{shrooms.PublicAudience},
			CC:        []string{alice + "/followers", org},
			Published: time.Date(2025, 2, 28, 9, 0, 0, 0, time.UTC),
		}},
		{"follow_embedded_actor.json", &shrooms.Activity{
			IRI: "https://small.example/follows/77", Type: shrooms.ActivityFollow,
			Actor: "https://small.example/dave", Object: org, To: []string{org},
		}},
		{"pleroma_emoji_react.json", &shrooms.Activity{
			IRI: react, Type: "EmojiReact", Actor: erin, Object: "https://shrooms.example/items/42",
			To: []string{org}, CC: []string{shrooms.PublicAudience},
			Published: time.Date(2025, 2, 28, 11, 15, 0, 123e6, time.UTC),
		}},
		{"undo_emoji_react.json", &shrooms.Activity{
			IRI: "https://pleroma.example/activities/0b5c", Type: shrooms.ActivityUndo, Actor: erin,
			Object: react, ObjectType: "EmojiReact", To: []string{org},
			Embedded: &shrooms.Activity{IRI: react, Type: "EmojiReact", Actor: erin, Object: "https://shrooms.example/items/42"},
		}},
		{"unknown_type.json", &shrooms.Activity{
			IRI: "https://ext.example/activities/1", Type: "ext:Wiggle", Actor: "https://ext.example/users/frank",
			Object: "https://shrooms.example/items/42", ObjectType: "ext:Thing", To: []string{org},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := vocab.ParseActivity(peer(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("\n got %+v (embedded %+v)\nwant %+v (embedded %+v)", got, got.Embedded, tc.want, tc.want.Embedded)
			}
		})
	}
}

func TestParseActivityRefusals(t *testing.T) {
	const ctx = `"@context": "https://www.w3.org/ns/activitystreams", `
	for _, tc := range []struct {
		name, doc, msg string
	}{
		{"no context", `{"id": "https://x.example/1", "type": "Follow", "actor": "https://x.example/a", "object": "https://y.example/b"}`, "no @context"},
		{"no id", `{` + ctx + `"type": "Follow", "actor": "https://x.example/a", "object": "https://y.example/b"}`, "no id"},
		{"no actor", `{` + ctx + `"id": "https://x.example/1", "type": "Follow", "object": "https://y.example/b"}`, "no actor"},
		{"actor object without id", `{` + ctx + `"id": "https://x.example/1", "type": "Follow", "actor": {"type": "Person"}}`, "no actor"},
		{"no type", `{` + ctx + `"id": "https://x.example/1", "actor": "https://x.example/a"}`, "no type"},
		{"unknown type without actor", `{` + ctx + `"id": "https://x.example/1", "type": "Wiggle"}`, "no actor"},
		{"not an activity", string(peer(t, "mastodon_note.json")), "no actor"},
		{"typed non-activity", `{` + ctx + `"id": "https://x.example/1", "type": "Note", "actor": "https://x.example/a"}`, "not an activity"},
		{"invalid JSON", `{"id": "https://x.example/1", "type": "Follow",`, "invalid JSON"},
		{"top-level array", `[{"id": "https://x.example/1", "type": "Follow", "actor": "https://x.example/a"}]`, "JSON object"},
		{"too deep", `{` + ctx + `"id": "https://x.example/1", "type": "Follow", "actor": "https://x.example/a", "object": ` +
			strings.Repeat(`{"object": `, 200) + `"x"` + strings.Repeat("}", 200) + `}`, "nested too deeply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vocab.ParseActivity([]byte(tc.doc))
			wantCode(t, err, shrooms.EINVALID, tc.msg)
		})
	}
}

// An activity that embeds activities deeper than the parser follows keeps
// the IRIs it can read and stops embedding.
func TestParseActivityDeepEmbedding(t *testing.T) {
	doc := `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/0", "type": "Undo", "actor": "https://x.example/a", "object": `
	for i := 1; i <= 20; i++ {
		doc += `{"id": "https://x.example/` + string(rune('a'+i)) + `", "type": "Undo", "actor": "https://x.example/a", "object": `
	}
	doc += `"https://x.example/end"` + strings.Repeat("}", 21)
	a, err := vocab.ParseActivity([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for e := a.Embedded; e != nil; e = e.Embedded {
		n++
	}
	if n == 0 || n >= 20 {
		t.Fatalf("followed %d embedded activities, want a bounded number", n)
	}
}

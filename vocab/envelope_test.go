package vocab_test

import (
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

func TestParseEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  []byte
		want vocab.Envelope
	}{
		{"follow", mustActivityJSON(t, follow()), vocab.Envelope{
			ID: "https://shrooms.example/activities/5f2b7c", Type: "Follow", Actor: "https://shrooms.example/actors/org",
			ObjectID: "https://partner.example/actors/org", HasContext: true,
		}},
		{"mastodon accept", peer(t, "mastodon_accept_follow.json"), vocab.Envelope{
			ID: "https://mastodon.example/users/alice#accepts/follows/8812", Type: "Accept", Actor: "https://mastodon.example/users/alice",
			ObjectID: "https://shrooms.example/activities/5f2b7c", ObjectEmbedded: true, ObjectType: "Follow", HasContext: true,
		}},
		{"embedded actor", peer(t, "follow_embedded_actor.json"), vocab.Envelope{
			ID: "https://small.example/follows/77", Type: "Follow", Actor: "https://small.example/dave",
			ObjectID: "https://shrooms.example/actors/org", HasContext: true,
		}},
		{"unknown type", peer(t, "unknown_type.json"), vocab.Envelope{
			ID: "https://ext.example/activities/1", Type: "ext:Wiggle", Actor: "https://ext.example/users/frank",
			ObjectID: "https://shrooms.example/items/42", ObjectEmbedded: true, ObjectType: "ext:Thing", HasContext: true,
		}},
		{"type array, no context, object array", []byte(`{"id": "https://x.example/1", "type": ["Offer", "shrooms:LoanRequest"],
			"actor": ["https://x.example/a", "https://x.example/b"], "object": [{"id": "https://y.example/item", "type": ["Object", "shrooms:Item"]}]}`),
			vocab.Envelope{ID: "https://x.example/1", Type: "Offer", Actor: "https://x.example/a",
				ObjectID: "https://y.example/item", ObjectEmbedded: true, ObjectType: "Object"}},
		{"embedded object without id", []byte(`{"@context": [], "id": "https://x.example/1", "type": "Create", "actor": "https://x.example/a", "object": {"content": "hi"}}`),
			vocab.Envelope{ID: "https://x.example/1", Type: "Create", Actor: "https://x.example/a", ObjectEmbedded: true}},
		{"brackets and escapes inside strings", []byte(`{"@context": "x", "id": "https://x.example/1", "type": "Create", "actor": "https://x.example/a",
			"content": "[[[[{{{{ \"[[[[ \\\\\" [[[["}`),
			vocab.Envelope{ID: "https://x.example/1", Type: "Create", Actor: "https://x.example/a", HasContext: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vocab.ParseEnvelope(tc.doc, 4)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tc.want {
				t.Fatalf("\n got %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestParseEnvelopeRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, doc, msg string
	}{
		{"no id", `{"type": "Follow", "actor": "https://x.example/a"}`, "no id"},
		{"id not a string", `{"id": 7, "type": "Follow", "actor": "https://x.example/a"}`, "no id"},
		{"no type", `{"id": "https://x.example/1", "actor": "https://x.example/a"}`, "no type"},
		{"no actor", `{"id": "https://x.example/1", "type": "Follow"}`, "no actor"},
		{"actor without id", `{"id": "https://x.example/1", "type": "Follow", "actor": {"type": "Person"}}`, "no actor"},
		{"invalid JSON", `{"id": "https://x.example/1", "type": `, "invalid JSON"},
		{"trailing garbage", `{"id": "https://x.example/1", "type": "Follow", "actor": "https://x.example/a"} x`, "invalid JSON"},
		{"top-level array", `[{"id": "https://x.example/1", "type": "Follow", "actor": "https://x.example/a"}]`, "JSON object"},
		{"top-level string", `"https://x.example/1"`, "JSON object"},
		{"empty", ``, "invalid JSON"},
		{"too deep", `{"id": "https://x.example/1", "type": "Follow", "actor": "https://x.example/a", "object": {"a": [[{}]]}}`, "nested too deeply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vocab.ParseEnvelope([]byte(tc.doc), 4)
			wantCode(t, err, shrooms.EINVALID, tc.msg)
		})
	}
}

func TestParseEnvelopeDepth(t *testing.T) {
	const max = 16
	// nested returns an activity whose object chain makes the document
	// depth levels deep (the activity itself is level 1).
	nested := func(depth int) []byte {
		return []byte(`{"id": "https://x.example/1", "type": "Follow", "actor": "https://x.example/a", "object": ` +
			strings.Repeat(`{"id": "https://x.example/o", "object": `, depth-1) + `"https://x.example/end"` +
			strings.Repeat("}", depth-1) + `}`)
	}
	if _, err := vocab.ParseEnvelope(nested(max), max); err != nil {
		t.Fatalf("document at exactly maxDepth: %v", err)
	}
	_, err := vocab.ParseEnvelope(nested(max+1), max)
	wantCode(t, err, shrooms.EINVALID, "nested too deeply")

	// Hostile input: far deeper than encoding/json's own limit, unclosed.
	for _, doc := range []string{strings.Repeat("[", 10000), strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat(`{"a":`, 10000)} {
		_, err := vocab.ParseEnvelope([]byte(doc), max)
		wantCode(t, err, shrooms.EINVALID, "nested too deeply")
	}
	// A non-positive limit means DefaultMaxDepth, not "unlimited".
	_, err = vocab.ParseEnvelope(nested(vocab.DefaultMaxDepth+1), 0)
	wantCode(t, err, shrooms.EINVALID, "nested too deeply")
	if _, err := vocab.ParseEnvelope(nested(vocab.DefaultMaxDepth), 0); err != nil {
		t.Fatalf("document at DefaultMaxDepth: %v", err)
	}
}

func mustActivityJSON(t testing.TB, a *shrooms.Activity) []byte {
	t.Helper()
	raw, err := vocab.ActivityJSON(a)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func BenchmarkParseEnvelope(b *testing.B) {
	raw := mustActivityJSON(b, follow())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vocab.ParseEnvelope(raw, 32); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseActivity is the full go-fed parse the inbox worker does
// later, for comparison with BenchmarkParseEnvelope.
func BenchmarkParseActivity(b *testing.B) {
	raw := mustActivityJSON(b, follow())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vocab.ParseActivity(raw); err != nil {
			b.Fatal(err)
		}
	}
}

package vocab_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

func TestContext(t *testing.T) {
	want := []any{
		"https://www.w3.org/ns/activitystreams",
		"https://w3id.org/security/v1",
		map[string]any{"shrooms": vocab.Namespace, "inviteToken": "shrooms:inviteToken", "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
			"schema": "http://schema.org#", "PropertyValue": "schema:PropertyValue", "value": "schema:value", "address": "schema:address",
			"shrooms:fields":    map[string]any{"@id": "shrooms:fields", "@type": "@json"},
			"shrooms:loanRules": map[string]any{"@id": "shrooms:loanRules", "@type": "@json"}},
	}
	c := vocab.Context()
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("Context() = %#v", c)
	}
	// Callers get their own copy.
	c[2].(map[string]any)["x"] = "y"
	c[0] = "changed"
	if !reflect.DeepEqual(vocab.Context(), want) {
		t.Fatal("Context() shares state between calls")
	}
}

// Every ActivityStreams document carries the full context, also where
// streams alone would write less (a Follow needs only the AS context).
func TestDocumentsCarryContext(t *testing.T) {
	docs := map[string]func() ([]byte, error){
		"actor":      func() ([]byte, error) { return vocab.ActorJSON(orgActor(t)) },
		"activity":   func() ([]byte, error) { return vocab.ActivityJSON(follow()) },
		"collection": func() ([]byte, error) { return vocab.CollectionJSON("https://shrooms.example/c", 0, "", "") },
		"page": func() ([]byte, error) {
			return vocab.IRIPageJSON(vocab.Page{ID: "https://shrooms.example/c?page=1"}, nil)
		},
		"outbox page": func() ([]byte, error) {
			return vocab.ActivityPageJSON(vocab.Page{ID: "https://shrooms.example/o?page=1"}, []*shrooms.Activity{answer(shrooms.ActivityAccept, "a1")})
		},
	}
	ctx, _ := json.Marshal(vocab.Context())
	for name, render := range docs {
		t.Run(name, func(t *testing.T) {
			raw, err := render()
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(m["@context"], ctx) {
				t.Fatalf("@context = %s, want %s", m["@context"], ctx)
			}
			if bytes.Count(raw, []byte("@context")) != 1 {
				t.Fatalf("embedded values carry their own @context: %s", raw)
			}
		})
	}
}

// HTML in summaries is written as is, not as \u003c escapes.
func TestActorJSONKeepsHTML(t *testing.T) {
	raw, err := vocab.ActorJSON(orgActor(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`"<p>Tools & repairs, every Saturday.</p>"`)) {
		t.Fatalf("summary escaped: %s", raw)
	}
}

// A typed activity whose actor is an embedded object of a type streams does
// not know still yields the actor's id.
func TestParseActivityUnknownActorType(t *testing.T) {
	const doc = `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://bots.example/f/1", "type": "Follow",
		"actor": {"id": "https://bots.example/bot", "type": "ext:Bot"}, "object": {"id": "https://shrooms.example/actors/org", "type": "Organization"}}`
	a, err := vocab.ParseActivity([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != shrooms.ActivityFollow || a.Actor != "https://bots.example/bot" || a.Object != "https://shrooms.example/actors/org" || a.ObjectType != "Organization" || a.Embedded != nil {
		t.Fatalf("got %+v", a)
	}
}

// Compacted forms of the public collection survive parsing, so that
// Activity.IsPublic sees them.
func TestParseActivityCompactedPublic(t *testing.T) {
	const doc = `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/1", "type": "Create",
		"actor": "https://x.example/a", "object": "https://x.example/n", "to": ["Public", "as:Public"], "cc": "https://x.example/a/followers"}`
	a, err := vocab.ParseActivity([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.To, []string{"Public", "as:Public"}) || !reflect.DeepEqual(a.CC, []string{"https://x.example/a/followers"}) || !a.IsPublic() {
		t.Fatalf("to %q cc %q", a.To, a.CC)
	}
}

package vocab_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// TestActorUpdateJSON: the Update embeds the actor document (no private
// key), is addressed as given, and parses back as an Update of the actor.
func TestActorUpdateJSON(t *testing.T) {
	org := orgActor(t)
	act := &shrooms.Activity{IRI: "https://shrooms.example/activities/u1", Type: shrooms.ActivityUpdate,
		Actor: org.IRI, Object: org.IRI, ObjectType: string(org.Kind),
		To: []string{shrooms.PublicAudience}, CC: []string{org.Followers}, Published: time.Unix(1700000000, 0)}
	raw, err := vocab.ActorUpdateJSON(act, org)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("MUST-NOT-LEAK")) {
		t.Fatalf("private key leaked: %s", raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	obj, _ := m["object"].(map[string]any)
	if obj == nil || obj["id"] != org.IRI || obj["type"] != "Organization" || obj["name"] != org.Name || obj["@context"] != nil {
		t.Fatalf("embedded actor: %s", raw)
	}
	if _, ok := obj["publicKey"]; !ok {
		t.Fatalf("embedded actor has no key: %s", raw)
	}
	got, err := vocab.ParseActivity(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != shrooms.ActivityUpdate || got.Actor != org.IRI || got.Object != org.IRI ||
		got.ObjectType != "Organization" || !got.IsPublic() || len(got.CC) != 1 || got.CC[0] != org.Followers {
		t.Fatalf("parsed back: %+v", got)
	}
	if !vocab.IsActorType(got.ObjectType) || vocab.IsActorType("Note") {
		t.Fatal("IsActorType")
	}

	// Only an Update of the actor by itself.
	other := *act
	other.Object = "https://shrooms.example/actors/alice"
	if _, err := vocab.ActorUpdateJSON(&other, org); shrooms.ErrorCode(err) != shrooms.EINVALID {
		t.Fatalf("Update of another actor: %v", err)
	}
}

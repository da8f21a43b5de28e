package vocab_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// peer reads a third-party document from testdata/peers.
func peer(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "peers", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantCode fails unless err is a *shrooms.Error with code and a message
// containing msg.
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	if shrooms.ErrorCode(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if !strings.Contains(shrooms.ErrorMessage(err), msg) {
		t.Fatalf("message = %q, want it to contain %q", shrooms.ErrorMessage(err), msg)
	}
}

func TestActorRoundTrip(t *testing.T) {
	noShared := personActor(t)
	noShared.SharedInbox = ""
	for _, a := range []*shrooms.Actor{orgActor(t), personActor(t), noShared} {
		t.Run(a.Handle+"-"+string(a.Kind)+"-"+a.SharedInbox, func(t *testing.T) {
			raw, err := vocab.ActorJSON(a)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte("PRIVATE")) || bytes.Contains(raw, []byte("MUST-NOT-LEAK")) {
				t.Fatalf("private key leaked: %s", raw)
			}
			got, err := vocab.ParseActor(raw)
			if err != nil {
				t.Fatal(err)
			}
			want := *a
			want.Local, want.PrivateKeyPEM = false, "" // not part of the document
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", *got, want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("parsed actor does not validate: %v", err)
			}
		})
	}
}

// An icon is written as an Image, with a mediaType when its address names
// the file's type, and read back from an Image, a Link or a plain IRI.
func TestActorIcon(t *testing.T) {
	a := personActor(t)
	a.IconURL = "https://shrooms.example/files/alice.JPG"
	raw, err := vocab.ActorJSON(a)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Icon map[string]any `json:"icon"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"type": "Image", "url": a.IconURL, "mediaType": "image/jpeg"}
	if !reflect.DeepEqual(doc.Icon, want) {
		t.Fatalf("icon = %v, want %v", doc.Icon, want)
	}

	a.IconURL = ""
	if raw, err = vocab.ActorJSON(a); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(`"icon"`)) {
		t.Fatalf("icon written for an actor without one: %s", raw)
	}
	a.IconURL = "not a url"
	_, err = vocab.ActorJSON(a)
	wantCode(t, err, shrooms.EINVALID, "actor icon")

	for _, tc := range []struct{ name, icon string }{
		{"iri", `"https://x.example/a.png"`},
		{"link", `{"type": "Link", "href": "https://x.example/a.png"}`},
		{"image array", `[{"type": "Image", "url": "https://x.example/a.png"}, {"type": "Image", "url": "https://x.example/b.png"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/a", "type": "Person",
				"inbox": "https://x.example/a/inbox", "icon": ` + tc.icon + `,
				"publicKey": {"id": "https://x.example/a#k", "owner": "https://x.example/a", "publicKeyPem": "PEM"}}`
			got, err := vocab.ParseActor([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if got.IconURL != "https://x.example/a.png" {
				t.Fatalf("icon = %q", got.IconURL)
			}
		})
	}
}

func TestActorJSONRefusals(t *testing.T) {
	a := personActor(t)
	a.Kind = "Note"
	_, err := vocab.ActorJSON(a)
	wantCode(t, err, shrooms.EINVALID, "unknown actor kind")

	a = personActor(t)
	a.Inbox = "not a url"
	_, err = vocab.ActorJSON(a)
	wantCode(t, err, shrooms.EINVALID, "actor inbox")
}

func TestParseActorPeers(t *testing.T) {
	pem := publicKeyPEM(t)
	for _, tc := range []struct {
		file string
		want shrooms.Actor
	}{
		{"mastodon_person.json", shrooms.Actor{
			IRI:                       "https://mastodon.example/users/alice",
			Kind:                      shrooms.KindPerson,
			Handle:                    "alice",
			Host:                      "mastodon.example",
			Name:                      "Alice 🚲",
			Summary:                   `<p>Repairs bikes on Saturdays. <a href="https://mastodon.example/tags/repair" class="mention hashtag" rel="tag">#<span>repair</span></a></p>`,
			URL:                       "https://mastodon.example/@alice",
			Inbox:                     "https://mastodon.example/users/alice/inbox",
			Outbox:                    "https://mastodon.example/users/alice/outbox",
			Followers:                 "https://mastodon.example/users/alice/followers",
			Following:                 "https://mastodon.example/users/alice/following",
			SharedInbox:               "https://mastodon.example/inbox",
			KeyID:                     "https://mastodon.example/users/alice#main-key",
			PublicKeyPEM:              pem,
			IconURL:                   "https://files.mastodon.example/accounts/avatars/109/000/001/original/5e1f.png",
			ManuallyApprovesFollowers: true,
		}},
		{"gotosocial_person_no_security.json", shrooms.Actor{
			IRI:          "https://gts.example/users/bob",
			Kind:         shrooms.KindPerson,
			Handle:       "bob",
			Host:         "gts.example",
			Name:         "Bob",
			Summary:      "<p>Tool library volunteer</p>",
			URL:          "https://gts.example/@bob",
			Inbox:        "https://gts.example/users/bob/inbox",
			Outbox:       "https://gts.example/users/bob/outbox",
			Followers:    "https://gts.example/users/bob/followers",
			Following:    "https://gts.example/users/bob/following",
			KeyID:        "https://gts.example/users/bob/main-key",
			PublicKeyPEM: pem,
		}},
		{"person_key_array.json", shrooms.Actor{
			IRI:          "https://hub.example/channel/carol",
			Kind:         shrooms.KindPerson,
			Handle:       "carol",
			Host:         "hub.example",
			Name:         "Carol",
			URL:          "https://hub.example/profile/carol",
			Inbox:        "https://hub.example/channel/carol/inbox",
			Outbox:       "https://hub.example/channel/carol/outbox",
			KeyID:        "https://hub.example/channel/carol#main-key",
			PublicKeyPEM: pem,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := vocab.ParseActor(peer(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Fatalf("\n got %+v\nwant %+v", *got, tc.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("parsed actor does not validate: %v", err)
			}
		})
	}
}

func TestParseActorKeyChoice(t *testing.T) {
	const doc = `{"@context": "https://www.w3.org/ns/activitystreams",
		"id": "https://x.example/a", "type": "Service", "inbox": "https://x.example/a/inbox",
		"publicKey": [
			{"id": "https://x.example/k1", "owner": "https://x.example/other", "publicKeyPem": "PEM1"},
			{"id": "https://x.example/k2", "owner": "https://x.example/another", "publicKeyPem": "PEM2"}
		]}`
	a, err := vocab.ParseActor([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if a.KeyID != "https://x.example/k1" || a.PublicKeyPEM != "PEM1" || a.Kind != shrooms.KindService {
		t.Fatalf("no owned key: want the first, got %q %q (%s)", a.KeyID, a.PublicKeyPEM, a.Kind)
	}
}

// streams reads publicKey only under its plain name. A document without
// the security context that writes the key with a "sec:" prefix or as a full
// IRI still yields its key, from the raw JSON.
func TestParseActorRawKeyFallback(t *testing.T) {
	for _, tc := range []struct{ name, key, pem, owner string }{
		{"prefixed", "sec:publicKey", "sec:publicKeyPem", "sec:owner"},
		{"full IRIs", "https://w3id.org/security#publicKey", "https://w3id.org/security#publicKeyPem", "https://w3id.org/security#owner"},
		{"owner object", "sec:publicKey", "publicKeyPem", "owner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owner := `"https://x.example/a"`
			if tc.name == "owner object" {
				owner = `{"id": "https://x.example/a", "type": "Person"}`
			}
			doc := `{"@context": ["https://www.w3.org/ns/activitystreams", {"sec": "https://w3id.org/security#"}],
				"id": "https://x.example/a", "type": "Person", "preferredUsername": "a", "inbox": "https://x.example/a/inbox",
				"` + tc.key + `": [
					{"id": "https://x.example/other#key", "` + tc.owner + `": "https://x.example/other", "` + tc.pem + `": "OTHER"},
					{"id": "https://x.example/a#key", "` + tc.owner + `": ` + owner + `, "` + tc.pem + `": "PEM"}]}`
			a, err := vocab.ParseActor([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if a.KeyID != "https://x.example/a#key" || a.PublicKeyPEM != "PEM" {
				t.Fatalf("key = %q %q, want the actor's own", a.KeyID, a.PublicKeyPEM)
			}
		})
	}
}

func TestParseActorRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, doc, msg string
	}{
		{"note", string(peer(t, "mastodon_note.json")), "not an actor type"},
		{"unknown type", `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/a", "type": "Wizard", "inbox": "https://x.example/i"}`, "not an actor type"},
		{"no type", `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/a", "inbox": "https://x.example/i"}`, "no type"},
		{"no context", `{"id": "https://x.example/a", "type": "Person", "inbox": "https://x.example/i"}`, "no @context"},
		{"no id", `{"@context": "https://www.w3.org/ns/activitystreams", "type": "Person", "inbox": "https://x.example/i"}`, "no id"},
		{"no inbox", `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/a", "type": "Person",
			"publicKey": {"id": "https://x.example/a#k", "owner": "https://x.example/a", "publicKeyPem": "PEM"}}`, "no inbox"},
		{"no key", `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/a", "type": "Person", "inbox": "https://x.example/i"}`, "no public key"},
		{"key without pem", `{"@context": "https://www.w3.org/ns/activitystreams", "id": "https://x.example/a", "type": "Person", "inbox": "https://x.example/i",
			"publicKey": {"id": "https://x.example/a#k", "owner": "https://x.example/a"}}`, "no public key"},
		{"invalid JSON", `{"@context": `, "invalid JSON"},
		{"array", `[{"type": "Person"}]`, "JSON object"},
		{"too deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), "nested too deeply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vocab.ParseActor([]byte(tc.doc))
			wantCode(t, err, shrooms.EINVALID, tc.msg)
		})
	}
}

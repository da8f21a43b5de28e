package vocab_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

func TestWebFingerRoundTrip(t *testing.T) {
	raw, err := vocab.WebFingerJSON(orgActor(t), "shrooms.example")
	if err != nil {
		t.Fatal(err)
	}
	got, err := vocab.ParseWebFinger(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got != "https://shrooms.example/actors/org" {
		t.Fatalf("actor IRI = %q", got)
	}
}

func TestParseWebFinger(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"mastodon", `{"subject": "acct:alice@mastodon.example", "aliases": ["https://mastodon.example/@alice", "https://mastodon.example/users/alice"],
			"links": [
				{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": "https://mastodon.example/@alice"},
				{"rel": "self", "type": "application/activity+json", "href": "https://mastodon.example/users/alice"},
				{"rel": "http://ostatus.org/schema/1.0/subscribe", "template": "https://mastodon.example/authorize_interaction?uri={uri}"},
				{"rel": "http://webfinger.net/rel/avatar", "type": "image/png", "href": "https://files.mastodon.example/a.png"}]}`,
			"https://mastodon.example/users/alice"},
		{"ld+json with profile", `{"subject": "acct:bob@gts.example", "links": [
				{"rel": "self", "type": "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"", "href": "https://gts.example/users/bob"}]}`,
			"https://gts.example/users/bob"},
		{"self link for another format first", `{"subject": "acct:carol@x.example", "links": [
				{"rel": "self", "type": "application/json", "href": "https://x.example/api/carol"},
				{"rel": "self", "type": "application/activity+json", "href": "https://x.example/carol"}]}`,
			"https://x.example/carol"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vocab.ParseWebFinger([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseWebFingerRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, doc, msg string
	}{
		{"no links", `{"subject": "acct:a@x.example"}`, "no ActivityPub self link"},
		{"ld+json without profile", `{"links": [{"rel": "self", "type": "application/ld+json", "href": "https://x.example/a"}]}`, "no ActivityPub self link"},
		{"profile page only", `{"links": [{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": "https://x.example/@a"}]}`, "no ActivityPub self link"},
		{"self without href", `{"links": [{"rel": "self", "type": "application/activity+json"}]}`, "no ActivityPub self link"},
		{"invalid JSON", `{"links": [`, "invalid WebFinger JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vocab.ParseWebFinger([]byte(tc.doc))
			wantCode(t, err, shrooms.EINVALID, tc.msg)
		})
	}
}

func TestWebFingerWithoutProfileURL(t *testing.T) {
	a := orgActor(t)
	a.URL = ""
	raw, err := vocab.WebFingerJSON(a, "shrooms.example")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "webfinger_no_profile", raw)
}

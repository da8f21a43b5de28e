package vocab_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

var update = flag.Bool("update", false, "rewrite golden files")

// published is the fixed time of every fixture activity.
var published = time.Date(2025, 3, 1, 10, 30, 0, 0, time.UTC)

// publicKeyPEM is a fixed RSA public key (testdata/public.pem) so that the
// golden files are stable.
func publicKeyPEM(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// orgActor is the Organization actor of a node at shrooms.example.
func orgActor(t testing.TB) *shrooms.Actor {
	x := shrooms.IRIs{Base: "https://shrooms.example"}
	return &shrooms.Actor{
		IRI:                       x.Actor("org"),
		Kind:                      shrooms.KindOrganization,
		Handle:                    "org",
		Host:                      "shrooms.example",
		Local:                     true,
		Name:                      "Riverside Repair Café",
		Summary:                   "<p>Tools & repairs, every Saturday.</p>",
		URL:                       "https://shrooms.example/@org",
		Inbox:                     x.Inbox("org"),
		Outbox:                    x.Outbox("org"),
		Followers:                 x.Followers("org"),
		Following:                 x.Following("org"),
		SharedInbox:               x.SharedInbox(),
		KeyID:                     x.Key("org"),
		PublicKeyPEM:              publicKeyPEM(t),
		PrivateKeyPEM:             "-----BEGIN RSA PRIVATE KEY-----\nMUST-NOT-LEAK\n-----END RSA PRIVATE KEY-----\n",
		ManuallyApprovesFollowers: true,
	}
}

// personActor is a member's Person actor.
func personActor(t testing.TB) *shrooms.Actor {
	x := shrooms.IRIs{Base: "https://shrooms.example"}
	return &shrooms.Actor{
		IRI:          x.Actor("alice"),
		Kind:         shrooms.KindPerson,
		Handle:       "alice",
		Host:         "shrooms.example",
		Local:        true,
		Name:         "Alice Martin",
		Summary:      "Fixes lamps.",
		URL:          "https://shrooms.example/@alice",
		Inbox:        x.Inbox("alice"),
		Outbox:       x.Outbox("alice"),
		Followers:    x.Followers("alice"),
		Following:    x.Following("alice"),
		SharedInbox:  x.SharedInbox(),
		KeyID:        x.Key("alice"),
		PublicKeyPEM: publicKeyPEM(t),
		IconURL:      "https://shrooms.example/media/7",
	}
}

// follow is the org's Follow of a partner organisation.
func follow() *shrooms.Activity {
	return &shrooms.Activity{
		IRI:       "https://shrooms.example/activities/5f2b7c",
		Type:      shrooms.ActivityFollow,
		Actor:     "https://shrooms.example/actors/org",
		Object:    "https://partner.example/actors/org",
		To:        []string{"https://partner.example/actors/org"},
		Published: published,
	}
}

// answer is an activity of the partner embedding our Follow.
func answer(typ shrooms.ActivityType, suffix string) *shrooms.Activity {
	f := follow()
	return &shrooms.Activity{
		IRI:       "https://partner.example/activities/" + suffix,
		Type:      typ,
		Actor:     "https://partner.example/actors/org",
		Object:    f.IRI,
		Embedded:  f,
		To:        []string{"https://shrooms.example/actors/org"},
		Published: published.Add(time.Minute),
	}
}

// undoFollow is our Undo of our Follow.
func undoFollow() *shrooms.Activity {
	f := follow()
	return &shrooms.Activity{
		IRI:       "https://shrooms.example/activities/9d41e0",
		Type:      shrooms.ActivityUndo,
		Actor:     f.Actor,
		Object:    f.IRI,
		Embedded:  f,
		To:        []string{"https://partner.example/actors/org"},
		Published: published.Add(time.Hour),
	}
}

func TestGolden(t *testing.T) {
	host := "shrooms.example"
	noShared := personActor(t)
	noShared.SharedInbox = ""
	noShared.URL = ""
	noShared.IconURL = ""
	create := &shrooms.Activity{
		IRI:       "https://shrooms.example/activities/c1",
		Type:      shrooms.ActivityCreate,
		Actor:     "https://shrooms.example/actors/org",
		Object:    "https://shrooms.example/items/42",
		To:        []string{shrooms.PublicAudience},
		CC:        []string{"https://shrooms.example/actors/org/followers"},
		Published: published,
	}
	for _, tc := range []struct {
		name   string
		render func() ([]byte, error)
	}{
		{"webfinger", func() ([]byte, error) { return vocab.WebFingerJSON(orgActor(t), host) }},
		{"nodeinfo_discovery", func() ([]byte, error) { return vocab.NodeInfoDiscoveryJSON("https://shrooms.example/") }},
		{"nodeinfo", func() ([]byte, error) {
			n := shrooms.Node{PublicURL: "https://shrooms.example", OrgHandle: "org", Name: "Riverside Repair Café", Modules: []string{"inventory", "loans", "events"}}
			return vocab.NodeInfoJSON(n, shrooms.NodeStats{Users: 12, ActiveMonth: 7, ActiveHalfyear: 10, LocalPosts: 345}, false)
		}},
		{"nodeinfo_no_modules", func() ([]byte, error) {
			return vocab.NodeInfoJSON(shrooms.Node{Name: "Empty"}, shrooms.NodeStats{}, true)
		}},
		{"actor_organization", func() ([]byte, error) { return vocab.ActorJSON(orgActor(t)) }},
		{"actor_person", func() ([]byte, error) { return vocab.ActorJSON(personActor(t)) }},
		{"actor_person_no_shared_inbox", func() ([]byte, error) { return vocab.ActorJSON(noShared) }},
		{"activity_follow", func() ([]byte, error) { return vocab.ActivityJSON(follow()) }},
		{"activity_accept_follow", func() ([]byte, error) { return vocab.ActivityJSON(answer(shrooms.ActivityAccept, "a1")) }},
		{"activity_reject_follow", func() ([]byte, error) { return vocab.ActivityJSON(answer(shrooms.ActivityReject, "r1")) }},
		{"activity_undo_follow", func() ([]byte, error) { return vocab.ActivityJSON(undoFollow()) }},
		{"activity_create", func() ([]byte, error) { return vocab.ActivityJSON(create) }},
		{"collection", func() ([]byte, error) {
			return vocab.CollectionJSON("https://shrooms.example/actors/org/followers", 3,
				"https://shrooms.example/actors/org/followers?page=1", "https://shrooms.example/actors/org/followers?page=2")
		}},
		{"collection_empty", func() ([]byte, error) {
			return vocab.CollectionJSON("https://shrooms.example/actors/org/following", 0, "", "")
		}},
		{"page_iris", func() ([]byte, error) {
			return vocab.IRIPageJSON(vocab.Page{
				ID:         "https://shrooms.example/actors/org/followers?page=1",
				PartOf:     "https://shrooms.example/actors/org/followers",
				Next:       "https://shrooms.example/actors/org/followers?page=2",
				TotalItems: 3,
			}, []string{"https://partner.example/actors/org", "https://mastodon.example/users/alice"})
		}},
		{"page_iris_single", func() ([]byte, error) {
			return vocab.IRIPageJSON(vocab.Page{
				ID:         "https://shrooms.example/actors/org/followers?page=2",
				PartOf:     "https://shrooms.example/actors/org/followers",
				Prev:       "https://shrooms.example/actors/org/followers?page=1",
				TotalItems: 3,
			}, []string{"https://gts.example/users/bob"})
		}},
		{"page_iris_empty", func() ([]byte, error) {
			return vocab.IRIPageJSON(vocab.Page{
				ID:     "https://shrooms.example/actors/org/following?page=1",
				PartOf: "https://shrooms.example/actors/org/following",
			}, nil)
		}},
		{"page_activities", func() ([]byte, error) {
			return vocab.ActivityPageJSON(vocab.Page{
				ID:         "https://shrooms.example/actors/org/outbox?page=1",
				PartOf:     "https://shrooms.example/actors/org/outbox",
				TotalItems: 2,
			}, []*shrooms.Activity{create, answer(shrooms.ActivityAccept, "a1")})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.render()
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(got) {
				t.Fatalf("invalid JSON: %s", got)
			}
			golden(t, tc.name, got)
		})
	}
}

// golden compares got with testdata/name.json after normalising both
// (decoded and re-encoded with sorted keys and indentation), or rewrites the
// file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	norm := normalize(t, got)
	if *update {
		if err := os.WriteFile(path, []byte(norm), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if wantNorm := normalize(t, want); wantNorm != norm {
		t.Errorf("%s differs from the golden file (- want, + got; go test -update rewrites it):\n%s", path, lineDiff(wantNorm, norm))
	}
}

// normalize re-encodes a JSON document with sorted keys and indentation.
func normalize(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, raw)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// lineDiff is a small LCS line diff, enough for documents of a few hundred
// lines.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			fmt.Fprintf(&out, "  %s\n", x[i])
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "- %s\n", x[i])
			i++
		default:
			fmt.Fprintf(&out, "+ %s\n", y[j])
			j++
		}
	}
	return out.String()
}

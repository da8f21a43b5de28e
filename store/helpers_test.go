package store_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/internal/testkeys"
	"github.com/shrooms-org/shrooms/store"
)

const testURL = "https://workshop.example"

// t0 is the start of every test clock.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock for Options.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openDB opens a fresh database in a temp dir, closed at cleanup.
func openDB(t *testing.T) (*store.Services, *testClock) {
	t.Helper()
	clock := &testClock{t: t0}
	db, err := store.Open(filepath.Join(t.TempDir(), "data", "shrooms.db"), store.Options{PublicURL: testURL, Now: clock.Now,
		NewKeyPair: testkeys.NewKeyPair}) // RSA generation was 90 % of the store tests' time
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return store.NewServices(db), clock
}

// testKeys is one key pair shared by the test actors that do not need
// their own: RSA generation is slow.
var testKeys = sync.OnceValues(func() ([2]string, error) {
	priv, pub, err := shrooms.NewKeyPair()
	return [2]string{priv, pub}, err
})

func keys(t *testing.T) (priv, pub string) {
	t.Helper()
	k, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k[0], k[1]
}

// initNode initialises the node with organisation handle "org".
func initNode(t *testing.T, db *store.Services, manual bool) *shrooms.Actor {
	t.Helper()
	org, err := db.Nodes.InitNode(context.Background(), shrooms.NodeInit{
		Node:                      shrooms.Node{OrgHandle: "org", Name: "Repair Café"},
		ManuallyApprovesFollowers: manual,
	})
	if err != nil {
		t.Fatalf("InitNode: %v", err)
	}
	return org
}

// localActor creates a local Person with the shared test keys.
func localActor(t *testing.T, db *store.Services, handle string, manual bool) *shrooms.Actor {
	t.Helper()
	priv, pub := keys(t)
	a := &shrooms.Actor{Kind: shrooms.KindPerson, Handle: handle, Name: handle,
		PrivateKeyPEM: priv, PublicKeyPEM: pub, ManuallyApprovesFollowers: manual}
	if err := db.CreateLocalActor(context.Background(), a); err != nil {
		t.Fatalf("CreateLocalActor %s: %v", handle, err)
	}
	return a
}

// remoteDoc returns a valid remote actor document on host.
func remoteDoc(host, handle string) *shrooms.Actor {
	iri := "https://" + host + "/users/" + handle
	return &shrooms.Actor{
		IRI:          iri,
		Kind:         shrooms.KindOrganization,
		Handle:       handle,
		Name:         strings.ToUpper(handle),
		Inbox:        iri + "/inbox",
		Outbox:       iri + "/outbox",
		Followers:    iri + "/followers",
		Following:    iri + "/following",
		SharedInbox:  "https://" + host + "/inbox",
		KeyID:        iri + "#main-key",
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nremote\n-----END PUBLIC KEY-----\n",
	}
}

// remoteActor caches a remote actor.
func remoteActor(t *testing.T, db *store.Services, host, handle string) *shrooms.Actor {
	t.Helper()
	a := remoteDoc(host, handle)
	if err := db.Actors.UpsertRemoteActor(context.Background(), a); err != nil {
		t.Fatalf("UpsertRemoteActor %s: %v", a.IRI, err)
	}
	return a
}

// wantCode fails unless err carries the code (and, when msg is not "",
// a message containing msg).
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	if got := shrooms.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if msg != "" && !strings.Contains(shrooms.ErrorMessage(err), msg) {
		t.Fatalf("error message = %q, want it to contain %q", shrooms.ErrorMessage(err), msg)
	}
}

// outbox returns every outbox entry, oldest first.
func outbox(t *testing.T, db *store.Services) []*shrooms.OutboxEntry {
	t.Helper()
	entries, total, err := db.Outbox.FindOutboxEntries(sys, shrooms.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatalf("FindOutboxEntries: %v", err)
	}
	if total != len(entries) {
		t.Fatalf("FindOutboxEntries total = %d, len = %d", total, len(entries))
	}
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	return entries
}

// jsonEqual compares two values through their JSON encoding, which is how
// activities are stored.
func jsonEqual(t *testing.T, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Fatalf("got  %s\nwant %s", g, w)
	}
}

// insertPublicPost writes a public Create by actor to the outbox.
func insertPublicPost(t *testing.T, db *store.Services, actor *shrooms.Actor) *shrooms.Activity {
	t.Helper()
	act := &shrooms.Activity{
		IRI: db.IRIs().NewActivity(), Type: shrooms.ActivityCreate, Actor: actor.IRI,
		Object: testURL + "/items/1", ObjectType: "Document",
		To: []string{shrooms.PublicAudience}, CC: []string{actor.Followers}, Published: t0,
	}
	if _, err := db.InsertOutboxForTest(context.Background(), actor.ID, act); err != nil {
		t.Fatal(err)
	}
	return act
}

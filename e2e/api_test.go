package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// api calls the node's JSON API with a bearer token ("" for none).
func (n *testNode) api(method, path, token string, body any) (int, map[string]any) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, n.url()+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			n.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

// TestAPIAuth: tokens made with the CLI open /api/v1; no token, a wrong
// token or a non-admin token are refused.
func TestAPIAuth(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a := startNode(t, clock)
	token := strings.TrimSpace(a.mustCLI("admin", "token", "create", "--user", "admin"))

	if status, body := a.api("GET", "/api/v1/me", token, nil); status != 200 || body["username"] != "admin" || body["role"] != "admin" {
		t.Fatalf("me: %d %v", status, body)
	}
	for _, tc := range []struct{ name, token string }{{"no token", ""}, {"wrong token", "shr_" + strings.Repeat("0", 64)}} {
		if status, body := a.api("GET", "/api/v1/followers", tc.token, nil); status != 401 || body["error"] == "" {
			t.Errorf("%s: %d %v, want 401 with a message", tc.name, status, body)
		}
	}
	member := &shrooms.User{Username: "bob", Email: "bob@example.org", Role: shrooms.RoleMember}
	if err := a.m.DB.Users.CreateUser(shrooms.NewSystemContext(context.Background()), member, "another-long-password"); err != nil {
		t.Fatal(err)
	}
	memberToken := strings.TrimSpace(a.mustCLI("admin", "token", "create", "--user", "bob"))
	for _, path := range []string{"/api/v1/followers", "/api/v1/following", "/api/v1/follow-requests", "/api/v1/deliveries", "/api/v1/queue"} {
		if status, _ := a.api("GET", path, memberToken, nil); status != 403 {
			t.Errorf("member GET %s: %d, want 403", path, status)
		}
	}
	if status, _ := a.api("POST", "/api/v1/following", memberToken, map[string]string{"address": "x@example.org"}); status != 403 {
		t.Errorf("member follow: %d, want 403", status)
	}
	if _, err := a.cli("admin", "token", "create", "--user", "nobody"); err == nil || !strings.Contains(err.Error(), "--user") {
		t.Errorf("token for unknown user: %v", err)
	}
}

// TestAPIFollows: an admin follows, lists, approves and unfollows through
// the API, with clear 4xx on bad input.
func TestAPIFollows(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a, b := startNode(t, clock), startNode(t, clock, manualApproval)
	tokenA := strings.TrimSpace(a.mustCLI("admin", "token", "create", "--user", "admin"))
	tokenB := strings.TrimSpace(b.mustCLI("admin", "token", "create", "--user", "admin"))

	for _, tc := range []struct {
		name   string
		body   any
		status int
	}{
		{"empty address", map[string]string{"address": ""}, 400},
		{"malformed address", map[string]string{"address": "no-host"}, 400},
		{"unknown field", map[string]string{"adress": b.acct()}, 400},
		{"not an object", "just a string", 400},
		{"unknown account", map[string]string{"address": "nobody@" + b.host()}, 404},
	} {
		if status, body := a.api("POST", "/api/v1/following", tokenA, tc.body); status != tc.status || body["error"] == "" {
			t.Errorf("%s: %d %v, want %d with a message", tc.name, status, body, tc.status)
		}
	}
	if q := a.queue(); q.OutboxUnpublished != 0 {
		t.Fatalf("refused follows queued %d activities", q.OutboxUnpublished)
	}

	status, body := a.api("POST", "/api/v1/following", tokenA, map[string]string{"address": b.acct()})
	if status != 201 || body["state"] != "pending" {
		t.Fatalf("follow: %d %v", status, body)
	}
	if status, _ := a.api("POST", "/api/v1/following", tokenA, map[string]string{"address": b.acct()}); status != 409 {
		t.Fatalf("second follow: %d, want 409", status)
	}
	drain(t, a, b)
	status, body = b.api("GET", "/api/v1/follow-requests", tokenB, nil)
	items, _ := body["items"].([]any)
	if status != 200 || len(items) != 1 {
		t.Fatalf("follow requests: %d %v", status, body)
	}
	id := int64(items[0].(map[string]any)["id"].(float64))
	if status, body := b.api("POST", "/api/v1/follow-requests/"+itoa(id)+"/approve", tokenB, nil); status != 200 || body["state"] != "accepted" {
		t.Fatalf("approve: %d %v", status, body)
	}
	if status, _ := b.api("POST", "/api/v1/follow-requests/"+itoa(id)+"/approve", tokenB, nil); status != 409 {
		t.Fatalf("approve twice: %d, want 409", status)
	}
	if status, _ := b.api("POST", "/api/v1/follow-requests/999999/reject", tokenB, nil); status != 404 {
		t.Fatalf("reject unknown: %d, want 404", status)
	}
	drain(t, a, b)
	status, body = a.api("GET", "/api/v1/following", tokenA, nil)
	items, _ = body["items"].([]any)
	if status != 200 || len(items) != 1 || items[0].(map[string]any)["state"] != "accepted" {
		t.Fatalf("following: %d %v", status, body)
	}
	fid := int64(items[0].(map[string]any)["id"].(float64))
	if status, _ := a.api("DELETE", "/api/v1/following/"+itoa(fid), tokenA, nil); status != 204 {
		t.Fatalf("unfollow: %d", status)
	}
	drain(t, a, b)
	if got := b.follows(true, ""); len(got) != 0 {
		t.Fatalf("B still has %d followers after Undo", len(got))
	}
	if status, body := a.api("GET", "/api/v1/queue", tokenA, nil); status != 200 || body["deliveries_dead"] != float64(0) {
		t.Fatalf("queue: %d %v", status, body)
	}
}

// TestDiscoveryAndNegotiation: WebFinger, NodeInfo and the actor, as JSON
// for ActivityPub clients and as a page for browsers.
func TestDiscoveryAndNegotiation(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	a := startNode(t, clock)
	org := a.org()

	status, h, body := a.get("/.well-known/webfinger?resource=acct:org@"+a.host(), "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/jrd+json") || !strings.Contains(string(body), org.IRI) {
		t.Fatalf("webfinger: %d %s %s", status, h.Get("Content-Type"), body)
	}
	for _, q := range []string{"", "?resource=acct:org@elsewhere.example", "?resource=acct:nobody@" + a.host()} {
		if status, _, _ := a.get("/.well-known/webfinger"+q, ""); status != 400 && status != 404 {
			t.Errorf("webfinger %q: %d", q, status)
		}
	}
	status, _, body = a.get("/.well-known/nodeinfo", "")
	if status != 200 || !strings.Contains(string(body), a.url()+"/nodeinfo/2.1") {
		t.Fatalf("nodeinfo discovery: %d %s", status, body)
	}
	status, _, body = a.get("/nodeinfo/2.1", "")
	var ni struct {
		Software struct{ Name string }
		Usage    struct{ Users struct{ Total int } }
		Metadata struct{ Modules []string }
	}
	if status != 200 || json.Unmarshal(body, &ni) != nil || ni.Software.Name != "shrooms" || ni.Usage.Users.Total != 1 || len(ni.Metadata.Modules) != len(shrooms.Modules) {
		t.Fatalf("nodeinfo: %d %s", status, body)
	}

	for _, accept := range []string{"application/activity+json", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`} {
		status, h, body := a.get("/actors/org", accept)
		if status != 200 || h.Get("Content-Type") != "application/activity+json" || !strings.Contains(string(body), `"publicKeyPem"`) || strings.Contains(string(body), "PRIVATE") {
			t.Fatalf("actor as %s: %d %s %s", accept, status, h.Get("Content-Type"), body)
		}
	}
	status, h, body = a.get("/actors/org", "text/html,application/xhtml+xml")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "@org@"+a.host()) {
		t.Fatalf("actor page: %d %s", status, h.Get("Content-Type"))
	}
	if status, _, _ := a.get("/actors/nobody", "application/activity+json"); status != 404 {
		t.Fatalf("unknown actor: %d", status)
	}
	if status, _, body := a.get("/", "text/html"); status != 200 || !strings.Contains(string(body), "@org@"+a.host()) {
		t.Fatalf("home: %d %s", status, body)
	}
	if status, _, _ := a.get("/actors/org/outbox?page=1", "application/activity+json"); status != 200 {
		t.Fatalf("outbox page: %d", status)
	}
	if status, _, _ := a.get("/actors/org/outbox?page=-1", "application/activity+json"); status != 400 {
		t.Fatalf("bad page: %d", status)
	}
}

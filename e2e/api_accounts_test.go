package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/mail/mailtest"
)

// apiUser creates an active account with a role and returns it with a
// fresh API token.
func (n *testNode) apiUser(username string, role shrooms.Role) (*shrooms.User, string) {
	n.t.Helper()
	u := createUser(n.t, n, username, role, "a-long-enough-password")
	secret, _, err := n.m.DB.Users.CreateAPIToken(systemCtx, u.ID, "test")
	if err != nil {
		n.t.Fatal(err)
	}
	return u, secret
}

// adminToken returns a token of the harness's admin.
func (n *testNode) adminToken() (*shrooms.User, string) {
	n.t.Helper()
	u := findUser(n.t, n, "admin")
	secret, _, err := n.m.DB.Users.CreateAPIToken(systemCtx, u.ID, "test")
	if err != nil {
		n.t.Fatal(err)
	}
	return u, secret
}

// apiRaw sends body as is, with its Content-Type, and reads a JSON
// answer (nil when there is none).
func (n *testNode) apiRaw(method, path, token, contentType string, body []byte) (int, map[string]any) {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.url()+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			n.t.Fatalf("%s %s: not JSON: %.300s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

func id(v any) string {
	f, _ := v.(float64)
	return itoa(int64(f))
}

func items(body map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := body["items"].([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// TestAPIUsersAccess: the user list is for admins (401 without a token,
// 403 for a member), searchable; members cannot reach other accounts nor
// raise their own role; a suspended account's token stops working.
func TestAPIUsersAccess(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	admin, adminTok := n.adminToken()
	bob, bobTok := n.apiUser("bob", shrooms.RoleMember)
	carol, carolTok := n.apiUser("carol", shrooms.RoleMember)

	if status, body := n.api("GET", "/api/v1/users", "", nil); status != 401 || body["code"] != shrooms.EUNAUTHORIZED || body["error"] == "" {
		t.Fatalf("users without a token: %d %v, want 401", status, body)
	}
	if status, body := n.api("GET", "/api/v1/users", bobTok, nil); status != 403 || body["code"] != shrooms.EFORBIDDEN {
		t.Fatalf("users as a member: %d %v, want 403", status, body)
	}
	status, body := n.api("GET", "/api/v1/users", adminTok, nil)
	if status != 200 || body["total"] != float64(3) || len(items(body)) != 3 {
		t.Fatalf("users as admin: %d %v", status, body)
	}
	status, body = n.api("GET", "/api/v1/users?q=caro", adminTok, nil)
	if got := items(body); status != 200 || len(got) != 1 || got[0]["username"] != "carol" || got[0]["status"] != "active" || got[0]["email"] != "carol@example.org" {
		t.Fatalf("search: %d %v", status, body)
	}
	if status, body = n.api("GET", "/api/v1/users?role=admin", adminTok, nil); status != 200 || body["total"] != float64(1) {
		t.Fatalf("role filter: %d %v", status, body)
	}
	for _, q := range []string{"?role=king", "?status=asleep", "?limit=0", "?offset=-1"} {
		if status, body := n.api("GET", "/api/v1/users"+q, adminTok, nil); status != 400 || body["error"] == "" {
			t.Errorf("users%s: %d %v, want 400", q, status, body)
		}
	}
	if status, body := n.api("GET", "/api/v1/users/"+itoa(bob.ID), adminTok, nil); status != 200 || body["username"] != "bob" {
		t.Fatalf("admin reads bob: %d %v", status, body)
	}

	// A member cannot read, change or delete another account.
	if status, _ := n.api("GET", "/api/v1/users/"+itoa(carol.ID), bobTok, nil); status != 403 && status != 404 {
		t.Errorf("bob reads carol: %d, want 403 or 404", status)
	}
	if status, _ := n.api("PATCH", "/api/v1/users/"+itoa(carol.ID), bobTok, map[string]string{"name": "Hacked"}); status != 403 && status != 404 {
		t.Errorf("bob renames carol: %d, want 403 or 404", status)
	}
	if status, _ := n.api("DELETE", "/api/v1/users/"+itoa(carol.ID), bobTok, nil); status != 403 && status != 404 {
		t.Errorf("bob deletes carol: %d, want 403 or 404", status)
	}
	// Nor raise their own role, through /users/{id} or /me.
	if status, _ := n.api("PATCH", "/api/v1/users/"+itoa(bob.ID), bobTok, map[string]string{"role": "admin"}); status != 403 {
		t.Errorf("bob makes himself admin via /users: %d, want 403", status)
	}
	if status, body := n.api("PATCH", "/api/v1/me", bobTok, map[string]string{"role": "admin"}); status != 400 || !strings.Contains(body["error"].(string), "role") {
		t.Errorf("bob makes himself admin via /me: %d %v, want 400 naming role", status, body)
	}
	if status, body := n.api("GET", "/api/v1/me", bobTok, nil); status != 200 || body["role"] != "member" || body["name"] != "Bob" {
		t.Fatalf("bob after refused changes: %d %v", status, body)
	}
	if status, body := n.api("GET", "/api/v1/users/"+itoa(carol.ID), adminTok, nil); status != 200 || body["name"] != "Carol" {
		t.Fatalf("carol after refused changes: %d %v", status, body)
	}

	// A member changes their own name, language and dashboard.
	status, body = n.api("PATCH", "/api/v1/me", bobTok, map[string]any{"name": "Bobby", "language": "fr", "dashboard": []string{"events", "welcome"}})
	if status != 200 || body["name"] != "Bobby" || body["language"] != "fr" || body["status"] != "active" {
		t.Fatalf("patch me: %d %v", status, body)
	}
	if status, body := n.api("PATCH", "/api/v1/me", bobTok, map[string]any{"dashboard": []string{"nonsense"}}); status != 400 || !strings.Contains(body["error"].(string), "dashboard") {
		t.Errorf("bad dashboard: %d %v", status, body)
	}
	if status, body := n.api("GET", "/api/v1/me", bobTok, nil); status != 200 || body["language"] != "fr" || len(body["dashboard"].([]any)) != 2 {
		t.Fatalf("me after patch: %d %v", status, body)
	}

	// The admin changes a role, suspends an account (its token stops
	// working) and deletes one.
	if status, body := n.api("PATCH", "/api/v1/users/"+itoa(carol.ID), adminTok, map[string]string{"role": "staff"}); status != 200 || body["role"] != "staff" {
		t.Fatalf("make carol staff: %d %v", status, body)
	}
	if status, body := n.api("PATCH", "/api/v1/users/"+itoa(admin.ID), adminTok, map[string]string{"status": "suspended"}); status != 409 {
		t.Errorf("suspend the last admin: %d %v, want 409", status, body)
	}
	if status, body := n.api("PATCH", "/api/v1/users/"+itoa(bob.ID), adminTok, map[string]string{"status": "suspended"}); status != 200 || body["status"] != "suspended" {
		t.Fatalf("suspend bob: %d %v", status, body)
	}
	if status, body := n.api("GET", "/api/v1/me", bobTok, nil); status != 401 {
		t.Errorf("suspended bob's token: %d %v, want 401", status, body)
	}
	if status, _ := n.api("DELETE", "/api/v1/users/"+itoa(carol.ID), adminTok, nil); status != 204 {
		t.Fatalf("delete carol: %d", status)
	}
	if status, _ := n.api("GET", "/api/v1/users/"+itoa(carol.ID), adminTok, nil); status != 404 {
		t.Errorf("deleted carol: %d, want 404", status)
	}
	if status, _ := n.api("GET", "/api/v1/me", carolTok, nil); status != 401 {
		t.Errorf("deleted carol's token: %d, want 401", status)
	}
}

// TestAPIBadInput: malformed bodies are 400 with a message and change
// nothing.
func TestAPIBadInput(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	_, tok := n.apiUser("bob", shrooms.RoleMember)
	for _, tc := range []struct{ name, body string }{
		{"truncated", `{"name": "x"`},
		{"not an object", `["name"]`},
		{"wrong type", `{"name": 3}`},
		{"unknown field", `{"nmae": "x"}`},
		{"empty", ``},
		{"too large", `{"name": "` + strings.Repeat("x", 70<<10) + `"}`},
	} {
		if status, body := n.apiRaw("PATCH", "/api/v1/me", tok, "application/json", []byte(tc.body)); status != 400 || body["error"] == "" || body["code"] != shrooms.EINVALID {
			t.Errorf("%s: %d %v, want 400", tc.name, status, body)
		}
	}
	if status, body := n.api("GET", "/api/v1/me", tok, nil); status != 200 || body["name"] != "Bob" {
		t.Fatalf("me after bad input: %d %v", status, body)
	}
}

// TestAPITokens: a user creates a token (its secret shown once), uses
// it, lists and revokes it; nobody revokes another user's token.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	_, bobTok := n.apiUser("bob", shrooms.RoleMember)
	_, carolTok := n.apiUser("carol", shrooms.RoleMember)

	status, created := n.api("POST", "/api/v1/me/tokens", bobTok, map[string]string{"name": "my script"})
	secret, _ := created["token"].(string)
	if status != 201 || !strings.HasPrefix(secret, "shr_") || created["name"] != "my script" || created["id"] == nil {
		t.Fatalf("create token: %d %v", status, created)
	}
	if status, body := n.api("GET", "/api/v1/me", secret, nil); status != 200 || body["username"] != "bob" {
		t.Fatalf("new token: %d %v", status, body)
	}
	status, body := n.api("GET", "/api/v1/me/tokens", bobTok, nil)
	list := items(body)
	if status != 200 || len(list) != 2 {
		t.Fatalf("tokens: %d %v", status, body)
	}
	for _, tk := range list {
		if tk["token"] != nil {
			t.Errorf("the list shows a secret: %v", tk)
		}
	}
	if status, body := n.api("POST", "/api/v1/me/tokens", bobTok, map[string]string{"name": strings.Repeat("n", 101)}); status != 400 || !strings.Contains(body["error"].(string), "name") {
		t.Errorf("long name: %d %v", status, body)
	}
	if status, _ := n.api("DELETE", "/api/v1/me/tokens/"+id(created["id"]), carolTok, nil); status != 404 {
		t.Errorf("carol revokes bob's token: %d, want 404", status)
	}
	if status, _ := n.api("GET", "/api/v1/me", secret, nil); status != 200 {
		t.Fatalf("token after carol's attempt: %d", status)
	}
	if status, _ := n.api("DELETE", "/api/v1/me/tokens/"+id(created["id"]), bobTok, nil); status != 204 {
		t.Fatalf("revoke: %d", status)
	}
	if status, _ := n.api("GET", "/api/v1/me", secret, nil); status != 401 {
		t.Errorf("revoked token: %d, want 401", status)
	}
	if status, _ := n.api("DELETE", "/api/v1/me/tokens/"+id(created["id"]), bobTok, nil); status != 404 {
		t.Errorf("revoke twice: %d, want 404", status)
	}
}

// TestAPIChangePassword: the current password is checked; the new one
// works for logging in.
func TestAPIChangePassword(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	_, tok := n.apiUser("bob", shrooms.RoleMember)
	if status, body := n.api("POST", "/api/v1/me/password", tok, map[string]string{"current": "wrong-password", "password": "a-brand-new-password"}); status != 400 || !strings.Contains(body["error"].(string), "current") {
		t.Fatalf("wrong current: %d %v", status, body)
	}
	if status, body := n.api("POST", "/api/v1/me/password", tok, map[string]string{"current": "a-long-enough-password", "password": "short"}); status != 400 || !strings.Contains(body["error"].(string), "password") {
		t.Fatalf("short password: %d %v", status, body)
	}
	if status, body := n.api("POST", "/api/v1/me/password", tok, map[string]string{"current": "a-long-enough-password", "password": "a-brand-new-password"}); status != 204 {
		t.Fatalf("change: %d %v", status, body)
	}
	if _, _, _, err := n.m.DB.Sessions.Login(context.Background(), shrooms.LoginRequest{Login: "bob", Password: "a-brand-new-password", Address: "127.0.0.1"}); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	if status, _ := n.api("GET", "/api/v1/me", tok, nil); status != 200 {
		t.Errorf("token after a password change: %d, want 200 (tokens stay)", status)
	}
}

// TestAPIProfile: a member uploads an avatar, saves a whole profile with
// addresses and reads it back; another member sees only what the
// audiences let them; an admin sees it whole.
func TestAPIProfile(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	_, adminTok := n.adminToken()
	_, bobTok := n.apiUser("bob", shrooms.RoleMember)
	_, carolTok := n.apiUser("carol", shrooms.RoleMember)

	if status, _ := n.apiRaw("POST", "/api/v1/media", bobTok, "text/plain", []byte("hello")); status != 415 {
		t.Errorf("text as media: %d, want 415", status)
	}
	if status, body := n.apiRaw("POST", "/api/v1/media", bobTok, "image/png", []byte("not a png")); status != 400 || body["error"] == "" {
		t.Errorf("broken PNG: %d %v, want 400", status, body)
	}
	if status, _ := n.apiRaw("POST", "/api/v1/media", "", "image/png", testPNG(t, 10, 10)); status != 401 {
		t.Errorf("media without a token: %d, want 401", status)
	}
	status, media := n.apiRaw("POST", "/api/v1/media", bobTok, "image/png", testPNG(t, 600, 300))
	if status != 201 || media["id"] == nil || media["width"] != float64(256) || media["height"] != float64(128) {
		t.Fatalf("upload: %d %v", status, media)
	}
	mediaPath := strings.TrimPrefix(media["url"].(string), n.url())
	// An image nothing points at yet stays with its uploader.
	if status, _, _ := n.get(mediaPath, ""); status != 404 {
		t.Fatalf("anonymous GET of an unused upload: %d, want 404", status)
	}

	profile := map[string]any{
		"name": "Bob Builder", "bio": "I fix bikes.", "avatar_id": media["id"],
		"contact_email": "bob@bikes.example", "phone": "+33 1 23 45 67 89", "website": "https://bikes.example",
		"bio_audience": "members", "avatar_audience": "public", "contact_audience": "staff",
		"addresses": []map[string]any{
			{"label": "Home", "street": "1 rue des Champignons", "postal_code": "75011", "city": "Paris", "country": "FR", "audience": "staff"},
			{"label": "Workshop", "city": "Lyon", "audience": "members"},
		},
	}
	status, saved := n.api("PUT", "/api/v1/me/profile", bobTok, profile)
	if status != 200 {
		t.Fatalf("put profile: %d %v", status, saved)
	}
	// A public avatar is anyone's to see.
	if status, h, _ := n.get(mediaPath, ""); status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "image/") {
		t.Fatalf("GET %s: %d %s", media["url"], status, h.Get("Content-Type"))
	}
	status, got := n.api("GET", "/api/v1/me/profile", bobTok, nil)
	if status != 200 || got["name"] != "Bob Builder" || got["bio"] != "I fix bikes." || got["avatar_id"] != media["id"] ||
		got["contact_email"] != "bob@bikes.example" || got["phone"] != "+33 1 23 45 67 89" || got["contact_audience"] != "staff" ||
		got["avatar_url"] != media["url"] || got["username"] != "bob" {
		t.Fatalf("profile round trip: %d %v", status, got)
	}
	addrs, _ := got["addresses"].([]any)
	if len(addrs) != 2 {
		t.Fatalf("addresses: %v", got["addresses"])
	}
	home := addrs[0].(map[string]any)
	if home["street"] != "1 rue des Champignons" || home["postal_code"] != "75011" || home["city"] != "Paris" || home["audience"] != "staff" {
		t.Fatalf("home address: %v", home)
	}

	// Carol, a member, sees the bio and the members' address, not the
	// contact details nor the staff address.
	status, seen := n.api("GET", "/api/v1/profiles/bob", carolTok, nil)
	if status != 200 || seen["bio"] != "I fix bikes." || seen["contact_email"] != "" || seen["phone"] != "" || seen["avatar_id"] != media["id"] {
		t.Fatalf("carol sees bob: %d %v", status, seen)
	}
	if addrs, _ := seen["addresses"].([]any); len(addrs) != 1 || addrs[0].(map[string]any)["city"] != "Lyon" {
		t.Fatalf("carol sees bob's addresses: %v", seen["addresses"])
	}
	status, seen = n.api("GET", "/api/v1/profiles/bob", adminTok, nil)
	if addrs, _ := seen["addresses"].([]any); status != 200 || seen["contact_email"] != "bob@bikes.example" || len(addrs) != 2 {
		t.Fatalf("admin sees bob: %d %v", status, seen)
	}
	if status, _ := n.api("GET", "/api/v1/profiles/nobody", carolTok, nil); status != 404 {
		t.Errorf("unknown profile: %d, want 404", status)
	}
	status, dir := n.api("GET", "/api/v1/profiles?q=bob", carolTok, nil)
	if list := items(dir); status != 200 || len(list) != 1 || list[0]["username"] != "bob" || list[0]["contact_email"] != "" {
		t.Fatalf("directory: %d %v", status, dir)
	}

	// Bad profiles change nothing.
	for name, change := range map[string]map[string]any{
		"bad audience":   {"bio_audience": "everyone"},
		"unknown avatar": {"avatar_id": 999999},
		"bad address":    {"addresses": []map[string]any{{"label": "Nowhere"}}},
		"unknown field":  {"user_id": 1},
	} {
		bad := map[string]any{}
		for k, v := range profile {
			bad[k] = v
		}
		for k, v := range change {
			bad[k] = v
		}
		if status, body := n.api("PUT", "/api/v1/me/profile", bobTok, bad); status != 400 || body["error"] == "" {
			t.Errorf("%s: %d %v, want 400", name, status, body)
		}
	}
	if status, again := n.api("GET", "/api/v1/me/profile", bobTok, nil); status != 200 || again["bio_audience"] != "members" || len(again["addresses"].([]any)) != 2 {
		t.Fatalf("profile after bad input: %d %v", status, again)
	}
}

// TestAPIGroupsAndGrants: an admin makes a group, sets its members and
// grants it a module; a bad grant is refused naming it; members may read
// but not change.
func TestAPIGroupsAndGrants(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	_, adminTok := n.adminToken()
	bob, bobTok := n.apiUser("bob", shrooms.RoleMember)

	if status, _ := n.api("POST", "/api/v1/groups", bobTok, map[string]string{"name": "Sneaky"}); status != 403 {
		t.Errorf("member creates a group: %d, want 403", status)
	}
	status, g := n.api("POST", "/api/v1/groups", adminTok, map[string]string{"name": "Repairers", "description": "Fix things"})
	if status != 201 || g["name"] != "Repairers" || g["id"] == nil {
		t.Fatalf("create group: %d %v", status, g)
	}
	gid := id(g["id"])
	if status, _ := n.api("POST", "/api/v1/groups", adminTok, map[string]string{"name": "Repairers"}); status != 409 {
		t.Errorf("same name: %d, want 409", status)
	}
	if status, body := n.api("PUT", "/api/v1/groups/"+gid+"/members", adminTok, map[string]any{"user_ids": []int64{bob.ID}}); status != 200 || len(body["member_ids"].([]any)) != 1 {
		t.Fatalf("set members: %d %v", status, body)
	}
	if status, _ := n.api("PUT", "/api/v1/groups/"+gid+"/members", adminTok, map[string]any{"user_ids": []int64{999999}}); status != 404 {
		t.Errorf("unknown member: %d, want 404", status)
	}
	if status, _ := n.api("PUT", "/api/v1/groups/"+gid+"/members", bobTok, map[string]any{"user_ids": []int64{}}); status != 403 {
		t.Errorf("member sets members: %d, want 403", status)
	}
	if status, body := n.api("PATCH", "/api/v1/groups/"+gid, adminTok, map[string]string{"name": "Fixers"}); status != 200 || body["name"] != "Fixers" || body["description"] != "Fix things" {
		t.Fatalf("rename: %d %v", status, body)
	}
	if status, body := n.api("GET", "/api/v1/groups", bobTok, nil); status != 200 || len(items(body)) != 1 {
		t.Fatalf("member lists groups: %d %v", status, body)
	}

	status, grants := n.api("GET", "/api/v1/grants", bobTok, nil)
	list, _ := grants["grants"].([]any)
	if status != 200 || len(list) == 0 {
		t.Fatalf("grants: %d %v", status, grants)
	}
	newList := append(list, map[string]any{"module": "repairs", "group_id": g["id"], "access": "write"})
	if status, _ := n.api("PUT", "/api/v1/grants", bobTok, map[string]any{"grants": newList}); status != 403 {
		t.Errorf("member sets grants: %d, want 403", status)
	}
	status, body := n.api("PUT", "/api/v1/grants", adminTok, map[string]any{"grants": newList})
	if got, _ := body["grants"].([]any); status != 200 || len(got) != len(list)+1 {
		t.Fatalf("set grants: %d %v", status, body)
	}
	found := false
	for _, x := range body["grants"].([]any) {
		gr := x.(map[string]any)
		found = found || gr["module"] == "repairs" && gr["group_id"] == g["id"] && gr["access"] == "write"
	}
	if !found {
		t.Fatalf("group grant missing: %v", body)
	}
	for name, bad := range map[string]map[string]any{
		"unknown module": {"module": "teleportation", "role": "member", "access": "read"},
		"bad access":     {"module": "loans", "role": "member", "access": "sometimes"},
		"admin role":     {"module": "loans", "role": "admin", "access": "read"},
		"no subject":     {"module": "loans", "access": "read"},
	} {
		status, body := n.api("PUT", "/api/v1/grants", adminTok, map[string]any{"grants": []any{bad}})
		if msg, _ := body["error"].(string); status != 400 || !strings.Contains(msg, "grant 1") {
			t.Errorf("%s: %d %v, want 400 naming grant 1", name, status, body)
		}
	}
	if status, body := n.api("GET", "/api/v1/grants", adminTok, nil); status != 200 || len(body["grants"].([]any)) != len(list)+1 {
		t.Fatalf("grants after refused changes: %d %v", status, body)
	}

	if status, _ := n.api("DELETE", "/api/v1/groups/"+gid, bobTok, nil); status != 403 {
		t.Errorf("member deletes group: %d, want 403", status)
	}
	if status, _ := n.api("DELETE", "/api/v1/groups/"+gid, adminTok, nil); status != 204 {
		t.Fatalf("delete group: %d", status)
	}
	if status, _ := n.api("GET", "/api/v1/groups/"+gid, adminTok, nil); status != 404 {
		t.Errorf("deleted group: %d, want 404", status)
	}
}

// TestAPISettings: everyone with a token reads the settings; only admins
// change them, field by field.
func TestAPISettings(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	_, adminTok := n.adminToken()
	_, bobTok := n.apiUser("bob", shrooms.RoleMember)

	status, before := n.api("GET", "/api/v1/settings", bobTok, nil)
	if status != 200 || before["name"] == "" || before["signup_mode"] == "" {
		t.Fatalf("settings: %d %v", status, before)
	}
	if status, _ := n.api("GET", "/api/v1/settings", "", nil); status != 401 {
		t.Errorf("settings without a token: %d, want 401", status)
	}
	if status, _ := n.api("PATCH", "/api/v1/settings", bobTok, map[string]string{"name": "Bob's club"}); status != 403 {
		t.Errorf("member patches settings: %d, want 403", status)
	}
	status, before = n.api("PATCH", "/api/v1/settings", adminTok, map[string]any{"description": "We fix things.", "primary_color": "#112233"})
	if status != 200 || before["description"] != "We fix things." || before["primary_color"] != "#112233" || before["name"] == "" {
		t.Fatalf("patch description: %d %v", status, before)
	}
	status, after := n.api("PATCH", "/api/v1/settings", adminTok, map[string]any{"name": "Repair Café Nord", "signup_mode": "open", "modules": []string{"people", "loans"}})
	if status != 200 || after["name"] != "Repair Café Nord" || after["signup_mode"] != "open" || after["description"] != "We fix things." ||
		after["primary_color"] != "#112233" || len(after["modules"].([]any)) != 2 {
		t.Fatalf("patch settings: %d %v", status, after)
	}
	status, after = n.api("PATCH", "/api/v1/settings", adminTok, map[string]any{"default_audiences": map[string]string{"inventory": "partners", "stock": "staff"}})
	if aud, _ := after["default_audiences"].(map[string]any); status != 200 || aud["inventory"] != "partners" || aud["stock"] != "staff" {
		t.Fatalf("patch default audiences: %d %v", status, after)
	}
	status, after = n.api("PATCH", "/api/v1/settings", adminTok, map[string]any{"default_audiences": map[string]string{"stock": ""}})
	if aud, _ := after["default_audiences"].(map[string]any); status != 200 || aud["inventory"] != "partners" || aud["stock"] != nil {
		t.Fatalf("reset the stock default: %d %v", status, after)
	}
	for name, bad := range map[string]map[string]any{
		"audience":        {"default_audiences": map[string]string{"inventory": "everyone"}},
		"audience module": {"default_audiences": map[string]string{"time-travel": "public"}},
		"colour":          {"primary_color": "red"},
		"module":          {"modules": []string{"people", "time-travel"}},
		"signup":          {"signup_mode": "whenever"},
		"unknown":         {"colour": "#000000"},
	} {
		if status, body := n.api("PATCH", "/api/v1/settings", adminTok, bad); status != 400 || body["error"] == "" {
			t.Errorf("%s: %d %v, want 400", name, status, body)
		}
	}
	if status, body := n.api("GET", "/api/v1/settings", bobTok, nil); status != 200 || body["name"] != "Repair Café Nord" || body["primary_color"] != before["primary_color"] {
		t.Fatalf("settings after refused changes: %d %v", status, body)
	}
}

// TestAPIInvitations: an admin invites an address; the answer carries the
// sign-up URL, and the mail carries the same link.
func TestAPIInvitations(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	n := startNode(t, newTestClock(), withSMTP(srv))
	_, adminTok := n.adminToken()
	_, bobTok := n.apiUser("bob", shrooms.RoleMember)

	if status, _ := n.api("POST", "/api/v1/invitations", bobTok, map[string]string{"email": "x@example.org"}); status != 403 {
		t.Errorf("member invites: %d, want 403", status)
	}
	if status, _ := n.api("GET", "/api/v1/invitations", bobTok, nil); status != 403 {
		t.Errorf("member lists invitations: %d, want 403", status)
	}
	status, inv := n.api("POST", "/api/v1/invitations", adminTok, map[string]string{"email": "newbie@example.org", "role": "staff", "language": "fr"})
	link, _ := inv["url"].(string)
	if status != 201 || !strings.HasPrefix(link, n.url()+"/signup?invite=") || inv["role"] != "staff" || inv["mail_sent"] != true {
		t.Fatalf("invite: %d %v", status, inv)
	}
	if u, err := url.Parse(link); err != nil || len(u.Query().Get("invite")) < 20 {
		t.Fatalf("invitation URL %q", link)
	}
	drainMail(t, n)
	msg, err := srv.WaitFor("newbie@example.org", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Link(n.url() + "/signup"); got != link {
		t.Errorf("mailed link %q, answer %q", got, link)
	}
	for name, bad := range map[string]map[string]string{
		"bad email":  {"email": "not-an-address"},
		"bad role":   {"email": "a@example.org", "role": "queen"},
		"bad lang":   {"email": "a@example.org", "language": "tlh"},
		"taken":      {"email": "bob@example.org"},
		"unknown fd": {"mail": "a@example.org"},
	} {
		if status, body := n.api("POST", "/api/v1/invitations", adminTok, bad); (status != 400 && status != 409) || body["error"] == "" {
			t.Errorf("%s: %d %v, want 400 or 409", name, status, body)
		}
	}
	status, list := n.api("GET", "/api/v1/invitations", adminTok, nil)
	if got := items(list); status != 200 || len(got) != 1 || got[0]["email"] != "newbie@example.org" || got[0]["url"] != nil {
		t.Fatalf("invitations: %d %v", status, list)
	}
	if status, _ := n.api("DELETE", "/api/v1/invitations/"+id(inv["id"]), adminTok, nil); status != 204 {
		t.Fatalf("revoke: %d", status)
	}
	if status, body := n.api("GET", "/api/v1/invitations", adminTok, nil); status != 200 || body["total"] != float64(0) {
		t.Fatalf("after revoke: %d %v", status, body)
	}
}

// TestAPIInvitationMailDown: with the mail server down, the invitation
// exists and its mail is queued ("mail_sent": true), kept until the server
// answers.
func TestAPIInvitationMailDown(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock(), withSMTPPort(freePort(t)))
	_, adminTok := n.adminToken()
	status, inv := n.api("POST", "/api/v1/invitations", adminTok, map[string]string{"email": "newbie@example.org"})
	if status != 201 || inv["mail_sent"] != true || !strings.Contains(inv["url"].(string), "/signup?invite=") || inv["role"] != "member" {
		t.Fatalf("invite with mail down: %d %v", status, inv)
	}
	drainMail(t, n)
	ms, _, err := n.m.DB.Mail.FindMail(systemCtx, shrooms.MailFilter{State: shrooms.MailPending})
	if err != nil || len(ms) != 1 || ms[0].Message.To != "newbie@example.org" || ms[0].LastError == "" {
		t.Fatalf("queued mail: %+v %v", ms, err)
	}
}

// TestOpenAPIDocument: the document is served as JSON.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	status, h, body := n.get("/api/openapi.json", "")
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if status != 200 || h.Get("Content-Type") != "application/json" || json.Unmarshal(body, &doc) != nil || doc.OpenAPI != "3.0.3" || doc.Paths["/api/v1/users"] == nil {
		t.Fatalf("openapi.json: %d %s %.200s", status, h.Get("Content-Type"), body)
	}
}

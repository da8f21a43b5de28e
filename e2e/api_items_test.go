package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// inventoryTokens are API tokens of an admin, a staff member (inventory
// manager by the default grants) and a member (inventory reader).
type inventoryTokens struct{ admin, staff, member string }

func newInventoryTokens(t *testing.T, n *testNode) inventoryTokens {
	t.Helper()
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	token := func(user string) string {
		return strings.TrimSpace(n.mustCLI("admin", "token", "create", "--user", user))
	}
	return inventoryTokens{admin: token("admin"), staff: token("sam"), member: token("mia")}
}

// apiSend sends a body as is with its Content-Type and answers the status,
// headers and body.
func (n *testNode) apiSend(method, path, token, contentType string, body []byte) (int, http.Header, []byte) {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.url()+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out
}

// apiNewItem creates an item through the API and returns its id.
func (n *testNode) apiNewItem(token string, item map[string]any) int64 {
	n.t.Helper()
	status, body := n.api("POST", "/api/v1/items", token, item)
	if status != 201 {
		n.t.Fatalf("create item %v: %d %v", item, status, body)
	}
	return int64(body["id"].(float64))
}

// apiWantError checks an API error answer: its status and that its message
// names what is wrong.
func apiWantError(t *testing.T, what string, status int, body map[string]any, wantStatus int, mention string) {
	t.Helper()
	msg, _ := body["error"].(string)
	if status != wantStatus || !strings.Contains(msg, mention) {
		t.Errorf("%s: %d %v, want %d naming %q", what, status, body, wantStatus, mention)
	}
}

// TestAPIItems: the contract (POST /api/v1/items creates, GET
// /api/v1/items/{id} reads), rights by token, shape errors, optimistic
// locking, history, comments and deletion.
func TestAPIItems(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tk := newInventoryTokens(t, n)

	status, hdr, raw := n.apiSend("POST", "/api/v1/items", tk.staff, "application/json",
		[]byte(`{"name": " Cordless drill ", "kind": "tool", "audience": "public", "value_cents": 12950,
		"condition": "fair", "loanable": true, "loan": {"max_days": 7, "deposit_cents": 2000, "members": true, "partners": false}}`))
	var drill shrooms.Item
	if status != 201 || json.Unmarshal(raw, &drill) != nil || drill.ID == 0 {
		t.Fatalf("create: %d %s", status, raw)
	}
	if want := fmt.Sprintf("%s/api/v1/items/%d", n.url(), drill.ID); hdr.Get("Location") != want {
		t.Errorf("Location = %q, want %q", hdr.Get("Location"), want)
	}
	status, body := n.api("GET", fmt.Sprintf("/api/v1/items/%d", drill.ID), tk.member, nil)
	if status != 200 || body["name"] != "Cordless drill" || body["iri"] != fmt.Sprintf("%s/items/%d", n.url(), drill.ID) ||
		body["value_cents"] != 12950.0 || body["condition"] != "fair" || body["status"] != "available" || body["audience"] != "public" {
		t.Fatalf("read: %d %v", status, body)
	}
	if loan, _ := body["loan"].(map[string]any); loan["max_days"] != 7.0 || loan["deposit_cents"] != 2000.0 || loan["members"] != true {
		t.Errorf("loan rules: %v", body["loan"])
	}

	// Rights come from the store: members read, only managers write;
	// staff items are unseen by members; no token is 401.
	status, body = n.api("POST", "/api/v1/items", tk.member, map[string]any{"name": "Member's saw"})
	apiWantError(t, "member creates", status, body, 403, "")
	secret := n.apiNewItem(tk.staff, map[string]any{"name": "Workshop key", "audience": "staff"})
	status, body = n.api("GET", fmt.Sprintf("/api/v1/items/%d", secret), tk.member, nil)
	apiWantError(t, "member reads a staff item", status, body, 404, "")
	if status, body = n.api("GET", fmt.Sprintf("/api/v1/items/%d", secret), tk.staff, nil); status != 200 {
		t.Errorf("staff reads a staff item: %d %v", status, body)
	}
	for _, p := range []string{"/api/v1/items", fmt.Sprintf("/api/v1/items/%d", drill.ID)} {
		status, body = n.api("GET", p, "", nil)
		apiWantError(t, "anonymous GET "+p, status, body, 401, "token")
	}
	status, body = n.api("GET", "/api/v1/items", tk.member, nil)
	if status != 200 || body["total"] != 1.0 {
		t.Errorf("member's catalogue: %d %v, want only the public drill", status, body)
	}

	// Shape: unknown fields, wrong types and bad enums are 400 naming the
	// field, and nothing is created.
	for _, tc := range []struct{ body, mention string }{
		{`{"name": "Saw", "colour": "red"}`, "colour"},
		{`{"name": 5}`, "name"},
		{`{"name": "Saw", "kind": "spoon"}`, "kind"},
		{`{"name": "Saw", "status": "lost"}`, "status"},
		{`{"name": "Saw", "audience": "world"}`, "audience"},
		{`{"name": "Saw", "value_cents": -1}`, "value"},
		{`{"name": "Saw", "loan": {"max_days": "week"}}`, "max_days"},
		{`{"name": ""}`, "name"},
		{`not json`, "JSON"},
	} {
		status, body = n.api("POST", "/api/v1/items", tk.staff, json.RawMessage(tc.body))
		apiWantError(t, "create "+tc.body, status, body, 400, tc.mention)
	}
	if status, body = n.api("GET", "/api/v1/items", tk.staff, nil); body["total"] != 2.0 {
		t.Errorf("after refused creations: %d %v, want 2 items", status, body)
	}

	// PATCH: absent fields stay, a stale version is 409 and changes nothing.
	path := fmt.Sprintf("/api/v1/items/%d", drill.ID)
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"version": drill.Version, "status": "in_repair", "note": "chuck jams"})
	if status != 200 || body["status"] != "in_repair" || body["name"] != "Cordless drill" || body["value_cents"] != 12950.0 || body["version"].(float64) <= float64(drill.Version) {
		t.Fatalf("patch: %d %v", status, body)
	}
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"version": drill.Version, "name": "Overwritten"})
	apiWantError(t, "stale version", status, body, 409, "")
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"status": "broken"})
	apiWantError(t, "patch bad status", status, body, 400, "status")
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"weight": 3})
	apiWantError(t, "patch unknown field", status, body, 400, "weight")
	status, body = n.api("PATCH", path, tk.member, map[string]any{"name": "Mine"})
	apiWantError(t, "member patches", status, body, 403, "")
	if _, body = n.api("GET", path, tk.staff, nil); body["name"] != "Cordless drill" || body["status"] != "in_repair" {
		t.Errorf("after refused patches: %v", body)
	}

	// History: who changed which field from what to what, newest first.
	status, body = n.api("GET", path+"/history", tk.staff, nil)
	items, _ := body["items"].([]any)
	if status != 200 || body["total"] != 2.0 || len(items) != 2 {
		t.Fatalf("history: %d %v", status, body)
	}
	last := items[0].(map[string]any)
	if last["action"] != "updated" || last["user_name"] != "Sam" || last["note"] != "chuck jams" ||
		!strings.Contains(fmt.Sprint(last["fields"]), "in_repair") {
		t.Errorf("last change: %v", last)
	}
	if status, body = n.api("GET", path+"/history?limit=1&offset=1", tk.staff, nil); body["total"] != 2.0 || len(body["items"].([]any)) != 1 ||
		body["items"].([]any)[0].(map[string]any)["action"] != "created" {
		t.Errorf("history page 2: %d %v", status, body)
	}

	// Comments: members comment on what they see; authors delete theirs.
	status, body = n.api("POST", path+"/comments", tk.member, map[string]any{"body": "  The battery is weak.  "})
	if status != 201 || body["body"] != "The battery is weak." || body["id"] == nil || body["author_name"] != "Mia" {
		t.Fatalf("comment: %d %v", status, body)
	}
	comment := int64(body["id"].(float64))
	status, body = n.api("POST", path+"/comments", tk.member, map[string]any{"body": " "})
	apiWantError(t, "empty comment", status, body, 400, "comment")
	status, body = n.api("POST", fmt.Sprintf("/api/v1/items/%d/comments", secret), tk.member, map[string]any{"body": "hi"})
	apiWantError(t, "comment on an unseen item", status, body, 404, "")
	if status, body = n.api("GET", path+"/comments", tk.staff, nil); status != 200 || body["total"] != 1.0 {
		t.Errorf("comments: %d %v", status, body)
	}
	if status, body = n.api("DELETE", fmt.Sprintf("/api/v1/comments/%d", comment), tk.member, nil); status != 204 {
		t.Errorf("delete own comment: %d %v", status, body)
	}
	if _, body = n.api("GET", path+"/comments", tk.staff, nil); body["total"] != 0.0 {
		t.Errorf("comments after delete: %v", body)
	}

	// DELETE then GET is 404; members may not delete.
	status, body = n.api("DELETE", path, tk.member, nil)
	apiWantError(t, "member deletes", status, body, 403, "")
	if status, body = n.api("DELETE", path, tk.staff, nil); status != 204 {
		t.Fatalf("delete: %d %v", status, body)
	}
	status, body = n.api("GET", path, tk.staff, nil)
	apiWantError(t, "read deleted", status, body, 404, "")
	status, body = n.api("DELETE", path, tk.staff, nil)
	apiWantError(t, "delete twice", status, body, 404, "")

	// With the inventory module off, its API answers 404, even to admins.
	if status, body = n.api("PATCH", "/api/v1/settings", tk.admin, map[string]any{"modules": []string{"people"}}); status != 200 {
		t.Fatalf("turn inventory off: %d %v", status, body)
	}
	for _, p := range []string{"/api/v1/items", fmt.Sprintf("/api/v1/items/%d", secret), "/api/v1/categories"} {
		status, body = n.api("GET", p, tk.admin, nil)
		apiWantError(t, "module off: GET "+p, status, body, 404, "")
	}
	status, body = n.api("POST", "/api/v1/items", tk.admin, map[string]any{"name": "Ghost"})
	apiWantError(t, "module off: create", status, body, 404, "")
}

// TestAPIItemFilters: catalogue filters, sorting and pagination totals,
// and a clear 400 for a bad query value.
func TestAPIItemFilters(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tk := newInventoryTokens(t, n)
	for _, it := range []map[string]any{
		{"name": "Angle grinder", "kind": "tool", "loanable": true},
		{"name": "Bench drill", "kind": "tool", "status": "in_repair"},
		{"name": "Coffee machine", "kind": "device", "loanable": true},
		{"name": "Drill bits 6 mm", "kind": "part", "quantity": 3, "min_quantity": 5},
		{"name": "Espresso gasket", "kind": "part", "quantity": 40, "min_quantity": 5},
	} {
		n.apiNewItem(tk.staff, it)
	}
	names := func(body map[string]any) string {
		var out []string
		for _, it := range body["items"].([]any) {
			out = append(out, it.(map[string]any)["name"].(string))
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		query string
		total float64
		names string
	}{
		{"", 5, "Angle grinder,Bench drill,Coffee machine,Drill bits 6 mm,Espresso gasket"},
		{"?kind=part", 2, "Drill bits 6 mm,Espresso gasket"},
		{"?status=in_repair", 1, "Bench drill"},
		{"?loanable=true", 2, "Angle grinder,Coffee machine"},
		{"?low_stock=true", 1, "Drill bits 6 mm"},
		{"?q=drill", 2, "Bench drill,Drill bits 6 mm"},
		{"?sort=-name&limit=2", 5, "Espresso gasket,Drill bits 6 mm"},
		{"?limit=2&offset=4", 5, "Espresso gasket"},
		{"?kind=tool&sort=-name", 2, "Bench drill,Angle grinder"},
	} {
		status, body := n.api("GET", "/api/v1/items"+tc.query, tk.member, nil)
		if status != 200 || body["total"] != tc.total || names(body) != tc.names {
			t.Errorf("GET %s: %d total %v [%s], want %v [%s]", tc.query, status, body["total"], names(body), tc.total, tc.names)
		}
	}
	for q, mention := range map[string]string{"?kind=spoon": "kind", "?status=lost": "status", "?limit=500": "limit",
		"?offset=-1": "offset", "?sort=price": "sort", "?loanable=maybe": "loanable", "?category_id=x": "category_id",
		"?audience=world": "audience"} {
		status, body := n.api("GET", "/api/v1/items"+q, tk.member, nil)
		apiWantError(t, "GET "+q, status, body, 400, mention)
	}
}

// apiMultipart is a multipart/form-data body with one file field.
func apiMultipart(t *testing.T, field, filename string, data []byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, filename)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

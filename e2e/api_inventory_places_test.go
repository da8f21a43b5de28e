package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestAPICategories: managers build the category tree, only admins
// define custom fields, items are checked against them, and a category
// in use cannot be deleted.
func TestAPICategories(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tk := newInventoryTokens(t, n)

	status, body := n.api("POST", "/api/v1/categories", tk.staff, map[string]any{"name": "Tools"})
	if status != 201 || body["path"] != "Tools" || body["depth"] != 0.0 || body["fields"] == nil {
		t.Fatalf("create root: %d %v", status, body)
	}
	tools := int64(body["id"].(float64))
	status, body = n.api("POST", "/api/v1/categories", tk.staff, map[string]any{"name": "Power tools", "parent_id": tools})
	if status != 201 || body["path"] != "Tools › Power tools" || body["depth"] != 1.0 {
		t.Fatalf("create child: %d %v", status, body)
	}
	power := int64(body["id"].(float64))
	status, body = n.api("POST", "/api/v1/categories", tk.staff, map[string]any{"name": "Power tools", "parent_id": tools})
	apiWantError(t, "sibling with the same name", status, body, 409, "")
	status, body = n.api("POST", "/api/v1/categories", tk.staff, map[string]any{"name": "Saws", "parent_id": 999})
	apiWantError(t, "unknown parent", status, body, 404, "")
	status, body = n.api("POST", "/api/v1/categories", tk.member, map[string]any{"name": "Mine"})
	apiWantError(t, "member creates", status, body, 403, "")
	status, body = n.api("POST", "/api/v1/categories", tk.staff, map[string]any{"name": "Saws", "icon": "saw"})
	apiWantError(t, "unknown field", status, body, 400, "icon")

	fields := fmt.Sprintf("/api/v1/categories/%d/fields", power)
	watts := map[string]any{"fields": []map[string]any{
		{"key": "watts", "label": "Power (W)", "type": "number", "required": true},
		{"key": "voltage", "label": "Voltage", "type": "choice", "choices": []string{"110", "230"}},
	}}
	status, body = n.api("PUT", fields, tk.staff, watts)
	apiWantError(t, "staff defines fields", status, body, 403, "")
	status, body = n.api("PUT", fields, tk.admin, map[string]any{"fields": []map[string]any{{"key": "x", "label": "X", "type": "colour"}}})
	apiWantError(t, "bad field type", status, body, 400, "type")
	status, body = n.api("PUT", fields, tk.admin, map[string]any{})
	apiWantError(t, "no field list", status, body, 400, "fields")
	status, body = n.api("PUT", fields, tk.admin, watts)
	if got, _ := body["fields"].([]any); status != 200 || len(got) != 2 || got[0].(map[string]any)["key"] != "watts" {
		t.Fatalf("set fields: %d %v", status, body)
	}

	// Items of the category carry its fields, checked and normalised.
	status, body = n.api("POST", "/api/v1/items", tk.staff, map[string]any{"name": "Jigsaw", "category_id": power})
	apiWantError(t, "required field missing", status, body, 400, "watts")
	status, body = n.api("POST", "/api/v1/items", tk.staff, map[string]any{"name": "Jigsaw", "category_id": power,
		"fields": map[string]string{"watts": "abc"}})
	apiWantError(t, "not a number", status, body, 400, "watts")
	status, body = n.api("POST", "/api/v1/items", tk.staff, map[string]any{"name": "Jigsaw", "category_id": power,
		"fields": map[string]string{"watts": "650,5", "voltage": "230"}})
	if status != 201 || body["category_path"] != "Tools › Power tools" {
		t.Fatalf("create item with fields: %d %v", status, body)
	}
	if f, _ := body["fields"].(map[string]any); f["watts"] != "650.5" || f["voltage"] != "230" || len(body["field_defs"].([]any)) != 2 {
		t.Errorf("item fields: %v %v", body["fields"], body["field_defs"])
	}

	status, body = n.api("GET", "/api/v1/categories", tk.member, nil)
	if status != 200 || body["total"] != 2.0 || items(body)[0]["name"] != "Tools" || items(body)[1]["items"] != 1.0 {
		t.Errorf("list: %d %v", status, body)
	}
	status, body = n.api("PATCH", fmt.Sprintf("/api/v1/categories/%d", tools), tk.staff, map[string]any{"parent_id": power})
	apiWantError(t, "cycle", status, body, 409, "")
	status, body = n.api("PATCH", fmt.Sprintf("/api/v1/categories/%d", tools), tk.staff, map[string]any{"name": "Hand & power tools"})
	if status != 200 || body["name"] != "Hand & power tools" {
		t.Errorf("rename: %d %v", status, body)
	}
	if _, body = n.api("GET", fmt.Sprintf("/api/v1/categories/%d", power), tk.member, nil); body["path"] != "Hand & power tools › Power tools" {
		t.Errorf("child path after rename: %v", body["path"])
	}
	status, body = n.api("DELETE", fmt.Sprintf("/api/v1/categories/%d", power), tk.staff, nil)
	apiWantError(t, "delete a category with items", status, body, 409, "")
	status, body = n.api("DELETE", fmt.Sprintf("/api/v1/categories/%d", tools), tk.staff, nil)
	apiWantError(t, "delete a category with children", status, body, 409, "")
	empty := n.apiNewCategory(tk.staff, "Empty")
	if status, body = n.api("DELETE", fmt.Sprintf("/api/v1/categories/%d", empty), tk.staff, nil); status != 204 {
		t.Fatalf("delete: %d %v", status, body)
	}
	status, body = n.api("GET", fmt.Sprintf("/api/v1/categories/%d", empty), tk.staff, nil)
	apiWantError(t, "read deleted", status, body, 404, "")
}

// apiNewCategory creates a root category through the API.
func (n *testNode) apiNewCategory(token, name string) int64 {
	n.t.Helper()
	status, body := n.api("POST", "/api/v1/categories", token, map[string]any{"name": name})
	if status != 201 {
		n.t.Fatalf("create category %s: %d %v", name, status, body)
	}
	return int64(body["id"].(float64))
}

// TestAPIPlaces: places CRUD with coordinates validation, the tree, and
// deletion refused while a place holds something.
func TestAPIPlaces(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tk := newInventoryTokens(t, n)

	status, body := n.api("POST", "/api/v1/places", tk.staff, map[string]any{"name": "Workshop", "kind": "workshop",
		"street": "12 rue des Lilas", "postal_code": "75020", "city": "Paris", "country": "France",
		"latitude": 48.8714, "longitude": 2.3986, "public": true})
	if status != 201 || body["has_point"] != true || body["latitude"] != 48.8714 || body["longitude"] != 2.3986 || body["public"] != true {
		t.Fatalf("create: %d %v", status, body)
	}
	workshop := int64(body["id"].(float64))
	status, body = n.api("POST", "/api/v1/places", tk.staff, map[string]any{"name": "Shelf A", "kind": "shelf", "parent_id": workshop})
	if status != 201 || body["path"] != "Workshop › Shelf A" || body["has_point"] != false {
		t.Fatalf("create child: %d %v", status, body)
	}
	shelf := int64(body["id"].(float64))

	for _, tc := range []struct{ body, mention string }{
		{`{"name": "Far", "latitude": 95, "longitude": 2}`, "latitude"},
		{`{"name": "Far", "latitude": 45, "longitude": -181}`, "longitude"},
		{`{"name": "Half", "latitude": 45}`, "longitude"},
		{`{"name": "Half", "longitude": 2}`, "latitude"},
		{`{"name": "Text", "latitude": "north", "longitude": 2}`, "latitude"},
		{`{"name": "Odd", "has_point": false, "latitude": 1, "longitude": 2}`, "has_point"},
		{`{"name": "Cave", "kind": "cave"}`, "kind"},
		{`{"name": ""}`, "name"},
		{`{"name": "Roof", "floor": 3}`, "floor"},
	} {
		status, body = n.api("POST", "/api/v1/places", tk.staff, json.RawMessage(tc.body))
		apiWantError(t, "create "+tc.body, status, body, 400, tc.mention)
	}
	status, body = n.api("POST", "/api/v1/places", tk.member, map[string]any{"name": "My garage"})
	apiWantError(t, "member creates", status, body, 403, "")

	path := fmt.Sprintf("/api/v1/places/%d", workshop)
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"latitude": 48.9})
	if status != 200 || body["latitude"] != 48.9 || body["longitude"] != 2.3986 || body["city"] != "Paris" {
		t.Errorf("move the point: %d %v", status, body)
	}
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"latitude": -91})
	apiWantError(t, "patch latitude out of range", status, body, 400, "latitude")
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"has_point": false, "city": "Montreuil"})
	if status != 200 || body["has_point"] != false || body["latitude"] != 0.0 || body["city"] != "Montreuil" {
		t.Errorf("remove the point: %d %v", status, body)
	}
	status, body = n.api("PATCH", path, tk.staff, map[string]any{"parent_id": shelf})
	apiWantError(t, "cycle", status, body, 409, "")

	status, body = n.api("GET", "/api/v1/places", tk.member, nil)
	if status != 200 || body["total"] != 2.0 || items(body)[0]["name"] != "Workshop" {
		t.Errorf("list: %d %v", status, body)
	}
	n.apiNewItem(tk.staff, map[string]any{"name": "Soldering iron", "place_id": shelf})
	status, body = n.api("DELETE", path, tk.staff, nil)
	apiWantError(t, "delete a place with children", status, body, 409, "")
	status, body = n.api("DELETE", fmt.Sprintf("/api/v1/places/%d", shelf), tk.staff, nil)
	apiWantError(t, "delete a place with items", status, body, 409, "")
	empty := n.apiNewPlace(tk.staff, "Cellar")
	if status, body = n.api("DELETE", fmt.Sprintf("/api/v1/places/%d", empty), tk.member, nil); status != 403 {
		t.Errorf("member deletes: %d %v", status, body)
	}
	if status, body = n.api("DELETE", fmt.Sprintf("/api/v1/places/%d", empty), tk.staff, nil); status != 204 {
		t.Fatalf("delete: %d %v", status, body)
	}
	status, body = n.api("GET", fmt.Sprintf("/api/v1/places/%d", empty), tk.staff, nil)
	apiWantError(t, "read deleted", status, body, 404, "")
}

// apiNewPlace creates a root place through the API.
func (n *testNode) apiNewPlace(token, name string) int64 {
	n.t.Helper()
	status, body := n.api("POST", "/api/v1/places", token, map[string]any{"name": name})
	if status != 201 {
		n.t.Fatalf("create place %s: %d %v", name, status, body)
	}
	return int64(body["id"].(float64))
}

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"strings"
	"testing"
)

// TestAPIItemPhotos: a photo sent as multipart is scaled, stored with a
// thumbnail that /media serves as an image, and removed by its media id.
func TestAPIItemPhotos(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tk := newInventoryTokens(t, n)
	item := n.apiNewItem(tk.staff, map[string]any{"name": "Sewing machine", "audience": "public"})
	path := fmt.Sprintf("/api/v1/items/%d/photos", item)

	ct, body := apiMultipart(t, "file", "machine.png", testPNG(t, 2000, 1000))
	status, _, raw := n.apiSend("POST", path, tk.staff, ct, body)
	var photo map[string]any
	if status != 201 || json.Unmarshal(raw, &photo) != nil {
		t.Fatalf("upload: %d %s", status, raw)
	}
	if photo["width"] != 1600.0 || photo["height"] != 800.0 || !strings.HasPrefix(photo["url"].(string), n.url()+"/media/") ||
		!strings.HasPrefix(photo["thumb_url"].(string), n.url()+"/media/") || photo["media_id"] == photo["thumb_id"] {
		t.Fatalf("photo: %v", photo)
	}
	status, hdr, img := n.get(strings.TrimPrefix(photo["thumb_url"].(string), n.url()), "")
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "image/") || err != nil || cfg.Width != 320 || cfg.Height != 160 {
		t.Fatalf("thumbnail: %d %s %v %s %dx%d", status, hdr.Get("Content-Type"), err, format, cfg.Width, cfg.Height)
	}
	if _, body := n.api("GET", fmt.Sprintf("/api/v1/items/%d", item), tk.member, nil); len(body["photos"].([]any)) != 1 {
		t.Errorf("item photos: %v", body["photos"])
	}

	// Refused uploads: not multipart (415), no file field, not an image,
	// a member.
	status, _, raw = n.apiSend("POST", path, tk.staff, "image/png", testPNG(t, 10, 10))
	if status != 415 {
		t.Errorf("raw PNG body: %d %s, want 415", status, raw)
	}
	for _, tc := range []struct{ field, file string }{{"photo", "x.png"}, {"file", "notes.txt"}} {
		data := testPNG(t, 10, 10)
		if strings.HasSuffix(tc.file, ".txt") {
			data = []byte("this is not an image")
		}
		ct, body := apiMultipart(t, tc.field, tc.file, data)
		status, _, raw = n.apiSend("POST", path, tk.staff, ct, body)
		if status != 400 || !strings.Contains(string(raw), "file") {
			t.Errorf("upload %s as %s: %d %s, want 400 naming file", tc.file, tc.field, status, raw)
		}
	}
	ct, body = apiMultipart(t, "file", "m.png", testPNG(t, 10, 10))
	if status, _, raw = n.apiSend("POST", path, tk.member, ct, body); status != 403 {
		t.Errorf("member uploads: %d %s, want 403", status, raw)
	}

	del := fmt.Sprintf("%s/%s", path, id(photo["media_id"]))
	if status, body := n.api("DELETE", del, tk.member, nil); status != 403 {
		t.Errorf("member deletes a photo: %d %v", status, body)
	}
	if status, body := n.api("DELETE", del, tk.staff, nil); status != 204 {
		t.Fatalf("delete photo: %d %v", status, body)
	}
	if _, body := n.api("GET", fmt.Sprintf("/api/v1/items/%d", item), tk.staff, nil); body["photos"] != nil {
		t.Errorf("photos after delete: %v", body["photos"])
	}
	if status, body := n.api("DELETE", del, tk.staff, nil); status != 404 {
		t.Errorf("delete photo twice: %d %v", status, body)
	}
}

// TestAPIStock: movements change a part's quantity and record the
// balance; a quantity never goes negative (409, nothing changed); the
// low-stock list shows parts at or below their minimum.
func TestAPIStock(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	tk := newInventoryTokens(t, n)
	part := n.apiNewItem(tk.staff, map[string]any{"name": "Fuse 5 A", "kind": "part", "quantity": 5, "min_quantity": 2, "unit": "pcs"})
	tool := n.apiNewItem(tk.staff, map[string]any{"name": "Multimeter"})
	moves := fmt.Sprintf("/api/v1/items/%d/movements", part)

	for _, tc := range []struct {
		kind           string
		amount         int
		delta, balance float64
	}{{"out", 3, -3, 2}, {"in", 10, 10, 12}, {"repair", 2, -2, 10}, {"adjust", 4, -6, 4}} {
		status, body := n.api("POST", moves, tk.staff, map[string]any{"kind": tc.kind, "amount": tc.amount, "reason": "count " + tc.kind})
		if status != 201 || body["delta"] != tc.delta || body["balance"] != tc.balance || body["user_name"] != "Sam" {
			t.Fatalf("%s %d: %d %v, want delta %v balance %v", tc.kind, tc.amount, status, body, tc.delta, tc.balance)
		}
	}
	status, body := n.api("POST", moves, tk.staff, map[string]any{"kind": "out", "amount": 5, "reason": "too many"})
	apiWantError(t, "out beyond stock", status, body, 409, "not enough in stock")
	if _, body = n.api("GET", fmt.Sprintf("/api/v1/items/%d", part), tk.staff, nil); body["quantity"] != 4.0 {
		t.Errorf("quantity after a refused movement: %v, want 4", body["quantity"])
	}
	for _, tc := range []struct {
		body    string
		mention string
	}{
		{`{"kind": "steal", "amount": 1}`, "kind"},
		{`{"kind": "in", "amount": -1}`, "amount"},
		{`{"kind": "in"}`, "amount"},
		{`{"kind": "in", "amount": 1, "why": "x"}`, "why"},
		{`{"kind": "adjust", "amount": 3}`, "reason"},
	} {
		status, body = n.api("POST", moves, tk.staff, json.RawMessage(tc.body))
		apiWantError(t, "movement "+tc.body, status, body, 400, tc.mention)
	}
	status, body = n.api("POST", fmt.Sprintf("/api/v1/items/%d/movements", tool), tk.staff, map[string]any{"kind": "in", "amount": 1})
	apiWantError(t, "movement of a tool", status, body, 400, "")
	status, body = n.api("POST", moves, tk.member, map[string]any{"kind": "in", "amount": 1})
	apiWantError(t, "member moves stock", status, body, 403, "")

	// The initial quantity is the first movement, then the four above.
	status, body = n.api("GET", moves+"?limit=2", tk.staff, nil)
	if status != 200 || body["total"] != 5.0 || len(items(body)) != 2 || items(body)[0]["kind"] != "adjust" {
		t.Errorf("movements: %d %v", status, body)
	}
	if _, body = n.api("GET", moves+"?offset=4", tk.staff, nil); len(items(body)) != 1 || items(body)[0]["balance"] != 5.0 {
		t.Errorf("first movement: %v", body)
	}

	// 4 left with a minimum of 2 is fine; taking 2 more makes it low.
	if _, body = n.api("GET", "/api/v1/stock/low", tk.staff, nil); body["total"] != 0.0 {
		t.Errorf("low stock before: %v", body)
	}
	if status, body = n.api("POST", moves, tk.staff, map[string]any{"kind": "out", "amount": 2}); status != 201 {
		t.Fatalf("out 2: %d %v", status, body)
	}
	status, body = n.api("GET", "/api/v1/stock/low", tk.staff, nil)
	if status != 200 || body["total"] != 1.0 || items(body)[0]["name"] != "Fuse 5 A" {
		t.Errorf("low stock: %d %v", status, body)
	}
}

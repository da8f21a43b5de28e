package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Web tests of the stock pages: movements from the item page, refusals,
// the parts list, the movements page and the low-stock widget.

// quantityOf reads a part's quantity as the system.
func quantityOf(t *testing.T, n *testNode, id int64) int64 {
	t.Helper()
	i, err := n.m.DB.FindItemByID(systemCtx, id)
	if err != nil {
		t.Fatal(err)
	}
	return i.Quantity
}

func move(kind, amount, reason string) url.Values {
	return url.Values{"kind": {kind}, "amount": {amount}, "reason": {reason}}
}

func TestStockMovementsThroughTheWeb(t *testing.T) {
	n := startNode(t, newTestClock())
	fuse := createItem(t, n, &shrooms.Item{Name: "Fuse 5A", Kind: shrooms.KindPart, Quantity: 3, MinQuantity: 2, Audience: shrooms.AudienceMembers})
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	w := loginAs(t, n, "sam", memberPassword)
	path := "/items/" + strconv.FormatInt(fuse.ID, 10)

	// The item page carries the panel with its form.
	p := w.get(path)
	if p.Status != http.StatusOK || !p.Has(`id="stock-form"`) || !p.Has(`action="`+path+`/stock"`) || !p.Has(`id="stock-quantity">3<`) {
		t.Fatalf("item page has no stock panel: %d\n%s", p.Status, p.Body)
	}

	p = w.post(path+"/stock", move("in", "10", "Delivery"))
	if p.Status != http.StatusOK || p.Path != path || !p.Has("Movement recorded.") || quantityOf(t, n, fuse.ID) != 13 {
		t.Fatalf("in 10: %s %d, quantity %d", p.Path, p.Status, quantityOf(t, n, fuse.ID))
	}
	if !p.Has("Delivery") || !p.Has("+10") || !p.Has(`id="stock-quantity">13<`) {
		t.Errorf("the panel lists the movement:\n%s", p.Body)
	}
	if p = w.post(path+"/stock", move("repair", "12", "Toaster")); quantityOf(t, n, fuse.ID) != 1 {
		t.Fatalf("repair 12: %d, quantity %d", p.Status, quantityOf(t, n, fuse.ID))
	}
	if !p.Has(`id="stock-low"`) {
		t.Error("1 left with a minimum of 2: no low-stock badge")
	}

	// Going below 0 is refused: 409, the form as typed, nothing changed.
	p = w.post(path+"/stock", move("out", "5", "Workshop"))
	if p.Status != http.StatusConflict || !p.Has("Not enough in stock") || !p.Has(`value="5"`) || !p.Has(`value="Workshop"`) {
		t.Errorf("out 5 of 1: %d\n%s", p.Status, p.Body)
	}
	if q := quantityOf(t, n, fuse.ID); q != 1 {
		t.Errorf("quantity %d after a refused movement, want 1", q)
	}
	// Shapes: 422 and nothing changed.
	for _, f := range []url.Values{move("out", "two", ""), move("out", "0", ""), move("adjust", "4", ""), move("steal", "1", "")} {
		if p := w.post(path+"/stock", f); p.Status != http.StatusUnprocessableEntity || !p.Has(`role="alert"`) {
			t.Errorf("%v: %d, want 422", f, p.Status)
		}
	}
	p = w.post(path+"/stock", move("adjust", "7", "Counted"))
	if q := quantityOf(t, n, fuse.ID); q != 7 || p.Status != http.StatusOK {
		t.Errorf("count 7: %d, quantity %d", p.Status, q)
	}

	// Not a part: refused.
	drill := createItem(t, n, &shrooms.Item{Name: "Drill", Kind: shrooms.KindTool, Audience: shrooms.AudienceMembers})
	if p := w.post("/items/"+strconv.FormatInt(drill.ID, 10)+"/stock", move("in", "1", "")); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a tool's stock: %d, want 422", p.Status)
	}

	// The movements page lists all, newest first.
	p = w.get(path + "/movements")
	i, j := strings.Index(p.Body, "Counted"), strings.Index(p.Body, "Delivery")
	if p.Status != http.StatusOK || i < 0 || j < i || !p.Has("Toaster") {
		t.Errorf("movements page: %d\n%s", p.Status, p.Body)
	}

	// The parts list, low ones only on demand.
	createItem(t, n, &shrooms.Item{Name: "Capacitor", Kind: shrooms.KindPart, Quantity: 0, MinQuantity: 5, Audience: shrooms.AudienceMembers})
	all := w.get("/stock")
	if all.Status != http.StatusOK || !all.Has("Fuse 5A") || !all.Has("Capacitor") || all.Has(">Drill<") {
		t.Errorf("stock page: %d\n%s", all.Status, all.Body)
	}
	if low := w.get("/stock?low=1"); !low.Has("Capacitor") || low.Has("Fuse 5A") {
		t.Errorf("low stock page:\n%s", low.Body)
	}
}

func TestStockMemberCannotMove(t *testing.T) {
	n := startNode(t, newTestClock())
	fuse := createItem(t, n, &shrooms.Item{Name: "Fuse 5A", Kind: shrooms.KindPart, Quantity: 3, Audience: shrooms.AudienceMembers})
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	m := loginAs(t, n, "mia", memberPassword)
	path := "/items/" + strconv.FormatInt(fuse.ID, 10)

	p := m.get(path)
	if p.Status != http.StatusOK || p.Has(`id="stock-form"`) || !p.Has(`id="stock-quantity">3<`) {
		t.Errorf("member sees the quantity but no form: %d\n%s", p.Status, p.Body)
	}
	if p := m.post(path+"/stock", move("out", "1", "")); p.Status != http.StatusForbidden {
		t.Errorf("member moves stock: %d, want 403", p.Status)
	}
	if q := quantityOf(t, n, fuse.ID); q != 3 {
		t.Errorf("quantity %d after a member's movement, want 3", q)
	}
	if p := m.get("/stock"); p.Status != http.StatusForbidden {
		t.Errorf("member, stock page: %d, want 403", p.Status)
	}
	anon := newWebClient(t, n)
	if p := anon.post(path+"/stock", move("out", "1", "")); !strings.HasPrefix(p.Path, "/login") {
		t.Errorf("anonymous movement: %s %d", p.Path, p.Status)
	}
	if q := quantityOf(t, n, fuse.ID); q != 3 {
		t.Errorf("quantity %d after an anonymous movement, want 3", q)
	}
}

func TestStockLowOnDashboard(t *testing.T) {
	n := startNode(t, newTestClock())
	createItem(t, n, &shrooms.Item{Name: "Capacitor 10µF", Kind: shrooms.KindPart, Quantity: 1, MinQuantity: 5, Audience: shrooms.AudienceMembers})
	createItem(t, n, &shrooms.Item{Name: "Plenty of screws", Kind: shrooms.KindPart, Quantity: 500, MinQuantity: 5, Audience: shrooms.AudienceMembers})
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)

	d := loginAs(t, n, "sam", memberPassword).get("/dashboard")
	if !d.Has(`id="low-stock"`) || !d.Has("Capacitor 10µF") || d.Has("Plenty of screws") || !d.Has(`href="/stock?low=1"`) {
		t.Errorf("staff dashboard:\n%s", d.Body)
	}
	d = loginAs(t, n, "mia", memberPassword).get("/dashboard")
	if d.Status != http.StatusOK || d.Has("Capacitor 10µF") || d.Has(`id="low-stock"`) {
		t.Errorf("member dashboard shows low stock: %d", d.Status)
	}
}

package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// Web tests of the stock pages: movements through the item page's panel,
// the parts list, the low-stock widget, who may do what, the module off.

// quantityOf is a part's quantity as the store holds it.
func quantityOf(t *testing.T, n *testNode, id int64) int64 {
	t.Helper()
	i, err := n.m.DB.Items.FindItemByID(systemCtx, id)
	if err != nil {
		t.Fatal(err)
	}
	return i.Quantity
}

// move is the stock panel's form.
func move(kind, amount, reason string) url.Values {
	return url.Values{"kind": {kind}, "amount": {amount}, "reason": {reason}}
}

// TestStockWebMovements: a stock manager records movements in, out and a
// count from the item page; a movement below zero is refused with a
// message and changes nothing; non-parts and bad amounts are refused; the
// movements page lists them all, a page at a time.
func TestStockWebMovements(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)
	screws := createItem(t, n, &shrooms.Item{Kind: shrooms.KindPart, Name: "M4 screws", Quantity: 10, MinQuantity: 3, Unit: "pcs"})
	drill := createItem(t, n, &shrooms.Item{Name: "Drill"})
	itemPath := fmt.Sprintf("/items/%d", screws.ID)
	stockPath := itemPath + "/stock"

	p := staff.get(itemPath)
	if p.Status != http.StatusOK || !p.Has(`id="stock-form"`) || !p.Has(`<span id="stock-quantity">10</span> pcs`) ||
		!p.Has(`action="`+stockPath+`"`) || !p.Has(`name="csrf" value="`) || !p.Has("Used in a repair") ||
		!p.Has(`href="`+itemPath+`/movements"`) || p.Has(`id="stock-low"`) {
		t.Fatalf("part page for staff: %d\n%s", p.Status, p.Body)
	}
	// The form carries the CSRF token itself (the panel is not the view).
	if form := p.Body[strings.Index(p.Body, `id="stock-form"`):]; !strings.Contains(form[:strings.Index(form, "</form>")], `name="csrf" value="`+staff.csrf()+`"`) {
		t.Errorf("the stock form has no CSRF token")
	}

	steps := []struct {
		name                 string
		kind, amount, reason string
		want                 int64
	}{
		{"in", "in", "5", "Delivery", 15},
		{"out", "out", "4", "", 11},
		{"repair", "repair", "1", "Toaster", 10},
		{"count", "adjust", "2", "Counted on Sunday", 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			p := staff.post(stockPath, move(s.kind, s.amount, s.reason))
			if p.Status != http.StatusOK || p.Path != itemPath || !p.Has("Movement recorded.") {
				t.Fatalf("%d on %s\n%s", p.Status, p.Path, p.Body)
			}
			if q := quantityOf(t, n, screws.ID); q != s.want {
				t.Errorf("quantity %d, want %d", q, s.want)
			}
			if !p.Has(fmt.Sprintf(`<span id="stock-quantity">%d</span>`, s.want)) {
				t.Errorf("page does not show %d", s.want)
			}
		})
	}
	// 2 is below the minimum of 3: a badge with words, not only a colour.
	p = staff.get(itemPath)
	if !p.Has(`id="stock-low">Low stock<`) || !p.Has("Counted on Sunday") || !p.Has("Toaster") || !p.Has(`>-8</td>`) || !p.Has(`>+5</td>`) {
		t.Errorf("after the count:\n%s", p.Body)
	}

	// Refused: nothing changes, the form comes back with the values typed.
	refused := []struct {
		name    string
		path    string
		form    url.Values
		status  int
		message string
	}{
		{"below zero", stockPath, move("out", "5", "Repair café"), http.StatusConflict, "Not enough in stock: the quantity cannot go below 0."},
		{"count without reason", stockPath, move("adjust", "7", ""), http.StatusUnprocessableEntity, "Please say why the count changed."},
		{"not a number", stockPath, move("in", "lots", ""), http.StatusUnprocessableEntity, "The amount must be a whole number."},
		{"zero", stockPath, move("in", "0", ""), http.StatusUnprocessableEntity, "The amount must be more than 0."},
		{"unknown kind", stockPath, move("steal", "1", ""), http.StatusUnprocessableEntity, "Please choose a kind of movement."},
		{"not a part", fmt.Sprintf("/items/%d/stock", drill.ID), move("in", "1", ""), http.StatusUnprocessableEntity, "Only parts have a stock quantity."},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			p := staff.post(c.path, c.form)
			// A part's form comes back with the message as an alert; a
			// tool has no form: the error page says why.
			if p.Status != c.status || !p.Has(c.message) || c.path == stockPath && !p.Has(`role="alert"`) {
				t.Errorf("%d, want %d with %q\n%s", p.Status, c.status, c.message, p.Body)
			}
			if q := quantityOf(t, n, screws.ID); q != 2 {
				t.Errorf("quantity changed to %d", q)
			}
		})
	}
	p = staff.post(stockPath, move("out", "5", "Repair café"))
	if !p.Has(`value="5"`) || !p.Has(`value="Repair café"`) || !p.Has(`<option value="out" selected>`) {
		t.Errorf("refused form does not keep the values:\n%s", p.Body)
	}
	if p := staff.get(fmt.Sprintf("/items/%d", drill.ID)); p.Has(`id="stock-form"`) || p.Has(`id="stock-quantity"`) {
		t.Errorf("a tool shows a stock panel")
	}
	if p := staff.get(fmt.Sprintf("/items/%d/movements", drill.ID)); p.Status != http.StatusNotFound {
		t.Errorf("movements of a tool: %d, want 404", p.Status)
	}

	// The movements page: every movement, newest first, a page at a time.
	p = staff.get(itemPath + "/movements")
	if p.Status != http.StatusOK || !p.Has("Counted on Sunday") || !p.Has("Delivery") || !p.Has(">Count<") || !p.Has(">In<") || !p.Has(">Out<") {
		t.Fatalf("movements: %d\n%s", p.Status, p.Body)
	}
	if strings.Index(p.Body, "Counted on Sunday") > strings.Index(p.Body, "Delivery") {
		t.Errorf("movements are not newest first")
	}
	for k := 0; k < 50; k++ {
		if err := n.m.DB.Stock.MoveStock(systemCtx, &shrooms.StockMovement{ItemID: screws.ID, Kind: shrooms.MoveIn, Amount: 1, Reason: fmt.Sprint("batch ", k)}); err != nil {
			t.Fatal(err)
		}
	}
	p = staff.get(itemPath + "/movements")
	if !p.Has(`href="?page=2"`) || !p.Has("batch 49") || p.Has("Delivery") {
		t.Errorf("movements page 1 of 2:\n%s", p.Body)
	}
	p = staff.get(itemPath + "/movements?page=2")
	if p.Status != http.StatusOK || !p.Has("Delivery") || !p.Has(`href="?page=1"`) || p.Has("batch 49") {
		t.Errorf("movements page 2: %d\n%s", p.Status, p.Body)
	}
	if p := staff.get(itemPath + "/movements?page=0"); p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusBadRequest {
		t.Errorf("page 0: %d", p.Status)
	}
}

// TestStockWebMembers: members see a part's quantity but no form, and
// may neither move stock nor open the parts list.
func TestStockWebMembers(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	member := loginAs(t, n, "mia", memberPassword)
	fuses := createItem(t, n, &shrooms.Item{Kind: shrooms.KindPart, Name: "Fuses", Quantity: 4, MinQuantity: 1})
	itemPath := fmt.Sprintf("/items/%d", fuses.ID)

	p := member.get(itemPath)
	if p.Status != http.StatusOK || !p.Has(`<span id="stock-quantity">4</span>`) || p.Has(`id="stock-form"`) || p.Has(`action="`+itemPath+`/stock"`) {
		t.Errorf("member part page: %d\n%s", p.Status, p.Body)
	}
	if p := member.post(itemPath+"/stock", move("out", "1", "")); p.Status != http.StatusForbidden {
		t.Errorf("member moves stock: %d, want 403\n%s", p.Status, p.Body)
	}
	if q := quantityOf(t, n, fuses.ID); q != 4 {
		t.Errorf("member changed the quantity to %d", q)
	}
	if p := member.get("/stock"); p.Status != http.StatusForbidden {
		t.Errorf("member opens /stock: %d, want 403", p.Status)
	}
	anon := newWebClient(t, n)
	if p := anon.get("/stock"); !strings.HasPrefix(p.Path, "/login") {
		t.Errorf("anonymous /stock ended on %s", p.Path)
	}
}

// TestStockWebListAndDashboard: the parts list with its low-stock filter,
// and the low-stock widget for staff only, with its empty state.
func TestStockWebListAndDashboard(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	createUser(t, n, "mia", shrooms.RoleMember, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)
	member := loginAs(t, n, "mia", memberPassword)
	fuses := createItem(t, n, &shrooms.Item{Kind: shrooms.KindPart, Name: "Glass fuses", Quantity: 1, MinQuantity: 5})
	bolts := createItem(t, n, &shrooms.Item{Kind: shrooms.KindPart, Name: "Hex bolts", Quantity: 100, MinQuantity: 10, Unit: "g"})
	createItem(t, n, &shrooms.Item{Name: "Band saw"})

	p := staff.get("/stock")
	if p.Status != http.StatusOK || !p.Has("Glass fuses") || !p.Has("Hex bolts") || p.Has("Band saw") ||
		!p.Has("100 g") || !p.Has(fmt.Sprintf(`href="/items/%d/movements"`, bolts.ID)) || !p.Has(fmt.Sprintf(`href="/items/%d"`, fuses.ID)) {
		t.Errorf("/stock: %d\n%s", p.Status, p.Body)
	}
	p = staff.get("/stock?low=1")
	if p.Status != http.StatusOK || !p.Has("Glass fuses") || p.Has("Hex bolts") || !p.Has("Low stock") {
		t.Errorf("/stock?low=1: %d\n%s", p.Status, p.Body)
	}

	p = staff.get("/dashboard")
	if !p.Has(`id="low-stock"`) || !p.Has(fmt.Sprintf(`<a href="/items/%d">Glass fuses</a>`, fuses.ID)) || p.Has("Hex bolts") {
		t.Errorf("staff dashboard:\n%s", p.Body)
	}
	if p := member.get("/dashboard"); p.Has(`id="low-stock"`) || p.Has("Glass fuses") {
		t.Errorf("member dashboard shows low stock:\n%s", p.Body)
	}

	// Restocked: nothing is low any more.
	if p := staff.post(fmt.Sprintf("/items/%d/stock", fuses.ID), move("in", "20", "")); p.Status != http.StatusOK {
		t.Fatalf("restock: %d", p.Status)
	}
	if p := staff.get("/dashboard"); p.Has(`id="low-stock"`) || !p.Has("No part is running low.") {
		t.Errorf("dashboard after restock:\n%s", p.Body)
	}
	if p := staff.get("/stock?low=1"); p.Has("Glass fuses") || !p.Has("No part is at or below its minimum.") {
		t.Errorf("/stock?low=1 after restock:\n%s", p.Body)
	}
}

// TestStockWebModuleOff: with the stock module off the stock pages are
// gone and a part's page has no panel.
func TestStockWebModuleOff(t *testing.T) {
	t.Parallel()
	n := startNode(t, newTestClock())
	createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	staff := loginAs(t, n, "sam", memberPassword)
	fuses := createItem(t, n, &shrooms.Item{Kind: shrooms.KindPart, Name: "Fuses", Quantity: 4})
	itemPath := fmt.Sprintf("/items/%d", fuses.ID)
	if p := staff.get(itemPath); !p.Has(`id="stock-form"`) {
		t.Fatalf("module on: no stock form\n%s", p.Body)
	}

	s, err := n.m.DB.Settings.FindSettings(systemCtx)
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, m := range s.Modules {
		if m != "stock" {
			mods = append(mods, m)
		}
	}
	s.Modules = mods
	if err := n.m.DB.Settings.UpdateSettings(systemCtx, s); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/stock", "/stock?low=1", itemPath + "/movements"} {
		if p := staff.get(path); p.Status != http.StatusNotFound {
			t.Errorf("module off: %s answers %d, want 404", path, p.Status)
		}
	}
	if p := staff.post(itemPath+"/stock", move("in", "1", "")); p.Status != http.StatusNotFound {
		t.Errorf("module off: POST stock answers %d, want 404", p.Status)
	}
	if q := quantityOf(t, n, fuses.ID); q != 4 {
		t.Errorf("quantity %d", q)
	}
	p := staff.get(itemPath)
	if p.Status != http.StatusOK || p.Has(`id="stock-form"`) || p.Has(`id="stock-quantity"`) || p.Has("/movements") {
		t.Errorf("module off: the part page shows the panel:\n%s", p.Body)
	}
	if p := staff.get("/dashboard"); p.Has(`id="low-stock"`) || p.Has("No part is running low.") {
		t.Errorf("module off: the dashboard shows the widget")
	}
}

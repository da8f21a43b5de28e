package store_test

import (
	"context"
	"sync"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func newPart(t *testing.T, p *people, name string, qty, min int64, audience shrooms.Audience) *shrooms.Item {
	t.Helper()
	it := &shrooms.Item{Name: name, Kind: shrooms.KindPart, Quantity: qty, MinQuantity: min, Audience: audience}
	if err := p.db.Items.CreateItem(as(p.staff), it); err != nil {
		t.Fatal(err)
	}
	return it
}

func TestMoveStock(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	staff := as(p.staff)
	fuse := newPart(t, p, "Fuse 5A", 10, 4, shrooms.AudienceMembers)
	for _, step := range []struct {
		kind    shrooms.MovementKind
		amount  int64
		balance int64
	}{
		{shrooms.MoveIn, 5, 15},
		{shrooms.MoveOut, 3, 12},
		{shrooms.MoveRepair, 2, 10},
		{shrooms.MoveAdjust, 7, 7},
	} {
		m := &shrooms.StockMovement{ItemID: fuse.ID, Kind: step.kind, Amount: step.amount, Reason: "count"}
		if err := p.db.Stock.MoveStock(staff, m); err != nil {
			t.Fatalf("%s %d: %v", step.kind, step.amount, err)
		}
		if m.Balance != step.balance || m.UserID != p.staff.ID || m.ID == 0 {
			t.Fatalf("%s %d: %+v", step.kind, step.amount, m)
		}
	}
	// Taking more than there is changes nothing: no quantity, no
	// movement, no history, no version.
	prev, _ := p.db.Items.FindItemByID(staff, fuse.ID)
	wantCode(t, p.db.Stock.MoveStock(staff, &shrooms.StockMovement{ItemID: fuse.ID, Kind: shrooms.MoveOut, Amount: 8}), shrooms.ECONFLICT, "not enough in stock")
	wantCode(t, p.db.Stock.MoveStock(staff, &shrooms.StockMovement{ItemID: fuse.ID, Kind: shrooms.MoveRepair, Amount: 8}), shrooms.ECONFLICT, "not enough in stock")
	got, _ := p.db.Items.FindItemByID(staff, fuse.ID)
	if got.Quantity != 7 || got.Version != prev.Version {
		t.Fatalf("quantity %d version %d after a refused movement", got.Quantity, got.Version)
	}
	if n := count(t, p.db, `SELECT count(*) FROM stock_movements WHERE item_id = ?`, fuse.ID); n != 5 {
		t.Fatalf("%d movements after a refused one", n)
	}
	if n := count(t, p.db, `SELECT count(*) FROM item_changes WHERE item_id = ? AND action = 'stock'`, fuse.ID); n != 4 {
		t.Fatalf("%d stock history rows, want 4", n)
	}
	moves, total, err := p.db.Stock.FindMovements(as(p.member), fuse.ID, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The initial quantity is the first movement.
	if total != 5 || len(moves) != 2 || moves[0].Kind != shrooms.MoveAdjust || moves[0].Delta != -3 {
		t.Fatalf("total %d, newest %+v", total, moves[0])
	}
	hist, _, err := p.db.Items.FindItemHistory(staff, fuse.ID, 0, 1)
	if err != nil || len(hist) != 1 || hist[0].Action != shrooms.ActionStock || !hist[0].Fields[0].To.Equal(shrooms.ChangeValue{Number: ptr(int64(7)), Text: "pcs"}) {
		t.Fatalf("history %+v %v", hist, err)
	}

	drill := &shrooms.Item{Name: "Drill"}
	if err := p.db.Items.CreateItem(staff, drill); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.db.Stock.MoveStock(staff, &shrooms.StockMovement{ItemID: drill.ID, Kind: shrooms.MoveIn, Amount: 1}), shrooms.EINVALID, "only parts have a stock quantity")
	wantCode(t, p.db.Stock.MoveStock(as(p.member), &shrooms.StockMovement{ItemID: fuse.ID, Kind: shrooms.MoveIn, Amount: 1}), shrooms.EFORBIDDEN, "")
	wantCode(t, p.db.Stock.MoveStock(staff, &shrooms.StockMovement{ItemID: 999, Kind: shrooms.MoveIn, Amount: 1}), shrooms.ENOTFOUND, "")
	wantCode(t, p.db.Stock.MoveStock(staff, &shrooms.StockMovement{ItemID: fuse.ID, Kind: shrooms.MoveAdjust, Amount: 3}), shrooms.EINVALID, "reason: say why the count changed")
}

// TestStockNeverNegative takes one from a quantity of ten twenty times at
// once: exactly ten succeed, whatever the interleaving.
func TestStockNeverNegative(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	part := newPart(t, p, "Capacitor", 10, 0, shrooms.AudienceMembers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	start := make(chan struct{})
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := p.db.Stock.MoveStock(as(p.staff), &shrooms.StockMovement{ItemID: part.ID, Kind: shrooms.MoveOut, Amount: 1})
			mu.Lock()
			defer mu.Unlock()
			switch shrooms.ErrorCode(err) {
			case "":
				ok++
			case shrooms.ECONFLICT:
				conflicts++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	got, _ := p.db.Items.FindItemByID(as(p.staff), part.ID)
	_, total, _ := p.db.Stock.FindMovements(as(p.staff), part.ID, 0, 1)
	outs := count(t, p.db, `SELECT count(*) FROM stock_movements WHERE item_id = ? AND kind = 'out' AND delta = -1`, part.ID)
	if ok != 10 || conflicts != 10 || got.Quantity != 0 || total != 11 || outs != 10 {
		t.Fatalf("%d moved, %d refused, quantity %d, %d movements (%d out)", ok, conflicts, got.Quantity, total, outs)
	}
	// Each balance was seen once, from 9 down to 0.
	if n := count(t, p.db, `SELECT count(DISTINCT balance) FROM stock_movements WHERE item_id = ? AND kind = 'out'`, part.ID); n != 10 {
		t.Fatalf("%d distinct balances", n)
	}
}

// TestStockRights: the stock module off hides everything; a member may
// read the movements of parts they may read, but not move stock nor see
// the low-stock list; a staff-only part is not found for them.
func TestStockRights(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	part := newPart(t, p, "Relay", 3, 5, shrooms.AudienceMembers)
	secret := newPart(t, p, "Key blank", 2, 0, shrooms.AudienceStaff)
	move := func(ctx context.Context, id int64) error {
		return p.db.Stock.MoveStock(ctx, &shrooms.StockMovement{ItemID: id, Kind: shrooms.MoveOut, Amount: 1})
	}
	wantCode(t, move(anon, part.ID), shrooms.EUNAUTHORIZED, "")
	wantCode(t, move(as(p.member), part.ID), shrooms.EFORBIDDEN, "")
	_, _, err := p.db.Stock.FindMovements(as(p.member), secret.ID, 0, 10)
	wantCode(t, err, shrooms.ENOTFOUND, "")
	_, _, err = p.db.Stock.FindMovements(anon, part.ID, 0, 10)
	wantCode(t, err, shrooms.EUNAUTHORIZED, "")

	setModules(t, p.db, "people", "inventory", "locations")
	wantCode(t, move(as(p.staff), part.ID), shrooms.ENOTFOUND, "module stock is off")
	_, _, err = p.db.Stock.FindMovements(as(p.staff), part.ID, 0, 10)
	wantCode(t, err, shrooms.ENOTFOUND, "module stock is off")
	_, err = p.db.Stock.FindLowStock(as(p.staff), 10)
	wantCode(t, err, shrooms.ENOTFOUND, "module stock is off")
	if got, _ := p.db.Items.FindItemByID(as(p.staff), part.ID); got.Quantity != 3 {
		t.Fatalf("quantity %d with the module off", got.Quantity)
	}
}

func TestLowStockAndFederation(t *testing.T) {
	t.Parallel()
	p := newPeople(t)
	a := newPart(t, p, "Belt", 1, 3, shrooms.AudiencePublic)
	newPart(t, p, "Bulb", 0, 2, shrooms.AudienceMembers)
	newPart(t, p, "Screw", 50, 10, shrooms.AudienceMembers)
	low, err := p.db.Stock.FindLowStock(as(p.staff), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(low) != 2 || low[0].Name != "Bulb" || low[1].Name != "Belt" {
		t.Fatalf("low stock, emptiest first: %v", names(low))
	}
	_, err = p.db.Stock.FindLowStock(as(p.member), 10)
	wantCode(t, err, shrooms.EFORBIDDEN, "")

	before := len(outboxOf(t, p))
	if err := p.db.Stock.MoveStock(as(p.staff), &shrooms.StockMovement{ItemID: a.ID, Kind: shrooms.MoveIn, Amount: 9}); err != nil {
		t.Fatal(err)
	}
	acts := outboxOf(t, p)
	if len(acts) != before+1 {
		t.Fatalf("a public part's movement must federate an Update: %d → %d entries", before, len(acts))
	}
	last := acts[len(acts)-1]
	if last.Type != shrooms.ActivityUpdate || last.Item == nil || last.Item.Quantity != 10 {
		t.Fatalf("last activity %+v", last)
	}
	if low, _ := p.db.Stock.FindLowStock(as(p.staff), 10); len(low) != 1 {
		t.Fatalf("restocked part still low: %v", names(low))
	}
}

func names(items []*shrooms.Item) []string {
	var out []string
	for _, i := range items {
		out = append(out, i.Name)
	}
	return out
}

func outboxOf(t *testing.T, p *people) []*shrooms.Activity {
	t.Helper()
	entries, _, err := p.db.Outbox.FindOutboxEntries(sys, shrooms.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []*shrooms.Activity
	for i := len(entries) - 1; i >= 0; i-- {
		out = append(out, &entries[i].Activity)
	}
	return out
}

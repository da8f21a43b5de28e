package store_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestItemHistory(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	// Lending off: the status is then set by hand (with lending on, the
	// desk's loans set it; TestLendingStatusByDesk).
	setModules(t, v.db, "people", "inventory", "stock", "locations")
	it := v.item(t, &shrooms.Item{Name: "Drill", CategoryID: v.drills, PlaceID: v.workshop, ValueCents: 1250,
		Loanable: true, Loan: shrooms.LoanRules{MaxDays: 7, Members: true}, Fields: map[string]string{"watts": "500"}})
	v.clock.Add(60e9)
	_, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{
		PlaceID: ptr(v.shelf), ValueCents: ptr(int64(2000)), OwnerID: ptr(v.owner.ID), GroupID: ptr(v.group.ID),
		Loan:   &shrooms.LoanRules{MaxDays: 14, DepositCents: 2000, Members: true, Partners: true},
		Fields: map[string]string{"watts": "650", "chuck": "10mm"}, Note: "new chuck fitted"})
	if err != nil {
		t.Fatal(err)
	}
	v.clock.Add(60e9)
	if _, err := v.db.Items.UpdateItem(as(v.staff), it.ID, shrooms.ItemUpdate{Status: ptr(shrooms.StatusOnLoan), Note: "to Mia"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.db.Items.UpdateItem(as(v.owner), it.ID, shrooms.ItemUpdate{Status: ptr(shrooms.StatusAvailable)}); err != nil {
		t.Fatal(err)
	}
	changes, total, err := v.db.Items.FindItemHistory(as(v.member), it.ID, 0, 0)
	if err != nil || total != 4 || len(changes) != 4 {
		t.Fatalf("history %d/%d, %v", len(changes), total, err)
	}
	in, out, upd, created := changes[0], changes[1], changes[2], changes[3]
	if created.Action != shrooms.ActionCreated || created.UserName != "sam Name" || created.UserID != v.staff.ID ||
		!created.At.Equal(t0) {
		t.Fatalf("created %+v", created)
	}
	if out.Action != shrooms.ActionCheckedOut || out.Note != "to Mia" ||
		len(out.Fields) != 1 || !sameChange(out.Fields[0], shrooms.FieldChange{Field: "status", From: text("available"), To: text("on_loan")}) {
		t.Fatalf("check-out %+v", out)
	}
	if in.Action != shrooms.ActionCheckedIn || in.UserName != "olga Name" {
		t.Fatalf("check-in %+v", in)
	}
	if upd.Action != shrooms.ActionUpdated || upd.Note != "new chuck fitted" {
		t.Fatalf("update %+v", upd)
	}
	// Stored as keys, IDs and raw values; the member reads the names.
	want := []shrooms.FieldChange{
		{Field: "value", From: shrooms.NumberValue(1250), To: shrooms.NumberValue(2000)},
		{Field: "loan", From: shrooms.LoanValue(shrooms.LoanRules{MaxDays: 7, Members: true}),
			To: shrooms.LoanValue(shrooms.LoanRules{MaxDays: 14, DepositCents: 2000, Members: true, Partners: true})},
		{Field: "owner", To: ref(v.owner.ID, "olga Name")},
		{Field: "group", To: ref(v.group.ID, "Woodwork")},
		{Field: "place", From: ref(v.workshop, "Workshop"), To: ref(v.shelf, "Workshop › Shelf A")},
		{Field: "custom", Key: "watts", Label: "Power (W)", From: text("500"), To: text("650")},
		{Field: "custom", Key: "chuck", Label: "Chuck", To: text("10mm")},
	}
	if len(upd.Fields) != len(want) {
		t.Fatalf("fields %+v, want %+v", upd.Fields, want)
	}
	for k := range want {
		if !sameChange(upd.Fields[k], want[k]) {
			t.Fatalf("field %d = %+v, want %+v", k, upd.Fields[k], want[k])
		}
	}
	page, total, err := v.db.Items.FindItemHistory(as(v.member), it.ID, 1, 2)
	if err != nil || total != 4 || len(page) != 2 || page[0].ID != out.ID {
		t.Fatalf("history page %+v %d %v", page, total, err)
	}
	staffOnly := v.item(t, &shrooms.Item{Name: "Safe", Audience: shrooms.AudienceStaff})
	_, _, err = v.db.Items.FindItemHistory(as(v.member), staffOnly.ID, 0, 0)
	wantCode(t, err, shrooms.ENOTFOUND, "")
}

// text, ref and sameChange spell and compare history values.
func text(s string) shrooms.ChangeValue { return shrooms.TextValue(s) }

func ref(id int64, name string) shrooms.ChangeValue { return shrooms.ChangeValue{ID: id, Name: name} }

func sameChange(a, b shrooms.FieldChange) bool {
	return a.Field == b.Field && a.Key == b.Key && a.Label == b.Label && a.From.Equal(b.From) && a.To.Equal(b.To)
}

func TestItemComments(t *testing.T) {
	t.Parallel()
	v := newInv(t)
	it := v.item(t, &shrooms.Item{Name: "Drill", Audience: shrooms.AudiencePublic})
	safe := v.item(t, &shrooms.Item{Name: "Safe", Audience: shrooms.AudienceStaff})
	c1 := &shrooms.Comment{ItemID: it.ID, Body: "  Works well  "}
	if err := v.db.Items.CreateComment(as(v.member), c1); err != nil {
		t.Fatal(err)
	}
	if c1.ID == 0 || c1.AuthorID != v.member.ID || c1.AuthorName != "mia Name" || c1.Body != "Works well" {
		t.Fatalf("comment %+v", c1)
	}
	v.clock.Add(1e9)
	c2 := &shrooms.Comment{ItemID: it.ID, Body: "Battery is weak"}
	if err := v.db.Items.CreateComment(as(v.owner), c2); err != nil {
		t.Fatal(err)
	}
	wantCode(t, v.db.Items.CreateComment(anon, &shrooms.Comment{ItemID: it.ID, Body: "hi"}), shrooms.EUNAUTHORIZED, "")
	wantCode(t, v.db.Items.CreateComment(as(v.member), &shrooms.Comment{ItemID: safe.ID, Body: "hi"}), shrooms.ENOTFOUND, "")
	wantCode(t, v.db.Items.CreateComment(as(v.member), &shrooms.Comment{ItemID: it.ID, Body: " "}), shrooms.EINVALID, "")
	list, err := v.db.Items.FindComments(anon, it.ID)
	if err != nil || len(list) != 2 || list[0].ID != c1.ID || list[1].ID != c2.ID {
		t.Fatalf("comments %+v, %v", list, err)
	}
	// Another member may not delete Mia's comment; Mia and staff may.
	wantCode(t, v.db.Items.DeleteComment(as(v.owner), c1.ID), shrooms.EFORBIDDEN, "")
	wantCode(t, v.db.Items.DeleteComment(anon, c1.ID), shrooms.EUNAUTHORIZED, "")
	if err := v.db.Items.DeleteComment(as(v.member), c1.ID); err != nil {
		t.Fatal(err)
	}
	if err := v.db.Items.DeleteComment(as(v.staff), c2.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, v.db.Items.DeleteComment(as(v.staff), c2.ID), shrooms.ENOTFOUND, "")
	if list, _ := v.db.Items.FindComments(as(v.member), it.ID); len(list) != 0 {
		t.Fatalf("comments left %+v", list)
	}
}

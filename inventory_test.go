package shrooms_test

import (
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestItemValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		item  shrooms.Item
		field string // "" for valid
	}{
		{"minimal", shrooms.Item{Name: " Drill "}, ""},
		{"no name", shrooms.Item{Name: "  "}, "name"},
		{"long name", shrooms.Item{Name: strings.Repeat("é", shrooms.MaxItemName+1)}, "name"},
		{"bad kind", shrooms.Item{Name: "x", Kind: "spoon"}, "kind"},
		{"bad status", shrooms.Item{Name: "x", Status: "lost"}, "status"},
		{"bad condition", shrooms.Item{Name: "x", Condition: "meh"}, "condition"},
		{"bad audience", shrooms.Item{Name: "x", Audience: "friends"}, "audience"},
		{"negative value", shrooms.Item{Name: "x", ValueCents: -1}, "value"},
		{"negative deposit", shrooms.Item{Name: "x", Loan: shrooms.LoanRules{DepositCents: -5}}, "deposit"},
		{"long loan", shrooms.Item{Name: "x", Loan: shrooms.LoanRules{MaxDays: 5000}}, "max_days"},
		{"negative renewals", shrooms.Item{Name: "x", Loan: shrooms.LoanRules{Renewals: ptr(-1)}}, "renewals"},
		{"too many renewals", shrooms.Item{Name: "x", Loan: shrooms.LoanRules{Renewals: ptr(shrooms.MaxRenewals + 1)}}, "renewals"},
		{"no renewal", shrooms.Item{Name: "x", Loan: shrooms.LoanRules{Renewals: ptr(0)}}, ""},
		{"most renewals", shrooms.Item{Name: "x", Loan: shrooms.LoanRules{Renewals: ptr(shrooms.MaxRenewals)}}, ""},
		{"tool with stock", shrooms.Item{Name: "x", Quantity: 3}, "quantity"},
		{"negative stock", shrooms.Item{Name: "x", Kind: shrooms.KindPart, Quantity: -1}, "quantity"},
		{"negative minimum", shrooms.Item{Name: "x", Kind: shrooms.KindPart, MinQuantity: -1}, "min_quantity"},
		{"kit in kit", shrooms.Item{Name: "x", Kind: shrooms.KindKit, KitID: 4}, "kit"},
		{"part", shrooms.Item{Name: "Fuse", Kind: shrooms.KindPart, Quantity: 12, MinQuantity: 5}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.item
			err := it.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid item refused: %v", err)
				}
				return
			}
			if shrooms.ErrorCode(err) != shrooms.EINVALID || !strings.HasPrefix(shrooms.ErrorMessage(err), tc.field+":") {
				t.Fatalf("got %v, want EINVALID naming %s", err, tc.field)
			}
		})
	}
	it := shrooms.Item{Name: " Fuse ", Kind: shrooms.KindPart}
	if err := it.Validate(); err != nil {
		t.Fatal(err)
	}
	if it.Name != "Fuse" || it.Unit != "pcs" || it.Status != shrooms.StatusAvailable || it.Audience != shrooms.AudienceMembers || it.Condition != shrooms.ConditionGood {
		t.Fatalf("defaults not applied: %+v", it)
	}
}

func TestModeForAudience(t *testing.T) {
	for a, want := range map[shrooms.Audience]string{
		shrooms.AudiencePublic:   "rwrwr-r-r-",
		shrooms.AudiencePartners: "rwrwr-r---",
		shrooms.AudienceMembers:  "rwrwr-----",
		shrooms.AudienceStaff:    "rwrw------",
	} {
		if got := shrooms.ModeFor(a).String(); got != want {
			t.Errorf("%s: %s, want %s", a, got, want)
		}
	}
}

func TestLowStock(t *testing.T) {
	for _, tc := range []struct {
		kind     shrooms.ItemKind
		qty, min int64
		want     bool
	}{
		{shrooms.KindPart, 2, 5, true},
		{shrooms.KindPart, 5, 5, true},
		{shrooms.KindPart, 6, 5, false},
		{shrooms.KindPart, 0, 0, false}, // no minimum: never an alert
		{shrooms.KindTool, 0, 5, false},
	} {
		it := shrooms.Item{Kind: tc.kind, Quantity: tc.qty, MinQuantity: tc.min}
		if it.LowStock() != tc.want {
			t.Errorf("%s %d/%d: low=%v", tc.kind, tc.qty, tc.min, !tc.want)
		}
	}
}

func TestNormalizeFields(t *testing.T) {
	defs := []shrooms.CustomField{
		{Key: "watts", Label: "Power", Type: shrooms.FieldNumber, Required: true},
		{Key: "bought", Label: "Bought on", Type: shrooms.FieldDate},
		{Key: "voltage", Label: "Voltage", Type: shrooms.FieldChoice, Choices: []string{"110 V", "230 V"}},
		{Key: "cordless", Label: "Cordless", Type: shrooms.FieldBool},
		{Key: "notes", Label: "Notes", Type: shrooms.FieldText},
	}
	got, err := shrooms.NormalizeFields(defs, map[string]string{
		"watts": " 1,5 ", "bought": "2026-03-01", "voltage": "230 v", "cordless": "Oui", "notes": "",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"watts": "1.5", "bought": "2026-03-01", "voltage": "230 V", "cordless": "true"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	for name, values := range map[string]map[string]string{
		"watts":    {"watts": "lots"},
		"bought":   {"watts": "1", "bought": "01/03/2026"},
		"voltage":  {"watts": "1", "voltage": "400 V"},
		"cordless": {"watts": "1", "cordless": "maybe"},
		"colour":   {"watts": "1", "colour": "red"},
	} {
		if _, err := shrooms.NormalizeFields(defs, values); shrooms.ErrorCode(err) != shrooms.EINVALID || !strings.HasPrefix(shrooms.ErrorMessage(err), name+":") {
			t.Errorf("%s: got %v", name, err)
		}
	}
	if _, err := shrooms.NormalizeFields(defs, nil); shrooms.ErrorCode(err) != shrooms.EINVALID {
		t.Errorf("missing required field accepted: %v", err)
	}
}

func TestCustomFieldValidate(t *testing.T) {
	ok := shrooms.CustomField{Key: "voltage", Label: "Voltage", Type: shrooms.FieldChoice, Choices: []string{" 230 V", "", "230 V", "110 V"}}
	if err := ok.Validate(); err != nil || len(ok.Choices) != 2 {
		t.Fatalf("%v %v", err, ok.Choices)
	}
	for _, f := range []shrooms.CustomField{
		{Key: "Voltage", Label: "x", Type: shrooms.FieldText},
		{Key: "1x", Label: "x", Type: shrooms.FieldText},
		{Key: "x", Label: "", Type: shrooms.FieldText},
		{Key: "x", Label: "x", Type: "colour"},
		{Key: "x", Label: "x", Type: shrooms.FieldChoice},
	} {
		if err := f.Validate(); shrooms.ErrorCode(err) != shrooms.EINVALID {
			t.Errorf("%+v accepted", f)
		}
	}
}

func TestPlaceValidate(t *testing.T) {
	p := shrooms.Place{Name: " Shed ", HasPoint: true, Latitude: 48.85, Longitude: 2.35}
	if err := p.Validate(); err != nil || p.Name != "Shed" || p.Kind != shrooms.PlaceOther {
		t.Fatalf("%v %+v", err, p)
	}
	for name, bad := range map[string]shrooms.Place{
		"name":      {Name: ""},
		"kind":      {Name: "x", Kind: "cave"},
		"latitude":  {Name: "x", HasPoint: true, Latitude: 91},
		"longitude": {Name: "x", HasPoint: true, Longitude: -181},
	} {
		if err := bad.Validate(); shrooms.ErrorCode(err) != shrooms.EINVALID || !strings.HasPrefix(shrooms.ErrorMessage(err), name+":") {
			t.Errorf("%s: %v", name, err)
		}
	}
	noPoint := shrooms.Place{Name: "x", Latitude: 91}
	if err := noPoint.Validate(); err != nil || noPoint.Latitude != 0 {
		t.Fatalf("coordinates without a point must be dropped: %v %+v", err, noPoint)
	}
}

func TestStockMovementValidate(t *testing.T) {
	for _, tc := range []struct {
		m  shrooms.StockMovement
		ok bool
	}{
		{shrooms.StockMovement{Kind: shrooms.MoveIn, Amount: 3}, true},
		{shrooms.StockMovement{Kind: shrooms.MoveOut, Amount: 0}, false},
		{shrooms.StockMovement{Kind: shrooms.MoveRepair, Amount: -2}, false},
		{shrooms.StockMovement{Kind: shrooms.MoveAdjust, Amount: 0, Reason: "counted"}, true},
		{shrooms.StockMovement{Kind: shrooms.MoveAdjust, Amount: 4}, false}, // needs a reason
		{shrooms.StockMovement{Kind: "lost", Amount: 1}, false},
	} {
		m := tc.m
		if err := m.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.m, err)
		}
	}
}

func TestLoanRulesEqual(t *testing.T) {
	t.Parallel()
	a := shrooms.LoanRules{MaxDays: 7, Members: true, Renewals: ptr(1)}
	b := a
	b.Renewals = ptr(1)
	if !a.Equal(b) || !shrooms.LoanValue(a).Equal(shrooms.LoanValue(b)) {
		t.Error("the same limit in two pointers differs")
	}
	for _, c := range []shrooms.LoanRules{{MaxDays: 7, Members: true}, {MaxDays: 7, Members: true, Renewals: ptr(0)},
		{MaxDays: 8, Members: true, Renewals: ptr(1)}} {
		if a.Equal(c) || c.Equal(a) || shrooms.LoanValue(a).Equal(shrooms.LoanValue(c)) {
			t.Errorf("%+v equals %+v", c, a)
		}
	}
}

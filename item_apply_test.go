package shrooms_test

import (
	"maps"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func ptr[T any](v T) *T { return &v }

// TestItemApply: an update changes only what it sets, clears the stock
// fields of an item that is no longer a part, names check-outs and
// check-ins, refuses what Validate refuses, and leaves the item it was
// applied to as it was.
func TestItemApply(t *testing.T) {
	tool := shrooms.Item{ID: 1, Version: 3, Name: "Drill", Kind: shrooms.KindTool, Status: shrooms.StatusAvailable,
		Condition: shrooms.ConditionGood, Audience: shrooms.AudienceMembers, ValueCents: 5000,
		Fields: map[string]string{"watts": "500"}}
	part := shrooms.Item{ID: 2, Name: "Fuse", Kind: shrooms.KindPart, Status: shrooms.StatusAvailable,
		Condition: shrooms.ConditionGood, Audience: shrooms.AudienceMembers, Unit: "box", MinQuantity: 5}
	onLoan := tool
	onLoan.Status = shrooms.StatusOnLoan
	for _, tc := range []struct {
		name   string
		before shrooms.Item
		u      shrooms.ItemUpdate
		check  func(*shrooms.Item) bool
		action shrooms.ChangeAction
		field  string // the field an EINVALID names, "" when accepted
	}{
		{"nothing set", tool, shrooms.ItemUpdate{},
			func(i *shrooms.Item) bool {
				return i.Name == "Drill" && i.ValueCents == 5000 && i.Fields["watts"] == "500"
			},
			shrooms.ActionUpdated, ""},
		{"name trimmed, rest kept", tool, shrooms.ItemUpdate{Name: ptr(" Hammer drill ")},
			func(i *shrooms.Item) bool { return i.Name == "Hammer drill" && i.ValueCents == 5000 && i.Version == 3 },
			shrooms.ActionUpdated, ""},
		{"fields replaced", tool, shrooms.ItemUpdate{Fields: map[string]string{"volts": "18"}},
			func(i *shrooms.Item) bool { return maps.Equal(i.Fields, map[string]string{"volts": "18"}) },
			shrooms.ActionUpdated, ""},
		{"references and money", tool, shrooms.ItemUpdate{PlaceID: ptr(int64(7)), ValueCents: ptr(int64(0)), OwnerID: ptr(int64(9))},
			func(i *shrooms.Item) bool { return i.PlaceID == 7 && i.ValueCents == 0 && i.OwnerID == 9 },
			shrooms.ActionUpdated, ""},
		{"empty part becomes a tool", part, shrooms.ItemUpdate{Kind: ptr(shrooms.KindTool)},
			func(i *shrooms.Item) bool { return i.Kind == shrooms.KindTool && i.Unit == "" && i.MinQuantity == 0 },
			shrooms.ActionUpdated, ""},
		{"a tool's stock fields are dropped", tool, shrooms.ItemUpdate{Unit: ptr("box"), MinQuantity: ptr(int64(3))},
			func(i *shrooms.Item) bool { return i.Unit == "" && i.MinQuantity == 0 },
			shrooms.ActionUpdated, ""},
		{"a part keeps its stock fields", part, shrooms.ItemUpdate{Unit: ptr("bag"), MinQuantity: ptr(int64(2))},
			func(i *shrooms.Item) bool { return i.Unit == "bag" && i.MinQuantity == 2 },
			shrooms.ActionUpdated, ""},
		{"part with stock cannot become a tool", withQuantity(part, 4), shrooms.ItemUpdate{Kind: ptr(shrooms.KindTool)},
			nil, "", "quantity"},
		{"quantity is not changed here", withQuantity(part, 4), shrooms.ItemUpdate{Name: ptr("Fuses")},
			func(i *shrooms.Item) bool { return i.Quantity == 4 && i.Unit == "box" },
			shrooms.ActionUpdated, ""},
		{"check-out", tool, shrooms.ItemUpdate{Status: ptr(shrooms.StatusOnLoan)},
			func(i *shrooms.Item) bool { return i.Status == shrooms.StatusOnLoan }, shrooms.ActionCheckedOut, ""},
		{"check-in", onLoan, shrooms.ItemUpdate{Status: ptr(shrooms.StatusAvailable)},
			func(i *shrooms.Item) bool { return i.Status == shrooms.StatusAvailable }, shrooms.ActionCheckedIn, ""},
		{"on loan to repair is no check-in", onLoan, shrooms.ItemUpdate{Status: ptr(shrooms.StatusInRepair)},
			func(i *shrooms.Item) bool { return i.Status == shrooms.StatusInRepair }, shrooms.ActionUpdated, ""},
		{"still on loan", onLoan, shrooms.ItemUpdate{Name: ptr("Drill 2")},
			func(i *shrooms.Item) bool { return i.Status == shrooms.StatusOnLoan }, shrooms.ActionUpdated, ""},
		{"repair to available is no check-in", withStatus(tool, shrooms.StatusInRepair), shrooms.ItemUpdate{Status: ptr(shrooms.StatusAvailable)},
			func(i *shrooms.Item) bool { return i.Status == shrooms.StatusAvailable }, shrooms.ActionUpdated, ""},
		{"blank name", tool, shrooms.ItemUpdate{Name: ptr("  ")}, nil, "", "name"},
		{"bad status", tool, shrooms.ItemUpdate{Status: ptr(shrooms.ItemStatus("lost"))}, nil, "", "status"},
		{"long loan", tool, shrooms.ItemUpdate{Loan: &shrooms.LoanRules{MaxDays: shrooms.MaxLoanDays + 1}}, nil, "", "max_days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.before
			before.Fields = maps.Clone(tc.before.Fields)
			got, action, err := before.Apply(tc.u)
			if tc.field != "" {
				if shrooms.ErrorCode(err) != shrooms.EINVALID || !strings.HasPrefix(shrooms.ErrorMessage(err), tc.field+":") {
					t.Fatalf("Apply = %+v, %v; want EINVALID naming %s", got, err, tc.field)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if !tc.check(got) || action != tc.action {
					t.Errorf("Apply = %+v, %q; want action %q", got, action, tc.action)
				}
			}
			if before.Name != tc.before.Name || before.Status != tc.before.Status || before.Kind != tc.before.Kind ||
				before.Unit != tc.before.Unit || !maps.Equal(before.Fields, tc.before.Fields) {
				t.Errorf("Apply changed the item it was applied to: %+v", before)
			}
		})
	}
}

func withQuantity(i shrooms.Item, q int64) shrooms.Item { i.Quantity = q; return i }

func withStatus(i shrooms.Item, s shrooms.ItemStatus) shrooms.Item { i.Status = s; return i }

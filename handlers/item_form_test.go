package handlers

import (
	"fmt"
	"net/url"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestParseCents checks the amounts the item form accepts: dot or comma,
// at most two decimals, never negative.
func TestParseCents(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "12": 1200, "12.5": 1250, "12,50": 1250, "0.05": 5, ".5": 50, "1 000": 100000} {
		if got, err := shrooms.ParseMoney(in); err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"12.345", "-3", "abc", "1e3", "+4", "12.5.1", "100000001"} {
		if got, err := shrooms.ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) = %d, want an error", in, got)
		}
	}
	for c, want := range map[int64]string{0: "", 5: "0.05", 1250: "12.50", 100000: "1000.00"} {
		if got := centsText(c); got != want {
			t.Errorf("centsText(%d) = %q, want %q", c, got, want)
		}
	}
}

// TestItemFormCustomFields checks that the form's custom fields are
// checked against the category's definitions, with a translated message
// naming the input, and that an unticked yes/no box is "false".
func TestItemFormCustomFields(t *testing.T) {
	tr := func(key string, args ...any) string { return fmt.Sprint(append([]any{key}, args...)...) }
	defs := []shrooms.CustomField{
		{Key: "watts", Label: "Power", Type: shrooms.FieldNumber, Required: true},
		{Key: "tested", Label: "Tested", Type: shrooms.FieldBool},
	}
	f := readItemForm(url.Values{"name": {"Drill"}, "field_watts": {"7,5"}, "value": {"3"}})
	i, err := f.item(defs, tr)
	if err != nil {
		t.Fatal(err)
	}
	if i.Fields["watts"] != "7.5" || i.Fields["tested"] != "false" || i.ValueCents != 300 {
		t.Errorf("item: %+v", i)
	}
	f.Fields["watts"] = "much"
	if _, err := f.item(defs, tr); shrooms.ErrorField(err) != "field_watts" || shrooms.ErrorCode(err) != shrooms.EINVALID {
		t.Errorf("bad number: %v (field %q)", err, shrooms.ErrorField(err))
	}
	f.Fields["watts"] = ""
	if _, err := f.item(defs, tr); shrooms.ErrorField(err) != "field_watts" {
		t.Errorf("missing required: %v", err)
	}
	f = readItemForm(url.Values{"name": {"Bolt"}, "kind": {"part"}, "quantity": {"-1"}})
	if _, err := f.item(nil, tr); shrooms.ErrorField(err) != "quantity" {
		t.Errorf("negative quantity: %v", err)
	}
	// Stock inputs of other kinds are ignored, not refused.
	f = readItemForm(url.Values{"name": {"Saw"}, "kind": {"tool"}, "quantity": {"5"}, "unit": {"pcs"}})
	if i, err := f.item(nil, tr); err != nil || i.Quantity != 0 || i.Unit != "" {
		t.Errorf("tool with stock inputs: %+v %v", i, err)
	}
}

// TestItemFormRenewals checks the item's renewal limit: empty follows the
// organisation's rule, a number (0 too) is the item's own, and the form
// shows it back as typed.
func TestItemFormRenewals(t *testing.T) {
	tr := func(key string, args ...any) string { return fmt.Sprint(append([]any{key}, args...)...) }
	for in, want := range map[string]string{"": "<nil>", " ": "<nil>", "0": "0", "3": "3", "100": "100"} {
		f := readItemForm(url.Values{"name": {"Drill"}, "renewals": {in}})
		i, err := f.item(nil, tr)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		got := "<nil>"
		if i.Loan.Renewals != nil {
			got = fmt.Sprint(*i.Loan.Renewals)
		}
		if got != want {
			t.Errorf("renewals %q read %s, want %s", in, got, want)
		}
		if back := itemFormOf(i).Renewals; back != f.Renewals {
			t.Errorf("renewals %q shown back as %q", in, back)
		}
	}
	for _, in := range []string{"-1", "101", "two"} {
		f := readItemForm(url.Values{"name": {"Drill"}, "renewals": {in}})
		if _, err := f.item(nil, tr); shrooms.ErrorField(err) != "renewals" || shrooms.ErrorCode(err) != shrooms.EINVALID {
			t.Errorf("renewals %q: %v", in, err)
		}
	}
}

package shrooms_test

import (
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestParseMoney: the amounts the item form and the CSV import accept,
// and those they refuse with EINVALID.
func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want int64
	}{
		{"empty", "", 0},
		{"blank", "  ", 0},
		{"whole", "7", 700},
		{"dot", "12.50", 1250},
		{"one decimal", "12.5", 1250},
		{"comma", "12,50", 1250},
		{"comma one decimal", "12,5", 1250},
		{"trailing separator", "12.", 1200},
		{"no whole part", ".5", 50},
		{"no whole part, comma", ",05", 5},
		{"cents", "0.05", 5},
		{"space thousands", "1 000", 100000},
		{"French thousands", "1 234,00", 123400},
		{"no-break space", "1\u00a0234,56", 123456},
		{"narrow no-break space", "1\u202f234,56", 123456},
		{"surrounding spaces", " 3,20 ", 320},
		{"the most", "100000000", shrooms.MaxMoneyCents},
		{"the most with cents", "100000000.00", shrooms.MaxMoneyCents},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := shrooms.ParseMoney(tc.in); err != nil || got != tc.want {
				t.Errorf("ParseMoney(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"too many decimals", "12.345"},
		{"too many decimals, comma", "12,345"},
		{"negative", "-3"},
		{"negative decimal", "-0.50"},
		{"plus sign", "+4"},
		{"exponent", "1e3"},
		{"words", "abc"},
		{"currency sign", "12 €"},
		{"two separators", "12.5.1"},
		{"comma thousands and dot", "1,234.50"},
		{"separator alone", "."},
		{"above the most", "100000001"},
		{"one cent above the most", "100000000.01"},
		{"int64 overflow", "92233720368547758.08"},
		{"far too long", "99999999999999999999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := shrooms.ParseMoney(tc.in); shrooms.ErrorCode(err) != shrooms.EINVALID {
				t.Errorf("ParseMoney(%q) = %d, %v; want EINVALID", tc.in, got, err)
			}
		})
	}
}

// TestFormatMoney: what FormatMoney writes, ParseMoney reads back.
func TestFormatMoney(t *testing.T) {
	for cents, want := range map[int64]string{0: "0.00", 5: "0.05", 50: "0.50", 1250: "12.50", 100_000_000_00: "100000000.00"} {
		got := shrooms.FormatMoney(cents)
		back, err := shrooms.ParseMoney(got)
		if got != want || err != nil || back != cents {
			t.Errorf("FormatMoney(%d) = %q, read back as %d %v; want %q", cents, got, back, err, want)
		}
	}
}

package handlers

import (
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestReadCSVShapes(t *testing.T) {
	// A French spreadsheet: BOM, semicolons, a decimal comma, columns in
	// another order and in capitals, a trailing empty row.
	rows, err := readCSV(strings.NewReader("\ufeffValue;NAME;field:watts\r\n12,50;Perceuse;750\r\n;;\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.records) != 1 || rows.get(rows.records[0], "name") != "Perceuse" || rows.get(rows.records[0], "value") != "12,50" {
		t.Fatalf("records %q cols %v", rows.records, rows.cols)
	}
	if keys := rows.fieldKeys(); len(keys) != 1 || keys[0] != "watts" {
		t.Fatalf("field keys %v", keys)
	}
	for _, tc := range []struct{ in, code, want string }{
		{"name,colour,size\nx,y,z\n", shrooms.EINVALID, `Unknown columns: "colour", "size"`},
		{"kind,value\ntool,1\n", shrooms.EINVALID, "no name column"},
		{"name,name\na,b\n", shrooms.EINVALID, "appear twice: name"},
		{"", shrooms.EINVALID, "empty"},
		{"name\n", shrooms.EINVALID, "no items"},
		{"name\n\"a\n", shrooms.EINVALID, "not valid CSV"},
		{"name\n\xff\n", shrooms.EINVALID, "UTF-8"},
		{"name\n" + strings.Repeat("x\n", maxImportRows+1), shrooms.EINVALID, "more than 20000 rows"},
		{"name\n" + strings.Repeat("x", maxImportBytes), shrooms.ETOOLARGE, "10 MB"},
	} {
		_, err := readCSV(strings.NewReader(tc.in))
		if shrooms.ErrorCode(err) != tc.code || !strings.Contains(shrooms.ErrorMessage(err), tc.want) {
			t.Errorf("%.30q: got %v, want %s %q", tc.in, err, tc.code, tc.want)
		}
	}
	if _, err := readCSV(strings.NewReader("name\n" + strings.Repeat("x\n", maxImportRows))); err != nil {
		t.Errorf("%d rows: %v", maxImportRows, err)
	}
}

func TestCSVValues(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "12.50": 1250, "12,5": 1250, "1 234,00": 123400, "7": 700} {
		if got, ok := parseMoney(in); !ok || got != want {
			t.Errorf("parseMoney(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"12.345", "-3", "1e3", "abc", ".5"} {
		if _, ok := parseMoney(in); ok {
			t.Errorf("parseMoney(%q) accepted", in)
		}
	}
	if formatMoney(1250) != "12.50" || formatMoney(5) != "0.05" {
		t.Errorf("formatMoney: %s %s", formatMoney(1250), formatMoney(5))
	}
	for _, v := range []string{"=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "plain", ""} {
		safe := csvSafe(v)
		if v != "" && strings.ContainsRune(formulaStart, rune(v[0])) && safe[0] != '\'' {
			t.Errorf("csvSafe(%q) = %q", v, safe)
		}
		if back := csvUnsafe(safe); back != v {
			t.Errorf("csvUnsafe(csvSafe(%q)) = %q", v, back)
		}
	}
}

package itemcsv

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
		{"name\n" + strings.Repeat("x\n", MaxRows+1), shrooms.EINVALID, "more than 20000 rows"},
		{"name\n" + strings.Repeat("x", MaxBytes), shrooms.ETOOLARGE, "10 MB"},
	} {
		_, err := readCSV(strings.NewReader(tc.in))
		if shrooms.ErrorCode(err) != tc.code || !strings.Contains(shrooms.ErrorMessage(err), tc.want) {
			t.Errorf("%.30q: got %v, want %s %q", tc.in, err, tc.code, tc.want)
		}
	}
	if _, err := readCSV(strings.NewReader("name\n" + strings.Repeat("x\n", MaxRows))); err != nil {
		t.Errorf("%d rows: %v", MaxRows, err)
	}
}

func TestCSVValues(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "12.50": 1250, "12,5": 1250, "1 234,00": 123400, "7": 700} {
		if got, err := shrooms.ParseMoney(in); err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"12.345", "-3", "1e3", "abc"} {
		if _, err := shrooms.ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) accepted", in)
		}
	}
	if shrooms.FormatMoney(1250) != "12.50" || shrooms.FormatMoney(5) != "0.05" {
		t.Errorf("formatMoney: %s %s", shrooms.FormatMoney(1250), shrooms.FormatMoney(5))
	}
}

// TestCSVFormulaCells: every spelling of a formula start gets the quote,
// whatever blanks or separators come before it; harmless cells keep
// their text; and the import takes the quote away again.
func TestCSVFormulaCells(t *testing.T) {
	quoted := map[string]string{
		"equals":                 "=HYPERLINK(\"x\")",
		"plus":                   "+1",
		"minus":                  "-2",
		"at":                     "@SUM(A1)",
		"tab":                    "\tplain",
		"CR":                     "\rplain",
		"semicolon then equals":  ";=cmd|' /C calc'!A0",
		"comma then equals":      ",=1+1",
		"space then equals":      " =1+1",
		"spaces then plus":       "   +1",
		"no-break space":         "\u00a0=1",
		"ideographic space":      "\u3000@x",
		"newline then equals":    "\n=1",
		"separators and blanks":  "; , ;-1",
		"tab then semicolon":     "\t;=1",
		"full-width equals":      "\uff1dcmd()",
		"full-width plus":        "\uff0b1",
		"full-width minus":       "\uff0d1",
		"full-width at":          "\uff20x",
		"quote before a formula": "'=1",
		"quotes before blanks":   "'' ;=1",
	}
	for name, v := range quoted {
		t.Run(name, func(t *testing.T) {
			safe := csvSafe(v)
			if safe != "'"+v {
				t.Errorf("csvSafe(%q) = %q, want a leading quote", v, safe)
			}
			if back := csvUnsafe(safe); back != v {
				t.Errorf("csvUnsafe(csvSafe(%q)) = %q", v, back)
			}
		})
	}
	for _, v := range []string{"", "plain", "Tools › Power tools", "12.50", "a=b", "abc;def", "'quoted", "'", "x-1", "mail@example.org"} {
		if safe := csvSafe(v); safe != v {
			t.Errorf("csvSafe(%q) = %q, want it unchanged", v, safe)
		}
		if back := csvUnsafe(v); back != v {
			t.Errorf("csvUnsafe(%q) = %q, want it unchanged", v, back)
		}
	}
}

// TestCellWriter: cells holding any locale's separator, a quote, a line
// break or outer blanks are quoted, so that no spreadsheet splits them.
func TestCellWriter(t *testing.T) {
	var b strings.Builder
	cw := newCellWriter(&b)
	if err := cw.Write([]string{"plain", "a,b", "a;=b", "a\t=b", `say "hi"`, "two\nlines", " lead", "trail ", "", "x"}); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "plain,\"a,b\",\"a;=b\",\"a\t=b\",\"say \"\"hi\"\"\",\"two\nlines\",\" lead\",\"trail \",,x\r\n"
	if b.String() != want {
		t.Errorf("row:\n%q\nwant\n%q", b.String(), want)
	}
}

// TestCSVRenewals: an empty loan_renewals cell follows the organisation's
// rule, a number (0 too) is the item's own and is written back as read;
// a bad one is a row error or left for the store to refuse.
func TestCSVRenewals(t *testing.T) {
	rows, err := readCSV(strings.NewReader("name,loan_renewals\nA,\nB,0\nC,5\nD,-1\nE,many\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "0", "5", "-1", "0"}
	for i, rec := range rows.records {
		it, errs, err := rows.item(rec, FirstRow+i, &csvNames{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := renewals(it.Loan.Renewals); got != want[i] {
			t.Errorf("%s: renewals %q, want %q", it.Name, got, want[i])
		}
		if bad := len(errs) == 1 && errs[0].Field == "loan_renewals"; bad != (it.Name == "E") {
			t.Errorf("%s: row errors %v", it.Name, errs)
		}
	}
	if !strings.Contains(Template(), ",loan_max_days,loan_renewals,deposit,") {
		t.Errorf("template header: %s", Template())
	}
}

package itemcsv

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// FuzzReadCSV feeds the CSV importer's parser any bytes. Seeds are in
// testdata/fuzz/FuzzReadCSV (valid files in both separators, with a BOM,
// quotes and custom fields, and broken ones). It must never panic; a
// refusal is a clear EINVALID or ETOOLARGE; an accepted file has a name
// column and at most MaxRows rows whose cells survive the export's
// formula quoting and its writer unchanged.
//
//	go test -tags sqlite_fts5 -run '^$' -fuzz '^FuzzReadCSV$' -fuzztime 30s ./itemcsv/
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("name,kind\nDrill,tool\n"))
	f.Add([]byte("\ufeffname;value;field:watts\r\nPerceuse;12,50;750\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := readCSV(bytes.NewReader(data))
		if err != nil {
			if code := shrooms.ErrorCode(err); code != shrooms.EINVALID && code != shrooms.ETOOLARGE {
				t.Fatalf("refused with %s: %v", code, err)
			}
			if shrooms.ErrorMessage(err) == "" {
				t.Fatal("refused without a message")
			}
			return
		}
		if !has(rows.cols, "name") || len(rows.records) == 0 || len(rows.records) > MaxRows {
			t.Fatalf("accepted %d records, columns %v", len(rows.records), rows.cols)
		}
		for _, rec := range rows.records {
			for col := range rows.cols {
				rows.get(rec, col) // any column of any row, however short
			}
			for _, v := range rec {
				if safe := csvSafe(v); csvUnsafe(safe) != v || formulaCell(safe) {
					t.Fatalf("cell %q exports as %q", v, safe)
				}
				if cents, err := shrooms.ParseMoney(v); err == nil && (cents < 0 || cents > shrooms.MaxMoneyCents) {
					t.Fatalf("money %q parsed as %d cents", v, cents)
				}
				if yes, ok := parseYesNo(v); yes && !ok {
					t.Fatalf("%q is yes but not a yes/no", v)
				}
			}
			var b strings.Builder
			cw := newCellWriter(&b)
			if err := cw.Write(rec); err != nil {
				t.Fatal(err)
			}
			cw.Flush()
			back, err := csv.NewReader(strings.NewReader(b.String())).Read()
			if err != nil || !slices.Equal(back, rec) {
				t.Fatalf("row %q written as %q reads back as %q (%v)", rec, b.String(), back, err)
			}
		}
		rows.fieldKeys()
	})
}

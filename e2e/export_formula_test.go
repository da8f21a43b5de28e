package e2e

import (
	"encoding/csv"
	"io"
	"net/url"
	"sort"
	"strings"
	"testing"
	"unicode"

	shrooms "github.com/shrooms-org/shrooms"
)

// hostileCells are values a spreadsheet may run as a formula once a
// separator or blank before the formula character is taken away: when it
// splits the row on ";" or tabs (a French Excel opening a comma file),
// or trims blanks.
var hostileCells = []string{
	";=cmd|' /C calc'!A0",
	",=HYPERLINK(\"http://evil.example\")",
	" =1+1",
	"  +SUM(A1:A9)",
	"\u00a0-2+3",
	"; ;@SUM(A1)",
	"\t=1",
	"abc;=cmd|' /C calc'!A0",
	"abc\t=1+1",
	"\uff1dcmd()",
	"'=already quoted",
}

// formulaAfterBlanks reports whether v, with leading blanks and
// separators dropped, starts as a formula.
func formulaAfterBlanks(v string) bool {
	v = strings.TrimLeftFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ';' || r == ',' })
	return v != "" && strings.ContainsRune("=+-@\uff1d\uff0b\uff0d\uff20", []rune(v)[0])
}

// TestExportNeutralisesFormulas: no exported cell, read as a comma file,
// as a semicolon or tab file, or with its blanks trimmed, starts a
// formula; and the export re-imports as the same values.
func TestExportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	a, b := startNode(t, newTestClock()), startNode(t, newTestClock())
	for _, n := range []*testNode{a, b} {
		createUser(t, n, "sam", shrooms.RoleStaff, memberPassword)
	}
	for i, v := range hostileCells {
		createItem(t, a, &shrooms.Item{Name: "Item " + string(rune('A'+i)), Description: v, Audience: shrooms.AudienceMembers})
	}
	staff := loginAs(t, a, "sam", memberPassword)
	res, err := staff.c.Get(a.url() + "/items/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	export := strings.TrimPrefix(string(data), "\ufeff")

	rows, err := csv.NewReader(strings.NewReader(export)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, export)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if formulaAfterBlanks(cell) {
				t.Errorf("cell %q starts a formula once blanks and separators are dropped", cell)
			}
			// Split as a spreadsheet in another locale would, ignoring
			// the quotes: each piece must be harmless too, unless the
			// quotes kept it inside its cell.
			if strings.ContainsAny(cell, ";\t") && !strings.Contains(export, `"`+strings.ReplaceAll(cell, `"`, `""`)+`"`) {
				t.Errorf("cell %q holds a separator but is not quoted", cell)
			}
		}
	}

	other := loginAs(t, b, "sam", memberPassword)
	tok := previewToken(t, other.postMultipart("/items/import", url.Values{}, "file", "export.csv", data))
	if p := other.post("/items/import/confirm", url.Values{"token": {tok}}); !p.Has("items imported.") {
		t.Fatalf("re-import:\n%s", p.Body)
	}
	descriptions := func(n *testNode) []string {
		var out []string
		for _, it := range allItems(t, n) {
			out = append(out, it.Name+"|"+it.Description)
		}
		sort.Strings(out)
		return out
	}
	if da, db := descriptions(a), descriptions(b); strings.Join(da, "\n") != strings.Join(db, "\n") {
		t.Errorf("round trip differs:\nA: %q\nB: %q", da, db)
	}
}
